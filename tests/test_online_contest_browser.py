"""The contest pages in a real browser (Debian's chromium) at 360 and 1280 px: a person asks
for a review with a photo, asks for a hearing in Spanish, moves a hearing, sees a closed
page, and sends a photo for the hearing; every page passes the public pages' checks
(axe-core, labels, headings, contrast, no sideways scrolling). Screenshots go to
CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from citations.database import make_engine
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
from tests.hearing_steps import issue_one, officer_with_session, to_review_upheld
from tests.public_steps import birth_of, door_app
from tests.test_online_files import gps_jpeg

pytestmark = pytest.mark.clock(CLOCK)
__all__ = ["browser"]  # the fixture, for this file outside tests/browser

UPHELD_BIRTH = "1988-08-18"


@dataclass(frozen=True)
class Door:
    base: str
    desk: Desk
    upheld: str


@pytest.fixture
def door(tmp_path: Path, databases: Databases) -> Iterator[Door]:
    """The application on a fresh SQLite desk (plus a citation whose review was upheld and a
    later docket session), served by uvicorn in a thread on loopback."""
    url = databases.sqlite_copy(tmp_path / "door.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    engine = make_engine(url)
    try:
        upheld = issue_one(engine, date_of_birth=UPHELD_BIRTH, preferred_language="en")
        to_review_upheld(engine, upheld)
        officer_with_session(engine, "Judge Later", date(2026, 12, 16))
    finally:
        engine.dispose()
    with serving(door_app(url)) as base:
        yield Door(base, desk, upheld)


def find(page: Page, door: Door, number: str, birth: str) -> None:
    find_in_browser(page, door.base, number, birth)
    expect(page).to_have_url(f"{door.base}/citation")


def test_contesting_online_passes_every_check(
    door: Door, browser: Browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    width = viewport["width"]
    photo = tmp_path / "IMG_2291.jpg"
    photo.write_bytes(gps_jpeg())
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    find(page, door, door.desk.numbers["issued"], birth_of(5))
    page.get_by_role("link", name="Ask for a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a review")
    expect(page.locator("main")).to_contain_text("Ask by Thursday, December 10, 2026.")
    check_public_page(page)
    shot(page, f"contest-{width}-01-review")
    page.get_by_label("Why the citation is wrong").fill("The sign was hidden behind a tree.")
    page.get_by_label("Photos or papers (optional)").set_input_files([str(notes)])
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("notes.txt is not a JPEG, PNG, HEIC or PDF")
    check_public_page(page)
    shot(page, f"contest-{width}-02-review-refused")
    page.get_by_label("Photos or papers (optional)").set_input_files([str(photo)])
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("We received your request for a review")
    expect(page.get_by_role("link", name="IMG_2291.jpg")).to_be_visible()
    check_public_page(page)
    shot(page, f"contest-{width}-03-review-sent")
    context.close()

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    find(page, door, door.upheld, UPHELD_BIRTH)
    page.goto(f"{door.base}/language/es?next=/hearing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pedir una audiencia")
    page.get_by_label("Intérprete").select_option(label="Vietnamita")
    page.get_by_label("No puedo pagar el depósito").check()
    page.get_by_label("Por qué no puede pagar").fill("Recibo CalFresh y no tengo ahorros.")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_contain_text("Marque la casilla")
    check_public_page(page)
    page.get_by_label("Declaro bajo pena de perjurio").check()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("status")).to_contain_text("Recibimos su solicitud de audiencia")
    expect(page.locator("main")).to_contain_text("Vietnamita")
    check_public_page(page)
    shot(page, f"contest-{width}-04-hearing-sent-es")
    context.close()

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    find(page, door, door.desk.numbers["on_docket"], birth_of(1))
    page.goto(f"{door.base}/language/en?next=/hearing/move")
    expect(page.locator("main")).to_contain_text("Your hearing is on Monday, December 14, 2026.")
    check_public_page(page)
    page.get_by_label("Why you need another day").fill("A shift at work that day.")
    page.get_by_role("button", name="Move my hearing").click()
    expect(page.get_by_role("status")).to_contain_text("moved to Wednesday, December 16, 2026")
    check_public_page(page)
    shot(page, f"contest-{width}-05-moved")
    page.goto(f"{door.base}/set-aside")
    expect(page.locator("main")).to_contain_text("There is no missed hearing to reopen")
    check_public_page(page)
    context.close()


def test_photos_for_the_hearing_pass_every_check(
    door: Door, browser: Browser, viewport: ViewportSize, tmp_path: Path
) -> None:
    width = viewport["width"]
    photo = tmp_path / "IMG_2291.jpg"
    photo.write_bytes(gps_jpeg())
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    find(page, door, door.desk.numbers["on_docket"], birth_of(1))
    page.goto(f"{door.base}/language/en?next=/citation")
    page.get_by_role("link", name="Send photos or papers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Send photos or papers for your hearing"
    )
    expect(page.locator("main")).to_contain_text("Send them by Sunday, December 13, 2026")
    check_public_page(page)
    page.get_by_label("Photos or papers", exact=True).set_input_files([str(photo)])
    page.get_by_label("What they show (optional)").fill("The sign, from the corner.")
    page.get_by_role("button", name="Send my files").click()
    expect(page.get_by_role("status")).to_contain_text("We received your files: IMG_2291.jpg")
    expect(page.locator("main")).to_contain_text("Your note: The sign, from the corner.")
    check_public_page(page)
    shot(page, f"contest-{width}-06-evidence-sent")
    context.close()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["360", "1280"])
def viewport(request: pytest.FixtureRequest) -> ViewportSize:
    size: ViewportSize = request.param
    return size
