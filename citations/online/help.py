"""Asking for help online: ability to pay and a payment plan, and staff's answers to them.

Each step calls the library function a clerk's step calls, with the cited person as the
actor. What a rule decides plainly is decided at once (a declaration the ability-to-pay rule
qualifies; a plan within the profile's rules); anything else becomes a request waiting for
staff (citations.online.requests), never an automatic refusal of what the person asked.
Community service, programs and the person's contact details are in `help_choices` and
`help_contact`; what is open, and why not, in `help_options`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, NotFound
from citations.money import from_cents, to_cents
from citations.online.requests import RequestKind, answer_request, create_request
from citations.payments.ability import (
    AbilityDecision,
    Declaration,
    decide_as_staff,
    decide_plain_case,
    remedy_of,
)
from citations.payments.plans import PLANNABLE, Installment, create_plan
from citations.payments.posting import active_plan
from citations.payments.tables import PaymentPlan
from citations.record.ledger import balance
from citations.record.lookup import lock_citation
from citations.record.person import PersonRequest
from citations.record.status import OWED, CitationStatus, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus
ASKABLE = OWED - {S.ON_PLAN}
"""Where ability to pay may be asked (as `request_ability_to_pay` requires)."""


@dataclass(frozen=True)
class AbilityAnswer:
    """What happened to a person's ability-to-pay request: decided at once (`decision`), or
    waiting for staff (`request`)."""

    decision: AbilityDecision | None
    request: PersonRequest | None


def ask_ability_to_pay(
    session: Session,
    number: str,
    declaration: Declaration,
    statement: str,
    *,
    actor: Actor,
    now: datetime,
) -> AbilityAnswer:
    """The person's sworn declaration: decided at once when the rule qualifies it plainly (a
    listed benefit, income at or under the line), else sent to staff with the declaration.

    Asking is a money step for the person (the person, or a clerk at the counter for them:
    RECORD_PAYMENT); deciding beyond the rule stays the clerks' (DECIDE_ABILITY_TO_PAY).

    >>> # ask_ability_to_pay(session, number, Declaration(benefits=["calfresh"],
    >>> #     household_size=2, monthly_income=Decimal("900"), sworn=True), "",
    >>> #     actor=cited_person(number), now=now).decision.rule
    >>> # 'reduced_payment'
    """
    actor.require(Action.RECORD_PAYMENT)
    citation = lock_citation(session, number, actor)
    require(citation, ASKABLE, "ask for an ability-to-pay decision")
    if remedy_of(citation) is None:
        raise InputRejected(
            [FieldError("number", "this citation's ordinance offers no ability-to-pay remedy")],
            "not offered",
        )
    if not declaration.sworn:
        raise InputRejected(
            [FieldError("sworn", "the declaration must be signed under penalty of perjury")]
        )
    decision = decide_plain_case(session, citation, declaration, actor=actor, now=now)
    if decision is not None:
        return AbilityAnswer(decision, None)
    request = create_request(
        session,
        citation,
        RequestKind.ABILITY_TO_PAY,
        statement,
        details={"declaration": declaration.model_dump(mode="json")},
        actor=actor,
        now=now,
    )
    return AbilityAnswer(None, request)


def first_due(today: date) -> date:
    """A month after `today`, on the same day of the month or the month's last day.

    >>> first_due(date(2027, 1, 31))
    datetime.date(2027, 2, 28)
    """
    return months_after(today, 1)


def months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def equal_installments(owed: Decimal, count: int, today: date) -> list[Installment]:
    """`count` monthly installments of `owed`, the first a month from `today`; equal to the
    cent, the last absorbing the cents left over.

    >>> [str(i.amount) for i in equal_installments(Decimal("100.00"), 3, date(2026, 12, 1))]
    ['33.33', '33.33', '33.34']
    """
    if count < 1:
        raise InputRejected([FieldError("installments", "choose how many months")])
    cents = to_cents(owed)
    each = cents // count
    start = first_due(today)
    return [
        Installment(
            due_on=months_after(start, n),
            amount=from_cents(each if n < count - 1 else cents - each * (count - 1)),
        )
        for n in range(count)
    ]


@dataclass(frozen=True)
class PlanChoice:
    count: int
    amount: Decimal
    last: Decimal
    first_due: date
    last_due: date


def plan_choices(owed: Decimal, today: date, profile: Jurisdiction) -> list[PlanChoice]:
    """Every plan of 2 or more equal monthly installments the profile's rules allow for
    `owed` (each but the last at least the minimum, no more than the most installments)."""
    rules = profile.payments.plans
    choices = []
    for count in range(2, rules.max_installments + 1):
        schedule = equal_installments(owed, count, today)
        if schedule[0].amount < rules.min_installment:
            break
        choices.append(
            PlanChoice(
                count,
                schedule[0].amount,
                schedule[-1].amount,
                schedule[0].due_on,
                schedule[-1].due_on,
            )
        )
    return choices


def ask_for_plan(
    session: Session, number: str, installments_count: int, *, actor: Actor, now: datetime
) -> PaymentPlan:
    """A plan of `installments_count` equal monthly installments of the balance, started at
    once through `create_plan` when within the profile's rules; outside them, refused with
    the rule in plain words and the way to ask a clerk (`ask_clerk_for_plan`)."""
    actor.require(Action.MANAGE_PLANS)
    citation = lock_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    require(citation, PLANNABLE, "start a payment plan")
    today = local_date(now, profile)
    owed = balance(session, citation)
    if owed <= 0:
        raise InputRejected([FieldError("installments", "nothing is owed on this citation")])
    if installments_count not in {c.count for c in plan_choices(owed, today, profile)}:
        rules = profile.payments.plans
        raise InputRejected(
            [
                FieldError(
                    "installments",
                    f"a plan online has from 2 to {rules.max_installments} monthly "
                    f"installments of at least {rules.min_installment} each; "
                    "you can ask a clerk for another plan",
                )
            ],
            "outside the plan rules",
        )
    schedule = equal_installments(owed, installments_count, today)
    return create_plan(session, citation.number, schedule, actor=actor, now=now)


def ask_clerk_for_plan(
    session: Session,
    number: str,
    installments_count: int,
    statement: str,
    *,
    actor: Actor,
    now: datetime,
) -> PersonRequest:
    """A plan the rules do not allow online, asked of a clerk, who may set another schedule
    within the profile's rules (`grant_plan`) or refuse it."""
    actor.require(Action.MANAGE_PLANS)
    citation = lock_citation(session, number, actor)
    require(citation, PLANNABLE, "start a payment plan")
    if active_plan(session, citation) is not None:
        raise InputRejected([FieldError("number", "this citation already has a plan")])
    if not 1 <= installments_count <= 120:
        raise InputRejected([FieldError("installments", "choose from 1 to 120 months")])
    if len(statement.strip()) < 5:
        raise InputRejected(
            [FieldError("statement", "say in a few words what you can pay each month")]
        )
    owed = balance(session, citation)
    return create_request(
        session,
        citation,
        RequestKind.PAYMENT_PLAN,
        statement,
        details={"installments": installments_count, "balance": str(owed)},
        actor=actor,
        now=now,
    )


def _waiting(
    session: Session, request_id: int, kind: RequestKind, answer: str, actor: Actor
) -> tuple[PersonRequest, Citation]:
    """The request and its citation, the citation locked first (the lock order of every
    step) and the request read again under it: one answered meanwhile is refused here,
    before any step acts on it. The answer must say something."""
    if len(answer.strip()) < 5:
        raise InputRejected([FieldError("answer", "say in a sentence what was decided and why")])
    found = session.execute(
        select(Citation.number, PersonRequest.kind)
        .join(PersonRequest, PersonRequest.citation_id == Citation.id)
        .where(PersonRequest.id == request_id)
    ).first()
    if found is None or found.kind != kind.value:
        raise NotFound(f"{kind.value.replace('_', ' ')} request", str(request_id))
    citation = lock_citation(session, found.number, actor)
    request = session.scalars(
        select(PersonRequest)
        .where(PersonRequest.id == request_id)
        .execution_options(populate_existing=True)
    ).one()
    if request.status != "waiting":
        raise InputRejected(
            [
                FieldError(
                    "request", f"request {request_id} was already answered ({request.status})"
                )
            ],
            "already answered",
        )
    return request, citation


def grant_ability_to_pay(
    session: Session, request_id: int, answer: str, *, actor: Actor, now: datetime
) -> AbilityDecision:
    """Staff grant a waiting ability-to-pay request beyond the plain rule: the version's
    remedy applies with `answer` as the reason (`decide_as_staff`), and the request is
    answered with the same words. Needs ANSWER_REQUESTS and DECIDE_ABILITY_TO_PAY."""
    actor.require(Action.ANSWER_REQUESTS)
    request, citation = _waiting(session, request_id, RequestKind.ABILITY_TO_PAY, answer, actor)
    declaration = Declaration.model_validate(request.details["declaration"])
    decision = decide_as_staff(
        session, citation.number, declaration, granted=True, reason=answer, actor=actor, now=now
    )
    answer_request(session, request_id, granted=True, answer=answer, actor=actor, now=now)
    return decision


def deny_ability_to_pay(
    session: Session, request_id: int, answer: str, *, actor: Actor, now: datetime
) -> PersonRequest:
    """Staff refuse a waiting ability-to-pay request: the rule's decision is recorded with
    `answer` as the reason (while the citation is still owed), and the request answered."""
    actor.require(Action.ANSWER_REQUESTS)
    request, citation = _waiting(session, request_id, RequestKind.ABILITY_TO_PAY, answer, actor)
    if citation.status in ASKABLE:
        declaration = Declaration.model_validate(request.details["declaration"])
        decide_as_staff(
            session,
            citation.number,
            declaration,
            granted=False,
            reason=answer,
            actor=actor,
            now=now,
        )
    return answer_request(session, request_id, granted=False, answer=answer, actor=actor, now=now)


def grant_plan(
    session: Session,
    request_id: int,
    answer: str,
    installments: list[Installment] | None = None,
    *,
    actor: Actor,
    now: datetime,
) -> PaymentPlan:
    """Staff grant a plan asked for online: `installments` as the clerk sets them (else the
    months the person asked for, equal and monthly), started through `create_plan`, so the
    profile's rules hold for staff as for everyone (a plan they refuse cannot be granted:
    set another schedule, or refuse the request)."""
    actor.require(Action.ANSWER_REQUESTS)
    request, citation = _waiting(session, request_id, RequestKind.PAYMENT_PLAN, answer, actor)
    if installments is None:
        profile = PublishedCatalog(session).jurisdiction()
        installments = equal_installments(
            balance(session, citation),
            int(request.details["installments"]),
            local_date(now, profile),
        )
    plan = create_plan(session, citation.number, installments, actor=actor, now=now)
    answer_request(session, request_id, granted=True, answer=answer, actor=actor, now=now)
    return plan


def deny_plan(
    session: Session, request_id: int, answer: str, *, actor: Actor, now: datetime
) -> PersonRequest:
    """Staff refuse a plan asked for online; the person reads `answer` on their page."""
    actor.require(Action.ANSWER_REQUESTS)
    _waiting(session, request_id, RequestKind.PAYMENT_PLAN, answer, actor)
    return answer_request(session, request_id, granted=False, answer=answer, actor=actor, now=now)


def waiting_requests(session: Session, actor: Actor) -> list[PersonRequest]:
    """Every request waiting for staff, oldest first (the clerks' queue)."""
    actor.require(Action.ANSWER_REQUESTS)
    return list(
        session.scalars(
            select(PersonRequest)
            .where(PersonRequest.status == "waiting")
            .order_by(PersonRequest.received_at, PersonRequest.id)
        )
    )
