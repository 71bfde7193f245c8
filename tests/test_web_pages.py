"""The clerks' pages show the docket, the contests waiting and a citation's whole story."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.database import transaction
from citations.hearings.contests import request_review
from citations.record.numbering import CitationNumber
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.browser.desk import (
    CLOCK,
    HEARING_DAY,
    HOSTILE,
    Desk,
    desk_app,
    person,
    set_desk,
    sign_in,
)
from tests.browser.html import Page
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session

pytestmark = [
    pytest.mark.filled_by(fill=set_desk),
    pytest.mark.clock(CLOCK),  # the desk's day: the pages, the API and tokens agree
]

Web = tuple[TestClient, Desk]


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    desk = filled
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        sign_in(client, desk.tokens["clerk"])
        yield client, desk


def test_the_docket_of_a_day_lists_its_sessions_hearings_and_needs(web: Web) -> None:
    client, desk = web
    answer = client.get(f"/clerk/docket/{HEARING_DAY.isoformat()}")
    assert answer.status_code == 200
    page = Page(answer.text)
    assert page.words("main").startswith("Docket for Monday, December 14, 2026")
    heading = page.words(f"session-{desk.session_id}")
    assert "9:00" in heading and "Ada Ruiz" in heading and "City Hall East, Room 101" in heading
    assert "1 booked of 4; 3 left" in page.words("main")
    assert "Interpreters needed: Spanish (1)" in page.words("main")
    number = desk.numbers["on_docket"]
    for link in (
        f"/clerk/citations/{number}",
        f"/clerk/citations/{number}/decision",
        f"/clerk/citations/{number}/continue",
        f"/clerk/citations/{number}/no-show",
        f"/clerk/sessions/{desk.session_id}/docket.pdf",
        "/clerk/docket/2026-12-13",
        "/clerk/docket/2026-12-15",
        "/clerk/docket/2026-12-14/print",
    ):
        assert link in page.links, link
    assert "Maria Lopez" in page.words("main") and "$200.00" in page.words("main")


def test_the_day_shown_first_is_today_in_the_city(web: Web) -> None:
    client, _ = web
    page = Page(client.get("/clerk/").text)
    assert page.words("main").startswith("Docket for Friday, December 4, 2026 today")
    assert "No sessions today. The next is Monday, December 14, 2026: go to it" in page.words(
        "main"
    )
    assert page.attrs["f-day"]["value"] == "2026-12-04"


def test_the_date_picker_goes_to_the_day_or_says_what_is_wrong(web: Web) -> None:
    client, _ = web
    answer = client.get("/clerk/docket", params={"day": "2026-12-14"})
    assert answer.status_code == 303 and answer.headers["location"] == "/clerk/docket/2026-12-14"
    wrong = client.get("/clerk/docket", params={"day": "14/12/2026"})
    assert wrong.status_code == 422
    page = Page(wrong.text)
    assert "is not a date" in page.words("f-day-error-1")
    assert page.attrs["f-day"]["value"] == "14/12/2026"
    assert page.attrs["f-day"]["aria-describedby"] == "f-day-error-1"


def test_the_print_view_is_the_sheet_without_the_navigation(web: Web) -> None:
    client, desk = web
    page = Page(client.get("/clerk/docket/2026-12-14/print").text)
    text = page.words("main")
    assert text.startswith("Back to the docket")
    assert "Test City – docket sheet" in text and "Outcome and notes" in text
    assert desk.numbers["on_docket"] in text
    assert "Sign out" not in page.html and "Printed Dec 4, 2026" in " ".join(text.split())


def test_a_session_docket_sheet_is_the_pdf_the_api_prints(web: Web) -> None:
    client, desk = web
    answer = client.get(f"/clerk/sessions/{desk.session_id}/docket.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_contests_wait_oldest_first_with_their_deadlines(web: Web, engine: Engine) -> None:
    client, desk = web
    earlier = issue_one(engine, **person(6, "Jo", "Early"))
    with transaction(engine) as session:
        request_review(
            session, earlier, "Not me.", received_at=at("2026-11-30"), actor=CLERK, now=CLOCK
        )
    page = Page(client.get("/clerk/contests").text)
    reviews = page.html[page.html.index('id="reviews"') : page.html.index('id="waivers"')]
    assert reviews.index(earlier) < reviews.index(desk.numbers["review"])
    assert "Initial reviews to decide (2)" in page.words("reviews")
    assert "Dec 10, 2026" in reviews  # the contest deadline each had to meet
    waivers = page.html[page.html.index('id="waivers"') : page.html.index('id="deposits"')]
    assert desk.numbers["waiver"] in waivers
    assert "Dec 16, 2026" in waivers and "Vietnamese" in waivers
    assert f"/clerk/citations/{desk.numbers['waiver']}/waiver" in page.links
    assert f"/clerk/citations/{desk.numbers['to_schedule']}/schedule" in page.links


def test_a_citation_page_has_details_ledger_history_and_documents(web: Web) -> None:
    client, desk = web
    number = desk.numbers["on_docket"]
    page = Page(client.get(f"/clerk/citations/{number}").text)
    main = page.words("main")
    assert f"Citation {number} hearing scheduled" in main
    assert "Maria Lopez, born 1981-01-11" in main and "TC 41.27(c)" in main
    ledger = page.html[page.html.index('id="ledger"') : page.html.index('id="history"')]
    ledger_text = " ".join(Page(ledger).html.split())
    # Fine assessed (balance 200), then the deposit (balance 0): the running balance.
    assert ledger_text.index('$200.00</td><td class="num">$200.00') < ledger_text.index(
        '-$200.00</td><td class="num">$0.00'
    )
    assert "hearing: scheduled" in page.words("history-section")
    assert "contest: review decided" in page.words("history-section")
    # Every document sent, each by its own link: the review's order, the deposit's receipt,
    # the hearing notice; and the notice handed over, kept the first time it is printed.
    sent = page.words("documents-section")
    assert "Order: review decision, upheld (PDF)" in sent
    assert "Receipt R-" in sent and "Hearing notice: hearing of Dec 14, 2026 (PDF)" in sent
    kept = [link for link in page.links if link.startswith(f"/clerk/citations/{number}/documents/")]
    assert "Hearing packet: hearing of Dec 14, 2026 (PDF)" in sent
    assert len(kept) == 4
    notice = f"/clerk/citations/{number}/notice.pdf"
    assert notice in page.links
    packet = f"/clerk/citations/{number}/hearing-packet.pdf"
    assert packet in page.links
    for link in [*kept, notice, f"/clerk/citations/{number}/hearing-notice.pdf", packet]:
        pdf = client.get(link)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), link
    again = Page(client.get(f"/clerk/citations/{number}").text)
    assert notice not in again.links  # now kept: listed with the others
    assert "Citation notice (PDF)" in again.words("documents-section")
    assert f"/clerk/citations/{number}/decision" in page.links  # the next steps
    # The schedule: every date, the hearing among them, and the next one that binds.
    dates = page.words("dates-section")
    assert "Pay by (the notice's deadline)" in dates and "Hearing" in dates
    assert re.search(r"Monday, December 14, 2026, \d{1,2}:\d\d\s?[AP]M", dates), dates
    assert "Next dateHearing:" in main


def test_hostile_text_from_the_records_is_shown_as_text(web: Web) -> None:
    client, desk = web
    number = desk.numbers["review"]
    for path in (
        "/clerk/contests",
        f"/clerk/citations/{number}",
        f"/clerk/citations/{number}/review",
    ):
        html = client.get(path).text
        assert HOSTILE not in html, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, path
    review = client.get(f"/clerk/citations/{number}/review").text
    assert "<b>see photo</b>" not in review and "&lt;b&gt;see photo&lt;/b&gt;" in review


def test_the_search_finds_a_number_however_it_is_typed(web: Web) -> None:
    client, desk = web
    number = desk.numbers["issued"]
    answer = client.get("/clerk/search", params={"q": f" {number.lower()} "})
    assert answer.status_code == 303 and answer.headers["location"] == f"/clerk/citations/{number}"
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    page = Page(client.get("/clerk/search", params={"q": typo}).text)
    assert "check digit does not match" in page.words("search-note")
    assert page.attrs["f-q"]["value"] == typo
    missing = str(CitationNumber("DCPD", 2026, 999))
    page = Page(client.get("/clerk/search", params={"q": missing}).text)
    assert f"No citation {missing}" in page.words("search-note")


def test_a_citation_has_one_address_and_a_missing_one_a_404_page(web: Web) -> None:
    client, desk = web
    number = desk.numbers["issued"]
    moved = client.get(f"/clerk/citations/{number.lower()}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/clerk/citations/{number}"
    missing = client.get(f"/clerk/citations/{CitationNumber('DCPD', 2026, 999)}")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    assert "Sign out" in missing.text  # the navigation stays


@pytest.mark.filled_by(fill=None)  # the migrated database alone: no catalog
def test_a_database_without_a_catalog_is_a_page_that_says_so(
    engine: Engine, database_url: str
) -> None:
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="c", actor=OPERATOR, now=CLOCK
        )
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        sign_in(client, secret)
        answer = client.get("/clerk/")
        assert answer.status_code == 503
        assert "no catalog has been published" in answer.text


def test_a_full_day_shows_places_left_per_session(web: Web, engine: Engine) -> None:
    client, _ = web
    _, second = officer_with_session(engine, "Bo Chen", HEARING_DAY, capacity=2, start=time(13, 0))
    page = Page(client.get("/clerk/docket/2026-12-14").text)
    assert "2 sessions, 1 hearing." in page.words("main")
    assert "No hearings are scheduled in this session yet." in page.words("main")
    assert "0 booked of 2; 2 left" in page.words("main")
    assert "Bo Chen" in page.words(f"session-{second}")
