"""One schedule per citation: every date it has, computed in one place and read by the
API, the clerks' pages and `citations show`.

The rules that compute each date live in `citations.calendar` (the notice's deadlines, the
first day of the late penalty and of the referral to collections, the days added for mail),
and daily processing selects with the same rules turned around; the dates fixed when a step
was taken (a contest's hearing-request deadline, a deposit's due date, an order's set-aside or
appeal deadline, a plan's installments, a service or program deadline) are read from where
that step stored them. So a date shown here is the day the notice printed and the day
processing acts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.calendar import (
    collections_on,
    deadline_dates,
    late_penalty_on,
    zone_of,
)
from citations.hearings.tables import Contest, Hearing, Order
from citations.payments.processing import LATE_FROM
from citations.payments.tables import (
    DiversionReferral,
    PaymentPlan,
    ServiceAssignment,
)
from citations.record.ledger import EntryKind, LedgerEntry
from citations.record.status import CLOSED, CitationStatus
from citations.record.tables import Citation, CitationViolation
from ordinances.models import Jurisdiction

S = CitationStatus
LATE = frozenset(s.value for s in LATE_FROM)
"""The statuses daily processing adds a late penalty in."""
_CLOSED = frozenset(s.value for s in CLOSED)


@dataclass(frozen=True, slots=True)
class Dated:
    """One date of a citation's schedule."""

    key: str
    """pay_by, review_by, mailed_on, served_on, late_penalty, collections, hearing_request_by,
    deposit_due, hearing, installment, service_deadline, program_deadline, set_aside_by,
    appeal_by, correction_due."""
    on: date
    label: str
    """What happens on it, in words (English; the pages and the CLI print it)."""
    open: bool
    """Whether it still binds (a passed or overtaken date stays listed, not open)."""
    at: datetime | None = None
    """The moment, for a hearing."""
    detail: str | None = None
    ref: str | None = None
    """Which record the date belongs to, when a citation can have several: `hearing:12`,
    `plan:3:2` (plan 3, installment 2), `service:4`, `program:5`, `order:6`."""
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """What a reminder says about the date beyond the day (JSON values): a hearing's id,
    mode, place and video link, when it was set and the moment of the hearing it replaced;
    an installment's plan, number and amount; a program's id."""


@dataclass(frozen=True)
class Schedule:
    number: str
    service_method: str
    served_on: date | None
    """None while the notice waits to be mailed."""
    dates: list[Dated]

    def next_open(self, today: date) -> Dated | None:
        """The first date from `today` on that still binds."""
        upcoming = [d for d in self.dates if d.open and d.on >= today]
        return min(upcoming, key=lambda d: d.on) if upcoming else None


class Scheduled(Protocol):
    """What a schedule reads of the citation itself: a `Citation`, or just these columns
    (the reminders read thousands of citations at once)."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def served_on(self) -> date | None: ...
    @property
    def service_method(self) -> str: ...
    @property
    def due_on(self) -> date | None: ...


def schedule_of(session: Session, citation: Citation, profile: Jurisdiction) -> Schedule:
    """Every date of `citation`, in date order."""
    return schedules_of(session, [citation], profile)[citation.id]


CHUNK = 1000
"""Citations read per IN-query: few statements for many citations, each within what every
backend takes as bound parameters."""


def schedules_of(
    session: Session, citations: Sequence[Scheduled], profile: Jurisdiction
) -> dict[int, Schedule]:
    """The schedule of each citation, by id, read with a fixed number of queries per thousand
    citations (the reminders bring thousands up to date at once); `schedule_of` is this for
    one, so every date is computed here."""
    schedules: dict[int, Schedule] = {}
    days = _Days(profile)
    for start in range(0, len(citations), CHUNK):
        chunk = citations[start : start + CHUNK]
        if any(c.id is None for c in chunk):
            session.flush()  # a citation added in this transaction takes its id
        records = _Records.read(session, [c.id for c in chunk])
        for citation in chunk:
            schedules[citation.id] = _schedule(citation, profile, records, days)
    return schedules


@dataclass(frozen=True)
class _Violation:
    ordinance_code: str
    category: str
    correction_days: int | None


@dataclass
class _Records:
    """Everything a chunk of schedules reads, by citation id (contests' hearings by contest)."""

    violations: dict[int, list[_Violation]]
    fee_kinds: dict[int, set[str]]
    contests: dict[int, Contest]
    hearings: dict[int, list[Hearing]]
    orders: dict[int, list[Order]]
    plans: dict[int, list[PaymentPlan]]
    services: dict[int, list[ServiceAssignment]]
    referrals: dict[int, list[DiversionReferral]]

    @classmethod
    def read(cls, session: Session, ids: list[int]) -> _Records:
        within = CitationViolation.snapshot[("version", "correction", "within_days")]
        violations: dict[int, list[_Violation]] = defaultdict(list)
        for citation_id, code, category, days in session.execute(
            select(
                CitationViolation.citation_id,
                CitationViolation.ordinance_code,
                CitationViolation.category,
                within.as_integer(),
            )
            .where(CitationViolation.citation_id.in_(ids))
            .order_by(CitationViolation.citation_id, CitationViolation.position)
        ):
            violations[citation_id].append(_Violation(code, category, days))
        fee_kinds: dict[int, set[str]] = defaultdict(set)
        for citation_id, kind in session.execute(
            select(LedgerEntry.citation_id, LedgerEntry.kind)
            .where(
                LedgerEntry.citation_id.in_(ids),
                LedgerEntry.kind.in_(
                    [EntryKind.LATE_PENALTY.value, EntryKind.COLLECTION_FEE.value]
                ),
            )
            .distinct()
        ):
            fee_kinds[citation_id].add(kind)
        contests = {
            c.citation_id: c
            for c in session.scalars(select(Contest).where(Contest.citation_id.in_(ids)))
        }
        hearings: dict[int, list[Hearing]] = defaultdict(list)
        if contests:
            for hearing in session.scalars(
                select(Hearing)
                .where(Hearing.contest_id.in_([c.id for c in contests.values()]))
                .options(selectinload(Hearing.session))
                .order_by(Hearing.id)
            ):
                hearings[hearing.contest_id].append(hearing)
        return cls(
            violations=violations,
            fee_kinds=fee_kinds,
            contests=contests,
            hearings=hearings,
            orders=_by_citation(
                session.scalars(select(Order).where(Order.citation_id.in_(ids)).order_by(Order.id))
            ),
            plans=_by_citation(
                session.scalars(
                    select(PaymentPlan)
                    .where(PaymentPlan.citation_id.in_(ids))
                    .options(selectinload(PaymentPlan.installments))
                    .order_by(PaymentPlan.id)
                )
            ),
            services=_by_citation(
                session.scalars(
                    select(ServiceAssignment)
                    .where(ServiceAssignment.citation_id.in_(ids))
                    .order_by(ServiceAssignment.id)
                )
            ),
            referrals=_by_citation(
                session.scalars(
                    select(DiversionReferral)
                    .where(DiversionReferral.citation_id.in_(ids))
                    .order_by(DiversionReferral.id)
                )
            ),
        )


def _by_citation(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.citation_id].append(row)
    return grouped


class _Days:
    """The profile's dates from a day of service or a due date, each worked out once per
    call: thousands of citations share a few such days, and each costs a walk through the
    holiday calendar."""

    def __init__(self, profile: Jurisdiction) -> None:
        self.profile = profile
        self._deadlines: dict[date, tuple[date, date]] = {}
        self._late: dict[date, date] = {}
        self._collections: dict[date, date] = {}

    def deadlines(self, served: date) -> tuple[date, date]:
        if served not in self._deadlines:
            self._deadlines[served] = deadline_dates(served, self.profile)
        return self._deadlines[served]

    def late_penalty(self, due: date) -> date:
        if due not in self._late:
            self._late[due] = late_penalty_on(due, self.profile)
        return self._late[due]

    def collections(self, due: date) -> date:
        if due not in self._collections:
            self._collections[due] = collections_on(due, self.profile)
        return self._collections[due]


def _schedule(
    citation: Scheduled, profile: Jurisdiction, records: _Records, days: _Days
) -> Schedule:
    dates: list[Dated] = []
    status = citation.status
    served = citation.served_on
    violations = records.violations.get(citation.id, [])
    if served is not None:
        if citation.service_method == "mail":
            mailed = served - timedelta(days=profile.service.days_added_for_mail)
            dates.append(Dated("mailed_on", mailed, "Notice mailed", False))
            dates.append(Dated("served_on", served, "Deadlines count from this day", False))
        pay_by, review_by = days.deadlines(served)
        issued = status == S.ISSUED.value
        dates.append(Dated("pay_by", pay_by, "Pay by (the notice's deadline)", issued))
        dates.append(Dated("review_by", review_by, "Contest (ask for a review) by", issued))
        for row in violations:
            if row.correction_days:
                dates.append(
                    Dated(
                        "correction_due",
                        served + timedelta(days=row.correction_days),
                        f"Correct {row.ordinance_code} by",
                        status not in _CLOSED,
                    )
                )
    fees = all(profile.added_fees_allowed(v.category) for v in violations)
    dates += _money_dates(citation, days, fees, records.fee_kinds.get(citation.id, set()))
    contest = records.contests.get(citation.id)
    if contest is not None:
        hearings = records.hearings.get(contest.id, [])
        dates += _contest_dates(citation, profile, contest, hearings)
        orders = records.orders.get(citation.id, [])
        dates += _hearing_request_dates(citation, contest, orders)
        dates += _order_dates(orders)
    dates += _alternative_dates(records, citation.id)
    return Schedule(
        number=citation.number,
        service_method=citation.service_method,
        served_on=served,
        dates=sorted(dates, key=lambda d: (d.on, d.key)),
    )


def _money_dates(citation: Scheduled, days: _Days, fees: bool, kinds: set[str]) -> list[Dated]:
    due = citation.due_on
    if due is None or citation.status in _CLOSED:
        return []
    dates = []
    if citation.status in LATE:
        late = days.late_penalty(due)
        penalty = fees and EntryKind.LATE_PENALTY.value not in kinds
        what = (
            f"Late penalty added if unpaid (due {due.isoformat()})"
            if penalty
            else f"Marked late if unpaid (due {due.isoformat()})"
        )
        dates.append(Dated("late_penalty", late, what, True, facts={"penalty": penalty}))
    if citation.status in LATE | {S.DELINQUENT.value}:
        dates.append(
            Dated(
                "collections",
                days.collections(due),
                "Referred to collections if unpaid" + (" (collection fee added)" if fees else ""),
                True,
            )
        )
    return dates


def _contest_dates(
    citation: Scheduled, profile: Jurisdiction, contest: Contest, hearings: list[Hearing]
) -> list[Dated]:
    dates = []
    if contest.hearing_deadline is not None:
        dates.append(
            Dated(
                "hearing_request_by",
                contest.hearing_deadline,
                "Ask for a hearing by",
                contest.hearing_requested_at is None and citation.status == S.REVIEW_UPHELD.value,
            )
        )
    if contest.deposit_due_on is not None:
        dates.append(
            Dated(
                "deposit_due",
                contest.deposit_due_on,
                "Pay the hearing deposit by",
                contest.deposit_status not in ("paid", "waived"),
            )
        )
    zone = zone_of(profile)
    moments = {hearing.id: _moment(hearing, zone) for hearing in hearings}
    replaced = {h.replaced_by_id: h.id for h in hearings if h.replaced_by_id is not None}
    for hearing in hearings:
        sitting = hearing.session
        where = sitting.place or sitting.remote_link
        earlier = replaced.get(hearing.id)
        dates.append(
            Dated(
                "hearing",
                sitting.day,
                {"scheduled": "Hearing", "postponed": "Hearing (postponed)"}.get(
                    hearing.status, f"Hearing ({hearing.status.replace('_', ' ')})"
                ),
                hearing.status == "scheduled",
                at=moments[hearing.id],
                detail=where,
                ref=f"hearing:{hearing.id}",
                facts={
                    "hearing": hearing.id,
                    "status": hearing.status,
                    "mode": contest.hearing_mode or "in_person",
                    "place": sitting.place,
                    "remote_link": sitting.remote_link,
                    "set_at": hearing.scheduled_at.isoformat(),
                    "replaces": None if earlier is None else moments[earlier].isoformat(),
                },
            )
        )
    return dates


def _moment(hearing: Hearing, zone: Any) -> datetime:
    sitting = hearing.session
    return datetime.combine(
        sitting.day, (hearing.slot_time or sitting.start_time or time(9)), tzinfo=zone
    )


def _hearing_request_dates(
    citation: Scheduled, contest: Contest, orders: list[Order]
) -> list[Dated]:
    """Before a hearing is asked for, the review's order says until when it may be (the
    contest keeps that day only once the request comes): open while the review stands."""
    if contest.hearing_deadline is not None or contest.hearing_requested_at is not None:
        return []  # listed from the contest
    reviews = [o for o in orders if o.tier == "review" and o.next_deadline is not None]
    if not reviews:
        return []
    order = reviews[-1]
    assert order.next_deadline is not None
    return [
        Dated(
            "hearing_request_by",
            order.next_deadline,
            "Ask for a hearing by",
            citation.status == S.REVIEW_UPHELD.value,
            ref=f"order:{order.id}",
        )
    ]


def _order_dates(orders: list[Order]) -> Iterator[Dated]:
    for order in orders:
        if order.next_deadline is None or order.tier == "review":
            continue  # a review's next step is the hearing request, listed from the contest
        default = order.outcome == "default"
        yield Dated(
            "set_aside_by" if default else "appeal_by",
            order.next_deadline,
            "Ask to set aside the default by" if default else "Appeal to court by",
            # A dismissal leaves the person nothing to appeal.
            order.set_aside_at is None and order is orders[-1] and order.outcome != "dismissed",
            ref=f"order:{order.id}",
        )


def _alternative_dates(records: _Records, citation_id: int) -> list[Dated]:
    dates = []
    for plan in records.plans.get(citation_id, []):
        for installment in plan.installments:
            dates.append(
                Dated(
                    "installment",
                    installment.due_on,
                    f"Installment {installment.number} of plan {plan.id} due",
                    plan.status == "active" and installment.paid_cents < installment.amount_cents,
                    ref=f"plan:{plan.id}:{installment.number}",
                    facts={
                        "plan": plan.id,
                        "installment": installment.number,
                        "installments": len(plan.installments),
                        "amount_cents": installment.amount_cents,
                        "paid_cents": installment.paid_cents,
                    },
                )
            )
    for service in records.services.get(citation_id, []):
        dates.append(
            Dated(
                "service_deadline",
                service.deadline,
                "Finish community service by",
                service.status == "active",
                ref=f"service:{service.id}",
                facts={"minutes_required": service.minutes_required},
            )
        )
    for referral in records.referrals.get(citation_id, []):
        dates.append(
            Dated(
                "program_deadline",
                referral.deadline,
                "Complete the program by",
                referral.status == "active",
                ref=f"program:{referral.id}",
                facts={"program": referral.program_id},
            )
        )
    return dates
