"""Asking for help online (ability to pay, a plan, service, a program, one's contact), each
through the clerks' own library step with the cited person as the actor, and staff answering
what waits for them (both backends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected, NotFound, PermissionDenied
from citations.online.help import (
    ask_ability_to_pay,
    ask_clerk_for_plan,
    ask_for_plan,
    deny_ability_to_pay,
    grant_ability_to_pay,
    grant_plan,
    waiting_requests,
)
from citations.online.help_choices import choose_program, elect_service_online, service_now
from citations.online.help_contact import update_contact
from citations.payments.ability import Declaration, decide_as_staff, request_ability_to_pay
from citations.payments.plans import Installment
from citations.payments.tables import AbilityRequest
from citations.record.person import PersonRequest
from citations.roles import Actor, Role, cited_person
from tests.factories import prepare
from tests.money_steps import ADMIN, CASHIER, at, issue_one, state

REVIEWER = Actor("reviewer Pat", Role.HEARING_OFFICER)
BENEFIT = Declaration(
    benefits=["calfresh"], household_size=1, monthly_income=Decimal("900.00"), sworn=True
)
# 125% of the 2025 guideline for 3 people is 33,312.50 a year: 2,776.05 a month is above it.
ABOVE = Declaration(household_size=3, monthly_income=Decimal("2776.05"), sworn=True)
WHEN = at("2026-11-25")


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def events(engine: Engine, number: str, action: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        found = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_key == number, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
        session.expunge_all()
        return list(found)


def test_a_listed_benefit_is_decided_at_once_by_the_rule(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        answer = ask_ability_to_pay(session, number, BENEFIT, "", actor=person, now=WHEN)
    assert answer.request is None and answer.decision is not None
    assert (answer.decision.rule, answer.decision.amount_due) == (
        "reduced_payment",
        Decimal("40.00"),  # 20% of 200.00 in full satisfaction
    )
    assert state(ready, number)[1] == Decimal("40.00")
    [decided] = events(ready, number, "ability_to_pay.decided")
    assert decided.actor == "the cited person, online"


def test_the_person_cannot_take_the_clerks_decision(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        request_ability_to_pay(session, number, ABOVE, actor=person, now=WHEN)
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        decide_as_staff(
            session, number, ABOVE, granted=True, reason="I say so", actor=person, now=WHEN
        )


def test_income_over_the_line_waits_for_a_clerk_who_grants_it(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        answer = ask_ability_to_pay(
            session, number, ABOVE, "Rent takes most of it.", actor=person, now=WHEN
        )
        assert answer.decision is None and answer.request is not None
        request_id = answer.request.id
        assert answer.request.details["declaration"]["monthly_income"] == "2776.05"
        # Nothing decided, nothing denied: no decision recorded yet.
        assert session.scalars(select(AbilityRequest)).all() == []
    assert state(ready, number)[:2] == ("issued", Decimal("200.00"))
    with transaction(ready) as session, pytest.raises(InputRejected, match="already sent"):
        ask_ability_to_pay(session, number, ABOVE, "Again", actor=person, now=WHEN)
    with transaction(ready) as session:
        assert [r.id for r in waiting_requests(session, CASHIER)] == [request_id]
    # A hearing officer answers requests but does not decide ability to pay.
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        grant_ability_to_pay(session, request_id, "Medical bills.", actor=REVIEWER, now=WHEN)
    reason = "Medical bills this year leave nothing over; granted."
    with transaction(ready) as session:
        decision = grant_ability_to_pay(session, request_id, reason, actor=CASHIER, now=WHEN)
        assert (decision.qualifies, decision.rule) == (True, "reduced_payment")
        assert decision.reasons[-2] == f"granted beyond the rule by cashier Robin: {reason}"
        request = session.get(PersonRequest, request_id)
        assert request is not None
        assert (request.status, request.decision) == ("granted", reason)
    assert state(ready, number)[1] == Decimal("40.00")
    with transaction(ready) as session, pytest.raises(InputRejected, match="already answered"):
        grant_ability_to_pay(session, request_id, reason, actor=CASHIER, now=WHEN)


def test_a_denied_request_records_the_rules_decision_with_the_reason(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        answer = ask_ability_to_pay(
            session, number, ABOVE, "", actor=cited_person(number), now=WHEN
        )
        assert answer.request is not None
        request_id = answer.request.id
    with transaction(ready) as session:
        deny_ability_to_pay(
            session, request_id, "Income is above the line.", actor=CASHIER, now=WHEN
        )
        decided = session.scalars(select(AbilityRequest)).one()
        assert not decided.qualifies
        assert decided.reasons[-1] == "denied by cashier Robin: Income is above the line."
    assert state(ready, number)[:2] == ("issued", Decimal("200.00"))


def test_a_plan_within_the_rules_starts_at_once(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        plan = ask_for_plan(session, number, 3, actor=cited_person(number), now=WHEN)
        assert [(i.due_on, i.amount_cents) for i in plan.installments] == [
            (date(2026, 12, 25), 6666),
            (date(2027, 1, 25), 6666),
            (date(2027, 2, 25), 6668),  # the last absorbs the cents
        ]
    assert state(ready, number)[0] == "on_plan"
    [started] = events(ready, number, "plan.start")
    assert started.actor == "the cited person, online"


def test_a_plan_outside_the_rules_is_refused_and_a_clerk_may_set_another(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    # 200.00 in 12 is 16.66 a month: under the 25.00 minimum.
    with transaction(ready) as session, pytest.raises(InputRejected) as refused:
        ask_for_plan(session, number, 12, actor=person, now=WHEN)
    assert "at least 25.00 each; you can ask a clerk" in str(refused.value)
    with transaction(ready) as session:
        asked = ask_clerk_for_plan(
            session, number, 12, "I can pay about 17 dollars a month.", actor=person, now=WHEN
        )
        request_id = asked.id
    assert state(ready, number)[0] == "issued"
    # The profile's rules hold for staff too: the asked schedule cannot be granted as is.
    with transaction(ready) as session, pytest.raises(InputRejected, match=r"at least 25\.00"):
        grant_plan(session, request_id, "Twelve months granted.", actor=CASHIER, now=WHEN)
    eight = [
        Installment(due_on=date(2026 + (11 + n) // 12, (11 + n) % 12 + 1, 15), amount=Decimal(25))
        for n in range(8)
    ]
    with transaction(ready) as session:
        plan = grant_plan(
            session, request_id, "Eight months of 25.00 instead.", eight, actor=CASHIER, now=WHEN
        )
        assert len(plan.installments) == 8
        assert session.get(PersonRequest, request_id).status == "granted"  # type: ignore[union-attr]
    assert state(ready, number)[0] == "on_plan"


def test_service_elected_online_shows_hours_and_deadline(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        with pytest.raises(InputRejected, match="unknown provider"):
            elect_service_online(session, number, "nowhere", actor=person, now=WHEN)
        chosen = elect_service_online(session, number, "food-bank", actor=person, now=WHEN)
    assert (chosen.hours_required, chosen.deadline) == (Decimal(10), date(2027, 2, 23))
    with transaction(ready) as session:
        seen = service_now(session, number, person)
        assert seen is not None
        assert (seen.provider, seen.hours_signed_off) == ("food-bank", Decimal("0.00"))
    assert state(ready, number)[0] == "in_service"


def test_a_program_the_ordinance_offers_is_chosen_online(ready: Engine) -> None:
    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session:
        with pytest.raises(InputRejected, match="not offered"):
            choose_program(session, number, "teen-court", actor=person, now=WHEN)
        referral = choose_program(session, number, "neighborhood-justice", actor=person, now=WHEN)
        assert referral.deadline == date(2027, 1, 24)
        assert [o["kind"] for o in referral.obligations] == ["other"]
        assert "Neighborhood Justice Program" in referral.obligations[0]["description"]
    assert state(ready, number)[0] == "in_diversion"


def test_contact_updated_and_audited(ready: Engine) -> None:
    from citations.issuing.intake import Address
    from citations.record.lookup import find_citation

    number = issue_one(ready)
    person = cited_person(number)
    with transaction(ready) as session, pytest.raises(InputRejected) as refused:
        update_contact(
            session,
            number,
            address=None,
            phone="call me",
            email="maria at home",
            actor=person,
            now=WHEN,
        )
    assert [e.field for e in refused.value.errors] == ["phone", "email"]
    new = Address(line1="48 Alvarado St", city="Demo City", state="CA", postal_code="90026")
    with transaction(ready) as session:
        before = find_citation(session, number, person).due_on
        change = update_contact(
            session,
            number,
            address=new,
            phone="(555) 010-7788",
            email="maria@example.org",
            actor=person,
            now=WHEN,
        )
        # Handed over at the scene, nothing came back: recorded, nothing mailed, same deadline.
        assert (change.changed, change.mailed) == (["address", "phone", "email"], None)
        citation = find_citation(session, number, person)
        assert citation.due_on == before
        assert (citation.phone, citation.email) == ("+15550107788", "maria@example.org")
        assert citation.subject["address"]["line1"] == "48 Alvarado St"
    [contact] = events(ready, number, "citation.contact_changed")
    assert contact.actor == "the cited person, online"
    assert contact.before == {"phone": None, "email": None}
    assert contact.after == {"phone": "+15550107788", "email": "maria@example.org"}
    assert len(events(ready, number, "citation.address_changed")) == 1
    with transaction(ready) as session:
        update_contact(session, number, address=new, phone=None, email="", actor=person, now=WHEN)
        assert find_citation(session, number, person).email is None
    with transaction(ready) as session, pytest.raises(InputRejected, match="nothing changed"):
        update_contact(session, number, address=new, phone=None, email="", actor=person, now=WHEN)


def _steps(actor: Actor) -> list[Callable[[Any, str], object]]:
    return [
        lambda s, n: ask_ability_to_pay(s, n, BENEFIT, "", actor=actor, now=WHEN),
        lambda s, n: ask_for_plan(s, n, 3, actor=actor, now=WHEN),
        lambda s, n: ask_clerk_for_plan(s, n, 3, "Small amounts", actor=actor, now=WHEN),
        lambda s, n: elect_service_online(s, n, "food-bank", actor=actor, now=WHEN),
        lambda s, n: choose_program(s, n, "neighborhood-justice", actor=actor, now=WHEN),
        lambda s, n: update_contact(
            s, n, address=None, phone="5550100000", email=None, actor=actor, now=WHEN
        ),
        lambda s, n: service_now(s, n, actor),
    ]


def test_another_citations_number_is_refused_to_the_person(ready: Engine) -> None:
    mine, theirs = issue_one(ready), issue_one(ready)
    for step in _steps(cited_person(mine)):
        with transaction(ready) as session, pytest.raises(NotFound):
            step(session, theirs)
    assert state(ready, theirs)[:2] == ("issued", Decimal("200.00"))


def test_a_returned_letter_goes_out_again_to_the_address_the_person_gives(ready: Engine) -> None:
    from citations.issuing.intake import Address
    from citations.payments.processing import process
    from citations.record.returns import record_return
    from citations.record.tables import SentDocument
    from tests.factories import message, send, subject

    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        service="mail",
        subject=subject(address={"line1": "1 Old Rd", "city": "Demo City"}),
    )
    number = send(ready, body, now=at("2026-11-21")).result.citation_number
    assert number is not None
    with transaction(ready) as session:
        process(session, as_of=date(2026, 11, 23), actor=ADMIN, now=at("2026-11-23"))
    with transaction(ready) as session:
        first = session.scalars(select(SentDocument)).one()
        record_return(
            session,
            number,
            first.id,
            returned_on=date(2026, 11, 30),
            reason="Moved",
            actor=CASHIER,
            now=at("2026-11-30"),
        )
    new = Address(line1="48 Alvarado St", city="Demo City")
    person = cited_person(number)
    with transaction(ready) as session:
        change = update_contact(
            session, number, address=new, phone=None, email=None, actor=person, now=at("2026-12-01")
        )
        # The letter came back: the person's new address gets the notice again (as a clerk's).
        assert change.mailed is not None and change.mailed.kind == "notice"
        assert change.mailed.address is not None
        assert change.mailed.address["line1"] == "48 Alvarado St"


def test_a_plan_request_refused_leaves_the_citation_as_it_was(ready: Engine) -> None:
    from citations.online.help import deny_plan

    number = issue_one(ready)
    with transaction(ready) as session:
        asked = ask_clerk_for_plan(
            session, number, 20, "Ten dollars a month.", actor=cited_person(number), now=WHEN
        )
        request_id = asked.id
    answer = "Twenty months is more than the city allows; call us to talk about a plan."
    with transaction(ready) as session:
        denied = deny_plan(session, request_id, answer, actor=REVIEWER, now=WHEN)
        assert (denied.status, denied.decision) == ("denied", answer)
    with transaction(ready) as session, pytest.raises(InputRejected, match="already answered"):
        deny_plan(session, request_id, answer, actor=CASHIER, now=WHEN)
    with transaction(ready) as session, pytest.raises(NotFound):
        grant_ability_to_pay(session, request_id, answer, actor=CASHIER, now=WHEN)
    assert state(ready, number)[:2] == ("issued", Decimal("200.00"))
    [refused] = events(ready, number, "request.payment_plan.denied")
    assert refused.actor == "reviewer Pat" and refused.reason == answer
