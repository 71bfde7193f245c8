"""Contesting a citation: the initial written review, then the administrative hearing with
its advance deposit or hardship waiver.

Every deadline is a date in the jurisdiction's time zone: a request received at 23:59 local
time on the last day is on time. A late request is refused with the deadline in the message,
unless a clerk grants late filing with a recorded reason.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import BusinessCalendar, deadline_dates, local_date, pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.errors import CitationsError, FieldError, InputRejected
from citations.hearings.decisions import (
    Outcome,
    Signer,
    apply_outcome,
    check_decision,
    record_order,
    reviewer,
    reviewer_problems,
    signer_audit,
)
from citations.hearings.kept import keep_order
from citations.hearings.lookup import contest_of as contest_of  # where it always was
from citations.hearings.tables import Contest, Order
from citations.money import from_cents
from citations.payments.posting import active_plan, receive
from citations.payments.receipts import keep_receipts
from citations.record.ledger import EntryKind, balance
from citations.record.lookup import lock_citation, lock_if_free
from citations.record.moments import check_not_after_today, check_received
from citations.record.status import CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus


class DeadlineMissed(CitationsError):
    """A request arrived after its deadline (and no late filing was granted)."""

    def __init__(self, what: str, received_on: date, deadline: date, basis: str) -> None:
        self.what = what
        self.received_on = received_on
        self.deadline = deadline
        super().__init__(
            f"the {what} was received on {received_on.isoformat()}, after the deadline of "
            f"{deadline.isoformat()} ({basis}); a clerk may accept it late with a reason"
        )


def _on_time(
    what: str,
    received_on: date,
    deadline: date,
    basis: str,
    late_reason: str | None,
    actor: Actor,
) -> str | None:
    """None when on time; the recorded reason when a clerk accepts it late; else refuse."""
    if received_on <= deadline:
        return None
    if not (late_reason or "").strip():
        raise DeadlineMissed(what, received_on, deadline, basis)
    actor.require(Action.GRANT_LATE_FILING)
    return (late_reason or "").strip()


def request_review(
    session: Session,
    number: str,
    statement: str,
    *,
    received_at: datetime,
    actor: Actor,
    now: datetime,
    late_reason: str | None = None,
) -> Contest:
    """Record a request for the initial written review (the first tier of a contest)."""
    actor.require(Action.RECEIVE_CONTEST)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, {S.ISSUED}, "contest it", "a citation can be contested once, while issued")
    if not statement.strip():
        raise InputRejected([FieldError("statement", "say why the citation is contested")])
    check_received(received_at, citation, now=now, profile=profile)
    # Deadlines count from service; a notice still waiting to be mailed has not started its
    # time, so a request before it is on time.
    served = citation.served_on or local_date(received_at, profile)
    deadline = deadline_dates(served, profile)[1]
    days = profile.deadlines.days_to_request_review
    late = _on_time(
        "request to contest",
        local_date(received_at, profile),
        deadline,
        f"{days} days from the notice served {served.isoformat()}",
        late_reason,
        actor,
    )
    contest = Contest(
        citation_id=citation.id,
        stage="review_requested",
        review_requested_at=received_at,
        review_statement=statement.strip(),
        review_deadline=deadline,
        review_late_reason=late,
        interpreter_language=_interpreter(citation, profile),
    )
    session.add(contest)
    move(citation, S.IN_REVIEW, "contest it")
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="contest.review_requested",
        entity_type="citation",
        entity_key=citation.number,
        reason=late,
        after={"received_at": received_at.isoformat(), "deadline": deadline.isoformat()},
    )
    return contest


def _interpreter(citation: Citation, profile: Jurisdiction) -> str | None:
    """An interpreter is needed when the person prefers a language other than the hearing's."""
    preferred = citation.preferred_language
    return preferred if preferred and preferred != profile.notice_languages[0] else None


def decide_review(
    session: Session,
    number: str,
    outcome: Outcome,
    findings: str,
    *,
    decided_by: Signer | None,
    actor: Actor,
    now: datetime,
    new_amount: Decimal | None = None,
    reduction_reason: str | None = None,
) -> Order:
    """Decide the initial review: upheld, dismissed, or reduced, with written findings.

    The order is signed by `decided_by`, the reviewer by name and title as they chose to be
    named; without both the decision is refused. `actor` is who entered it (a clerk, a
    token, the command line); the audit event records both.
    """
    actor.require(Action.DECIDE_REVIEW)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, {S.IN_REVIEW}, "decide a review", "no review is pending")
    if outcome is Outcome.DEFAULT:
        raise InputRejected([FieldError("outcome", "a review cannot end in a default")])
    contest = contest_of(session, citation)
    original = from_cents(citation.total_fine_cents)
    unsigned = reviewer_problems(decided_by)
    new_fine = check_decision(outcome, findings, original, new_amount, reduction_reason, unsigned)
    assert decided_by is not None  # else reviewer_problems refused it
    signer = reviewer(decided_by)
    refund = apply_outcome(
        session,
        citation,
        outcome,
        new_fine,
        actor=actor,
        at=now,
        reason=f"initial review: {outcome.value}",
    )
    move(
        citation,
        S.DISMISSED if outcome is Outcome.DISMISSED else S.REVIEW_UPHELD,
        "decide a review",
        at=now,
    )
    if outcome is not Outcome.DISMISSED:
        citation.due_on = pay_deadline(local_date(now, profile), profile)
    contest.stage = "review_decided"
    contest.review_decided_at = now
    order = record_order(
        session,
        citation,
        contest,
        tier="review",
        outcome=outcome,
        findings=findings,
        original=original,
        new_fine=new_fine,
        reduction_reason=reduction_reason,
        schedule=[],
        refund=refund,
        decided_by=actor.name,
        signer=signer,
        at=now,
        decided_on=local_date(now, profile),
        profile=profile,
    )
    record(
        session,
        at=now,
        actor=actor.name,
        action="contest.review_decided",
        entity_type="citation",
        entity_key=citation.number,
        reason=findings,
        after={"outcome": outcome.value, "fine": str(new_fine), "order": order.id}
        | signer_audit(signer),
    )
    keep_order(session, citation, order, actor=actor, now=now)
    return order


def request_hearing(
    session: Session,
    number: str,
    *,
    received_at: datetime,
    actor: Actor,
    now: datetime,
    deposit: Decimal | None = None,
    deposit_method: str | None = None,
    deposit_reference: str | None = None,
    waiver_declaration: str | None = None,
    interpreter_language: str | None = None,
    late_reason: str | None = None,
    hearing_mode: str | None = None,
    accommodation: str | None = None,
) -> Contest:
    """Request the administrative hearing after a review upheld the citation.

    `hearing_mode` is how the person asks to attend (one of the profile's
    `online.hearing_modes`; None: the first of them); `accommodation` what they need there.

    The advance deposit of the amount due comes with the request, unless the person asks for
    a hardship waiver with a sworn declaration, which a clerk then decides.
    """
    actor.require(Action.RECEIVE_CONTEST)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(
        citation,
        {S.REVIEW_UPHELD},
        "request a hearing",
        "a hearing follows an initial review that upheld the citation",
    )
    contest = contest_of(session, citation)
    review = _latest_order(session, contest, "review")
    deadline = review.next_deadline
    assert deadline is not None
    check_received(
        received_at,
        citation,
        now=now,
        profile=profile,
        after=(review.decided_at, "the review decision it answers"),
    )
    days = profile.deadlines.days_to_request_hearing
    decided_on = local_date(review.decided_at, profile)
    late = _on_time(
        "request for a hearing",
        local_date(received_at, profile),
        deadline,
        f"{days} days from the review decision of {decided_on.isoformat()}",
        late_reason,
        actor,
    )
    due = balance(session, citation)
    if (deposit is None) == (waiver_declaration is None or not waiver_declaration.strip()):
        raise InputRejected(
            [
                FieldError(
                    "deposit",
                    f"a hearing needs the advance deposit of {due} "
                    "or a hardship waiver request with a sworn declaration",
                )
            ],
            "the hearing request is incomplete",
        )
    modes = profile.online.hearing_modes
    if hearing_mode is not None and hearing_mode not in modes:
        raise InputRejected(
            [
                FieldError(
                    "hearing_mode",
                    f"a hearing here is held {', '.join(m.replace('_', ' ') for m in modes)}; "
                    f"not {hearing_mode.replace('_', ' ')}",
                )
            ]
        )
    contest.hearing_mode = hearing_mode or modes[0]
    if accommodation and accommodation.strip():
        contest.accommodation = accommodation.strip()
    contest.hearing_requested_at = received_at
    contest.hearing_deadline = deadline
    contest.hearing_late_reason = late
    if interpreter_language:
        contest.interpreter_language = interpreter_language.strip().lower()
    if deposit is not None:
        _take_deposit(
            session,
            citation,
            contest,
            deposit,
            deposit_method,
            deposit_reference,
            actor=actor,
            now=now,
        )
    else:
        contest.deposit_status = "waiver_requested"
        contest.waiver_declaration = (waiver_declaration or "").strip()
        contest.stage = "waiver_pending"
    move(citation, S.HEARING_REQUESTED, "request a hearing")
    record(
        session,
        at=now,
        actor=actor.name,
        action="contest.hearing_requested",
        entity_type="citation",
        entity_key=citation.number,
        reason=late,
        after={
            "deposit_status": contest.deposit_status,
            "deadline": deadline.isoformat(),
            "hearing_mode": contest.hearing_mode,
            "accommodation": contest.accommodation,
        },
    )
    return contest


def _latest_order(session: Session, contest: Contest, tier: str) -> Order:
    order = session.scalars(
        select(Order)
        .where(Order.contest_id == contest.id, Order.tier == tier)
        .order_by(Order.id.desc())
        .limit(1)
    ).first()
    assert order is not None, f"contest {contest.id} has no {tier} order"
    return order


def _take_deposit(
    session: Session,
    citation: Citation,
    contest: Contest,
    amount: Decimal,
    method: str | None,
    reference: str | None,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    due = balance(session, citation)
    if amount != due:
        raise InputRejected(
            [FieldError("deposit", f"the advance deposit is the amount due, {due}, not {amount}")]
        )
    receive(
        session,
        citation,
        EntryKind.DEPOSIT,
        amount,
        method=method or "unspecified",
        reference=reference,
        received_at=now,
        actor=actor,
        now=now,
        source="hearing deposit",
        profile=PublishedCatalog(session).jurisdiction(),
        reason="advance deposit for the hearing",
    )
    contest.deposit_status = "paid"
    contest.deposit_due_on = None
    contest.stage = "ready"
    keep_receipts(session, citation, plan=active_plan(session, citation), actor=actor, now=now)


def decide_waiver(
    session: Session, number: str, granted: bool, reason: str, *, actor: Actor, now: datetime
) -> Contest:
    """Grant or refuse the hardship waiver of the deposit, with the clerk's reasons. A refusal
    leaves the deposit due within the profile's days, or the hearing request lapses."""
    actor.require(Action.DECIDE_WAIVER)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    contest = contest_of(session, citation)
    if contest.deposit_status != "waiver_requested":
        raise InputRejected(
            [FieldError("number", f"{citation.number} has no waiver request pending")]
        )
    if not reason.strip():
        raise InputRejected([FieldError("reason", "a waiver decision needs its reasons")])
    contest.waiver_decided_at = now
    contest.waiver_decided_by = actor.name
    contest.waiver_reason = reason.strip()
    if granted:
        contest.deposit_status = "waived"
        contest.stage = "ready"
    else:
        contest.deposit_status = "waiver_denied"
        contest.stage = "deposit_due"
        contest.deposit_due_on = BusinessCalendar(profile.holiday_calendar).deadline(
            local_date(now, profile),
            profile.deadlines.days_to_pay_deposit_after_waiver_denied,
            profile.deadlines,
        )
    record(
        session,
        at=now,
        actor=actor.name,
        action="contest.waiver_decided",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        after={"granted": granted, "deposit_due_on": str(contest.deposit_due_on or "")},
    )
    return contest


def pay_deposit(
    session: Session,
    number: str,
    amount: Decimal,
    *,
    received_at: datetime,
    actor: Actor,
    now: datetime,
    method: str | None = None,
    reference: str | None = None,
) -> Contest:
    """Record the deposit after a refused waiver; refused (the request lapses) if late."""
    actor.require(Action.RECEIVE_CONTEST)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    contest = contest_of(session, citation)
    if contest.deposit_status != "waiver_denied" or contest.deposit_due_on is None:
        raise InputRejected([FieldError("number", f"{citation.number} has no deposit due")])
    check_received(received_at, citation, now=now, profile=profile)
    received_on = local_date(received_at, profile)
    if received_on > contest.deposit_due_on:
        raise DeadlineMissed(
            "deposit", received_on, contest.deposit_due_on, "after the hardship waiver was refused"
        )
    _take_deposit(session, citation, contest, amount, method, reference, actor=actor, now=now)
    return contest


def lapse_unpaid_deposits(
    session: Session, *, today: date, actor: Actor, now: datetime
) -> list[str]:
    """Hearing requests whose deposit was due before `today` and never paid lapse: the review
    decision stands. Returns the citation numbers. Running it twice changes nothing more."""
    actor.require(Action.DECIDE_WAIVER)
    profile = PublishedCatalog(session).jurisdiction()
    check_not_after_today(today, now=now, profile=profile, what="lapsing unpaid deposits")
    overdue = session.scalars(
        select(Contest).where(
            Contest.deposit_status == "waiver_denied", Contest.deposit_due_on < today
        )
    ).all()
    numbers = []
    for contest in overdue:
        if lock_if_free(session, contest.citation_id) is None:
            continue
        session.refresh(contest)
        if contest.deposit_status != "waiver_denied":  # paid while this run waited for it
            continue
        citation = contest.citation
        contest.deposit_status = "lapsed"
        contest.stage = "lapsed"
        move(citation, S.UPHELD, "let the hearing request lapse")
        citation.due_on = pay_deadline(today, profile)
        record(
            session,
            at=now,
            actor=actor.name,
            action="contest.hearing_lapsed",
            entity_type="citation",
            entity_key=citation.number,
            reason=f"deposit due on {contest.deposit_due_on} was not paid",
        )
        numbers.append(citation.number)
    return numbers


__all__ = [
    "DeadlineMissed",
    "Outcome",
    "contest_of",
    "decide_review",
    "decide_waiver",
    "lapse_unpaid_deposits",
    "pay_deposit",
    "request_hearing",
    "request_review",
]
