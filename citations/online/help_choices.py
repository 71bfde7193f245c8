"""Choosing an alternative to the fine online: community service with a provider, or a
program the citation's ordinance offers. Each calls the clerks' own step (`elect_service`,
`refer`) with the cited person as the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.documents.formats import service_hours
from citations.payments.diversion import Obligation, offered_programs, refer
from citations.payments.service import ServiceState, elect_service, offer_of, state
from citations.payments.tables import DiversionReferral, ServiceAssignment
from citations.record.ledger import balance
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction, Program, ServiceProvider


@dataclass(frozen=True)
class ServiceOffer:
    """What electing community service would mean today."""

    rate: Decimal
    hours: Decimal
    """Hours to work for what is owed now (at most the version's maximum)."""
    days_to_complete: int
    deadline: date
    """The day the hours would have to be done by, if elected today."""
    elect_by: date | None
    """The citation's due date: service must be elected by it (unless on a plan)."""
    providers: list[ServiceProvider]


def service_offer(
    session: Session, citation: Citation, profile: Jurisdiction, today: date
) -> ServiceOffer | None:
    """The version's community-service offer for what is owed, or None if it has none."""
    offer = offer_of(citation)
    if offer is None:
        return None
    rules = profile.payments.community_service
    owed = max(balance(session, citation), Decimal("0.00"))
    return ServiceOffer(
        rate=offer.dollars_per_hour,
        hours=service_hours(owed, offer.dollars_per_hour, offer.max_hours),
        days_to_complete=rules.days_to_complete,
        deadline=today + timedelta(days=rules.days_to_complete),
        elect_by=citation.due_on,
        providers=list(rules.providers),
    )


def elect_service_online(
    session: Session, number: str, provider_id: str, *, actor: Actor, now: datetime
) -> ServiceState:
    """The person elects community service with a provider from the profile's list
    (`elect_service`: the version must offer it and the due date not have passed)."""
    return elect_service(session, number, provider_id, actor=actor, now=now)


def service_now(session: Session, number: str, actor: Actor) -> ServiceState | None:
    """The person's community service under way (hours required, signed off, pending, the
    deadline), or None."""
    citation = find_citation(session, number, actor)
    assignment = session.scalars(
        select(ServiceAssignment)
        .where(ServiceAssignment.citation_id == citation.id)
        .order_by(ServiceAssignment.id.desc())
    ).first()
    if assignment is None or assignment.status != "active":
        return None
    return state(session, citation, assignment)


def programs_of(citation: Citation, profile: Jurisdiction) -> list[Program]:
    """The programs the citation's ordinance offers, as the profile describes them."""
    offered = offered_programs(citation)
    return [p for p in profile.programs if p.id in offered]


FIRST_STEP = {
    "class": ("class", "Complete the {name}"),
    "restorative": (
        "other",
        "Meet with the {name}'s facilitator and volunteers, and do what is agreed there",
    ),
    "diversion": ("other", "Meet with the {name}'s case manager and complete the plan set"),
}
"""The obligation a person takes on when choosing a program online, by the program's kind:
completing the program itself. What the program agrees with them (service hours, a letter,
a class) is its own to track; the clerk records it done when the program reports it."""


def obligations_for(program: Program) -> list[Obligation]:
    kind, words = FIRST_STEP[program.kind]
    name = program.name.get("en") or next(iter(program.name.values()))
    return [Obligation.model_validate({"kind": kind, "description": words.format(name=name)})]


def choose_program(
    session: Session, number: str, program_id: str, *, actor: Actor, now: datetime
) -> DiversionReferral:
    """The person chooses a program the citation's ordinance offers (`refer`), taking on
    completing it (`obligations_for`) within the program's days."""
    actor.require(Action.MANAGE_DIVERSION)
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    program = next((p for p in profile.programs if p.id == program_id), None)
    # An unknown program: `refer` refuses it with the programs offered.
    obligations = (
        obligations_for(program)
        if program is not None
        else [Obligation(kind="other", description="Complete the program")]
    )
    return refer(session, citation.number, program_id, obligations, actor=actor, now=now)


def program_now(session: Session, number: str, actor: Actor) -> DiversionReferral | None:
    """The person's program under way, or None."""
    citation = find_citation(session, number, actor)
    return session.scalars(
        select(DiversionReferral).where(
            DiversionReferral.citation_id == citation.id, DiversionReferral.status == "active"
        )
    ).first()
