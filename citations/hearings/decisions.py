"""Outcomes and orders: what a review or hearing decides, what it does to the money, and the
written order with its findings and next deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.orm import Session

from citations.calendar import BusinessCalendar, local_at, local_time, zone_of
from citations.errors import FieldError, InputRejected, TooEarly
from citations.hearings.tables import Contest, Hearing, HearingOfficer, Order
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


NAME_LENGTH = 200
"""The longest name or title an order stores (the columns' length)."""


@dataclass(frozen=True)
class Signer:
    """The person who decided and signs the order, as they are named on it: the reviewer, or
    the docket session's hearing officer. Not who typed the decision in (a clerk, a token, the
    command line): that is the order's `decided_by` and the audit trail's actor.

    >>> Signer("Pat Kim", "Senior Review Officer").title
    'Senior Review Officer'
    """

    name: str
    title: str | None = None


def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def reviewer_problems(signer: Signer | None) -> list[FieldError]:
    """What is missing from a reviewer's signature: a review is signed by a person, by name
    and title, as they chose to be named on the order."""
    name = _tidy(signer.name if signer else None)
    title = _tidy(signer.title if signer else None)
    problems = []
    if not name:
        problems.append(
            FieldError("decided_by.name", "name the reviewer who decided, as they sign the order")
        )
    if not title:
        problems.append(
            FieldError(
                "decided_by.title",
                "give the reviewer's title as it is printed under their name "
                "(e.g. Senior Review Officer)",
            )
        )
    problems += _too_long(name, title)
    return problems


def _too_long(name: str, title: str) -> list[FieldError]:
    return [
        FieldError(f"decided_by.{field}", f"at most {NAME_LENGTH} characters")
        for field, value in (("name", name), ("title", title))
        if len(value) > NAME_LENGTH
    ]


def reviewer(signer: Signer) -> Signer:
    """The reviewer's signature with its spaces tidied (checked by `reviewer_problems`)."""
    return Signer(_tidy(signer.name), _tidy(signer.title))


def hearing_signer(officer: HearingOfficer, given: Signer | None = None) -> Signer:
    """A hearing's order is signed by the docket session's hearing officer, under the title
    given, else under the order's own wording ("Hearing officer"); a decision naming anyone
    else is refused: the officer who sat decides."""
    name = _tidy(given.name if given else None)
    title = _tidy(given.title if given else None)
    if name and name.casefold() != _tidy(officer.name).casefold():
        raise InputRejected(
            [
                FieldError(
                    "decided_by.name",
                    f"a hearing is decided and signed by the session's hearing officer, "
                    f"{officer.name}, not {name}",
                )
            ],
            "the decision names another hearing officer",
        )
    if problems := _too_long("", title):
        raise InputRejected(problems, "the signature is too long")
    return Signer(officer.name, title or None)


def signer_audit(signer: Signer) -> dict[str, str | None]:
    """What the audit event of a decision records of who decided (its actor entered it)."""
    return {"decision_maker": signer.name, "decision_maker_title": signer.title}


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
    other_problems: Sequence[FieldError] = (),
) -> Decimal:
    """The fine after the decision; InputRejected listing whatever is missing or wrong,
    `other_problems` (found by the caller in the same input) included."""
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
    errors += other_problems
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
    signer: Signer,
    at: datetime,
    decided_on: date,
    profile: Jurisdiction,
    hearing_id: int | None = None,
) -> Order:
    """Store the written order: `decided_by` is who entered it (the actor, as the audit
    trail names them), `signer` the person who decided and signs it."""
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
        decision_maker=signer.name,
        decision_maker_title=signer.title,
        next_deadline=next_deadline(tier, outcome, decided_on, profile),
    )
    session.add(order)
    session.flush()
    return order
