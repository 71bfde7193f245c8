"""The search box and the citations list in a real browser (Debian's chromium): a clerk types
"lopez" in the header's box, sees María López's citation with her others, and opens it; the
list is filtered, sorted by a heading and paged. Each page has every control labelled, one
h1, enough contrast, and axe-core finds nothing. Screenshots go to CITATIONS_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import make_url

from tests.browser.chromium import axe_violations, browser, check_accessible, serving, shot
from tests.browser.desk import CLOCK, desk_app
from tests.databases import Databases
from tests.search_steps import SearchDesk, search_desk

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(CLOCK), pytest.mark.filled_by(fill=search_desk)]


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[tuple[str, SearchDesk]]:
    url = database_url  # on each backend, filled as the marker says
    desk: SearchDesk = databases.filled(make_url(url).get_backend_name(), search_desk)
    with serving(desk_app(url)) as base:
        yield base, desk


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def sign_in(page: Page, base: str, desk: SearchDesk) -> None:
    page.goto(f"{base}/clerk/")
    page.get_by_label("Your API token").fill(desk.tokens["clerk"])
    page.get_by_label("Your API token").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Docket for")


def test_lopez_in_the_header_finds_maria_lopez(
    site: tuple[str, SearchDesk], browser: Browser
) -> None:
    base, desk = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, desk)
    box = page.get_by_role("search", name="Find citations").get_by_label("Find")
    box.fill("lopez")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find citations")
    expect(page.get_by_role("heading", level=2)).to_have_text("4 found for “lopez”")
    results = page.get_by_role("region", name="4 found for “lopez”")
    expect(results).to_contain_text("María López")
    expect(results).to_contain_text("Ana López")
    checked(page, "search-lopez")
    page.get_by_role("link", name=desk.town.maria, exact=True).first.click()
    expect(page).to_have_url(f"{base}/clerk/citations/{desk.town.maria}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(desk.town.maria)
    expect(page.locator("main")).to_contain_text("López")

    # Too short: the error is next to the box, which keeps what was typed.
    page.goto(f"{base}/clerk/search?q=x")
    expect(page.locator("#f-q-error-1")).to_contain_text("type at least 2 letters or digits")
    checked(page, "search-too-short")


def test_the_list_filters_sorts_and_pages(site: tuple[str, SearchDesk], browser: Browser) -> None:
    base, desk = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, desk)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Citations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Citations")
    expect(page.locator("#list-heading")).to_have_text("5 citations")
    checked(page, "citations-list")
    page.get_by_label("Agency").select_option("DCPD")
    page.get_by_label("Area or beat").fill("Central")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#list-heading")).to_have_text("3 citations")
    page.get_by_role("link", name="Person").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Person")
    rows = page.locator("tbody th")
    expect(rows).to_have_text([desk.town.maria, desk.town.maria_again, desk.town.maria_unaccented])
    page.get_by_role("link", name="Person").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Person")
    expect(page.get_by_label("Area or beat")).to_have_value("Central")
    checked(page, "citations-sorted")
    page.get_by_label("Issued from").fill("2026-12-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("No citation matches these filters.")
    page.goto(f"{base}/clerk/citations?balance_min=lots&issued_to=soon")
    expect(page.get_by_role("alert")).to_contain_text("The list cannot be shown")
    checked(page, "citations-bad-filters")
