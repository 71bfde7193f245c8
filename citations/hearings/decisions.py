"""Outcomes and orders: what a review or hearing decides, what it does to the money, and the
written order with its findings and next deadline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.orm import Session

from citations.calendar import BusinessCalendar, local_at, local_time, zone_of
from citations.errors import FieldError, InputRejected, TooEarly
from citations.hearings.tables import Contest, Hearing, Order
from citations.money import from_cents, to_cents
from citations.payments.plans import Installment
from citations.payments.posting import refund
from citations.record.ledger import EntryKind, paid, post
from citations.record.tables import Citation
from citations.roles import Actor
from ordinances.models import Jurisdiction


class Outcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"
    REDUCED = "reduced"
    DEFAULT = "default"
    """The person did not appear at the hearing: the citation is upheld by default."""


def hearing_starts_at(hearing: Hearing, profile: Jurisdiction) -> datetime:
    """When the hearing begins: its slot in the session or, in a session without slots, the
    session's start, on the jurisdiction's clocks."""
    docket = hearing.session
    return local_at(docket.day, hearing.slot_time or docket.start_time, zone_of(profile))


def check_begun(
    hearing: Hearing,
    profile: Jurisdiction,
    *,
    now: datetime,
    no_show: bool = False,
    held_early_reason: str | None = None,
) -> str | None:
    """Refuse a decision or a no-show before the hearing begins (`TooEarly`); returns the
    recorded reason when a clerk says it was held early by agreement, else None.

    No one fails to appear at a hearing that has not begun, so a no-show has no early
    override; a hearing held early by agreement (the person came in and asked) is decided
    with the clerk's reason, which the caller checks the clerk may give and records.
    """
    reason = (held_early_reason or "").strip() or None
    starts = hearing_starts_at(hearing, profile)
    if now >= starts or (reason is not None and not no_show):
        return reason
    set_for = f"the hearing is set for {starts:%Y-%m-%d %H:%M} ({profile.time_zone})"
    it_is = f"it is now {local_time(now, profile):%Y-%m-%d %H:%M}"
    if no_show:
        raise TooEarly(
            "hearing",
            f"{set_for} and {it_is}: a no-show can be recorded only once it has begun",
            "the hearing has not begun",
        )
    raise TooEarly(
        "held_early_reason",
        f"{set_for} and {it_is}: record the decision once it has begun, or, if it was "
        "held early by agreement, a clerk gives the reason",
        "the hearing has not begun",
    )


def check_decision(
    outcome: Outcome,
    findings: str,
    fine: Decimal,
    new_amount: Decimal | None,
    reduction_reason: str | None,
) -> Decimal:
    """The fine after the decision; InputRejected listing whatever is missing or wrong."""
    errors = []
    if len(findings.strip()) < 10:
        errors.append(
            FieldError("findings", "written findings are required (10 characters or more)")
        )
    result = fine
    if outcome is Outcome.DISMISSED:
        result = Decimal("0.00")
    elif outcome is Outcome.REDUCED:
        if new_amount is None:
            errors.append(FieldError("new_amount", "a reduction needs the new amount"))
        elif not Decimal(0) <= new_amount < fine:
            errors.append(
                FieldError("new_amount", f"must be at least 0.00 and less than the fine of {fine}")
            )
        else:
            result = new_amount
        if not (reduction_reason or "").strip():
            errors.append(FieldError("reduction_reason", "a reduction needs its reason"))
    elif new_amount is not None:
        errors.append(
            FieldError("new_amount", f"only a reduction sets a new amount, not {outcome}")
        )
    if errors:
        raise InputRejected(errors, "the decision is incomplete")
    return result


def apply_outcome(
    session: Session,
    citation: Citation,
    outcome: Outcome,
    new_fine: Decimal,
    *,
    actor: Actor,
    at: datetime,
    reason: str,
) -> Decimal:
    """Post what the decision does to the money; returns the refund owed (0 if none).

    A dismissal cancels the fine and refunds everything paid (a deposit included); a reduction
    cancels the difference and refunds what was paid above the new fine.
    """
    fine = from_cents(citation.total_fine_cents)
    if outcome is Outcome.DISMISSED:
        post(session, citation, EntryKind.DISMISSAL, fine, actor=actor.name, at=at, reason=reason)
    elif outcome is Outcome.REDUCED:
        post(
            session,
            citation,
            EntryKind.REDUCTION,
            fine - new_fine,
            actor=actor.name,
            at=at,
            reason=reason,
        )
    citation.total_fine_cents = to_cents(new_fine)
    owed_back = max(paid(session, citation) - new_fine, Decimal("0.00"))
    refund(
        session,
        citation,
        owed_back,
        reason=f"refund after {outcome.value}: {reason}",
        actor=actor,
        now=at,
    )
    return owed_back


def next_deadline(
    tier: str, outcome: Outcome, decided_on: date, profile: Jurisdiction
) -> date | None:
    """Hearing request (review upheld or reduced), court appeal (hearing) or set-aside (default).

    For a default, `decided_on` is the hearing's day: the person's time to set it aside runs
    from the day they missed, not from the day a clerk entered it."""
    calendar = BusinessCalendar(profile.holiday_calendar)
    deadlines = profile.deadlines
    if outcome is Outcome.DEFAULT:
        return calendar.deadline(decided_on, deadlines.days_to_set_aside_default, deadlines)
    if tier == "review":
        if outcome is Outcome.DISMISSED:
            return None
        return calendar.deadline(decided_on, deadlines.days_to_request_hearing, deadlines)
    return calendar.deadline(decided_on, deadlines.days_to_appeal_to_court, deadlines)


def record_order(
    session: Session,
    citation: Citation,
    contest: Contest,
    *,
    tier: str,
    outcome: Outcome,
    findings: str,
    original: Decimal,
    new_fine: Decimal,
    reduction_reason: str | None,
    schedule: list[Installment],
    refund: Decimal,
    decided_by: str,
    at: datetime,
    decided_on: date,
    profile: Jurisdiction,
    hearing_id: int | None = None,
) -> Order:
    order = Order(
        citation_id=citation.id,
        contest_id=contest.id,
        hearing_id=hearing_id,
        tier=tier,
        outcome=outcome.value,
        findings=findings.strip(),
        original_cents=to_cents(original),
        new_cents=to_cents(new_fine),
        reduction_reason=(reduction_reason or "").strip() or None,
        payment_schedule=[i.model_dump(mode="json") for i in schedule],
        refund_cents=to_cents(refund),
        decided_at=at,
        decided_by=decided_by,
        next_deadline=next_deadline(tier, outcome, decided_on, profile),
    )
    session.add(order)
    session.flush()
    return order
