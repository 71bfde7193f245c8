"""The help pages in a real browser (Debian's chromium) at 360 px and 1280 px: every page
passes axe-core's scan and the label, heading and contrast checks with no sideways scrolling,
before and after a step and with a refused form; a person opens the QR link in Spanish and
asks for ability to pay. Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from citations.database import make_engine, transaction
from citations.record.access import mint_access_code
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from tests.browser.chromium import (
    DESKTOP,
    PHONE,
    browser,
    check_accessible,
    check_public_page,
    shot,
)
from tests.browser.desk import CLOCK
from tests.browser.test_public_browser import Door, door, find
from tests.public_steps import birth_of

__all__ = ["browser", "door"]  # the fixtures, used by name

pytestmark = pytest.mark.clock(CLOCK)


def checked(page: Page, name: str) -> None:
    shot(page, name)  # first: a page that fails a check is the one to look at
    wide = page.evaluate(WIDER)
    assert wide == [], (page.url, wide)
    check_public_page(page)


WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60))"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_help_pages_pass_every_check(door: Door, browser: Browser, viewport: ViewportSize) -> None:
    width = viewport["width"]
    page = browser.new_page(viewport=viewport)
    find(page, door, door.desk.numbers["issued"], birth_of(5))
    for address, name in (
        ("/help/ability", "ability"),
        ("/help/plan", "plan"),
        ("/help/service", "service"),
        ("/help/program", "program"),
        ("/contact", "contact"),
    ):
        page.goto(f"{door.base}{address}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        checked(page, f"help-{width}-{name}")
    # A refused form: the problems at the top, each beside its field.
    page.goto(f"{door.base}/contact")
    page.locator("#f-phone").fill("call me")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a phone number")
    checked(page, f"help-{width}-contact-refused")
    page.goto(f"{door.base}/help/plan")
    page.get_by_label("4 payments of $50.00", exact=False).check()
    page.get_by_role("button", name="Start this plan").click()
    expect(page.get_by_role("status")).to_contain_text("Your plan has started")
    checked(page, f"help-{width}-plan-started")
    # On a plan: the other options say why they are not open.
    page.goto(f"{door.base}/help/ability")
    expect(page.locator("#not-open")).to_contain_text("You are on a payment plan")
    checked(page, f"help-{width}-ability-not-open")
    # A person whose hearing is set: service is not open while it is under way.
    other = browser.new_context(viewport=viewport).new_page()
    find(other, door, door.desk.numbers["on_docket"], birth_of(1))
    other.goto(f"{door.base}/help/service")
    checked(other, f"help-{width}-service-es-not-open")


def test_a_person_opens_the_qr_link_in_spanish_and_asks_for_ability_to_pay(
    door: Door, browser: Browser
) -> None:
    number = door.desk.numbers["issued"]
    engine = make_engine(door.url)
    try:
        with transaction(engine) as session:
            citation = session.scalars(select(Citation).where(Citation.number == number)).one()
            code = mint_access_code(session, citation, printed_on="notice", now=CLOCK)
    finally:
        engine.dispose()
    page = browser.new_page(
        viewport=PHONE, locale="es-US", extra_http_headers={"Accept-Language": "es"}
    )
    page.goto(f"{door.base}/c/{code}")
    expect(page).to_have_url(f"{door.base}/citation")
    page.goto(f"{door.base}/language/es?next=/help/ability")
    expect(page.get_by_role("heading", level=1)).to_have_text("Si no puede pagar la multa")
    page.get_by_label("¿Cuántas personas viven en su hogar, contándose a usted?").fill("1")
    page.get_by_label("El ingreso de su hogar cada mes, antes de impuestos").fill("3900")
    page.get_by_label("Algo más que debamos saber (opcional)").fill("Me redujeron las horas.")
    page.get_by_label("Declaro bajo pena de perjurio").check()
    page.get_by_role("button", name="Enviar mi solicitud").click()
    expect(page.get_by_role("status")).to_contain_text("Su solicitud fue enviada")
    checked(page, "help-360-ability-sent-es")
    engine = make_engine(door.url)
    try:
        with transaction(engine) as session:
            request = session.scalars(select(PersonRequest)).one()
            assert (request.kind, request.status) == ("ability_to_pay", "waiting")
            assert request.details["declaration"]["monthly_income"] == "3900.00"
    finally:
        engine.dispose()
    # The clerk sees it waiting, with the declaration and the person's words, and grants it.
    for viewport, width in ((PHONE, 360), (DESKTOP, 1280)):
        clerk = browser.new_context(viewport=viewport).new_page()
        clerk.goto(f"{door.base}/clerk/login?next=%2Fclerk%2Frequests")
        clerk.get_by_label("Your API token").fill(door.desk.tokens["clerk"])
        clerk.get_by_label("Your API token").press("Enter")
        expect(clerk.get_by_role("heading", level=1)).to_have_text("Requests waiting")
        expect(clerk.locator("main")).to_contain_text("Me redujeron las horas.")
        shot(clerk, f"help-{width}-clerk-requests")
        check_accessible(clerk)
    clerk.get_by_label("Why it is granted").fill("Hours cut this month; the reduced fine applies.")
    clerk.get_by_role("button", name="Grant", exact=False).first.click()
    expect(clerk.get_by_role("status")).to_contain_text("The request is granted")
    shot(clerk, "help-1280-clerk-requests-granted")
    page.goto(f"{door.base}/citation")
    expect(page.locator("main")).to_contain_text("$40.00")
