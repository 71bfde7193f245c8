"""The audit trail: every state change writes an event in the same transaction as the change.

Events are hash-chained: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any event breaks every hash after it, and `verify` names
the first event that no longer matches.

The trail is a fixed set of lanes, each its own chain with its own head row (`audit_head`,
one row per lane, made when the database is created: their number never changes under
existing data). A writing transaction takes one lane's head under a lock at its first event,
the lane chosen from that event's entity (so a citation's own changes go to its lane), and
chains all its events there; writers in other lanes do not wait for it. Within a lane the
events are chained in the order they commit, and their ids follow that order; the ids of all
events still give one order across lanes. `verify` checks every lane, and a checkpoint
records every lane's count and head, so removing a lane's newest events is still found.

A transaction holds one lane at most, taken after the rows it locks (a citation's row
first, then the lane's head), so writers never wait for each other in a cycle.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import import_module
from typing import Annotated, Any, Final, Literal
from weakref import WeakKeyDictionary

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine, Index, Integer, String, Text, func, insert, inspect, select, text
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from citations.orm import Base, JSONDocument, RecordKey

GENESIS = "0" * 64
CHECKPOINT_FORMAT: Final = "citations-audit-checkpoint"
DEFAULT_LANES: Final = 16
"""Lanes of a trail whose head rows are all gone (the migration makes 16 at creation)."""
BULK_LANE: Final = 0
"""The lane a bulk writer continues (citations.seed); the events before lanes are its chain."""


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_key"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    lane: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """The chain the event is in (0 for every event written before lanes)."""
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSONDocument)
    after: Mapped[Any | None] = mapped_column(JSONDocument)
    prev_hash: Mapped[str] = mapped_column(String(64))
    """The hash of the previous event in the same lane (zeros for a lane's first)."""
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditRetired(Base):
    """Where a retired year's events ended in a lane (citations.export.retire): the year's
    partition of events is gone, and the lane's next event links to `head`."""

    __tablename__ = "audit_retired"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    """The lane's events of the year."""
    through: Mapped[int] = mapped_column(Integer)
    """The lane's events up to the year's end, retired or not (a checkpoint's count)."""
    head: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row per lane (`id` is the lane's number): the hash of the lane's newest event.
    Locking it orders the writers of that lane."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


def event_hash(
    prev_hash: str,
    *,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None,
    before: Any | None,
    after: Any | None,
) -> str:
    """SHA-256 of the previous hash and the event's content, in a canonical JSON form."""
    content = {
        "prev": prev_hash,
        "at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "entity": [entity_type, entity_key],
        "reason": reason,
        "before": before,
        "after": after,
    }
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def lane_of(entity_type: str, entity_key: str, lanes: int) -> int:
    """The lane of an entity's events: the same for every process and every run.

    >>> lane_of("citation", "DCPD-2026-000001-5", 16)
    3
    """
    return zlib.crc32(f"{entity_type}\x1f{entity_key}".encode()) % lanes


_LANE_COUNTS: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()


def lane_count(session: Session) -> int:
    """How many lanes the database's trail has (its head rows, made at creation), read once
    per engine: the number never changes under existing data."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    known = _LANE_COUNTS.get(engine)
    if known is None:
        top = session.scalar(select(func.max(AuditHead.id)))
        known = DEFAULT_LANES if top is None else top + 1
        _LANE_COUNTS[engine] = known
    return known


RETIRED_YEAR_SPAN: Final = 10**12
"""An event's id carries the year it was written (citations.partitions.YEAR_SPAN)."""

HELD: Final = "audit_lane_head"
LANE: Final = "audit_lane"
"""`session.info` keys: the lane's head row this transaction holds, and its lane."""


def _head(session: Session, entity_type: str, entity_key: str) -> AuditHead:
    """The transaction's lane head, locked for the rest of the transaction: the lane of its
    first event's entity, taken once (later events, whatever their entity, reuse it, so a
    transaction never holds two lanes and never waits for a second)."""
    held = session.info.get(HELD)
    if isinstance(held, AuditHead) and held in session and not inspect(held).expired:
        return held
    lane = session.info.get(LANE)
    if not isinstance(lane, int):  # else a savepoint rolled back: take the same lane again
        lane = lane_of(entity_type, entity_key, lane_count(session))
    return _lock_lane(session, lane)


def _lock_lane(session: Session, lane: int) -> AuditHead:
    head = session.scalars(select(AuditHead).where(AuditHead.id == lane).with_for_update()).first()
    if head is None:  # the row was removed: verify reports it; the lane starts again
        head = AuditHead(id=lane, hash=GENESIS)
        session.add(head)
        session.flush()
    session.info[HELD] = head
    session.info[LANE] = lane
    return head


@orm_event.listens_for(Session, "after_transaction_end")
def _release_lane(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(HELD, None)
        session.info.pop(LANE, None)


def chain_head(session: Session, lane: int = BULK_LANE) -> str:
    """A lane's newest hash (locked until the transaction ends), for bulk writers."""
    return _lock_lane(session, lane).hash


def move_chain_head(session: Session, digest: str, lane: int = BULK_LANE) -> None:
    """Set a lane's head after a bulk writer chained its own events (see citations.seed)."""
    _lock_lane(session, lane).hash = digest


def _jsonable(value: Any) -> Any:
    """What the JSON column will give back, so the stored event hashes the same on reading."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None = None,
    before: Any | None = None,
    after: Any | None = None,
) -> AuditEvent:
    """Add a chained audit event to the session's transaction (committed, or rolled back,
    with the change it records)."""
    head = _head(session, entity_type, entity_key)
    fields = event_fields(
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        reason=reason,
        before=before,
        after=after,
    )
    digest = event_hash(head.hash, **fields)
    event = AuditEvent(**fields, lane=head.id, prev_hash=head.hash, hash=digest)
    session.add(event)  # inserted in the order added, so ids follow the chain
    head.hash = digest
    _touch(session, entity_type, entity_key, at)
    return event


def event_fields(
    *,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None = None,
    before: Any | None = None,
    after: Any | None = None,
) -> dict[str, Any]:
    """An event's content as `record` and `record_many` store and hash it."""
    return {
        "occurred_at": at,
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_key": entity_key,
        "reason": reason,
        "before": _jsonable(before),
        "after": _jsonable(after),
    }


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Chain and insert many events (each from `event_fields`) in one statement, in order,
    for writers that insert their rows in bulk (issuing a batch)."""
    if not events:
        return
    head = _head(session, events[0]["entity_type"], events[0]["entity_key"])
    session.flush()  # events the ORM still holds must take their ids first
    rows = []
    previous = head.hash
    for fields in events:
        digest = event_hash(previous, **fields)
        rows.append({**fields, "lane": head.id, "prev_hash": previous, "hash": digest})
        previous = digest
    session.execute(insert(AuditEvent), rows)
    head.hash = previous
    for fields in events:
        _touch(session, fields["entity_type"], fields["entity_key"], fields["occurred_at"])


TOUCHED: Final = "citations_touched"
"""`session.info` key: the numbers of the citations this transaction changed, each with the
latest moment of its changes."""


def _touch(session: Session, entity_type: str, entity_key: str, at: datetime) -> None:
    if entity_type != "citation":
        return
    touched: dict[str, datetime] = session.info.setdefault(TOUCHED, {})
    if entity_key not in touched or touched[entity_key] < at:
        touched[entity_key] = at


@orm_event.listens_for(Session, "before_commit")
def _bring_reminders_up_to_date(session: Session) -> None:
    """Bring the reminders of every citation this transaction changed up to date with its
    schedule, in the same transaction (a moved date moves its reminders, a closed citation
    cancels them, a new hearing is announced).

    Every feature that changes a citation records the change here; the reminders
    (`citations.outreach`) sit above the schedule, which sits above all those features. So
    this is the one call upward in the layers, made by name at commit time rather than by an
    import, and it is what makes "written in the same transaction as the change" true for
    every face (the command line, the API, both sets of pages) without each remembering it.
    """
    if session.info.get(TOUCHED):
        import_module("citations.outreach.sync").bring_up_to_date(session)


@orm_event.listens_for(Session, "after_commit")
@orm_event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(TOUCHED, None)


class LaneMark(BaseModel):
    """Where one lane stood: its event count and newest hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lane: Annotated[int, Field(ge=0)]
    events: Annotated[int, Field(ge=0)]
    head: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class Checkpoint(BaseModel):
    """Where the trail stood at a moment, kept outside the database (a file, or a log line).

    Each lane's chain shows any change or removal *before* its newest event, but not a
    removal of its newest events together with a move of its head row back: the lane that is
    left is a valid, shorter chain. A checkpoint taken earlier still names the event each
    lane had reached then; if the lane no longer reaches it in the same number of events,
    events were removed.

    A checkpoint written before the trail had lanes has no `lanes`: its count and head are
    lane 0's, which holds every event written before lanes, in the same order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["citations-audit-checkpoint"] = CHECKPOINT_FORMAT
    events: Annotated[int, Field(ge=0)]
    """Every lane's events together."""
    head: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    """The newest event's hash (by id; the genesis value, zeros, for an empty trail)."""
    lanes: tuple[LaneMark, ...] | None = None
    taken_at: AwareDatetime

    @model_validator(mode="after")
    def _lanes_add_up(self) -> Checkpoint:
        if self.lanes is None:
            return self
        if len({mark.lane for mark in self.lanes}) != len(self.lanes):
            raise ValueError("lanes: a lane is named twice")
        counted = sum(mark.events for mark in self.lanes)
        if counted != self.events:
            raise ValueError(f"events: the lanes count {counted:,} events, not {self.events:,}")
        return self

    def marks(self) -> tuple[LaneMark, ...]:
        """What the checkpoint says of each lane."""
        if self.lanes is None:
            return (LaneMark(lane=0, events=self.events, head=self.head),)
        return self.lanes


def checkpoint(session: Session, now: datetime) -> Checkpoint:
    """Every lane's count and head now, read in one statement (one snapshot on PostgreSQL's
    READ COMMITTED too), without recomputing the chains: cheap enough for every day's
    processing. `verify` checks the chains themselves, then and later.

    Lanes are those with a head row (verify reports a lane whose row is gone).
    """
    per_lane = (
        select(AuditEvent.lane, func.count().label("events")).group_by(AuditEvent.lane).subquery()
    )
    newest = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery()
    rows = session.execute(
        select(AuditHead.id, AuditHead.hash, func.coalesce(per_lane.c.events, 0), newest)
        .select_from(AuditHead)
        .outerjoin(per_lane, per_lane.c.lane == AuditHead.id)
        .order_by(AuditHead.id)
    ).all()
    retired = dict(
        session.execute(
            select(AuditRetired.lane, func.sum(AuditRetired.events)).group_by(AuditRetired.lane)
        ).all()
    )
    lanes = tuple(
        LaneMark(lane=lane, events=events + int(retired.get(lane) or 0), head=head)
        for lane, head, events, _ in rows
    )
    return Checkpoint(
        events=sum(mark.events for mark in lanes),
        head=(rows[0][3] if rows else None) or GENESIS,
        lanes=lanes,
        taken_at=now,
    )


class Verification(BaseModel):
    events: int
    intact: bool
    first_broken: int | None
    """The id of the first event whose hash or link does not match."""
    problem: str | None
    lane: int | None = None
    """The lane where the trail is broken."""
    head: str
    """The hash of the newest event (by id) reached (zeros for an empty trail): print it,
    and a later verify can be compared with it."""
    lanes: int = 0
    """How many lanes were checked."""
    checkpoints: int = 0
    """How many checkpoints the trail was found to still hold."""


MAX_LANES: Final = 4096
"""More lanes than any trail is made with: a head row or event beyond is not the trail's."""


def verify(
    session: Session, *, checkpoints: Sequence[Checkpoint] = (), batch: int = 5000
) -> Verification:
    """Recompute every lane's chain from its first event, reading the events once in id
    order; stop at the first mismatch. Each lane must end at its head row; lanes are
    numbered from 0 with none missing. Each checkpoint's mark of a lane must be in that
    lane, as the same event at the same count: else events were removed."""
    prev: dict[int, str] = {}
    counts: dict[int, int] = {}
    count = 0
    newest = GENESIS
    last_id = 0
    pending: dict[tuple[int, str], tuple[Checkpoint, LaneMark]] = {
        (mark.lane, mark.head): (c, mark) for c in checkpoints for mark in c.marks() if mark.events
    }
    named = {mark.lane for c in checkpoints for mark in c.marks()}
    retired: dict[int, list[AuditRetired]] = {}
    for ended in session.scalars(select(AuditRetired).order_by(AuditRetired.year)):
        retired.setdefault(ended.lane, []).append(ended)

    def skip_retired(lane: int, before_year: int | None) -> None:
        """Take the lane past its retired years before `before_year` (all, for None): their
        events are gone, checked when the year's export was; the next links to the head."""
        while retired.get(lane) and (before_year is None or retired[lane][0].year < before_year):
            ended = retired[lane].pop(0)
            prev[lane] = ended.head
            counts[lane] = ended.through
            for key, (_, mark) in list(pending.items()):
                if mark.lane == lane and mark.events <= ended.through:
                    del pending[key]

    def broken(event_id: int | None, problem: str, lane: int | None) -> Verification:
        return Verification(
            events=count,
            intact=False,
            first_broken=event_id,
            problem=problem,
            lane=lane,
            head=newest,
            lanes=len(prev),
        )

    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            count += 1
            lane = event.lane
            if lane >= MAX_LANES:
                return broken(event.id, f"its lane, {lane}, is not one of the trail's", lane)
            if retired:
                skip_retired(lane, event.id // RETIRED_YEAR_SPAN)
            before = prev.get(lane, GENESIS)
            if event.prev_hash != before:
                return broken(event.id, "its link to the previous event does not match", lane)
            expected = event_hash(
                before,
                occurred_at=event.occurred_at,
                actor=event.actor,
                action=event.action,
                entity_type=event.entity_type,
                entity_key=event.entity_key,
                reason=event.reason,
                before=event.before,
                after=event.after,
            )
            if expected != event.hash:
                return broken(event.id, "its content does not match its hash", lane)
            prev[lane] = newest = event.hash
            counts[lane] = counts.get(lane, 0) + 1
            last_id = event.id
            found = pending.pop((lane, newest), None)
            if found is not None and found[1].events != counts[lane]:
                return broken(
                    event.id,
                    f"the checkpoint of {found[0].taken_at.isoformat()} counted "
                    f"{found[1].events:,} events in lane {lane} up to this one, the lane has "
                    f"{counts[lane]:,}",
                    lane,
                )
        session.expunge_all()
    for lane in list(retired):
        skip_retired(lane, None)
    heads: dict[int, str] = dict(session.execute(select(AuditHead.id, AuditHead.hash)).all())
    top = max([0, *heads, *prev, *named])
    if top >= MAX_LANES:
        return broken(None, f"lane {top}'s head row is not one of the trail's", top)
    for lane in range(top + 1):
        if lane not in heads:
            return broken(None, "the chain's head row is missing", lane)
        if heads[lane] != prev.get(lane, GENESIS):
            return broken(None, "the newest events are missing (the head does not match)", lane)
    if pending:
        taken, mark = min(pending.values(), key=lambda found: (found[1].lane, found[1].events))
        return broken(
            None,
            f"events were removed: the checkpoint of {taken.taken_at.isoformat()} counted "
            f"{mark.events:,} events in lane {mark.lane} ending in {mark.head}, which the lane "
            f"no longer holds (it has {counts.get(mark.lane, 0):,})",
            mark.lane,
        )
    return Verification(
        events=count,
        intact=True,
        first_broken=None,
        problem=None,
        head=newest,
        lanes=top + 1,
        checkpoints=len(checkpoints),
    )


def history(session: Session, entity_type: str, entity_key: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_key == entity_key)
            .order_by(AuditEvent.id)
        )
    )
