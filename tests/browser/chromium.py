"""Debian's chromium for the browser tests: the browser, screenshots, and the accessibility
checks every page passes (labels, headings, contrast; and axe-core's whole scan)."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.clock import pause

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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


def check_accessible(page: Page) -> None:
    """Every control labelled; one h1 and no skipped heading level; text contrast >= 4.5."""
    assert page.evaluate(UNLABELLED) == [], page.url
    levels: list[int] = page.evaluate(HEADINGS)
    assert levels.count(1) == 1, page.url
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (page.url, levels)
    assert page.evaluate(LOW_CONTRAST) == [], page.url


NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def axe_violations(page: Page) -> list[str]:
    """axe-core's scan of the page as it stands (axe injected into the page, WCAG 2.1 A and
    AA and best practices): one line per violation, empty when there is none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def check_public_page(page: Page) -> None:
    """What every public page passes: the checks above, axe-core with no violation, and no
    sideways scrolling at the window's width."""
    check_accessible(page)
    assert axe_violations(page) == [], page.url
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways"


PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free port of the loopback; yields its base
    address, and stops it after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        pause(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def find_in_browser(page: Page, base: str, number: str, birth: str) -> None:
    """Find a citation as a person does: the number, then the date of birth in three boxes."""
    page.goto(f"{base}/")
    year, month, day = birth.split("-")
    page.locator("#number").fill(number)
    page.locator("#birth-month").fill(str(int(month)))
    page.locator("#birth-day").fill(str(int(day)))
    page.locator("#birth-year").fill(year)
    page.locator("form[action='/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/citation")


def sign_in_with_account(page: Page, base: str, username: str, password: str) -> None:
    """Sign in to the clerks' pages as a person does: username and password on the login page."""
    page.goto(f"{base}/clerk/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
