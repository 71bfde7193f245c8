"""The clerks' queue of requests sent online (/clerk/requests): listed oldest first with the
declaration and the person's words, granted or refused through the library, and the forms
shown only to those who may answer them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.database import make_engine, transaction
from citations.online.help import ask_ability_to_pay, ask_clerk_for_plan
from citations.payments.ability import Declaration
from citations.roles import cited_person
from tests.browser.desk import CLOCK, HOSTILE, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page
from tests.hearing_steps import issue_one
from tests.money_steps import state

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

ABOVE = Declaration(
    benefits=["lottery"], household_size=3, monthly_income=Decimal("2776.05"), sworn=True
)


@pytest.fixture
def engine_of(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def asked(engine: Engine) -> tuple[str, int, str, int]:
    """An ability-to-pay request and a plan request, each waiting for a clerk."""
    ability, plan = issue_one(engine), issue_one(engine)
    with transaction(engine) as session:
        first = ask_ability_to_pay(
            session, ability, ABOVE, HOSTILE, actor=cited_person(ability), now=CLOCK
        ).request
        second = ask_clerk_for_plan(
            session, plan, 12, "About 17 a month.", actor=cited_person(plan), now=CLOCK
        )
        assert first is not None
        return ability, first.id, plan, second.id


def client_for(database_url: str, desk: Desk, role: str) -> tuple[TestClient, str]:
    client = TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    )
    return client, sign_in(client, desk.tokens[role])


def test_requests_are_listed_and_answered(
    filled: Desk, database_url: str, engine_of: Engine
) -> None:
    ability, ability_id, plan, plan_id = asked(engine_of)
    client, csrf = client_for(database_url, filled, "clerk")
    with client:
        page = client.get("/clerk/requests")
        assert page.status_code == 200
        html = Page(page.text)
        assert f"/clerk/citations/{ability}" in html.links
        assert "Requests waiting" in html.words("main")
        words = html.words(f"r{ability_id}")
        assert "$2,776.05" in words and "lottery" in words
        assert HOSTILE not in page.text and "&lt;script&gt;" in page.text  # escaped
        assert "Monthsasked12" in html.words(f"r{plan_id}").replace(" ", "")
        # Too short an answer: refused next to its field, nothing granted.
        short = client.post(
            f"/clerk/requests/{ability_id}/grant", data={"csrf_token": csrf, "answer": "ok"}
        )
        assert short.status_code == 422
        assert "say in a sentence what was decided" in Page(short.text).words(
            f"r{ability_id}-grant-answer-error-1"
        )
        reason = "Medical bills leave nothing over; granted."
        granted = client.post(
            f"/clerk/requests/{ability_id}/grant", data={"csrf_token": csrf, "answer": reason}
        )
        assert granted.status_code == 303, granted.text
        assert state(engine_of, ability)[1] == Decimal("40.00")
        # The plan the person asked for breaks the city's rules even for a clerk ...
        refused = client.post(
            f"/clerk/requests/{plan_id}/grant",
            data={"csrf_token": csrf, "answer": "Twelve months granted."},
        )
        assert refused.status_code == 422
        assert "at least 25.00" in Page(refused.text).words(f"r{plan_id}")
        # ... and another schedule within them is granted.
        lines = "\n".join(f"2027-0{m}-15 50.00" for m in range(1, 5))
        plan_granted = client.post(
            f"/clerk/requests/{plan_id}/grant",
            data={"csrf_token": csrf, "answer": "Four months of 50.00.", "installments": lines},
        )
        assert plan_granted.status_code == 303, plan_granted.text
        assert state(engine_of, plan)[0] == "on_plan"
        after = Page(client.get(plan_granted.headers["location"]).text)
        assert "Nothing waiting." in after.words("main")
        # The citation's page lists what the person asked online, and the answer.
        citation = Page(client.get(f"/clerk/citations/{ability}").text).words("online-section")
        assert "Requests sent online" in citation and "ability to pay" in citation
        assert "granted by token" in citation and reason in citation


def test_the_citation_page_points_a_waiting_request_to_the_requests_page(
    filled: Desk, database_url: str, engine_of: Engine
) -> None:
    ability, ability_id, _, _ = asked(engine_of)
    client, _ = client_for(database_url, filled, "clerk")
    with client:
        page = Page(client.get(f"/clerk/citations/{ability}").text)
    assert f"/clerk/requests#request-{ability_id}" in page.links
    assert "waiting" in page.words("online-section")


def test_a_hearing_officer_sees_the_queue_without_the_clerks_forms(
    filled: Desk, database_url: str, engine_of: Engine
) -> None:
    _, ability_id, _, _ = asked(engine_of)
    client, csrf = client_for(database_url, filled, "hearing_officer")
    with client:
        page = Page(client.get("/clerk/requests").text)
        assert "A clerk answers this request." in page.words(f"r{ability_id}")
        assert f"r{ability_id}-grant-answer" not in page.attrs
        tried = client.post(
            f"/clerk/requests/{ability_id}/grant",
            data={"csrf_token": csrf, "answer": "Granted by the officer."},
        )
        assert tried.status_code == 403
