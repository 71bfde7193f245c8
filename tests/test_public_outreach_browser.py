"""The pages of ending reminders and of consent in a real browser (Debian's chromium) at 360 px
and 1280 px: the unsubscribe page before and after its button, in English and Spanish, and the
contact page's consent refused then given; each passes axe-core's scan and the label, heading
and contrast checks with no sideways scrolling. Screenshots go to CITATIONS_SCREENSHOTS when
it is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from pydantic import SecretStr
from sqlalchemy import select

from citations.app import create_app
from citations.database import make_engine, transaction
from citations.outreach.optout import opted_out, unsubscribe_token
from citations.record.tables import Citation
from citations.settings import Settings
from tests.browser.chromium import DESKTOP, PHONE, browser, check_public_page, serving, shot
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.browser.test_public_browser import Door, find
from tests.databases import Databases
from tests.public_steps import birth_of, move_door_clock

__all__ = ["browser"]  # the fixture, used by name

pytestmark = pytest.mark.clock(CLOCK)

SETTINGS = Settings(outreach_secret=SecretStr("browser-outreach-secret-" + "z" * 20))


@pytest.fixture
def door(tmp_path: Path, databases: Databases) -> Iterator[Door]:
    """The application with an outreach secret, on a fresh SQLite desk, served on loopback."""
    url = databases.sqlite_copy(tmp_path / "door.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    app = create_app(url, SETTINGS)
    move_door_clock(app, CLOCK)
    with serving(app) as base:
        yield Door(base, desk, url)


def give_email(door: Door, key: str, address: str) -> None:
    engine = make_engine(door.url)
    try:
        with transaction(engine) as session:
            number = door.desk.numbers[key]
            citation = session.scalars(select(Citation).where(Citation.number == number)).one()
            citation.email, citation.emails_consent = address, True
    finally:
        engine.dispose()


def stopped(door: Door, address: str) -> bool:
    engine = make_engine(door.url)
    try:
        with transaction(engine) as session:
            return opted_out(session, "email", address)
    finally:
        engine.dispose()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_unsubscribe_page_passes_every_check_before_and_after_its_button(
    door: Door, browser: Browser, viewport: ViewportSize
) -> None:
    width = viewport["width"]
    give_email(door, "on_docket", "maria.lopez@example.org")  # her citation is in Spanish
    give_email(door, "issued", "ana.reyes@example.org")
    page = browser.new_page(viewport=viewport)
    for address, heading, button, done, name in (
        (
            "maria.lopez@example.org",
            "Parar los correos de recordatorio",
            "Parar los correos de recordatorio",
            "Listo.",
            "es",
        ),
        (
            "ana.reyes@example.org",
            "Stop reminder emails",
            "Stop reminder emails",
            "Done.",
            "en",
        ),
    ):
        page.goto(f"{door.base}/unsubscribe/{unsubscribe_token(SETTINGS, address)}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_public_page(page)
        shot(page, f"unsubscribe-{width}-{name}-ask")
        assert not stopped(door, address)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("status")).to_contain_text(done)
        check_public_page(page)
        shot(page, f"unsubscribe-{width}-{name}-done")
        assert stopped(door, address)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_consent_is_refused_without_a_phone_then_given_with_one(
    door: Door, browser: Browser, viewport: ViewportSize
) -> None:
    width = viewport["width"]
    page = browser.new_page(viewport=viewport)
    find(page, door, door.desk.numbers["issued"], birth_of(5))
    page.goto(f"{door.base}/contact")
    page.get_by_label("Send me reminders by text").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("To get reminders by text")
    check_public_page(page)
    shot(page, f"consent-{width}-refused")
    page.get_by_label("Phone (optional)").fill("(510) 555-0123")
    page.get_by_label("Send me reminders by text").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_label("Send me reminders by text")).to_be_checked()
    expect(page.get_by_label("Send me reminders by email")).not_to_be_checked()
    check_public_page(page)
    shot(page, f"consent-{width}-given")
