"""A clerk's day in a real browser: Debian's chromium, driven by Playwright, against the
whole application served by uvicorn on loopback, on SQLite.

Sign in, see the docket, schedule a contest, record the decision, find the order; and check
that every control has a label, the keyboard works, text contrast is sufficient and a narrow
laptop window needs no sideways scrolling. Screenshots of the main pages are saved in
CITATIONS_SCREENSHOTS (a folder) when it is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.chromium import check_accessible, serving, shot
from tests.browser.desk import CLOCK, HEARING_DAY, Desk, desk_app, set_desk
from tests.databases import Databases

pytestmark = pytest.mark.clock(CLOCK)  # the desk's day: the pages, the API and tokens agree


@dataclass(frozen=True)
class Site:
    base: str
    desk: Desk


@pytest.fixture
def site(tmp_path: Path, databases: Databases) -> Iterator[Site]:
    """The application on a fresh SQLite desk, served by uvicorn in a thread on loopback."""
    url = databases.sqlite_copy(tmp_path / "browser.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    with serving(desk_app(url)) as base:
        yield Site(base, desk)


def sign_in(page: Page, site: Site, role: str = "clerk") -> None:
    page.goto(f"{site.base}/clerk/")
    expect(page).to_have_url(f"{site.base}/clerk/login?next=%2Fclerk%2F")
    page.get_by_label("Your API token").fill(site.desk.tokens[role])
    page.get_by_label("Your API token").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Docket for")


def test_a_clerks_day_from_docket_to_order(site: Site, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, site)
    # The session cookie came back over http://127.0.0.1 although it is Secure.
    cookie = next(c for c in page.context.cookies() if c["name"] == "citations_clerk")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    expect(page.get_by_text("No sessions today.")).to_be_visible()

    page.get_by_label("Go to a day").fill(HEARING_DAY.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Docket for Monday, December 14, 2026"
    )
    expect(page.get_by_text("1 booked of 4; 3 left")).to_be_visible()
    expect(page.get_by_role("row", name="Maria Lopez")).to_contain_text("Spanish")
    shot(page, "01-docket-day")

    page.get_by_role("link", name="Contests waiting").click()
    expect(page.get_by_role("heading", name="Hearings to schedule (1)")).to_be_visible()
    shot(page, "02-contests-waiting")
    number = site.desk.numbers["to_schedule"]
    page.get_by_role("link", name=f"Schedule for {number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule the hearing")
    expect(page.locator("#proposal")).to_contain_text("Monday, December 14, 2026")
    page.get_by_role("button", name="Schedule the hearing").click()
    expect(page.get_by_role("status")).to_contain_text("The hearing is scheduled")
    # The documents sent list it as kept: what, for which hearing, and its number.
    notice = page.get_by_role("link", name=re.compile(r"^Hearing notice: hearing of Dec 14, 2026"))
    expect(notice).to_be_visible()

    page.goto(f"{site.base}/clerk/docket/{HEARING_DAY.isoformat()}")
    expect(page.get_by_text("2 booked of 4; 2 left")).to_be_visible()
    page.get_by_role("link", name=number, exact=True).click()
    page.get_by_role("link", name="Record the decision").click()

    # A decision without findings is refused next to the field, keeping the choice.
    page.get_by_label("Dismissed: the fine is cancelled and payments refunded").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#f-findings-error-1")).to_contain_text("written findings are required")
    expect(
        page.get_by_label("Dismissed: the fine is cancelled and payments refunded")
    ).to_be_checked()
    shot(page, "05-decision-with-an-error")
    page.get_by_label("Written findings").fill("The city did not prove the can held alcohol.")
    page.get_by_role("button", name="Record the decision").click()
    # The desk's day is ten days before the hearing: refused, unless it was held early.
    expect(page.locator("#f-held_early_reason-error-1")).to_contain_text(
        "the hearing is set for 2026-12-14"
    )
    page.get_by_label("Held early by agreement").fill("The person came in early and asked.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("The hearing decision is recorded")
    order = page.get_by_role(
        "link", name=re.compile(r"^Order: hearing decision, dismissed \(PDF\)")
    )
    expect(order).to_be_visible()
    shot(page, "03-citation-after-the-decision")
    href = order.get_attribute("href")
    assert href is not None
    pdf = page.request.get(f"{site.base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_pages_are_labelled_keyboard_operable_and_readable(site: Site, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.base}/clerk/login")
    check_accessible(page)
    # The first Tab reaches the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    focused: dict[str, Any] = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused == {"text": "Skip to main content", "outline": "solid"}
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # Sign in with the keyboard alone.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-username"
    for _ in range(3):  # the password, the account's button, then the token's form
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-token"
    page.keyboard.type(site.desk.tokens["clerk"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Docket for")

    numbers = site.desk.numbers
    pages = [
        f"/clerk/docket/{HEARING_DAY.isoformat()}",
        f"/clerk/docket/{HEARING_DAY.isoformat()}/print",
        "/clerk/contests",
        f"/clerk/citations/{numbers['on_docket']}",
        f"/clerk/citations/{numbers['on_docket']}/decision",
        f"/clerk/citations/{numbers['on_docket']}/continue",
        f"/clerk/citations/{numbers['on_docket']}/no-show",
        f"/clerk/citations/{numbers['to_schedule']}/schedule",
        f"/clerk/citations/{numbers['review']}/review",
        f"/clerk/citations/{numbers['waiver']}/waiver",
        f"/clerk/citations/{numbers['issued']}/review-request",
        f"/clerk/citations/{numbers['on_docket']}/mail-return",
        f"/clerk/citations/{numbers['on_docket']}/address",
        "/clerk/find?number=DCPD-2026-000001-0",
    ]
    for path in pages:
        page.goto(f"{site.base}{path}")
        check_accessible(page)
    page.goto(f"{site.base}/clerk/citations/{numbers['on_docket']}/decision")
    page.get_by_role("button", name="Record the decision").click()
    check_accessible(page)  # with its errors shown
    shot(page, "04-decision-errors")

    # A narrow laptop window: the pages reflow; only tables scroll, inside their box.
    page.set_viewport_size({"width": 800, "height": 900})
    for path in pages[:5]:
        page.goto(f"{site.base}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 800, (path, width)
    page.goto(f"{site.base}/clerk/docket/{HEARING_DAY.isoformat()}")
    shot(page, "06-narrow-docket")
    page.goto(f"{site.base}/clerk/citations/{numbers['to_schedule']}/schedule")
    page.get_by_label("Session").select_option(index=1)
    shot(page, "07-narrow-schedule")
