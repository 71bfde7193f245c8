"""A clerk's day in a real browser: Debian's chromium, driven by Playwright, against the
whole application served by uvicorn on loopback, on SQLite.

Sign in, see the docket, schedule a contest, record the decision, find the order; and check
that every control has a label, the keyboard works, text contrast is sufficient and a narrow
laptop window needs no sideways scrolling. Screenshots of the main pages are saved in
CITATIONS_SCREENSHOTS (a folder) when it is set.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.desk import CLOCK, HEARING_DAY, Desk, desk_app, set_desk
from tests.clock import pause
from tests.databases import Databases

pytestmark = pytest.mark.clock(CLOCK)  # the desk's day: the pages, the API and tokens agree

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""

HEADINGS = (
    """() => [...document.querySelectorAll('h1, h2, h3, h4')].map(h => Number(h.tagName[1]))"""
)

# WCAG contrast of every visible text against the first opaque background behind it.
LOW_CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.clip === 'rect(0px, 0px, 0px, 0px)') continue;
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = el.textContent.trim().slice(0, 40);
    if (ratio < 4.5) bad.push(el.tagName + ' ' + ratio.toFixed(2) + ': ' + text);
  }
  return bad;
}"""


@dataclass(frozen=True)
class Site:
    base: str
    desk: Desk


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def site(tmp_path: Path, databases: Databases) -> Iterator[Site]:
    """The application on a fresh SQLite desk, served by uvicorn in a thread on loopback."""
    url = databases.sqlite_copy(tmp_path / "browser.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(desk_app(url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        pause(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", desk)
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"chromium is not installed ({CHROMIUM}): the browser tests must run in CI; "
                "`.ci/run` installs it with apt-get"
            )
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # The browser keeps the machine's clock, even in CI's run under faketime (chromium hangs on
    # closing with libfaketime preloaded): the pages run no scripts, and the session cookie's
    # Max-Age, which browsers prefer to its Expires date, does not depend on the date.
    real_clock: dict[str, str | float | bool] = {
        name: value for name, value in os.environ.items() if name != "LD_PRELOAD"
    }
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"], env=real_clock
        )
        try:
            yield chromium
        finally:
            chromium.close()


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("CITATIONS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page: Page, site: Site, role: str = "clerk") -> None:
    page.goto(f"{site.base}/clerk/")
    expect(page).to_have_url(f"{site.base}/clerk/login?next=%2Fclerk%2F")
    page.get_by_label("Your API token").fill(site.desk.tokens[role])
    page.get_by_label("Your API token").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Docket for")


def check_accessible(page: Page) -> None:
    """Every control labelled; one h1 and no skipped heading level; text contrast >= 4.5."""
    assert page.evaluate(UNLABELLED) == [], page.url
    levels: list[int] = page.evaluate(HEADINGS)
    assert levels.count(1) == 1, page.url
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (page.url, levels)
    assert page.evaluate(LOW_CONTRAST) == [], page.url


def test_a_clerks_day_from_docket_to_order(site: Site, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, site)
    # The session cookie came back over http://127.0.0.1 although it is Secure.
    cookie = next(c for c in page.context.cookies() if c["name"] == "citations_clerk")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    expect(page.get_by_text("No docket sessions on this day.")).to_be_visible()

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
