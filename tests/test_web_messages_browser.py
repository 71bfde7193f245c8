"""The "Messages and contact" section of a citation's page in a real browser (Debian's
chromium, SQLite): with a contact problem and messages in every state, the page passes
axe-core's scan and the label, heading and contrast checks, and the problem's link leads to
the contact's form. Screenshots go to CITATIONS_SCREENSHOTS when it is set."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import update

from citations.database import make_engine, transaction
from citations.record.tables import Citation
from tests.browser.chromium import (
    DESKTOP,
    axe_violations,
    browser,
    check_accessible,
    serving,
    shot,
)
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk
from tests.databases import Databases
from tests.letters_steps import queue

__all__ = ["browser"]  # the fixture, used by name

pytestmark = pytest.mark.clock(CLOCK)

SENT_AT = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def test_the_messages_section_passes_every_check(
    tmp_path: Path, databases: Databases, browser: Browser
) -> None:
    url = databases.sqlite_copy(tmp_path / "browser.db", set_desk)
    desk: Desk = databases.filled("sqlite", set_desk)
    number = desk.numbers["issued"]
    engine = make_engine(url)
    with transaction(engine) as session:
        session.execute(
            update(Citation)
            .where(Citation.number == number)
            .values(
                phone="+15105550123",
                texts_consent=True,
                consent=[
                    {
                        "channel": "text",
                        "given": True,
                        "at": "2026-11-20T18:00:00+00:00",
                        "how": "device",
                        "by": "Officer R. Alvarez",
                    }
                ],
                phone_problem="The provider refused the number: not a mobile phone (21614).",
                experiment="reminders-2026",
                arm="standard",
            )
        )
    queue(engine, number, kind="before_pay_by", channel="text", status="sent", sent_at=SENT_AT,
          address="+15105550123")  # fmt: skip
    queue(engine, number, kind="before_pay_by", channel="text", status="failed", attempts=1,
          error="21614: not a mobile phone", address="+15105550123")  # fmt: skip
    queue(engine, number, kind="before_hearing", about="hearing", status="cancelled",
          cancelled_at=SENT_AT, cancel_reason="the citation was paid")  # fmt: skip
    queue(engine, number, kind="missed_pay_by", status="sent", sent_at=SENT_AT,
          address="Ana Reyes\n1200 W 7th St\nLos Angeles CA 90017")  # fmt: skip
    queue(engine, number, kind="hearing_set", about="hearing", language="es",
          due=datetime(2026, 12, 7, 18, 0, tzinfo=UTC))  # fmt: skip
    engine.dispose()

    with serving(desk_app(url)) as base:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(f"{base}/clerk/login?next=/clerk/citations/{number}")
        page.get_by_label("Your API token").fill(desk.tokens["clerk"])
        page.get_by_label("Your API token").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Citation {number}")
        section = page.locator("#messages-section")
        section.scroll_into_view_if_needed()
        expect(page.get_by_role("heading", name="Messages and contact")).to_be_visible()
        expect(section.get_by_role("alert")).to_contain_text("Texts stopped")
        expect(section.get_by_role("row", name="Nov 27, 2026")).to_have_count(3)
        shot(page, "clerk-citation-messages")
        check_accessible(page)
        assert axe_violations(page) == [], page.url
        fix = section.get_by_role("link", name="Fix the contact")
        assert fix.get_attribute("href") == f"/clerk/citations/{number}/contact"
