"""What became of a seeded citation by today, and the rows that record it: its ledger and
receipts, a payment plan, community service, diversion, a contest with its orders and
hearing (`contests`), a collection referral. Statuses always match the ledger."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from citations.money import to_cents
from citations.payments.tables import (
    AbilityRequest,
    CollectionReferral,
    DiversionReferral,
    Payment,
    PaymentPlan,
    PlanInstallment,
    ServiceAssignment,
    ServiceHours,
)
from citations.record.ledger import EntryKind, LedgerEntry
from citations.record.status import CitationStatus
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

from .contests import (
    HEARING_DAY,
    REVIEW_DAY,
    SeedContest,
    SeedOfficer,
    decide_contest,
    write_contest,
)
from .reminders import Nudge
from .rows import ACTOR, Rows, table

S = CitationStatus
Ledger = list[tuple[EntryKind, Decimal, int]]
"""(kind, amount, days after the violation)."""
PAID_BY_PLAN = "paid by plan"
"""Written as `paid`, with a completed plan."""


def halves(amount: Decimal) -> tuple[Decimal, Decimal]:
    """Half of `amount` to the cent, and the rest, which together make exactly `amount`."""
    half = (amount / 2).quantize(Decimal("0.01"))
    return half, amount - half


def plan_installments(fine: Decimal) -> list[tuple[Decimal, int]]:
    """A seeded plan's installments: (amount, days after the violation)."""
    half, rest = halves(fine)
    return [(half, 10), (rest, 40)]


def life_of(
    rng: random.Random,
    resolved: ResolvedVersion,
    fine: Decimal,
    moment: datetime,
    today: date,
    profile: Jurisdiction,
    officers: list[SeedOfficer],
    nudge: Nudge,
) -> tuple[str, Ledger, datetime | None, SeedContest | None]:
    """What became of a citation, as a status and its ledger, by today, and the contest
    that decided it (or did not: a citation upheld may still be paid late or not at all).
    `nudge` is what reminders change (`reminders.nudge`): paying on time instead of late,
    and missing a hearing less often."""
    age = (today - moment.date()).days
    ledger: Ledger = [(EntryKind.FINE_ASSESSED, fine, 0)]
    roll = nudge.roll(rng.random())
    if age < 25 and roll < 0.6:
        return S.ISSUED.value, ledger, None, None
    alternatives = resolved.version.alternatives

    def closed_after(days: int) -> datetime:
        return moment + timedelta(days=days)

    if roll < 0.42:
        days = rng.randrange(1, min(age, 20) + 1)
        ledger.append((EntryKind.PAYMENT, fine, days))
        return S.PAID.value, ledger, closed_after(days), None
    if roll < 0.50:
        ledger += [(EntryKind.PAYMENT, amount, days) for amount, days in plan_installments(fine)]
        if age > 45:
            return PAID_BY_PLAN, ledger, closed_after(40), None
        return S.ON_PLAN.value, ledger[:2], None, None
    if roll < 0.57 and alternatives and alternatives.community_service and age > 60:
        ledger.append((EntryKind.SERVICE_CREDIT, fine, 50))
        return S.SERVED.value, ledger, closed_after(50), None
    if roll < 0.61 and alternatives and alternatives.programs and age > 60:
        ledger.append((EntryKind.DISMISSAL, fine, 55))
        return S.DIVERTED.value, ledger, closed_after(55), None
    contest = None
    if roll < 0.69:
        if age <= 50:  # contested, and not decided yet
            return S.ISSUED.value, ledger, None, None
        contest = decide_contest(rng, officers)
        if contest.hearing is not None and nudge.misses_hearing:
            contest = replace(contest, hearing="default")  # upheld by default
        decided = HEARING_DAY if contest.hearing else REVIEW_DAY
        if contest.outcome == "dismissed":
            ledger.append((EntryKind.DISMISSAL, fine, decided))
            return S.DISMISSED.value, ledger, closed_after(decided), contest
        if contest.outcome == "reduced":
            reduced, reduction = halves(fine)
            ledger += [(EntryKind.REDUCTION, reduction, decided), (EntryKind.PAYMENT, reduced, 45)]
            return S.PAID.value, ledger, closed_after(45), contest
        # Upheld, and then paid; less often by someone who did not come to their hearing.
        if rng.random() < (0.4 if contest.outcome == "default" else 0.7):
            ledger.append((EntryKind.PAYMENT, fine, 40))
            return S.PAID.value, ledger, closed_after(40), contest
    elif roll < 0.72:
        ledger.append((EntryKind.WAIVER, fine, 15))
        return S.WAIVED.value, ledger, closed_after(15), None
    status, closed = _unpaid(ledger, resolved, fine, moment, age, roll, profile)
    return status, ledger, closed, contest


def _unpaid(
    ledger: Ledger,
    resolved: ResolvedVersion,
    fine: Decimal,
    moment: datetime,
    age: int,
    roll: float,
    profile: Jurisdiction,
) -> tuple[str, datetime | None]:
    """A citation not paid on time: late, then paid late or referred to collections."""
    if age < 36:
        return S.ISSUED.value, None
    fees = profile.added_fees_allowed(resolved.category)
    penalty = profile.late_penalty.amount or Decimal("50.00")
    if fees:
        ledger.append((EntryKind.LATE_PENALTY, penalty, 36))
    # Delinquent long enough, a citation has been referred to collections (as daily
    # processing would have done), unless the person paid first.
    if age > 20 + profile.collection_fee.after_days and roll > 0.80:
        if fees:
            ledger.append((EntryKind.COLLECTION_FEE, profile.collection_fee.amount, 104))
        return S.IN_COLLECTIONS.value, None
    if age > 20 + profile.collection_fee.after_days:
        ledger.append((EntryKind.PAYMENT, fine + (penalty if fees else 0), 90))
        return S.PAID.value, moment + timedelta(days=90)
    return S.DELINQUENT.value, None


ACTED = {S.SERVED.value: 5, S.DIVERTED.value: 5, S.WAIVED.value: 15}
"""Days after the violation on which a person chose an alternative (as `write_life` dates it)."""


def acted_after(
    status: str, ledger: Ledger, planned: bool, contest: SeedContest | None
) -> int | None:
    """Days after the violation on which the person first acted (contested, chose an
    alternative, asked for help, or paid in full), or None if they never did."""
    if contest is not None or planned:
        return 5  # the review's request, the plan's creation
    if status in ACTED:
        return ACTED[status]
    # A payment in full: the only payment of a citation without a plan or a contest.
    days = [d for kind, _, d in ledger if kind is EntryKind.PAYMENT]
    return min(days) if days else None


def write_life(
    rows: Rows,
    citation_id: int,
    status: str,
    ledger: Ledger,
    moment: datetime,
    closed: datetime | None,
    planned: bool,
    contest: SeedContest | None,
    session_ids: list[int],
) -> None:
    """Queue the rows that record a citation's life: its ledger (a receipt per payment)
    and whatever the status implies (plan, service, diversion, collections), and its
    contest, if it had one (in the session of the hearing officer who heard it)."""
    balance = Decimal(0)
    charges = {EntryKind.FINE_ASSESSED, EntryKind.LATE_PENALTY, EntryKind.COLLECTION_FEE}
    for kind, amount, days in ledger:
        if amount <= 0:
            continue
        at = moment + timedelta(days=days, hours=1)
        before = balance
        balance += amount if kind in charges else -amount
        entry_id = rows.add(
            table(LedgerEntry),
            {
                "citation_id": citation_id,
                "kind": kind.value,
                "amount_cents": to_cents(amount),
                "method": "card" if kind is EntryKind.PAYMENT else None,
                "reference": None,
                "created_at": at,
                "created_by": ACTOR,
                "reason": "synthetic",
            },
        )
        if kind is EntryKind.PAYMENT:
            rows.add(
                table(Payment),
                {
                    "citation_id": citation_id,
                    "ledger_entry_id": entry_id,
                    "receipt_number": f"R-{entry_id:07d}",
                    "kind": "payment",
                    "amount_cents": to_cents(amount),
                    "method": "card",
                    "reference": None,
                    "received_at": at,
                    "received_on": at.date(),
                    "recorded_at": at,
                    "recorded_by": ACTOR,
                    "source": "seed",
                    "idempotency_key": None,
                    "body_hash": None,
                    "reverses_id": None,
                    "balance_before_cents": to_cents(before),
                    "balance_after_cents": to_cents(balance),
                    "status_after": status,
                },
            )
    fine = ledger[0][1]
    if planned:
        plan_id = rows.add(
            table(PaymentPlan),
            {
                "citation_id": citation_id,
                "status": "active" if status == S.ON_PLAN.value else "completed",
                "created_at": moment + timedelta(days=5),
                "created_by": ACTOR,
                "ended_at": closed,
            },
        )
        for index, (amount, days) in enumerate(plan_installments(fine), start=1):
            paid = status != S.ON_PLAN.value or index == 1
            rows.add(
                table(PlanInstallment),
                {
                    "plan_id": plan_id,
                    "number": index,
                    "due_on": (moment + timedelta(days=days)).date(),
                    "amount_cents": to_cents(amount),
                    "paid_cents": to_cents(amount) if paid else 0,
                },
            )
    if status == S.SERVED.value:
        minutes = int(fine / 20 * 60)  # the whole fine at $20 an hour
        assignment = rows.add(
            table(ServiceAssignment),
            {
                "citation_id": citation_id,
                "provider_id": "food-bank",
                "rate_cents": 2000,
                "minutes_required": minutes,
                "deadline": (moment + timedelta(days=90)).date(),
                "extensions": 0,
                "status": "completed",
                "elected_at": moment + timedelta(days=5),
                "elected_by": ACTOR,
                "ended_at": closed,
            },
        )
        rows.add(
            table(ServiceHours),
            {
                "assignment_id": assignment,
                "worked_on": (moment + timedelta(days=30)).date(),
                "minutes": minutes,
                "logged_at": moment + timedelta(days=31),
                "logged_by": ACTOR,
                "signed_off_by": "provider (synthetic)",
                "signed_off_at": moment + timedelta(days=31),
            },
        )
    if status == S.WAIVED.value:  # on an ability-to-pay request that qualified
        rows.add(
            table(AbilityRequest),
            {
                "citation_id": citation_id,
                "declaration": {
                    "benefits": ["calfresh"],
                    "household_size": 1,
                    "monthly_income": "0.00",
                    "sworn": True,
                    "statement": "",
                },
                "qualifies": True,
                "reasons": ["receives a qualifying benefit (calfresh)", "the fine is waived"],
                "rule": "waiver",
                "amount_due_cents": 0,
                "decided_at": moment + timedelta(days=ACTED[status], hours=1),
                "decided_by": ACTOR,
            },
        )
    if status == S.DIVERTED.value:
        rows.add(
            table(DiversionReferral),
            {
                "citation_id": citation_id,
                "program_id": "neighborhood-justice",
                "obligations": [
                    {
                        "kind": "apology_letter",
                        "description": "letter",
                        "done_on": (moment + timedelta(days=50)).date().isoformat(),
                        "recorded_by": ACTOR,
                    }
                ],
                "deadline": (moment + timedelta(days=60)).date(),
                "status": "completed",
                "referred_at": moment + timedelta(days=5),
                "referred_by": ACTOR,
                "ended_at": closed,
                "end_reason": None,
            },
        )
    if contest is not None:
        reduction = sum((a for k, a, _ in ledger if k is EntryKind.REDUCTION), Decimal(0))
        write_contest(rows, citation_id, contest, fine, fine - reduction, moment, session_ids)
    if status == S.IN_COLLECTIONS.value:
        rows.add(
            table(CollectionReferral),
            {
                "citation_id": citation_id,
                "referred_on": (moment + timedelta(days=104)).date(),
                "amount_cents": to_cents(balance),
                "recalled_on": None,
                "recall_reason": None,
            },
        )
