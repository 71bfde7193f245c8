"""Bring citations' pending messages up to date with their schedules, in bulk.

At every commit that changed citations (`citations.audit` calls `bring_up_to_date` by name,
in the same transaction), and over any list of citations (`sync_citations`: the benchmark,
a catch-up after the profile changed): the plan (`citations.outreach.plan`) says which
messages each citation wants now; a pending message no longer wanted is cancelled, with the
reason in plain words; a wanted message not yet written is written, pending until its time.
Messages a sender has taken (sending), sent or given up on are never touched, and a message
is never written twice (one key per citation; a concurrent writer's row wins). Only the
plan's own messages are managed (`plan.is_planned`): one another writer put in the outbox
is left to it.

It reads a fixed number of statements per thousand citations (the schedules, the opt-outs,
the outbox rows) and writes with one bulk insert and one update per reason, so a batch intake
of thousands of citations commits nearly as fast as without it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from citations.audit import TOUCHED
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.outreach.addresses import email_key, phone_key
from citations.outreach.plan import Person, Wanted, is_planned, unwanted_because, wanted
from citations.outreach.reach import reach_of
from citations.partitions import is_partitioned, with_parent_ids
from citations.record.messages import Channel, MessageStatus, OptOut, OutboxMessage
from citations.record.status import CLOSED
from citations.record.tables import Citation
from citations.schedule import schedules_of
from ordinances.errors import NothingPublished
from ordinances.models import Jurisdiction

CHUNK = 1000
"""Citations brought up to date per round of statements."""

REASON_LIMIT = 200
"""The length of `cancel_reason`: a reason that quotes a provider's refusal (an SMTP reply
runs to several lines) is cut to it, never refused by the database with the commit."""

PENDING = MessageStatus.PENDING.value
CANCELLED = MessageStatus.CANCELLED.value


@dataclass(frozen=True)
class Synced:
    """What a sync did."""

    citations: int
    written: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class _Citation:
    """The columns of a citation the schedule and the plan read."""

    id: int
    number: str
    status: str
    served_on: Any
    service_method: str
    due_on: Any
    notice_language: str
    experiment: str | None
    arm: str | None
    phone: str | None
    email: str | None
    texts_consent: bool
    emails_consent: bool
    phone_problem: str | None
    email_problem: str | None
    subject: Any


_COLUMNS = [getattr(Citation, name) for name in _Citation.__slots__]


def bring_up_to_date(session: Session) -> None:
    """The commit hook: the citations this transaction changed (`session.info[TOUCHED]`,
    taken and cleared), planned as of their latest change. Nothing is done before a
    catalog is published (there is no profile to plan with)."""
    touched: dict[str, datetime] | None = session.info.pop(TOUCHED, None)
    if not touched:
        return
    try:
        profile = PublishedCatalog(session).jurisdiction()
    except NothingPublished:
        return
    numbers = sorted(touched)
    ids: list[int] = []
    for start in range(0, len(numbers), CHUNK):
        ids += session.scalars(
            select(Citation.id).where(Citation.number.in_(numbers[start : start + CHUNK]))
        )
    _sync(session, ids, profile, max(touched.values()))


def sync_citations(session: Session, citation_ids: Sequence[int], *, now: datetime) -> Synced:
    """Bring the messages of these citations up to date as of `now` (the same work as the
    commit hook); NothingPublished without a published profile."""
    profile = PublishedCatalog(session).jurisdiction()
    return _sync(session, list(citation_ids), profile, now)


def sync_open(engine: Engine, *, now: datetime) -> Synced:
    """Bring every open citation's messages up to date (and cancel what a closed citation
    still has pending), a thousand citations per transaction: after the profile's reminders
    change, or a docket session moved, which no citation's commit saw. `citations outreach
    plan` runs it."""
    with transaction(engine) as session:
        ids = list(
            session.scalars(
                select(Citation.id)
                .where(
                    or_(
                        Citation.status.not_in([s.value for s in CLOSED]),
                        Citation.id.in_(
                            select(OutboxMessage.citation_id).where(
                                OutboxMessage.status == MessageStatus.PENDING.value
                            )
                        ),
                    )
                )
                .order_by(Citation.id)
            )
        )
    total = Synced(citations=0, written=0, cancelled=0)
    for start in range(0, len(ids), CHUNK):
        with transaction(engine) as session:
            done = sync_citations(session, ids[start : start + CHUNK], now=now)
        total = Synced(
            citations=total.citations + done.citations,
            written=total.written + done.written,
            cancelled=total.cancelled + done.cancelled,
        )
    return total


def _sync(session: Session, ids: list[int], profile: Jurisdiction, now: datetime) -> Synced:
    written = cancelled = 0
    for start in range(0, len(ids), CHUNK):
        w, c = _sync_chunk(session, ids[start : start + CHUNK], profile, now)
        written += w
        cancelled += c
    return Synced(citations=len(ids), written=written, cancelled=cancelled)


def _sync_chunk(
    session: Session, ids: list[int], profile: Jurisdiction, now: datetime
) -> tuple[int, int]:
    citations = [
        _Citation(*row) for row in session.execute(select(*_COLUMNS).where(Citation.id.in_(ids)))
    ]
    existing: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for row_id, citation_id, key, status, channel in session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.citation_id,
            OutboxMessage.key,
            OutboxMessage.status,
            OutboxMessage.channel,
        ).where(OutboxMessage.citation_id.in_(ids))
    ):
        existing[citation_id].append((row_id, key, status, channel))
    opted_out = _opted_out(session, citations)
    people = {c.id: _person(c, opted_out) for c in citations}
    # Only a citation someone can be reached about, or with messages pending, needs its
    # schedule: most citations issued without a phone or an email need nothing read.
    planned = [
        c
        for c in citations
        if people[c.id].reach.channels
        or people[c.id].reach.post
        or any(status == PENDING and is_planned(key) for _, key, status, _ in existing[c.id])
    ]
    schedules = schedules_of(session, planned, profile)
    rows: list[dict[str, Any]] = []
    revived: list[dict[str, Any]] = []
    cancel: dict[str, list[int]] = defaultdict(list)
    for citation in planned:
        schedule = schedules[citation.id]
        person = people[citation.id]
        messages = wanted(schedule, person, profile, now=now)
        keys = {m.key for m in messages}
        have = {key: (row_id, status) for row_id, key, status, _ in existing[citation.id]}
        for row_id, key, status, channel in existing[citation.id]:
            if status == PENDING and key not in keys and is_planned(key):
                reason = unwanted_because(key, channel, person, schedule, messages, profile)
                cancel[reason[:REASON_LIMIT]].append(row_id)
        for message in messages:
            if message.stale:
                continue
            if message.key not in have:
                rows.append(_row(citation.id, message, now))
            elif have[message.key][1] == CANCELLED:
                revived.append(_revived(have[message.key][0], message))
    for reason, row_ids in cancel.items():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == PENDING)
            .values(status=CANCELLED, cancelled_at=now, cancel_reason=reason)
            .execution_options(synchronize_session=False)
        )
    if rows:
        with_parent_ids(session.connection(), OutboxMessage.__tablename__, rows)
        session.execute(_insert_new(session), rows)
    if revived:
        session.execute(update(OutboxMessage), revived)
    return len(rows) + len(revived), sum(len(r) for r in cancel.values())


def _opted_out(session: Session, citations: list[_Citation]) -> set[tuple[str, str]]:
    phones = {phone_key(c.phone) for c in citations if c.phone and c.texts_consent}
    emails = {email_key(c.email) for c in citations if c.email and c.emails_consent}
    if not phones and not emails:
        return set()
    rows = session.execute(
        select(OptOut.channel, OptOut.address).where(
            OptOut.ended_at.is_(None),
            or_(
                and_(OptOut.channel == Channel.TEXT.value, OptOut.address.in_(phones)),
                and_(OptOut.channel == Channel.EMAIL.value, OptOut.address.in_(emails)),
            ),
        )
    )
    return {(channel, address) for channel, address in rows}


def _person(citation: _Citation, opted_out: set[tuple[str, str]]) -> Person:
    subject = citation.subject if isinstance(citation.subject, dict) else {}
    return Person(
        status=citation.status,
        language=citation.notice_language,
        experiment=citation.experiment,
        arm=citation.arm,
        reach=reach_of(
            phone=citation.phone,
            texts_consent=citation.texts_consent,
            phone_problem=citation.phone_problem,
            email=citation.email,
            emails_consent=citation.emails_consent,
            email_problem=citation.email_problem,
            postal_address=bool(subject.get("address")),
            opted_out=opted_out,
        ),
    )


def _row(citation_id: int, message: Wanted, now: datetime) -> dict[str, Any]:
    return {
        "citation_id": citation_id,
        "key": message.key,
        "kind": message.kind,
        "about": message.about,
        "due_on": message.due_on,
        "channel": message.channel,
        "language": message.language,
        "wording": message.wording,
        "send_at": message.send_at,
        "next_try_at": message.send_at,
        "status": PENDING,
        "attempts": 0,
        "facts": message.facts,
        "created_at": now,
    }


def _revived(row_id: int, message: Wanted) -> dict[str, Any]:
    """A cancelled message wanted again (the person gave their consent again, a date moved
    back): pending again, at its new time. One row per key, so the old row is reused."""
    return {
        "id": row_id,
        "status": PENDING,
        "send_at": message.send_at,
        "next_try_at": message.send_at,
        "due_on": message.due_on,
        "language": message.language,
        "wording": message.wording,
        "facts": message.facts,
        "cancelled_at": None,
        "cancel_reason": None,
    }


def _insert_new(session: Session) -> Any:
    """An insert that skips a key another transaction wrote first (the unique key per
    citation), so two commits that change one citation at once both succeed."""
    # The table, not the mapped class: a Core insert of many rows skips the ORM's per-row
    # bookkeeping, which cost as much as the database's own work.
    table = cast(Table, OutboxMessage.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        if is_partitioned(session.connection()):
            # The key is unique on each year's partition (a citation's rows share one), which
            # PostgreSQL cannot name as the parent's: any conflict is that key's.
            return postgresql.insert(table).on_conflict_do_nothing()
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["citation_id", "key"]
        )
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["citation_id", "key"])
    return insert(table)
