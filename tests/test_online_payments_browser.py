"""Paying online in a real browser (Debian's chromium) at a phone's width and a desktop's:
the pay page, the test provider's stand-in page, and the page after it, each passing every
check of a public page (axe-core, labels, headings, contrast, no sideways scrolling); the
receipt downloaded is the stored copy. Screenshots go to CITATIONS_SCREENSHOTS when set."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from citations.public.pay import payment_provider
from tests.browser.chromium import (
    DESKTOP,
    PHONE,
    browser,
    check_public_page,
    find_in_browser,
    serving,
    shot,
)
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.databases import Databases
from tests.public_steps import birth_of, door_app
from tests.test_online_payments import PROVIDER

pytestmark = pytest.mark.clock(CLOCK)

__all__ = ["browser"]  # the fixture, imported for these tests


@dataclass(frozen=True)
class Site:
    base: str
    desk: Desk


@pytest.fixture
def site(tmp_path: Path, databases: Databases) -> Iterator[Site]:
    """The application with the test provider, on a fresh SQLite desk, served by uvicorn."""
    url = databases.sqlite_copy(tmp_path / "pay.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    app = door_app(url)
    app.dependency_overrides[payment_provider] = lambda: PROVIDER
    with serving(app) as base:
        yield Site(base, desk)


def find(page: Page, site: Site, number: str, birth: str) -> None:
    find_in_browser(page, site.base, number, birth)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_paying_online_passes_every_check(
    site: Site, browser: Browser, viewport: ViewportSize
) -> None:
    width = viewport["width"]
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    find(page, site, site.desk.numbers["issued"], birth_of(5))
    page.get_by_role("link", name="Pay now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay your citation")
    check_public_page(page)
    shot(page, f"pay-{width}-01-pay")
    # A part payment above the balance: said plainly, the amount kept in the box.
    page.locator("#amount").fill("250")
    page.get_by_role("button", name="Pay this amount").click()
    expect(page.get_by_role("alert")).to_have_text("That is more than you owe. You owe $200.00.")
    expect(page.locator("#amount")).to_have_value("250")
    check_public_page(page)
    shot(page, f"pay-{width}-02-too-much")
    page.get_by_role("button", name="Pay $200.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test payment")
    expect(page.get_by_role("note")).to_contain_text("TEST PAYMENT PAGE — no money moves")
    check_public_page(page)
    shot(page, f"pay-{width}-03-test-provider")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment received")
    check_public_page(page)
    shot(page, f"pay-{width}-04-done")
    link = page.get_by_role("link", name="Download your receipt (PDF)").get_attribute("href")
    receipt = context.request.get(f"{site.base}{link}")  # with the person's cookie
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    page.get_by_role("link", name="Back to your citation").click()
    expect(page.get_by_role("main")).to_contain_text("Paid in full")
    context.close()


def test_a_step_not_open_says_why_in_spanish(site: Site, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    find(page, site, site.desk.numbers["review"], birth_of(4))
    page.get_by_role("link", name="Español").click()
    page.goto(f"{site.base}/pay")
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        ["No puede pagar en línea ahora", "¿Necesita ayuda?"]
    )
    expect(page.get_by_role("main")).to_contain_text("No tiene que pagar mientras se decide")
    check_public_page(page)
    shot(page, "pay-360-05-not-open-es")
    context.close()
