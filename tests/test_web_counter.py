"""The counter in the clerks' pages: a payment with its receipt at once, the drawer opened
and closed, a plan, an ability-to-pay determination, community service and a diversion
obligation, each problem next to its field (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from citations.database import transaction
from citations.payments.diversion import Obligation, refer
from citations.payments.tables import Payment
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page
from tests.hearing_steps import CLERK
from tests.money_steps import issue_one, state
from tests.pdfs import pdf_text

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk, str]
NOW_LOCAL = "2026-12-04T10:00"


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, filled, sign_in(client, filled.tokens["clerk"])


def send(web: Web, path: str, **fields: str) -> str:
    """Post a form that must be accepted; where it leads."""
    client, _, csrf = web
    answer = client.post(path, data={"csrf_token": csrf, **fields})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def refused(web: Web, path: str, **fields: str) -> Page:
    """Post a form that must be refused; the page shown again, with what was typed."""
    client, _, csrf = web
    answer = client.post(path, data={"csrf_token": csrf, **fields})
    assert answer.status_code == 422, answer.text
    return Page(answer.text)


def error_at(page: Page, field: str) -> str:
    message = page.words(f"f-{field}-error-1")
    assert message, f"no error next to {field}"
    assert f"f-{field}-error-1" in page.attrs[f"f-{field}"]["aria-describedby"]
    return message


def pay_form(web: Web, number: str, **fields: str) -> dict[str, str]:
    """What the payment form posts: its one-time key and the fields typed."""
    client, _, _ = web
    page = Page(client.get(f"/clerk/citations/{number}/payment").text)
    key = next(i["value"] for i in page.inputs if i.get("name") == "key")
    return {"key": key, "received_at": NOW_LOCAL, **fields}


def open_drawer_page(web: Web, opening: str = "100.00") -> None:
    assert send(web, "/clerk/drawer/open", float=opening) == "/clerk/drawer?done=opened"


def test_cash_needs_the_drawer_and_the_receipt_shows_at_once(web: Web) -> None:
    client, desk, _ = web
    number = desk.numbers["issued"]
    citation = Page(client.get(f"/clerk/citations/{number}").text)
    assert f"/clerk/citations/{number}/payment" in citation.links
    page = Page(client.get(f"/clerk/citations/{number}/payment").text)
    assert "Your drawer is not open" in page.words("drawer-state")
    assert [i["value"] for i in page.inputs if i.get("name") == "method"] == [
        "card",
        "cash",
        "check",
        "money_order",
    ]
    path = f"/clerk/citations/{number}/payment"
    shut = refused(web, path, **pay_form(web, number, amount="50.00", method="cash"))
    assert "open your drawer first" in shut.words("error-summary-title") + shut.html
    assert shut.attrs["f-amount"]["value"] == "50.00"  # what was typed stays
    open_drawer_page(web)
    target = send(web, path, **pay_form(web, number, amount="50.00", method="cash"))
    assert target.startswith("/clerk/receipts/R-")
    receipt = Page(client.get(target).text)
    facts = receipt.words("receipt-facts")
    assert (
        "$50.00" in facts and "by cash" in facts.replace("bycash", "by cash") and "$150.00" in facts
    )
    assert "clerk desk" in facts and "Drawer session" in facts
    pdf_link = f"{target}/receipt.pdf"
    assert pdf_link in receipt.links
    pdf = client.get(pdf_link)
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert target.removeprefix("/clerk/receipts/") in text and "50.00" in text


def test_the_payment_form_puts_each_problem_next_to_its_field(web: Web) -> None:
    _, desk, _ = web
    number = desk.numbers["issued"]
    open_drawer_page(web)
    path = f"/clerk/citations/{number}/payment"
    page = refused(web, path, **pay_form(web, number, amount="", method=""))
    assert error_at(page, "amount") == "Error: enter the amount"
    assert error_at(page, "method") == "Error: choose how it was paid"
    page = refused(web, path, **pay_form(web, number, amount="250.00", method="cash"))
    assert "a payment of 250.00 is more than it" in error_at(page, "amount")
    page = refused(web, path, **pay_form(web, number, amount="20.00", method="check"))
    assert error_at(page, "reference") == "Error: enter the check number"
    page = refused(web, path, **pay_form(web, number, amount="20.00", method="lockbox"))
    assert error_at(page, "method") == "Error: choose how it was paid"


def test_a_payment_sent_twice_is_recorded_once(web: Web, engine: Engine) -> None:
    _, desk, _ = web
    number = desk.numbers["issued"]
    fields = pay_form(web, number, amount="20.00", method="card", reference="AUTH 1")
    path = f"/clerk/citations/{number}/payment"
    first, again = send(web, path, **fields), send(web, path, **fields)
    assert first == again
    with transaction(engine) as session:
        count = session.scalar(
            select(func.count()).where(Payment.idempotency_key.like("counter:%"))
        )
        assert count == 1


def test_the_drawer_closes_over_short_or_balanced_and_is_listed(web: Web) -> None:
    client, desk, _ = web
    number = desk.numbers["issued"]
    page = Page(client.get("/clerk/drawer").text)
    assert "f-float" in page.attrs
    refused_open = refused(web, "/clerk/drawer/open", float="lots")
    assert error_at(refused_open, "float")
    open_drawer_page(web, "100.00")
    path = f"/clerk/citations/{number}/payment"
    send(web, path, **pay_form(web, number, amount="30.00", method="cash"))
    send(web, path, **pay_form(web, number, amount="20.00", method="check", reference="501"))
    send(web, path, **pay_form(web, number, amount="10.00", method="card"))
    page = Page(client.get("/clerk/drawer").text)
    totals = page.words("drawer-totals")
    assert "$130.00" in totals and "$20.00" in totals and "$10.00" in totals
    bad = refused(web, "/clerk/drawer/close", counted_cash="", counted_checks="20")
    assert error_at(bad, "counted_cash") == "Error: enter the amount"
    target = send(web, "/clerk/drawer/close", counted_cash="128.00", counted_checks="20.00")
    assert target.endswith("?done=closed")
    closed = Page(client.get(target).text)
    assert closed.words("drawer-result") == "Not balanced"
    assert "$2.00 short" in closed.words("drawer-totals")
    listed = Page(client.get("/clerk/drawers?day=2026-12-04").text)
    row = listed.words("drawers")
    assert "clerk desk" in row and "cash $2.00 short" in row and "$100.00" in row
    assert Page(client.get("/clerk/drawer").text).attrs.get("f-float")  # open again


def test_a_plan_set_at_the_counter_shows_its_installments(web: Web) -> None:
    client, desk, _ = web
    number = desk.numbers["issued"]
    page = refused(web, f"/clerk/citations/{number}/plan", installments="2027-01-15 50.00")
    assert "not the 200.00 owed" in error_at(page, "installments")
    target = send(
        web,
        f"/clerk/citations/{number}/plan",
        installments="2027-01-15 100.00\n2027-02-15 100.00",
    )
    assert target == f"/clerk/citations/{number}?done=plan"
    citation = Page(client.get(target).text)
    plan = citation.words("counter-section")
    assert "Jan 15, 2027" in plan and "$100.00" in plan and "due" in plan
    assert "The payment plan is set up" in citation.html


def test_ability_to_pay_is_decided_at_the_counter(web: Web, filled: Desk, engine: Engine) -> None:
    number = filled.numbers["issued"]
    path = f"/clerk/citations/{number}/ability"
    page = refused(web, path, household_size="0", monthly_income="x", granted="", reason="")
    assert error_at(page, "household_size") == "Error: enter the number of people, 1 to 30"
    assert error_at(page, "monthly_income") == "Error: enter the monthly income as a number"
    assert "perjury" in error_at(page, "sworn")
    fields = {"benefit": "calfresh", "household_size": "2", "monthly_income": "900"}
    page = refused(web, path, **fields, sworn="yes", granted="no", reason="Does not qualify")
    assert "cannot be denied" in error_at(page, "granted")
    target = send(web, path, **fields, sworn="yes", granted="yes", reason="Receives CalFresh")
    assert target == f"/clerk/citations/{number}?done=ability"
    assert state(engine, number)[1] == Decimal("40.00")  # 20% in full satisfaction


def test_community_service_is_enrolled_and_hours_logged(web: Web, engine: Engine) -> None:
    client, _, _ = web
    number = issue_one(engine)
    citation = Page(client.get(f"/clerk/citations/{number}").text)
    assert f"/clerk/citations/{number}/service" in citation.links
    page = refused(web, f"/clerk/citations/{number}/service", provider="")
    assert error_at(page, "provider") == "Error: choose the organization"
    send(web, f"/clerk/citations/{number}/service", provider="food-bank")
    citation = Page(client.get(f"/clerk/citations/{number}").text)
    assert f"/clerk/citations/{number}/service-hours" in citation.links
    hours = f"/clerk/citations/{number}/service-hours"
    page = refused(web, hours, worked_on="2026-12-04", hours="1.1")
    assert "quarter hours" in error_at(page, "hours")
    page = refused(web, hours, worked_on="2026-12-05", hours="2")
    assert "today" in error_at(page, "worked_on")
    page = refused(web, hours, worked_on="December", hours="two")
    assert error_at(page, "worked_on") == "Error: enter a date such as 2026-12-04"
    assert error_at(page, "hours") == "Error: enter the hours worked as a number"
    send(web, hours, worked_on="2026-12-04", hours="10", signer="Lee, food bank lead")
    assert state(engine, number)[:2] == ("served", Decimal("0.00"))


def test_a_diversion_obligation_done_or_ended(web: Web, engine: Engine) -> None:
    client, _, _ = web
    done, ended = issue_one(engine), issue_one(engine)
    with transaction(engine) as session:
        for number in (done, ended):
            refer(
                session,
                number,
                "neighborhood-justice",
                [Obligation(kind="apology_letter", description="Letter to the park staff")],
                actor=CLERK,
                now=CLOCK,
            )
    form = Page(client.get(f"/clerk/citations/{done}/diversion").text)
    assert "Letter to the park staff" in form.html
    path = f"/clerk/citations/{done}/diversion"
    page = refused(web, path, outcome="done", done_on="2026-12-04")
    assert error_at(page, "obligation") == "Error: choose the obligation done"
    send(web, path, outcome="done", obligation="0", done_on="2026-12-04")
    assert state(engine, done)[:2] == ("diverted", Decimal("0.00"))
    path = f"/clerk/citations/{ended}/diversion"
    page = refused(web, path, outcome="failed", reason="no")
    assert "say in a sentence" in error_at(page, "reason")
    send(web, path, outcome="failed", reason="Stopped coming to the sessions")
    assert state(engine, ended)[0] == "upheld"
