"""Community service in place of the fine.

Elected by the due date, converted at the citation's version's dollars per hour up to its
maximum hours, assigned to a provider organization, logged and signed off by the provider,
with a deadline the profile lets a clerk extend. Completion credits the hours and closes the
citation; failure (the deadline passing) credits the hours done and returns the rest to owed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.audit import record
from citations.calendar import local_date, pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.documents.formats import service_credit, service_hours
from citations.errors import FieldError, InputRejected
from citations.money import from_cents, to_cents
from citations.payments.posting import active_plan, settle
from citations.payments.tables import ServiceAssignment, ServiceHours
from citations.record.chunks import Window, read_chunk
from citations.record.ledger import EntryKind, balance, post
from citations.record.lookup import lock_citation, lock_if_free
from citations.record.moments import check_done_between
from citations.record.status import CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import CommunityService, Jurisdiction
from ordinances.resolve import ResolvedVersion

S = CitationStatus
ELECTABLE = frozenset(
    {S.ISSUED, S.REVIEW_UPHELD, S.UPHELD, S.DELINQUENT, S.IN_COLLECTIONS, S.ON_PLAN}
)


class ServiceState(BaseModel):
    citation_number: str
    provider: str
    rate: Decimal
    hours_required: Decimal
    hours_signed_off: Decimal
    hours_pending: Decimal
    deadline: date
    extensions: int
    status: str


def offer_of(citation: Citation) -> CommunityService | None:
    for violation in citation.violations:
        alternatives = ResolvedVersion.model_validate(violation.snapshot).version.alternatives
        if alternatives is not None and alternatives.community_service is not None:
            return alternatives.community_service
    return None


def current_assignment(session: Session, citation: Citation) -> ServiceAssignment:
    assignment = session.scalars(
        select(ServiceAssignment)
        .where(ServiceAssignment.citation_id == citation.id, ServiceAssignment.status == "active")
        .options(selectinload(ServiceAssignment.hours))
    ).first()
    if assignment is None:
        raise InputRejected(
            [FieldError("number", f"{citation.number} has no community service under way")]
        )
    return assignment


def elect_service(
    session: Session, number: str, provider_id: str, *, actor: Actor, now: datetime
) -> ServiceState:
    """Convert what is owed into hours with a provider, if the version offers it and the
    due date has not passed (a clerk records the person's choice)."""
    actor.require(Action.MANAGE_SERVICE)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, ELECTABLE, "elect community service")
    offer = offer_of(citation)
    if offer is None:
        raise InputRejected(
            [FieldError("number", "community service is not offered for this citation's ordinance")]
        )
    providers = {p.id: p for p in profile.payments.community_service.providers}
    if provider_id not in providers:
        raise InputRejected(
            [
                FieldError(
                    "provider", f"unknown provider {provider_id!r} (one of: {', '.join(providers)})"
                )
            ]
        )
    today = local_date(now, profile)
    if citation.due_on is not None and today > citation.due_on and citation.status != S.ON_PLAN:
        raise InputRejected(
            [FieldError("number", f"community service had to be elected by {citation.due_on}")]
        )
    owed = balance(session, citation)
    if owed <= 0:
        raise InputRejected([FieldError("number", f"{citation.number} owes nothing")])
    hours = service_hours(owed, offer.dollars_per_hour, offer.max_hours)
    plan = active_plan(session, citation)
    if plan is not None:
        plan.status = "ended"
        plan.ended_at = now
    assignment = ServiceAssignment(
        citation_id=citation.id,
        provider_id=provider_id,
        rate_cents=to_cents(offer.dollars_per_hour),
        minutes_required=int(hours * 60),
        deadline=today + timedelta(days=profile.payments.community_service.days_to_complete),
        extensions=0,
        status="active",
        elected_at=now,
        elected_by=actor.name,
    )
    session.add(assignment)
    move(citation, S.IN_SERVICE, "elect community service")
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="service.elected",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "provider": provider_id,
            "hours": str(hours),
            "rate": str(offer.dollars_per_hour),
            "deadline": assignment.deadline.isoformat(),
        },
    )
    return state(session, citation, assignment)


def state(session: Session, citation: Citation, assignment: ServiceAssignment) -> ServiceState:
    session.refresh(assignment, ["hours"])
    signed = sum(h.minutes for h in assignment.hours if h.signed_off_by)
    pending = sum(h.minutes for h in assignment.hours if not h.signed_off_by)
    return ServiceState(
        citation_number=citation.number,
        provider=assignment.provider_id,
        rate=from_cents(assignment.rate_cents),
        hours_required=Decimal(assignment.minutes_required) / 60,
        hours_signed_off=(Decimal(signed) / 60).quantize(Decimal("0.01")),
        hours_pending=(Decimal(pending) / 60).quantize(Decimal("0.01")),
        deadline=assignment.deadline,
        extensions=assignment.extensions,
        status=assignment.status,
    )


def logged_minutes(hours: Decimal) -> int:
    """The minutes of one day's logged `hours`, or InputRejected: service is logged in
    quarter hours (0.25, 0.5, 0.75, 1, 1.25, ...), from a quarter hour to 24 hours a day.

    >>> logged_minutes(Decimal("2.75"))
    165
    >>> logged_minutes(Decimal("1.1"))
    Traceback (most recent call last):
    citations.errors.InputRejected: the input was rejected: hours: 1.1 is not in quarter \
hours: log 1 or 1.25 hours (0.25, 0.5, 0.75, 1, 1.25, ...)
    """
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise InputRejected(
            [FieldError("hours", f"{hours} hours: log from 0.25 to 24 hours a day")]
        )
    quarters = hours * 4
    if quarters != quarters.to_integral_value():
        below, above = int(quarters) / Decimal(4), (int(quarters) + 1) / Decimal(4)
        nearest = f"{below} or {above}" if below > 0 else f"{above}"
        raise InputRejected(
            [
                FieldError(
                    "hours",
                    f"{hours} is not in quarter hours: log {nearest} hours "
                    "(0.25, 0.5, 0.75, 1, 1.25, ...)",
                )
            ]
        )
    return int(quarters) * 15


def log_hours(
    session: Session,
    number: str,
    worked_on: date,
    hours: Decimal,
    *,
    actor: Actor,
    now: datetime,
) -> ServiceState:
    """Record hours worked (in quarter hours); they count once the provider signs them off."""
    actor.require(Action.MANAGE_SERVICE)
    citation = lock_citation(session, number, actor)
    assignment = current_assignment(session, citation)
    minutes = logged_minutes(hours)
    profile = PublishedCatalog(session).jurisdiction()
    since = (assignment.elected_at, "the election")
    check_done_between(worked_on, since, now=now, profile=profile, field="worked_on")
    session.add(
        ServiceHours(
            assignment_id=assignment.id,
            worked_on=worked_on,
            minutes=minutes,
            logged_at=now,
            logged_by=actor.name,
        )
    )
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="service.hours_logged",
        entity_type="citation",
        entity_key=citation.number,
        after={"worked_on": worked_on.isoformat(), "hours": str(hours)},
    )
    return state(session, citation, assignment)


def sign_off(
    session: Session, number: str, signer: str, *, actor: Actor, now: datetime
) -> ServiceState:
    """The provider confirms the pending hours; enough hours complete the service."""
    actor.require(Action.MANAGE_SERVICE)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    assignment = current_assignment(session, citation)
    if len(signer.strip()) < 3:
        raise InputRejected([FieldError("signer", "the provider's representative signs off")])
    for entry in assignment.hours:
        if entry.signed_off_by is None:
            entry.signed_off_by = signer.strip()
            entry.signed_off_at = now
    session.flush()
    signed = sum(h.minutes for h in assignment.hours if h.signed_off_by)
    record(
        session,
        at=now,
        actor=actor.name,
        action="service.signed_off",
        entity_type="citation",
        entity_key=citation.number,
        after={"signer": signer, "hours_signed": str(Decimal(signed) / 60)},
    )
    if signed >= assignment.minutes_required:
        _end(session, citation, assignment, completed=True, now=now, profile=profile, actor=actor)
    return state(session, citation, assignment)


def extend(
    session: Session, number: str, reason: str, *, actor: Actor, now: datetime
) -> ServiceState:
    actor.require(Action.MANAGE_SERVICE)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    rules = profile.payments.community_service
    assignment = current_assignment(session, citation)
    if assignment.extensions >= rules.max_extensions:
        raise InputRejected(
            [
                FieldError(
                    "number",
                    f"the deadline was already extended "
                    f"{assignment.extensions} time(s), the most "
                    "allowed",
                )
            ]
        )
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "an extension needs its reason")])
    assignment.extensions += 1
    assignment.deadline += timedelta(days=rules.extension_days)
    record(
        session,
        at=now,
        actor=actor.name,
        action="service.extended",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        after={"deadline": assignment.deadline.isoformat()},
    )
    return state(session, citation, assignment)


def _end(
    session: Session,
    citation: Citation,
    assignment: ServiceAssignment,
    *,
    completed: bool,
    now: datetime,
    profile: Jurisdiction,
    actor: Actor,
) -> None:
    signed = sum(h.minutes for h in assignment.hours if h.signed_off_by)
    rate = from_cents(assignment.rate_cents)
    credit = service_credit(Decimal(signed) / 60, rate, balance(session, citation))
    post(
        session,
        citation,
        EntryKind.SERVICE_CREDIT,
        credit,
        actor=actor.name,
        at=now,
        reason=f"{Decimal(signed) / 60:.2f} hours of community service at "
        f"{from_cents(assignment.rate_cents)} per hour",
    )
    assignment.status = "completed" if completed else "failed"
    assignment.ended_at = now
    if balance(session, citation) <= 0:
        settle(session, citation, S.SERVED, "community service completed", now=now, profile=profile)
    else:
        move(citation, S.UPHELD, "end community service")
        citation.due_on = pay_deadline(local_date(now, profile), profile)
    record(
        session,
        at=now,
        actor=actor.name,
        action=f"service.{assignment.status}",
        entity_type="citation",
        entity_key=citation.number,
        after={"credited": str(credit), "balance": str(balance(session, citation))},
    )


def expire_service(
    session: Session,
    *,
    as_of: date,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
    window: Window | None = None,
) -> list[str]:
    """Service whose deadline passed before `as_of` fails: the hours done are credited and the
    rest of the balance is owed again. Idempotent: a failed assignment is not active. With a
    `window`, only its next chunk (`citations.record.chunks`)."""
    numbers = []
    query = (
        select(ServiceAssignment)
        .where(ServiceAssignment.status == "active", ServiceAssignment.deadline < as_of)
        .options(selectinload(ServiceAssignment.hours))
    )
    assignments: list[ServiceAssignment] = read_chunk(session, query, ServiceAssignment.id, window)
    for assignment in assignments:
        if lock_if_free(session, assignment.citation_id) is None:
            continue
        session.refresh(assignment, ["status", "hours"])
        if assignment.status != "active":  # signed off while this run waited for it
            continue
        _end(
            session,
            assignment.citation,
            assignment,
            completed=False,
            now=now,
            profile=profile,
            actor=actor,
        )
        numbers.append(assignment.citation.number)
    return numbers
