"""The audit trail: every state change writes an event in the same transaction as the change.

Events are hash-chained: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any event breaks every hash after it, and `verify` names
the first event that no longer matches. Writers take the chain's head row under a lock, so
events are chained in the order they commit (their ids follow that order).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import import_module
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Index, Integer, String, Text, func, insert, select
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.orm import Base, JSONDocument

GENESIS = "0" * 64
CHECKPOINT_FORMAT: Final = "citations-audit-checkpoint"


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSONDocument)
    after: Mapped[Any | None] = mapped_column(JSONDocument)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the hash of the newest event. Locking it orders concurrent writers."""

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


def _head(session: Session) -> AuditHead:
    """The chain's head, locked for the rest of the transaction (read once per transaction:
    later events in it reuse the row already held)."""
    held = session.info.get("audit_head")
    if isinstance(held, AuditHead) and held in session:
        return held
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, hash=GENESIS)
        session.add(head)
        session.flush()
    session.info["audit_head"] = head
    return head


def chain_head(session: Session) -> str:
    """The newest event's hash (locked until the transaction ends), for bulk writers."""
    return _head(session).hash


def move_chain_head(session: Session, digest: str) -> None:
    """Set the head after a bulk writer chained its own events (see citations.seed)."""
    _head(session).hash = digest


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
    head = _head(session)
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
    event = AuditEvent(**fields, prev_hash=head.hash, hash=digest)
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
    head = _head(session)
    session.flush()  # events the ORM still holds must take their ids first
    rows = []
    previous = head.hash
    for fields in events:
        digest = event_hash(previous, **fields)
        rows.append({**fields, "prev_hash": previous, "hash": digest})
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


class Checkpoint(BaseModel):
    """Where the trail stood at a moment, kept outside the database (a file, or a log line).

    The chain shows any change or removal *before* its newest event, but not a removal of the
    newest events together with the head row: the trail that is left is a valid, shorter
    chain. A checkpoint taken earlier still names the event the trail had reached then; if the
    trail no longer reaches it in the same number of events, events were removed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["citations-audit-checkpoint"] = CHECKPOINT_FORMAT
    events: Annotated[int, Field(ge=0)]
    head: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    """The newest event's hash (the genesis value, zeros, for an empty trail)."""
    taken_at: AwareDatetime


def checkpoint(session: Session, now: datetime) -> Checkpoint:
    """The trail's count and head now, read in one statement (one snapshot on PostgreSQL's
    READ COMMITTED too), without recomputing the chain: cheap enough for every day's
    processing. `verify` checks the chain itself, then and later.

    An empty trail whose head row is gone gives the genesis value (verify reports the row).
    """
    count = select(func.count()).select_from(AuditEvent).scalar_subquery()
    row = session.execute(
        select(count, select(AuditHead.hash).where(AuditHead.id == 1).scalar_subquery())
    ).one()
    return Checkpoint(events=row[0], head=row[1] or GENESIS, taken_at=now)


class Verification(BaseModel):
    events: int
    intact: bool
    first_broken: int | None
    """The id of the first event whose hash or link does not match."""
    problem: str | None
    head: str
    """The hash of the newest event the chain reached (zeros for an empty trail): print it,
    and a later verify can be compared with it."""
    checkpoints: int = 0
    """How many checkpoints the trail was found to still hold."""


def verify(
    session: Session, *, checkpoints: Sequence[Checkpoint] = (), batch: int = 5000
) -> Verification:
    """Recompute the chain from the first event; stop at the first mismatch. Each checkpoint
    must be in the chain, as the same event at the same count: else events were removed."""
    prev = GENESIS
    count = 0
    last_id = 0
    pending = {c.head: c for c in checkpoints if c.events > 0}
    held = len(checkpoints) - len(pending)

    def broken(event_id: int | None, problem: str) -> Verification:
        return Verification(
            events=count, intact=False, first_broken=event_id, problem=problem, head=prev
        )

    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            count += 1
            if event.prev_hash != prev:
                return broken(event.id, "its link to the previous event does not match")
            expected = event_hash(
                prev,
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
                return broken(event.id, "its content does not match its hash")
            prev = event.hash
            last_id = event.id
            mark = pending.pop(prev, None)
            if mark is not None:
                if mark.events != count:
                    return broken(
                        event.id,
                        f"the checkpoint of {mark.taken_at.isoformat()} counted "
                        f"{mark.events:,} events up to this one, the trail has {count:,}",
                    )
                held += 1
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None:
        return broken(None, "the chain's head row is missing")
    if head.hash != prev:
        return broken(None, "the newest events are missing (the head does not match)")
    if pending:
        oldest = min(pending.values(), key=lambda c: c.events)
        return broken(
            None,
            f"events were removed: the checkpoint of {oldest.taken_at.isoformat()} counted "
            f"{oldest.events:,} events ending in {oldest.head}, which the trail no longer "
            f"holds (it has {count:,})",
        )
    return Verification(
        events=count, intact=True, first_broken=None, problem=None, head=prev, checkpoints=held
    )


def history(session: Session, entity_type: str, entity_key: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_key == entity_key)
            .order_by(AuditEvent.id)
        )
    )
