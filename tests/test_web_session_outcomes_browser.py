"""A whole session's outcomes in a real browser (Debian's chromium): from the day's docket to
the session's page, every hearing's outcome chosen in one pass; a row left without findings
comes back marked with everything typed kept and nothing saved; fixed, all four are recorded.
The calendar, the session's page and the hearing request form (its interpreter chosen by
name) each pass the accessibility checks and axe-core.
Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import make_url

from citations.database import make_engine
from citations.web.auth import clock
from tests.browser.chromium import (
    axe_violations,
    browser,
    check_accessible,
    serving,
    shot,
    sign_in_with_account,
)
from tests.browser.desk import desk_app
from tests.browser.test_clerk_browser import Site
from tests.databases import Databases
from tests.session_desk import DECIDING, SessionDesk, set_session_desk
from tests.staff_steps import PASSWORD, make_user

__all__ = ["browser"]  # the fixture, used by name

pytestmark = [pytest.mark.clock(DECIDING), pytest.mark.filled_by(fill=set_session_desk)]


@pytest.fixture
def site(database_url: str, databases: Databases) -> Iterator[tuple[Site, SessionDesk]]:
    """The hearing day at noon: the session's hearings have all begun."""
    url = database_url  # on each backend, filled as the marker says
    sd: SessionDesk = databases.filled(make_url(url).get_backend_name(), set_session_desk)
    engine = make_engine(url)
    try:
        make_user(engine)  # the clerk's own account
    finally:
        engine.dispose()
    app = desk_app(url)
    app.dependency_overrides[clock] = lambda: DECIDING
    with serving(app) as base:
        yield Site(base, sd.desk), sd


def checked(page: Page, name: str) -> None:
    shot(page, name)
    check_accessible(page)
    assert axe_violations(page) == [], page.url


def test_a_whole_sessions_outcomes_in_one_pass(
    site: tuple[Site, SessionDesk], browser: Browser
) -> None:
    clerks, sd = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_with_account(page, clerks.base, "jlee", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monday, December 14, 2026")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Docket sessions in December 2026")
    expect(page.locator("#day-2026-12-14")).to_contain_text("4 of 4 booked")
    checked(page, "docket-calendar")
    page.locator(f"#cal-session-{sd.desk.session_id} a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Session of Monday, December 14, 2026, 9:00 AM"
    )
    checked(page, "docket-session")

    page.locator("#f-r1-outcome").select_option("reduced")
    page.locator("#f-r1-findings").fill("The sign was hard to read from the street.")
    page.locator("#f-r1-new_amount").fill("50.00")
    page.locator("#f-r1-reduction_reason").fill("The signage was partly hidden.")
    page.locator("#f-r2-outcome").select_option(label="Did not appear (no-show)")
    page.locator("#f-r3-outcome").select_option("continued")
    page.locator("#f-r3-session").select_option(str(sd.later_session))
    page.locator("#f-r3-reason").fill("The person's witness is abroad until January.")
    page.locator("#f-r4-outcome").select_option("dismissed")  # the findings forgotten
    page.get_by_role("button", name="Record these outcomes").click()

    expect(page.locator(".error-summary")).to_contain_text("nothing was saved; fix the marked rows")
    expect(page.locator("#f-r4-findings-error-1")).to_contain_text("written findings are required")
    expect(page.locator("#f-r1-findings")).to_have_value(
        "The sign was hard to read from the street."
    )
    expect(page.locator("#f-r3-session")).to_have_value(str(sd.later_session))
    checked(page, "docket-session-refused")

    page.locator("#f-r4-findings").fill("The citation names the wrong street; dismissed.")
    page.get_by_role("button", name="Record these outcomes").click()
    expect(page.locator("#outcomes-done")).to_contain_text("4 outcomes recorded.")
    expect(page.locator("#hearing-1")).to_contain_text("decided")
    expect(page.locator("#hearing-2")).to_contain_text("no show")
    expect(page.locator("#hearing-3")).to_contain_text("postponed")
    expect(page.locator("#hearing-4")).to_contain_text("decided")
    expect(page.locator("main")).to_contain_text(
        "Every hearing of this session has its outcome recorded."
    )
    checked(page, "docket-session-recorded")
    # The dismissed citation's page shows its order.
    page.get_by_role("link", name=f"the citation's page ({sd.numbers[3]})").click()
    expect(page.locator("#contest-section")).to_contain_text("dismissed")
    expect(page.locator("#contest-section")).to_contain_text("wrong street")
    # The interpreter is chosen by name on the hearing request form (stored as its code).
    page.goto(f"{clerks.base}/clerk/citations/{sd.desk.numbers['review']}/hearing-request")
    interpreter = page.get_by_label("Interpreter (optional)")
    interpreter.select_option(label="Vietnamese")
    expect(interpreter).to_have_value("vi")
    checked(page, "hearing-request-interpreter")
