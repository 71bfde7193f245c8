"""Putting hearings on dockets, continuing them, defaults, and hearing decisions.

A session is never overbooked: a place is taken with one conditional UPDATE
(`booked = booked + 1 WHERE booked < capacity`), which the database applies atomically, so
two clerks scheduling at the same moment cannot both take the last place.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import BusinessCalendar, local_date, pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.hearings.contests import DeadlineMissed, contest_of
from citations.hearings.decisions import (
    Outcome,
    Signer,
    apply_outcome,
    check_begun,
    check_decision,
    hearing_signer,
    record_order,
    signer_audit,
)
from citations.hearings.kept import keep_hearing_notice, keep_order
from citations.hearings.officers import get_session
from citations.hearings.tables import Contest, DocketSession, Hearing, Order, Recusal
from citations.money import from_cents
from citations.payments.plans import Installment, check_installments, start_plan
from citations.payments.posting import settle
from citations.record.ledger import balance, paid
from citations.record.lookup import lock_citation
from citations.record.moments import check_received
from citations.record.status import CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus


class NoSessionAvailable(InputRejected):
    def __init__(self, earliest: date) -> None:
        super().__init__(
            [
                FieldError(
                    "session",
                    f"no docket session on or after {earliest.isoformat()} has "
                    "room and a hearing officer free of conflict; open one",
                )
            ],
            "the hearing cannot be scheduled",
        )


def earliest_day(profile: Jurisdiction, now: datetime) -> date:
    """The first day a hearing may be set: the notice lead time after today, on a business day."""
    calendar = BusinessCalendar(profile.holiday_calendar)
    today = local_date(now, profile)
    return calendar.on_or_after(today + timedelta(days=profile.deadlines.hearing_notice_lead_days))


def current_hearing(session: Session, contest: Contest) -> Hearing | None:
    return session.scalars(
        select(Hearing)
        .where(Hearing.contest_id == contest.id, Hearing.status == "scheduled")
        .order_by(Hearing.id.desc())
    ).first()


def _recused(session: Session, citation: Citation) -> set[int]:
    return set(
        session.scalars(select(Recusal.officer_id).where(Recusal.citation_id == citation.id))
    )


def _fits(
    docket: DocketSession, recused: set[int], earliest: date, calendar: BusinessCalendar
) -> str | None:
    """Why a session cannot take this hearing, or None if it can."""
    if docket.officer_id in recused:
        return f"{docket.officer.name} is recused from this citation"
    if docket.day < earliest:
        return f"{docket.day.isoformat()} is before {earliest.isoformat()} (the notice lead time)"
    if not calendar.is_business_day(docket.day):
        return f"{docket.day.isoformat()} is not a business day"
    if docket.booked >= docket.capacity:
        return "the session is full"
    return None


def _take_place(session: Session, docket: DocketSession) -> int | None:
    """Atomically take one place; the new position, or None if the session was full."""
    taken = session.execute(
        update(DocketSession)
        .where(DocketSession.id == docket.id, DocketSession.booked < DocketSession.capacity)
        .values(booked=DocketSession.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(docket)
    last = session.scalar(select(func.max(Hearing.position)).where(Hearing.session_id == docket.id))
    return (last or 0) + 1


def _place(
    session: Session,
    citation: Citation,
    contest: Contest,
    profile: Jurisdiction,
    *,
    session_id: int | None,
    actor: Actor,
    now: datetime,
) -> Hearing:
    calendar = BusinessCalendar(profile.holiday_calendar)
    earliest = earliest_day(profile, now)
    recused = _recused(session, citation)
    if session_id is not None:
        docket = get_session(session, session_id)
        problem = _fits(docket, recused, earliest, calendar)
        if problem is not None:
            raise InputRejected([FieldError("session", problem)], "the hearing cannot go there")
        candidates = [docket]
    else:
        candidates = list(
            session.scalars(
                select(DocketSession)
                .where(DocketSession.day >= earliest, DocketSession.booked < DocketSession.capacity)
                .order_by(DocketSession.day, DocketSession.start_time, DocketSession.id)
            )
        )
    for docket in candidates:
        if _fits(docket, recused, earliest, calendar) is not None:
            continue
        position = _take_place(session, docket)
        if position is None:
            continue  # another clerk took the last place first
        slot = None
        if docket.slot_minutes:
            start = datetime.combine(docket.day, docket.start_time)
            slot = (start + timedelta(minutes=docket.slot_minutes * (position - 1))).time()
        hearing = Hearing(
            contest_id=contest.id,
            session_id=docket.id,
            position=position,
            slot_time=slot,
            status="scheduled",
            placed_by_hand=session_id is not None,
            scheduled_at=now,
            scheduled_by=actor.name,
        )
        session.add(hearing)
        session.flush()
        return hearing
    if session_id is not None:
        raise InputRejected(
            [FieldError("session", "the session is full")], "the hearing cannot go there"
        )
    raise NoSessionAvailable(earliest)


def schedule_hearing(
    session: Session, number: str, *, actor: Actor, now: datetime, session_id: int | None = None
) -> Hearing:
    """Put a ready hearing (deposit paid or waived) into the earliest fitting session, or into
    the session a clerk chose."""
    actor.require(Action.SCHEDULE_HEARING)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(
        citation,
        {S.HEARING_REQUESTED},
        "schedule a hearing",
        "a hearing is scheduled once requested and not yet scheduled",
    )
    contest = contest_of(session, citation)
    if contest.deposit_status not in ("paid", "waived"):
        raise InputRejected(
            [
                FieldError(
                    "deposit",
                    f"the deposit is {contest.deposit_status}: pay it or decide the waiver first",
                )
            ],
            "the hearing cannot be scheduled yet",
        )
    hearing = _place(
        session, citation, contest, profile, session_id=session_id, actor=actor, now=now
    )
    contest.stage = "scheduled"
    move(citation, S.HEARING_SCHEDULED, "schedule a hearing")
    _audit_hearing(session, citation, hearing, "hearing.scheduled", actor, now)
    keep_hearing_notice(session, citation, hearing, actor=actor, now=now)
    return hearing


def _audit_hearing(
    session: Session,
    citation: Citation,
    hearing: Hearing,
    action: str,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    held_early_reason: str | None = None,
    signer: Signer | None = None,
) -> None:
    docket = hearing.session
    early = {"held_early_reason": held_early_reason} if held_early_reason else {}
    signed = signer_audit(signer) if signer is not None else {}
    record(
        session,
        at=now,
        actor=actor.name,
        action=action,
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        after={
            "hearing": hearing.id,
            "session": docket.id,
            "day": docket.day.isoformat(),
            "position": hearing.position,
            "officer": docket.officer_id,
        }
        | early
        | signed,
    )


def continue_hearing(
    session: Session,
    number: str,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    session_id: int | None = None,
) -> Hearing:
    """Postpone the scheduled hearing (kept, marked postponed) and schedule the next one."""
    actor.require(Action.SCHEDULE_HEARING)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, {S.HEARING_SCHEDULED}, "continue a hearing", "no hearing is scheduled")
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "a continuance needs its reason")])
    contest = contest_of(session, citation)
    old = current_hearing(session, contest)
    assert old is not None
    old.status = "postponed"
    old.postponed_at = now
    old.postponed_reason = reason.strip()
    session.execute(
        update(DocketSession)
        .where(DocketSession.id == old.session_id)
        .values(booked=DocketSession.booked - 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    new = _place(session, citation, contest, profile, session_id=session_id, actor=actor, now=now)
    old.replaced_by_id = new.id
    move(citation, S.HEARING_SCHEDULED, "continue a hearing")
    _audit_hearing(session, citation, new, "hearing.continued", actor, now, reason)
    keep_hearing_notice(session, citation, new, actor=actor, now=now)
    return new


def record_no_show(session: Session, number: str, *, actor: Actor, now: datetime) -> Order:
    """The person did not appear: a default upholds the citation; it can be set aside for
    good cause within the profile's days of the hearing's day. Refused before the hearing
    begins. The order is signed by the session's hearing officer; `actor` entered it."""
    actor.require(Action.DECIDE_HEARING)
    citation, contest, hearing, profile = _hearing_in_progress(session, number, actor)
    check_begun(hearing, profile, now=now, no_show=True)
    signer = hearing_signer(hearing.session.officer)
    hearing.status = "no_show"
    fine = from_cents(citation.total_fine_cents)
    order = record_order(
        session,
        citation,
        contest,
        tier="hearing",
        outcome=Outcome.DEFAULT,
        findings="The person did not appear at the hearing; the citation is upheld by default.",
        original=fine,
        new_fine=fine,
        reduction_reason=None,
        schedule=[],
        refund=Decimal(0),
        decided_by=actor.name,
        signer=signer,
        at=now,
        decided_on=hearing.session.day,  # the set-aside window runs from the day missed
        profile=profile,
        hearing_id=hearing.id,
    )
    contest.stage = "defaulted"
    move(citation, S.UPHELD, "record a default")
    citation.due_on = pay_deadline(local_date(now, profile), profile)
    if balance(session, citation) <= 0:  # the deposit covers what is owed
        settle(session, citation, S.PAID, "the deposit paid it", now=now, profile=profile)
    _audit_hearing(session, citation, hearing, "hearing.default", actor, now, signer=signer)
    keep_order(session, citation, order, actor=actor, now=now)
    return order


def set_aside_default(
    session: Session,
    number: str,
    reason: str,
    *,
    received_at: datetime,
    actor: Actor,
    now: datetime,
) -> Contest:
    """Set aside a default for good cause, within the deadline; the hearing is then scheduled
    again."""
    actor.require(Action.DECIDE_HEARING)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    contest = contest_of(session, citation)
    order = session.scalars(
        select(Order).where(Order.contest_id == contest.id).order_by(Order.id.desc()).limit(1)
    ).first()
    if order is None or order.outcome != Outcome.DEFAULT.value or order.set_aside_at is not None:
        raise InputRejected(
            [FieldError("number", f"{citation.number} has no default to set aside")]
        )
    if len(reason.strip()) < 10:
        raise InputRejected([FieldError("reason", "state the good cause (10 characters or more)")])
    assert order.next_deadline is not None
    check_received(received_at, citation, now=now, profile=profile)
    received_on = local_date(received_at, profile)
    if received_on > order.next_deadline:
        raise DeadlineMissed(
            "request to set aside the default",
            received_on,
            order.next_deadline,
            f"{profile.deadlines.days_to_set_aside_default} days from the hearing missed",
        )
    order.set_aside_at = now
    order.set_aside_reason = reason.strip()
    contest.stage = "ready"
    move(citation, S.HEARING_REQUESTED, "set aside a default")
    record(
        session,
        at=now,
        actor=actor.name,
        action="hearing.default_set_aside",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
    )
    return contest


def _hearing_in_progress(
    session: Session, number: str, actor: Actor
) -> tuple[Citation, Contest, Hearing, Jurisdiction]:
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, {S.HEARING_SCHEDULED}, "decide a hearing", "no hearing is scheduled")
    contest = contest_of(session, citation)
    hearing = current_hearing(session, contest)
    assert hearing is not None
    return citation, contest, hearing, profile


def decide_hearing(
    session: Session,
    number: str,
    outcome: Outcome,
    findings: str,
    *,
    actor: Actor,
    now: datetime,
    new_amount: Decimal | None = None,
    reduction_reason: str | None = None,
    payment_schedule: list[Installment] | None = None,
    held_early_reason: str | None = None,
    decided_by: Signer | None = None,
) -> Order:
    """Record the hearing officer's decision: upheld, dismissed or reduced, with findings.

    A dismissal refunds the deposit; the order states the deadline to appeal to the court.
    Refused before the hearing's set time, unless a clerk gives `held_early_reason` (it was
    held early by agreement), which the audit event records.

    The order is signed by the session's hearing officer (`decided_by` may give their title;
    naming anyone else is refused); `actor` is who entered it.
    """
    actor.require(Action.DECIDE_HEARING)
    if (held_early_reason or "").strip():
        actor.require(Action.RECORD_EARLY_HEARING)
    citation, contest, hearing, profile = _hearing_in_progress(session, number, actor)
    if outcome is Outcome.DEFAULT:
        raise InputRejected([FieldError("outcome", "record a no-show for a default")])
    signer = hearing_signer(hearing.session.officer, decided_by)
    original = from_cents(citation.total_fine_cents)
    new_fine = check_decision(outcome, findings, original, new_amount, reduction_reason)
    held_early = check_begun(hearing, profile, now=now, held_early_reason=held_early_reason)
    decided_on = local_date(now, profile)
    schedule = payment_schedule or []
    if schedule:
        owed_after = max(new_fine - paid(session, citation), Decimal("0.00"))
        check_installments(schedule, owed_after, decided_on, profile)
    refund = apply_outcome(
        session,
        citation,
        outcome,
        new_fine,
        actor=actor,
        at=now,
        reason=f"hearing: {outcome.value}",
    )
    hearing.status = "held"
    contest.stage = "decided"
    order = record_order(
        session,
        citation,
        contest,
        tier="hearing",
        outcome=outcome,
        findings=findings,
        original=original,
        new_fine=new_fine,
        reduction_reason=reduction_reason,
        schedule=schedule,
        refund=refund,
        decided_by=actor.name,
        signer=signer,
        at=now,
        decided_on=decided_on,
        profile=profile,
        hearing_id=hearing.id,
    )
    if outcome is Outcome.DISMISSED:
        move(citation, S.DISMISSED, "decide a hearing", at=now)
    elif balance(session, citation) <= 0:  # the deposit covers what is owed
        move(citation, S.UPHELD, "decide a hearing")
        settle(session, citation, S.PAID, "the deposit paid it", now=now, profile=profile)
    elif schedule:
        move(citation, S.UPHELD, "decide a hearing")
        start_plan(session, citation, schedule, actor=actor, now=now, profile=profile)
    else:
        move(citation, S.UPHELD, "decide a hearing")
        citation.due_on = pay_deadline(decided_on, profile)
    _audit_hearing(
        session,
        citation,
        hearing,
        f"hearing.{outcome.value}",
        actor,
        now,
        findings,
        held_early_reason=held_early,
        signer=signer,
    )
    keep_order(session, citation, order, actor=actor, now=now)
    return order
