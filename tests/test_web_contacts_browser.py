"""The clerks' contact form and list in a real browser (Debian's chromium): a phone flagged by
the provider is listed, fixed from the list with the person's consent, and gone from it; each
page has every control labelled, one h1, enough contrast (and axe-core finds nothing).
Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from citations.database import make_engine, transaction
from citations.record.tables import Citation
from tests.browser.chromium import axe_violations, browser, check_accessible, serving, shot
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk
from tests.browser.test_clerk_browser import Site, sign_in
from tests.databases import Databases

__all__ = ["browser"]  # the fixture, used by name

pytestmark = pytest.mark.clock(CLOCK)


@pytest.fixture
def site(tmp_path: Path, databases: Databases) -> Iterator[tuple[Site, str]]:
    url = databases.sqlite_copy(tmp_path / "browser.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            number = desk.numbers["issued"]
            flagged = session.scalars(select(Citation).where(Citation.number == number)).one()
            flagged.phone, flagged.texts_consent = "+15105550123", True
            flagged.phone_problem = "texts cannot reach +15105550123: the number is a landline"
    finally:
        engine.dispose()
    with serving(desk_app(url)) as base:
        yield Site(base, desk), url


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_flagged_phone_is_fixed_from_the_list(site: tuple[Site, str], browser: Browser) -> None:
    clerks, url = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, clerks)
    page.get_by_role("link", name="Contacts to fix").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts to fix")
    expect(page.locator("main")).to_contain_text("the number is a landline")
    checked(page, "clerk-contacts")
    page.get_by_role("link", name="Fix the contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone, email and reminders")
    checked(page, "clerk-contact-form")
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_role("alert")).to_contain_text("choose how the person asked")
    checked(page, "clerk-contact-refused")
    page.get_by_label("Phone", exact=True).fill("(510) 555-0177")
    page.get_by_label("At the counter").check()
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_role("status")).to_contain_text("The contact is recorded.")
    checked(page, "clerk-contact-saved")
    page.get_by_role("link", name="Contacts to fix").first.click()
    expect(page.locator("main")).to_contain_text("Nothing to fix")
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            number = clerks.desk.numbers["issued"]
            fixed = session.scalars(select(Citation).where(Citation.number == number)).one()
            assert (fixed.phone, fixed.phone_problem, fixed.texts_consent) == (
                "+15105550177",
                None,
                True,
            )
    finally:
        engine.dispose()
