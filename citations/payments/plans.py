"""Payment plans: installments on a schedule; a missed installment past the grace days
defaults the plan and the whole remaining balance falls due."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.inputs import Day, InputModel, PositiveAmount
from citations.money import to_cents
from citations.payments.posting import active_plan
from citations.payments.tables import PaymentPlan, PlanInstallment
from citations.record.chunks import Window, read_chunk
from citations.record.ledger import balance
from citations.record.lookup import lock_citation, lock_if_free
from citations.record.status import CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus
PLANNABLE = frozenset(
    {S.ISSUED, S.REVIEW_UPHELD, S.UPHELD, S.DELINQUENT, S.IN_COLLECTIONS, S.HEARING_SCHEDULED}
)


class Installment(InputModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    due_on: Day
    amount: PositiveAmount


def check_installments(
    installments: list[Installment], owed: Decimal, today: date, profile: Jurisdiction
) -> None:
    """The profile's plan rules: count, minimum (the last may be smaller), dates, total."""
    rules = profile.payments.plans
    errors = []
    if not installments:
        errors.append(FieldError("installments", "a plan needs at least one installment"))
    if len(installments) > rules.max_installments:
        errors.append(FieldError("installments", f"at most {rules.max_installments} installments"))
    total = sum((i.amount for i in installments), Decimal("0.00"))
    if installments and total != owed:
        errors.append(
            FieldError("installments", f"installments add up to {total}, not the {owed} owed")
        )
    small = [i for i in installments[:-1] if i.amount < rules.min_installment]
    if small:
        errors.append(
            FieldError(
                "installments", f"each installment but the last is at least {rules.min_installment}"
            )
        )
    dates = [i.due_on for i in installments]
    if dates != sorted(set(dates)):
        errors.append(FieldError("installments", "due dates must be distinct and in order"))
    if dates and dates[0] < today:
        errors.append(FieldError("installments", "the first installment is in the past"))
    if errors:
        raise InputRejected(errors, "the payment plan is not valid")


def start_plan(
    session: Session,
    citation: Citation,
    installments: list[Installment],
    *,
    actor: Actor,
    now: datetime,
    profile: Jurisdiction,
) -> PaymentPlan:
    """Put a citation on a plan (the library's one way, for clerks and hearing decisions)."""
    require(citation, PLANNABLE, "start a payment plan")
    if active_plan(session, citation) is not None:
        raise InputRejected([FieldError("number", f"{citation.number} already has a plan")])
    check_installments(installments, balance(session, citation), local_date(now, profile), profile)
    plan = PaymentPlan(
        citation_id=citation.id, status="active", created_at=now, created_by=actor.name
    )
    session.add(plan)
    session.flush()
    for number, installment in enumerate(installments, start=1):
        session.add(
            PlanInstallment(
                plan_id=plan.id,
                number=number,
                due_on=installment.due_on,
                amount_cents=to_cents(installment.amount),
                paid_cents=0,
            )
        )
    move(citation, S.ON_PLAN, "start a payment plan")
    citation.due_on = installments[0].due_on
    session.flush()
    session.expire(plan, ["installments"])
    record(
        session,
        at=now,
        actor=actor.name,
        action="plan.start",
        entity_type="citation",
        entity_key=citation.number,
        after=[i.model_dump(mode="json") for i in installments],
    )
    return plan


def create_plan(
    session: Session,
    number: str,
    installments: list[Installment],
    *,
    actor: Actor,
    now: datetime,
) -> PaymentPlan:
    actor.require(Action.MANAGE_PLANS)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    return start_plan(session, citation, installments, actor=actor, now=now, profile=profile)


def default_missed_plans(
    session: Session,
    *,
    as_of: date,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
    window: Window | None = None,
) -> list[str]:
    """Plans with an installment unpaid more than the grace days after its due date default:
    the remaining balance is due at once. Idempotent: a defaulted plan is not active. With a
    `window`, only its next chunk of plans (`citations.record.chunks`)."""
    grace = profile.payments.plans.grace_days
    query = (
        select(PaymentPlan)
        .where(PaymentPlan.status == "active")
        .options(selectinload(PaymentPlan.installments), selectinload(PaymentPlan.citation))
    )
    plans: list[PaymentPlan] = read_chunk(session, query, PaymentPlan.id, window)
    numbers = []
    for plan in plans:
        if lock_if_free(session, plan.citation_id) is None:
            continue
        session.refresh(plan, ["status", "installments"])
        if plan.status != "active":  # paid off while this run waited for it
            continue
        missed = [
            i
            for i in plan.installments
            if i.paid_cents < i.amount_cents and (as_of - i.due_on).days > grace
        ]
        if not missed:
            continue
        plan.status = "defaulted"
        plan.ended_at = now
        citation = plan.citation
        citation.due_on = as_of
        move(citation, S.DELINQUENT, "default a payment plan")
        record(
            session,
            at=now,
            actor=actor.name,
            action="plan.default",
            entity_type="citation",
            entity_key=citation.number,
            reason=f"installment {missed[0].number} due {missed[0].due_on} unpaid after "
            f"{grace} days' grace",
            after={"balance": str(balance(session, citation))},
        )
        numbers.append(citation.number)
    return numbers
