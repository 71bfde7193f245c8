"""The calendar of docket sessions by month, and the empty day's pointer to the next session.
The clock is pinned (the desk's Friday, December 4, 2026 in Los Angeles), and moved to the
last evening of the year to see the month turn in the city's zone, not in UTC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.browser.desk import CLOCK, Desk, desk_app, move_pages_clock, set_desk, sign_in
from tests.browser.html import Page

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk]


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        sign_in(client, filled.tokens["clerk"])
        yield client, filled


def month(client: TestClient, name: str) -> Page:
    answer = client.get(f"/clerk/calendar/{name}")
    assert answer.status_code == 200, answer.text
    return Page(answer.text)


def marked_today(page: Page) -> list[str]:
    return [key for key, attrs in page.attrs.items() if attrs.get("aria-current") == "date"]


def test_the_calendar_opens_at_this_month_with_each_days_sessions(web: Web) -> None:
    client, desk = web
    answer = client.get("/clerk/calendar")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/clerk/calendar/2026-12"
    page = month(client, "2026-12")
    assert page.words("main").startswith("Docket sessions in December 2026")
    assert page.words("month-count") == "1 session this month."
    # Time, hearing officer, place, booked of capacity; the session's page and the day's docket.
    assert page.words(f"cal-session-{desk.session_id}") == (
        "9:00 AM session Ada Ruiz City Hall East, Room 101 1 of 4 booked"
    )
    assert f"/clerk/sessions/{desk.session_id}" in page.links
    assert "/clerk/docket/2026-12-14" in page.links
    assert marked_today(page) == ["day-2026-12-04"]
    assert "today" in page.words("day-2026-12-04")
    assert page.words("day-2026-12-07").startswith("Monday, December 7, 2026")
    assert "booked" not in page.words("day-2026-12-07")  # no session that day
    # Weeks start on Sunday in the United States; the days of November fill the first row.
    headers = re.findall(r'<th scope="col">(\w+)</th>', answer_text(client, "2026-12"))
    assert headers[:2] == ["Sunday", "Monday"]
    assert "day-2026-11-30" not in page.attrs and "day-2026-12-31" in page.attrs
    assert "/clerk/calendar/2026-11" in page.links and "/clerk/calendar/2027-01" in page.links


def answer_text(client: TestClient, name: str) -> str:
    return client.get(f"/clerk/calendar/{name}").text


def test_december_leads_to_january_and_back_and_an_empty_month_says_so(web: Web) -> None:
    client, _ = web
    january = month(client, "2027-01")
    assert january.words("month-count") == "No docket sessions in January 2027."
    assert marked_today(january) == []
    assert "/clerk/calendar/2026-12" in january.links  # the month before, and "This month"
    assert "/clerk/calendar/2027-02" in january.links
    assert "day-2027-01-31" in january.attrs and "day-2027-02-01" not in january.attrs
    november = month(client, "2026-11")
    assert "/clerk/calendar/2026-10" in november.links
    assert "/clerk/calendar/2026-12" in november.links


def test_the_month_turns_in_the_citys_zone(web: Web, filled: Desk) -> None:
    client, _ = web
    # 05:00 UTC on January 1 is still 21:00 on December 31 in Los Angeles.
    move_pages_clock(client, datetime(2027, 1, 1, 5, 0, tzinfo=UTC))
    sign_in(client, filled.tokens["clerk"])
    answer = client.get("/clerk/calendar")
    assert answer.headers["location"] == "/clerk/calendar/2026-12"
    assert marked_today(month(client, "2026-12")) == ["day-2026-12-31"]


@pytest.mark.parametrize("name", ["2026-13", "2026", "december", "1899-12", "9001-01", "2026-00"])
def test_a_month_that_is_not_one_is_a_page_that_says_so(web: Web, name: str) -> None:
    client, _ = web
    assert client.get(f"/clerk/calendar/{name}").status_code == 404


def test_an_empty_days_docket_points_to_the_next_day_with_a_session(web: Web) -> None:
    client, _ = web
    today = Page(client.get("/clerk/").text)
    assert today.words("no-sessions") == (
        "No sessions today. The next is Monday, December 14, 2026: go to it"
        " (Monday, December 14, 2026)."
    )
    assert "/clerk/docket/2026-12-14" in today.links
    assert "/clerk/calendar/2026-12" in today.links
    after = Page(client.get("/clerk/docket/2026-12-15").text)
    assert after.words("no-sessions") == (
        "No sessions on this day. No later day has a session yet."
    )
    sessions_day = Page(client.get("/clerk/docket/2026-12-14").text)
    assert "no-sessions" not in sessions_day.attrs
