"""The counter in a real browser (Debian's chromium): the cashier opens the drawer, takes a
cash payment at the counter, sees the receipt and opens its PDF, closes the drawer with the
counted cash and sees it balanced. Every page passes the accessibility checks and axe-core.
Screenshots go to CITATIONS_SCREENSHOTS when it is set (the receipt PDF beside them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import make_url

from citations.database import make_engine, transaction
from citations.payments.diversion import Obligation, refer
from tests.browser.chromium import (
    axe_violations,
    browser,
    check_accessible,
    serving,
    shot,
    sign_in_with_account,
)
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk
from tests.browser.test_clerk_browser import Site
from tests.databases import Databases
from tests.hearing_steps import CLERK, issue_one
from tests.pdfs import pdf_text
from tests.staff_steps import PASSWORD, make_user

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(CLOCK), pytest.mark.filled_by(fill=set_desk)]


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[Site]:
    url = database_url  # on each backend, filled as the marker says
    desk: Desk = databases.filled(make_url(url).get_backend_name(), set_desk)
    engine = make_engine(url)
    try:  # the cashier's own account; one more citation, referred to a program
        make_user(engine, "rdiaz", name="Robin Diaz", title="Cashier")
        number = issue_one(engine, first_name="Noor", last_name="Haddad")
        with transaction(engine) as session:
            letter = Obligation(kind="apology_letter", description="Letter to the park staff")
            refer(session, number, "neighborhood-justice", [letter], actor=CLERK, now=CLOCK)
        # A copy: the filled desk is shared with the other tests.
        desk = replace(desk, numbers={**desk.numbers, "diverted": number})
    finally:
        engine.dispose()
    with serving(desk_app(url)) as base:
        yield Site(base, desk)


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_cash_payment_at_the_counter_and_the_drawer_balanced(
    site: Site, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_with_account(page, site.base, "rdiaz", PASSWORD)  # the cashier's own account
    number = site.desk.numbers["issued"]

    page.get_by_role("link", name="Drawer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your drawer")
    checked(page, "counter-drawer-closed")
    page.get_by_label("Opening float").fill("100.00")
    page.get_by_role("button", name="Open the drawer").click()
    expect(page.get_by_role("status")).to_contain_text("Your drawer is open")
    checked(page, "counter-drawer-open-empty")

    page.goto(f"{site.base}/clerk/citations/{number}")
    page.get_by_role("link", name="Take a payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take a payment")
    checked(page, "counter-payment-form")
    page.get_by_label("Amount received").fill("200.00")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_role("alert")).to_contain_text("choose how it was paid")
    checked(page, "counter-payment-refused")
    page.get_by_label("Cash").check()
    page.get_by_role("button", name="Record the payment").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Receipt R-")
    expect(page.locator("#receipt-facts")).to_contain_text("$200.00")
    expect(page.locator("#receipt-facts")).to_contain_text("paid")
    checked(page, "counter-receipt")
    link = page.get_by_role("link", name="Print the receipt (PDF)")
    pdf = page.request.get(f"{site.base}{link.get_attribute('href')}")
    assert pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF") and "200.00" in pdf_text(body)
    assert "Robin Diaz, Cashier" in pdf_text(body)  # who took the money, by name
    folder = os.environ.get("CITATIONS_SCREENSHOTS")
    if folder:
        (Path(folder) / "counter-receipt.pdf").write_bytes(body)

    page.get_by_role("link", name="Drawer", exact=True).click()
    expect(page.locator("#drawer-totals")).to_contain_text("$300.00")
    checked(page, "counter-drawer-with-receipt")
    page.get_by_label("Cash counted").fill("300.00")
    page.get_by_label("Checks counted").fill("0.00")
    page.get_by_role("button", name="Close the drawer").click()
    expect(page.get_by_role("status")).to_contain_text("closed and balanced")
    expect(page.locator("#drawer-result")).to_have_text("Balanced")
    expect(page.get_by_text("Robin Diaz, Cashier").first).to_be_visible()
    checked(page, "counter-drawer-closed-balanced")

    page.get_by_role("link", name="Back to the drawers of").click()
    expect(page.locator("#drawers")).to_contain_text("balanced")
    checked(page, "counter-drawers-of-the-day")


def test_the_counters_other_forms_and_a_plans_installments(site: Site, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_with_account(page, site.base, "rdiaz", PASSWORD)  # the cashier's own account
    number = site.desk.numbers["issued"]
    page.goto(f"{site.base}/clerk/citations/{number}")
    for link, heading, button, error in (
        (
            "Record an ability-to-pay determination",
            "Record an ability-to-pay determination",
            "Record the determination",
            "perjury",
        ),
        (
            "Enrol in community service",
            "Enrol in community service",
            "Enrol",
            "choose the organization",
        ),
        (
            "Set up a payment plan",
            "Set up a payment plan",
            "Set up the plan",
            "at least one installment",
        ),
    ):
        page.goto(f"{site.base}/clerk/citations/{number}")
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        checked(page, "counter-" + link.split()[-1].lower())
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text(error)
        checked(page, "counter-" + link.split()[-1].lower() + "-refused")
    page.get_by_label("Installments").fill("2027-01-15 100.00\n2027-02-15 100.00")
    page.get_by_role("button", name="Set up the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The payment plan is set up")
    expect(page.locator("#counter-section")).to_contain_text("Feb 15, 2027")
    checked(page, "counter-citation-with-plan")

    diverted = site.desk.numbers["diverted"]
    page.goto(f"{site.base}/clerk/citations/{diverted}")
    page.get_by_role("link", name="Record a diversion obligation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a diversion obligation")
    checked(page, "counter-diversion")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("choose the obligation done")
    checked(page, "counter-diversion-refused")
    page.get_by_label("apology letter: Letter to the park staff", exact=False).check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("diversion program's step is recorded")
