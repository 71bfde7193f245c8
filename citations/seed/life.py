"""What became of a seeded citation by today, and the rows that record it: its ledger and
receipts, a payment plan, community service, diversion, a contest with its orders and
hearing, a collection referral. Statuses always match the ledger."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from citations.hearings.tables import Contest, Hearing, Order
from citations.money import to_cents
from citations.payments.tables import (
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
) -> tuple[str, Ledger, datetime | None]:
    """What became of a citation, as a status and its ledger, by today."""
    age = (today - moment.date()).days
    ledger: Ledger = [(EntryKind.FINE_ASSESSED, fine, 0)]
    roll = rng.random()
    fees = profile.added_fees_allowed(resolved.category)
    penalty = profile.late_penalty.amount or Decimal("50.00")
    if age < 25 and roll < 0.6:
        return S.ISSUED.value, ledger, None
    alternatives = resolved.version.alternatives

    def closed_after(days: int) -> datetime:
        return moment + timedelta(days=days)

    if roll < 0.42:
        days = rng.randrange(1, min(age, 20) + 1)
        ledger.append((EntryKind.PAYMENT, fine, days))
        return S.PAID.value, ledger, closed_after(days)
    if roll < 0.50:
        ledger += [(EntryKind.PAYMENT, amount, days) for amount, days in plan_installments(fine)]
        if age > 45:
            return PAID_BY_PLAN, ledger, closed_after(40)
        return S.ON_PLAN.value, ledger[:2], None
    if roll < 0.57 and alternatives and alternatives.community_service and age > 60:
        ledger.append((EntryKind.SERVICE_CREDIT, fine, 50))
        return S.SERVED.value, ledger, closed_after(50)
    if roll < 0.61 and alternatives and alternatives.programs and age > 60:
        ledger.append((EntryKind.DISMISSAL, fine, 55))
        return S.DIVERTED.value, ledger, closed_after(55)
    if roll < 0.66:
        ledger.append((EntryKind.DISMISSAL, fine, 30))
        return S.DISMISSED.value, ledger, closed_after(30)
    if roll < 0.69:
        reduced, reduction = halves(fine)
        ledger += [(EntryKind.REDUCTION, reduction, 45), (EntryKind.PAYMENT, reduced, 50)]
        return S.PAID.value, ledger, closed_after(50)
    if roll < 0.72:
        ledger.append((EntryKind.WAIVER, fine, 15))
        return S.WAIVED.value, ledger, closed_after(15)
    if age < 36:
        return S.ISSUED.value, ledger, None
    if fees:
        ledger.append((EntryKind.LATE_PENALTY, penalty, 36))
    # Delinquent long enough, a citation has been referred to collections (as daily
    # processing would have done), unless the person paid first.
    if age > 20 + profile.collection_fee.after_days and roll > 0.80:
        if fees:
            ledger.append((EntryKind.COLLECTION_FEE, profile.collection_fee.amount, 104))
        return S.IN_COLLECTIONS.value, ledger, None
    if age > 20 + profile.collection_fee.after_days:
        ledger.append((EntryKind.PAYMENT, fine + (penalty if fees else 0), 90))
        return S.PAID.value, ledger, closed_after(90)
    return S.DELINQUENT.value, ledger, None


def write_life(
    rows: Rows,
    rng: random.Random,
    citation_id: int,
    status: str,
    ledger: Ledger,
    moment: datetime,
    closed: datetime | None,
    session_id: int,
    planned: bool,
) -> None:
    """Queue the rows that record a citation's life: its ledger (a receipt per payment)
    and whatever the status implies (plan, service, diversion, contest, collections)."""
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
    # A dismissal or reduction outside diversion came from a contest.
    contested = any(
        k in (EntryKind.DISMISSAL, EntryKind.REDUCTION) for k, _, _ in ledger
    ) and status not in (S.DIVERTED.value,)
    if contested:
        _write_contest(rows, rng, citation_id, status, ledger, moment, session_id)
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


def _write_contest(
    rows: Rows,
    rng: random.Random,
    citation_id: int,
    status: str,
    ledger: Ledger,
    moment: datetime,
    session_id: int,
) -> None:
    """A decided contest: an administrative review, and for most a hearing after it."""
    fine = ledger[0][1]
    dismissed = status == S.DISMISSED.value
    to_hearing = not dismissed or rng.random() < 0.4
    contest_id = rows.add(
        table(Contest),
        {
            "citation_id": citation_id,
            "stage": "decided",
            "review_requested_at": moment + timedelta(days=5),
            "review_statement": "synthetic contest",
            "review_deadline": (moment + timedelta(days=20)).date(),
            "review_late_reason": None,
            "review_decided_at": moment + timedelta(days=12),
            "hearing_requested_at": moment + timedelta(days=15) if to_hearing else None,
            "hearing_deadline": None,
            "hearing_late_reason": None,
            "interpreter_language": None,
            "deposit_status": "waived" if to_hearing else None,
            "deposit_due_on": None,
            "waiver_declaration": None,
            "waiver_decided_at": None,
            "waiver_decided_by": None,
            "waiver_reason": None,
        },
    )
    review_outcome = "dismissed" if dismissed and not to_hearing else "upheld"
    review_cents = 0 if review_outcome == "dismissed" else to_cents(fine)
    _write_order(
        rows,
        citation_id,
        contest_id,
        hearing_id=None,
        tier="review",
        outcome=review_outcome,
        fine=fine,
        new_cents=review_cents,
        reduction_reason=None,
        decided_at=moment + timedelta(days=12),
    )
    if not to_hearing:
        return
    hearing_id = rows.add(
        table(Hearing),
        {
            "contest_id": contest_id,
            "session_id": session_id,
            "position": 1,
            "slot_time": None,
            "status": "held",
            "placed_by_hand": False,
            "scheduled_at": moment + timedelta(days=16),
            "scheduled_by": ACTOR,
            "postponed_at": None,
            "postponed_reason": None,
            "replaced_by_id": None,
        },
    )
    outcome = "dismissed" if dismissed else "reduced"
    reduced = next((a for k, a, _ in ledger if k is EntryKind.REDUCTION), Decimal(0))
    _write_order(
        rows,
        citation_id,
        contest_id,
        hearing_id=hearing_id,
        tier="hearing",
        outcome=outcome,
        fine=fine,
        new_cents=0 if dismissed else to_cents(fine - reduced),
        reduction_reason=None if dismissed else "synthetic",
        decided_at=moment + timedelta(days=30),
    )


def _write_order(
    rows: Rows,
    citation_id: int,
    contest_id: int,
    *,
    hearing_id: int | None,
    tier: str,
    outcome: str,
    fine: Decimal,
    new_cents: int,
    reduction_reason: str | None,
    decided_at: datetime,
) -> None:
    """A decision in a contest, at review (no hearing) or after a hearing."""
    rows.add(
        table(Order),
        {
            "citation_id": citation_id,
            "contest_id": contest_id,
            "hearing_id": hearing_id,
            "tier": tier,
            "outcome": outcome,
            "findings": "synthetic findings",
            "original_cents": to_cents(fine),
            "new_cents": new_cents,
            "reduction_reason": reduction_reason,
            "payment_schedule": [],
            "refund_cents": 0,
            "decided_at": decided_at,
            "decided_by": ACTOR,
            "next_deadline": None,
            "set_aside_at": None,
            "set_aside_reason": None,
        },
    )
