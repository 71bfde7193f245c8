"""Daily processing: `citations process --as-of DATE`.

For one date it mails the notices waiting to be mailed, defaults missed plans, fails expired
community service and programs, adds late penalties (marking citations delinquent), and
refers long-delinquent citations to collections with the collection fee. Every step selects
only what has not been done for that state, so a second run for the same date changes
nothing. The as-of date makes every rule testable and replayable.

`citations process`, the API and the demo run it with `process_in_chunks`: a chunk of
candidates per transaction (`citations.record.chunks`), so no writer waits for the whole run.
A run stopped midway (a crash, a kill) has committed whole chunks; running it again for the
date does the rest. `process` does it all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import collections_cutoff, late_penalty_cutoff
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.money import percent_of, to_cents
from citations.notice.mailing import mail_waiting
from citations.partitions import ensure_years_around
from citations.payments.diversion import expire_diversion
from citations.payments.kept import keep_late_notice
from citations.payments.plans import default_missed_plans
from citations.payments.service import expire_service
from citations.payments.tables import CollectionReferral
from citations.record.chunks import CHUNK, Window, in_chunks, read_chunk
from citations.record.ledger import EntryKind, LedgerEntry, balance, balances, post
from citations.record.moments import check_not_after_today
from citations.record.status import CitationStatus, move
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus
LATE_FROM = frozenset({S.ISSUED, S.REVIEW_UPHELD, S.UPHELD})


@dataclass
class ProcessReport:
    as_of: date
    plans_defaulted: list[str] = field(default_factory=list)
    service_failed: list[str] = field(default_factory=list)
    diversion_failed: list[str] = field(default_factory=list)
    delinquent: list[str] = field(default_factory=list)
    """Citations that became delinquent today (a late notice, kept, goes to each)."""
    referred: list[str] = field(default_factory=list)
    mailed: list[str] = field(default_factory=list)
    """Citations whose notice was mailed today (their deadlines start from it)."""

    @property
    def changed(self) -> int:
        return sum(
            len(v)
            for v in (
                self.plans_defaulted,
                self.service_failed,
                self.diversion_failed,
                self.delinquent,
                self.referred,
                self.mailed,
            )
        )


Step = Callable[[Session, date, Jurisdiction, Actor, datetime, Window | None], list[str]]
"""One rule of the day: the numbers of the citations it changed (a window's chunk of them)."""


def _begin(session: Session, as_of: date, actor: Actor, now: datetime) -> Jurisdiction:
    """Who may run it and for which day; the profile it runs with."""
    actor.require(Action.RUN_DAILY_PROCESSING)
    profile = PublishedCatalog(session).jurisdiction()
    check_not_after_today(as_of, now=now, profile=profile, what="daily processing")
    # Next year's partitions, a year ahead (PostgreSQL; citations.partitions): made once a
    # year, by the first run of a new year, so no writer waits for one at New Year.
    ensure_years_around(session.connection(), now)
    return profile


def process(session: Session, *, as_of: date, actor: Actor, now: datetime) -> ProcessReport:
    """Apply every date rule due on `as_of`, all in the session's transaction.

    `as_of` may be today or an earlier day (to catch up a missed run), never a later one:
    that would add penalties and refer to collections citations not yet late.
    """
    profile = _begin(session, as_of, actor, now)
    report = ProcessReport(as_of)
    for name, step in STEPS:
        setattr(report, name, step(session, as_of, profile, actor, now, None))
    return report


def process_in_chunks(
    engine: Engine, *, as_of: date, actor: Actor, now: datetime, chunk: int = CHUNK
) -> ProcessReport:
    """`process`, a transaction per `chunk` candidates of each step: a payment, a citation or
    a clerk's change waits at most one chunk for it, never the whole run."""
    with transaction(engine) as session:
        profile = _begin(session, as_of, actor, now)
    report = ProcessReport(as_of)
    for name, step in STEPS:

        def chunk_of(session: Session, window: Window, step: Step = step) -> list[str]:
            return step(session, as_of, profile, actor, now, window)

        setattr(report, name, in_chunks(engine, chunk_of, chunk))
    return report


def _late(
    session: Session,
    as_of: date,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
    window: Window | None = None,
) -> list[str]:
    """Unpaid more than `late_penalty.after_days` past the due date: penalty, delinquent, and
    a late notice, kept as sent (mailed to the person's address, or kept at the office for
    them when there is none: `citations.payments.kept`)."""
    penalty = profile.late_penalty
    cutoff = late_penalty_cutoff(as_of, profile)
    query = (
        select(Citation)
        .where(Citation.status.in_([s.value for s in LATE_FROM]), Citation.due_on < cutoff)
        .with_for_update(skip_locked=True)  # see lock_if_free: one being changed waits a run
        .execution_options(populate_existing=True)
    )
    candidates: list[Citation] = read_chunk(session, query, Citation.id, window)
    owed_by = balances(session, [c.id for c in candidates])
    numbers = []
    for citation in candidates:
        owed = owed_by.get(citation.id, Decimal(0))
        if owed <= 0:
            continue
        if fees_allowed(citation, profile) and not _has(session, citation, EntryKind.LATE_PENALTY):
            if penalty.kind == "flat" and penalty.amount is not None:
                amount = penalty.amount
            else:
                amount = percent_of(owed, penalty.percent or Decimal(0))
            post(
                session,
                citation,
                EntryKind.LATE_PENALTY,
                amount,
                actor=actor.name,
                at=now,
                reason=f"unpaid {penalty.after_days} days after {citation.due_on} "
                f"({penalty.source})",
            )
        move(citation, S.DELINQUENT, "mark it delinquent")
        record(
            session,
            at=now,
            actor=actor.name,
            action="citation.delinquent",
            entity_type="citation",
            entity_key=citation.number,
            after={"as_of": as_of.isoformat(), "balance": str(balance(session, citation))},
        )
        keep_late_notice(session, citation, notice_date=as_of, actor=actor, now=now)
        numbers.append(citation.number)
    return numbers


def _collections(
    session: Session,
    as_of: date,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
    window: Window | None = None,
) -> list[str]:
    """Delinquent more than `collection_fee.after_days` past the due date: referred."""
    fee = profile.collection_fee
    cutoff = collections_cutoff(as_of, profile)
    query = (
        select(Citation)
        .where(Citation.status == S.DELINQUENT.value, Citation.due_on < cutoff)
        .with_for_update(skip_locked=True)  # see lock_if_free: one being changed waits a run
        .execution_options(populate_existing=True)
    )
    candidates: list[Citation] = read_chunk(session, query, Citation.id, window)
    owed_by = balances(session, [c.id for c in candidates])
    numbers = []
    for citation in candidates:
        if owed_by.get(citation.id, Decimal(0)) <= 0:
            continue
        if fees_allowed(citation, profile):
            post(
                session,
                citation,
                EntryKind.COLLECTION_FEE,
                fee.amount,
                actor=actor.name,
                at=now,
                reason=f"referred to collections ({fee.source})",
            )
        session.add(
            CollectionReferral(
                citation_id=citation.id,
                referred_on=as_of,
                amount_cents=to_cents(balance(session, citation)),
            )
        )
        move(citation, S.IN_COLLECTIONS, "refer it to collections")
        record(
            session,
            at=now,
            actor=actor.name,
            action="citation.referred_to_collections",
            entity_type="citation",
            entity_key=citation.number,
            after={"as_of": as_of.isoformat(), "balance": str(balance(session, citation))},
        )
        numbers.append(citation.number)
    return numbers


STEPS: list[tuple[str, Step]] = [
    ("mailed", lambda s, _, __, actor, now, w: mail_waiting(s, actor=actor, now=now, window=w)),
    (
        "plans_defaulted",
        lambda s, as_of, profile, actor, now, w: default_missed_plans(
            s, as_of=as_of, profile=profile, actor=actor, now=now, window=w
        ),
    ),
    (
        "service_failed",
        lambda s, as_of, profile, actor, now, w: expire_service(
            s, as_of=as_of, profile=profile, actor=actor, now=now, window=w
        ),
    ),
    (
        "diversion_failed",
        lambda s, as_of, profile, actor, now, w: expire_diversion(
            s, as_of=as_of, profile=profile, actor=actor, now=now, window=w
        ),
    ),
    ("delinquent", _late),
    ("referred", _collections),
]
"""In this order: a plan defaulted today is delinquent already, and a citation made late today
is not referred until its own day comes."""


def fees_allowed(citation: Citation, profile: Jurisdiction) -> bool:
    """No added fees when any violation's category bars them (e.g. sidewalk vending)."""
    return all(profile.added_fees_allowed(v.category) for v in citation.violations)


def _has(session: Session, citation: Citation, kind: EntryKind) -> bool:
    return (
        session.scalar(
            select(LedgerEntry.id)
            .where(LedgerEntry.citation_id == citation.id, LedgerEntry.kind == kind.value)
            .limit(1)
        )
        is not None
    )
