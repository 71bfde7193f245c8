"""The help pages a person sees (/help/ability, /help/plan, /help/service, /help/program,
/contact): what each option means with its deadline, why one is not open, and each form
acting through the library as the cited person (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import make_engine, transaction
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.browser.html import Page
from tests.money_steps import state
from tests.public_steps import birth_of, door_client, find_citation_as_person

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

PAGES = ["/help/ability", "/help/plan", "/help/service", "/help/program", "/contact"]


@pytest.fixture
def door(filled: Desk, database_url: str) -> Iterator[tuple[TestClient, str, str, Engine]]:
    """A person signed in to the desk's issued citation (Ana Reyes, due 2026-12-10)."""
    engine = make_engine(database_url)
    number = filled.numbers["issued"]
    try:
        with door_client(database_url) as client:
            csrf = find_citation_as_person(client, number, birth_of(5))
            yield client, csrf, number, engine
    finally:
        engine.dispose()


Door = tuple[TestClient, str, str, Engine]


def posted(client: TestClient, address: str, csrf: str, expect: int, **fields: str) -> Page:
    answer = client.post(address, data={"csrf_token": csrf, **fields})
    assert answer.status_code == expect, answer.text
    if expect == 303:
        return Page(client.get(answer.headers["location"]).text)
    return Page(answer.text)


def test_every_help_page_explains_itself_and_is_not_kept(door: Door) -> None:
    client, _, _, _ = door
    for address in PAGES:
        answer = client.get(address)
        assert answer.status_code == 200, (address, answer.text)
        assert answer.headers["x-robots-tag"].startswith("noindex")
        assert answer.headers["cache-control"] == "no-store"
        assert "/citation" in Page(answer.text).links
    plan = Page(client.get("/help/plan").text).words("main")
    assert "2 payments of $100.00, from January 4, 2027 to February 4, 2027" in plan
    service = Page(client.get("/help/service").text).words("main")
    assert "10 hours of service ($20.00 per hour)" in service
    assert "Choose it by Thursday, December 10, 2026." in service
    ability = Page(client.get("/help/ability").text).words("main")
    assert "you pay 20% of the fine ($40.00)" in ability
    assert "Asking does not change your due date, Thursday, December 10, 2026." in ability


def test_a_listed_benefit_is_decided_at_once_on_the_page(door: Door) -> None:
    client, csrf, number, engine = door
    refused = posted(client, "/help/ability", csrf, 422, household="", income="lots")
    assert refused.words("f-household-error-1").startswith("Write how many people")
    assert refused.words("f-income-error-1").startswith("Write your household's monthly income")
    assert refused.words("f-sworn-error-1").startswith("Check the box")
    page = posted(
        client,
        "/help/ability",
        csrf,
        303,
        household="2",
        income="1,100.00",
        **{"benefit-calfresh": "yes"},
        sworn="yes",
    )
    assert "decided right away" in page.words("done")
    assert "What you owe now: $40.00" in page.words("main")
    assert state(engine, number)[1] == Decimal("40.00")


def test_income_over_the_line_waits_for_the_office(door: Door) -> None:
    client, csrf, number, engine = door
    page = posted(
        client,
        "/help/ability",
        csrf,
        303,
        household="1",
        income="4000",
        statement="My hours were cut.",
        sworn="yes",
    )
    assert "A person at the office will read it" in page.words("done")
    assert "a person at the office will read your request" in page.words("main")
    overview = Page(client.get("/citation").text).words("main")
    assert "Help because you cannot afford it" in overview and "waiting for the office" in overview
    assert state(engine, number)[:2] == ("issued", Decimal("200.00"))


def test_a_plan_is_chosen_or_asked_of_the_office(door: Door) -> None:
    client, csrf, number, engine = door
    refused = posted(client, "/help/plan", csrf, 422, installments="12")
    assert "A plan online has from 2 to 12 monthly payments of at least $25.00" in refused.words(
        "f-installments-error-1"
    )
    asked = posted(client, "/help/plan/ask", csrf, 303, months="12", statement="15 a month.")
    assert "sent to the office" in asked.words("done")
    assert "You asked the office for a plan on" in asked.words("main")
    assert state(engine, number)[0] == "issued"


def test_a_plan_within_the_rules_starts_from_the_page(door: Door) -> None:
    client, csrf, number, engine = door
    page = posted(client, "/help/plan", csrf, 303, installments="4")
    assert "Your plan has started" in page.words("done")
    assert state(engine, number)[0] == "on_plan"
    assert "$50.00" in Page(client.get("/citation").text).words("plan-title") + Page(
        client.get("/citation").text
    ).words("main")


def test_service_and_program_are_chosen_from_the_page(door: Door) -> None:
    client, csrf, number, engine = door
    assert "Choose an organization" in posted(client, "/help/service", csrf, 422).words("main")
    page = posted(client, "/help/service", csrf, 303, provider="food-bank")
    words = page.words("main")
    assert "Test City Food Bank" in words and "Thursday, March 4, 2027" in words
    # In service now: a program is not open, and the page says why.
    program = Page(client.get("/help/program").text)
    assert "You are doing community service" in program.words("not-open")
    assert state(engine, number)[0] == "in_service"


def test_a_program_is_chosen_from_the_page(door: Door) -> None:
    client, csrf, number, engine = door
    page = posted(client, "/help/program", csrf, 303, program="neighborhood-justice")
    assert "Complete the program by Tuesday, February 2, 2027." in page.words("main")
    assert state(engine, number)[0] == "in_diversion"


def test_contact_is_kept_current_and_audited(door: Door) -> None:
    client, csrf, number, engine = door
    refused = posted(
        client, "/contact", csrf, 422, line1="", city="", phone="call me", email="nope"
    )
    assert refused.words("f-phone-error-1").startswith("Write a phone number")
    assert refused.words("f-email-error-1").startswith("Write an email address")
    assert refused.attrs["f-phone"]["value"] == "call me"  # what was typed stays
    page = posted(
        client,
        "/contact",
        csrf,
        303,
        line1="48 Alvarado St",
        city="Demo City",
        state="CA",
        postal_code="90026",
        phone="(555) 010-7788",
        email="ana@example.org",
    )
    assert "Saved." in page.words("done")
    assert page.attrs["f-phone"]["value"] == "(555) 010-7788"  # kept in E.164, shown at home
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        assert (citation.phone, citation.email) == ("+15550107788", "ana@example.org")
        assert citation.subject["address"]["line1"] == "48 Alvarado St"
        actors = session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.entity_key == number,
                AuditEvent.action.in_(["citation.contact_changed", "citation.address_changed"]),
            )
        ).all()
        assert actors == ["the cited person, online"] * 2
    again = posted(
        client,
        "/contact",
        csrf,
        422,
        line1="48 Alvarado St",
        city="Demo City",
        state="CA",
        postal_code="90026",
        phone="5550107788",
        email="ana@example.org",
    )
    assert "already what we have on file" in again.words("main")


def test_pages_speak_spanish_and_refuse_a_form_without_its_token(door: Door) -> None:
    client, _, _, _ = door
    client.get("/language/es?next=/help/plan")
    page = Page(client.get("/help/plan").text)
    assert page.words("main").startswith("Volver a su citación Pagar en pagos mensuales")
    assert client.post("/help/plan", data={"installments": "2"}).status_code == 403
