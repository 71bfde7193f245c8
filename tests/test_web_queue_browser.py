"""The work queues in a real browser (Debian's chromium): a clerk filters the contests waiting,
assigns one to herself and another to a reviewer from the rows, and finds hers under "Mine";
each page has every control labelled, one h1, enough contrast, and axe-core finds nothing.
Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import make_url

from citations.database import make_engine
from tests.browser.chromium import axe_violations, browser, check_accessible, serving, shot
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk
from tests.browser.test_clerk_browser import Site
from tests.databases import Databases
from tests.queue_steps import PASSWORD, add_staff

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(CLOCK), pytest.mark.filled_by(fill=set_desk)]


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[Site]:
    url = database_url  # on each backend, filled as the marker says
    desk: Desk = databases.filled(make_url(url).get_backend_name(), set_desk)
    engine = make_engine(url)
    try:
        staff = add_staff(engine)
    finally:
        engine.dispose()
    assert staff.ids["jlee"]
    with serving(desk_app(url)) as base:
        yield Site(base, desk)


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_clerk_filters_assigns_and_finds_her_own(site: Site, browser: Browser) -> None:
    waiver, review = site.desk.numbers["waiver"], site.desk.numbers["review"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.base}/clerk/")
    page.get_by_label("Username").fill("jlee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Signed in as Jordan Lee, Hearing clerk")).to_be_visible()
    page.get_by_role("link", name="Contests waiting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contests waiting")
    expect(page.locator(f"#assignee-{waiver}")).to_have_text("Nobody yet")
    checked(page, "queue-all")

    page.get_by_label("Waiting for").select_option(label="Hardship waivers")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(f"{site.base}/clerk/contests?tier=waiver&due=&assignee=")
    expect(page.get_by_role("heading", name="Hardship waivers to decide (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Initial reviews to decide")).to_have_count(0)
    checked(page, "queue-waivers")

    page.get_by_role("button", name=f"Assign to me ({waiver})").click()
    expect(page.get_by_role("status")).to_have_text(f"The assignment of {waiver} is recorded.")
    expect(page.locator(f"#assignee-{waiver}")).to_have_text("Jordan Lee")
    expect(page.get_by_label("Waiting for")).to_have_value("waiver")  # the view is kept
    checked(page, "queue-assigned")

    page.get_by_role("link", name="Show everything").click()
    page.get_by_label(f"Assign {review} to").select_option(label="Pat Kim")
    page.get_by_role("button", name=f"Assign {review}", exact=True).click()
    expect(page.locator(f"#assignee-{review}")).to_have_text("Pat Kim")

    page.get_by_role("link", name="Mine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("link", name="Mine")).to_have_attribute("aria-current", "page")
    main = page.locator("main")
    expect(main).to_contain_text(waiver)
    expect(main).not_to_contain_text(review)
    expect(main).not_to_contain_text(site.desk.numbers["to_schedule"])
    checked(page, "queue-mine")

    page.get_by_role("link", name=waiver, exact=True).click()
    expect(page.locator("#contest-section")).to_contain_text("Jordan Lee (since Dec 4, 2026")
    checked(page, "queue-citation")
