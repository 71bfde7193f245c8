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

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import (
    collections_on,
    deadline_dates,
    late_penalty_on,
    zone_of,
)
from citations.hearings.tables import Contest, Hearing, Order
from citations.payments.processing import LATE_FROM, fees_allowed
from citations.payments.tables import (
    DiversionReferral,
    PaymentPlan,
    ServiceAssignment,
)
from citations.record.ledger import EntryKind, LedgerEntry
from citations.record.status import CLOSED, CitationStatus
from citations.record.tables import Citation
from ordinances.models import Jurisdiction

S = CitationStatus
LATE = frozenset(s.value for s in LATE_FROM)
"""The statuses daily processing adds a late penalty in."""
_CLOSED = frozenset(s.value for s in CLOSED)


@dataclass(frozen=True)
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


def schedule_of(session: Session, citation: Citation, profile: Jurisdiction) -> Schedule:
    """Every date of `citation`, in date order."""
    dates: list[Dated] = []
    status = citation.status
    served = citation.served_on
    if served is not None:
        if citation.service_method == "mail":
            mailed = served - timedelta(days=profile.service.days_added_for_mail)
            dates.append(Dated("mailed_on", mailed, "Notice mailed", False))
            dates.append(Dated("served_on", served, "Deadlines count from this day", False))
        pay_by, review_by = deadline_dates(served, profile)
        issued = status == S.ISSUED.value
        dates.append(Dated("pay_by", pay_by, "Pay by (the notice's deadline)", issued))
        dates.append(Dated("review_by", review_by, "Contest (ask for a review) by", issued))
        for row in citation.violations:
            correction = row.snapshot.get("version", {}).get("correction") or {}
            within = correction.get("within_days")
            if within:
                dates.append(
                    Dated(
                        "correction_due",
                        served + timedelta(days=within),
                        f"Correct {row.ordinance_code} by",
                        status not in _CLOSED,
                    )
                )
    dates += _money_dates(session, citation, profile)
    dates += _contest_dates(session, citation, profile)
    dates += _alternative_dates(session, citation)
    return Schedule(
        number=citation.number,
        service_method=citation.service_method,
        served_on=served,
        dates=sorted(dates, key=lambda d: (d.on, d.key)),
    )


def _money_dates(session: Session, citation: Citation, profile: Jurisdiction) -> list[Dated]:
    due = citation.due_on
    if due is None or citation.status in _CLOSED:
        return []
    fees = fees_allowed(citation, profile)
    kinds = set(
        session.scalars(
            select(LedgerEntry.kind).where(
                LedgerEntry.citation_id == citation.id,
                LedgerEntry.kind.in_(
                    [EntryKind.LATE_PENALTY.value, EntryKind.COLLECTION_FEE.value]
                ),
            )
        )
    )
    dates = []
    if citation.status in LATE:
        late = late_penalty_on(due, profile)
        what = (
            f"Late penalty added if unpaid (due {due.isoformat()})"
            if fees and EntryKind.LATE_PENALTY.value not in kinds
            else f"Marked late if unpaid (due {due.isoformat()})"
        )
        dates.append(Dated("late_penalty", late, what, True))
    if citation.status in LATE | {S.DELINQUENT.value}:
        dates.append(
            Dated(
                "collections",
                collections_on(due, profile),
                "Referred to collections if unpaid" + (" (collection fee added)" if fees else ""),
                True,
            )
        )
    return dates


def _contest_dates(session: Session, citation: Citation, profile: Jurisdiction) -> list[Dated]:
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    if contest is None:
        return []
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
    hearings = session.execute(
        select(Hearing).where(Hearing.contest_id == contest.id).order_by(Hearing.id)
    ).scalars()
    for hearing in hearings:
        sitting = hearing.session
        moment = datetime.combine(
            sitting.day, (hearing.slot_time or sitting.start_time or time(9)), tzinfo=zone
        )
        where = sitting.place or sitting.remote_link
        dates.append(
            Dated(
                "hearing",
                sitting.day,
                {"scheduled": "Hearing", "postponed": "Hearing (postponed)"}.get(
                    hearing.status, f"Hearing ({hearing.status.replace('_', ' ')})"
                ),
                hearing.status == "scheduled",
                at=moment,
                detail=where,
            )
        )
    orders = session.scalars(
        select(Order).where(Order.citation_id == citation.id).order_by(Order.id)
    ).all()
    for order in orders:
        if order.next_deadline is None or order.tier == "review":
            continue  # a review's next step is the hearing request, listed from the contest
        default = order.outcome == "default"
        dates.append(
            Dated(
                "set_aside_by" if default else "appeal_by",
                order.next_deadline,
                "Ask to set aside the default by" if default else "Appeal to court by",
                # A dismissal leaves the person nothing to appeal.
                order.set_aside_at is None and order is orders[-1] and order.outcome != "dismissed",
            )
        )
    return dates


def _alternative_dates(session: Session, citation: Citation) -> list[Dated]:
    dates = []
    for plan in session.scalars(select(PaymentPlan).where(PaymentPlan.citation_id == citation.id)):
        for installment in plan.installments:
            dates.append(
                Dated(
                    "installment",
                    installment.due_on,
                    f"Installment {installment.number} of plan {plan.id} due",
                    plan.status == "active" and installment.paid_cents < installment.amount_cents,
                )
            )
    for service in session.scalars(
        select(ServiceAssignment).where(ServiceAssignment.citation_id == citation.id)
    ):
        dates.append(
            Dated(
                "service_deadline",
                service.deadline,
                "Finish community service by",
                service.status == "active",
            )
        )
    for referral in session.scalars(
        select(DiversionReferral).where(DiversionReferral.citation_id == citation.id)
    ):
        dates.append(
            Dated(
                "program_deadline",
                referral.deadline,
                "Complete the program by",
                referral.status == "active",
            )
        )
    return dates
