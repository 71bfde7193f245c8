"""Which kinds of help are open on a citation today, and when one is not, why: the pages
say it in plain words from the reason's key (`closed`, `contest`, `on_plan`, ...).

The statuses come from the library steps themselves (ASKABLE, PLANNABLE, ELECTABLE,
REFERABLE), so a page never offers what the step would refuse for its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.online.help import ASKABLE, PlanChoice, plan_choices
from citations.online.help_choices import ServiceOffer, programs_of, service_offer
from citations.online.requests import RequestKind
from citations.payments.ability import remedy_of
from citations.payments.diversion import REFERABLE
from citations.payments.plans import PLANNABLE
from citations.payments.posting import active_plan
from citations.payments.service import ELECTABLE
from citations.record.ledger import balance
from citations.record.person import PersonRequest
from citations.record.status import CitationStatus
from citations.record.tables import Citation
from ordinances.models import Jurisdiction, Program

S = CitationStatus
CLOSED = frozenset({S.PAID, S.SERVED, S.WAIVED, S.DIVERTED, S.DISMISSED, S.VOIDED})
CONTEST = frozenset({S.IN_REVIEW, S.HEARING_REQUESTED, S.HEARING_SCHEDULED})


def why_not(status: str, allowed: frozenset[CitationStatus]) -> str | None:
    """None if `status` is among `allowed`, else the key of the reason (what the citation
    is at): `closed`, `contest`, `on_plan`, `in_service`, `in_diversion`, `late`."""
    if status in allowed:
        return None
    if status in CLOSED:
        return "closed"
    if status in CONTEST:
        return "contest"
    if status in (S.ON_PLAN, S.IN_SERVICE, S.IN_DIVERSION):
        return str(status)
    return "late"


def waiting_request(
    session: Session, citation: Citation, kind: RequestKind
) -> PersonRequest | None:
    return session.scalars(
        select(PersonRequest).where(
            PersonRequest.citation_id == citation.id,
            PersonRequest.kind == kind.value,
            PersonRequest.status == "waiting",
        )
    ).first()


def last_answered(session: Session, citation: Citation, kind: RequestKind) -> PersonRequest | None:
    return session.scalars(
        select(PersonRequest)
        .where(
            PersonRequest.citation_id == citation.id,
            PersonRequest.kind == kind.value,
            PersonRequest.status != "waiting",
        )
        .order_by(PersonRequest.id.desc())
    ).first()


@dataclass(frozen=True)
class HelpOptions:
    owed: Decimal
    due_on: date | None
    ability: str | None
    """Why asking for ability to pay is not open (a reason's key), or None: open."""
    plan: str | None
    plans: list[PlanChoice]
    service: str | None
    offer: ServiceOffer | None
    program: str | None
    programs: list[Program]


def help_options(
    session: Session, citation: Citation, profile: Jurisdiction, today: date
) -> HelpOptions:
    """What is open on `citation` today, for the person's pages."""
    status = citation.status
    owed = balance(session, citation)
    ability = why_not(status, ASKABLE)
    if ability is None and remedy_of(citation) is None:
        ability = "not_offered"
    if ability is None and waiting_request(session, citation, RequestKind.ABILITY_TO_PAY):
        ability = "waiting"
    plans = plan_choices(owed, today, profile) if owed > 0 else []
    plan = why_not(status, PLANNABLE)
    if plan is None and active_plan(session, citation) is not None:
        plan = "on_plan"
    if plan is None and waiting_request(session, citation, RequestKind.PAYMENT_PLAN):
        plan = "waiting"
    if plan is None and owed <= 0:
        plan = "closed"
    offer = service_offer(session, citation, profile, today)
    service = why_not(status, ELECTABLE)
    if service is None and offer is None:
        service = "not_offered"
    late = citation.due_on is not None and today > citation.due_on and status != S.ON_PLAN
    if service is None and late:
        service = "past_due"
    if service is None and owed <= 0:
        service = "closed"
    programs = programs_of(citation, profile)
    program = why_not(status, REFERABLE)
    if program is None and not programs:
        program = "not_offered"
    return HelpOptions(
        owed=owed,
        due_on=citation.due_on,
        ability=ability,
        plan=plan,
        plans=plans,
        service=service,
        offer=offer,
        program=program,
        programs=programs,
    )
