"""Smaller fixes of the docket's pages: the officers page links a window's open session
instead of offering another; the interpreter is chosen by language name and stored as its
code; "The order is below" only where an order of that tier is shown below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.database import transaction
from citations.hearings.contests import contest_of
from citations.hearings.officers import add_availability, list_officers, list_sessions
from citations.hearings.scheduling import record_no_show
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.browser.desk import CLOCK, HEARING_DAY, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page
from tests.hearing_steps import CLERK
from tests.session_desk import DECIDING

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk, str]
NEXT_DAY = date(2026, 12, 15)


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, filled, sign_in(client, filled.tokens["clerk"])


def post(web: Web, path: str, status: int, **fields: str) -> Page:
    client, _, csrf = web
    answer = client.post(path, data={"csrf_token": csrf, **fields})
    assert answer.status_code == status, answer.text
    return Page(answer.text)


def test_a_window_with_a_session_links_to_it_and_offers_no_other(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    with transaction(engine) as session:
        (ada,) = list_officers(session)
        officer = ada.id
        add_availability(
            session, officer, NEXT_DAY, time(13, 0), time(17, 0), actor=CLERK, now=CLOCK
        )
    page = Page(client.get("/clerk/officers").text)
    card = page.words(f"officer-{officer}")
    assert "Monday, December 14, 2026, 8:00 AM–5:00 PM · session open: go to it" in card
    assert f"/clerk/sessions/{desk.session_id}" in page.links
    assert f"/clerk/sessions/new?day={HEARING_DAY.isoformat()}&officer={officer}" not in page.links
    # The other window has none yet: it offers to open one.
    assert "Tuesday, December 15, 2026, 1:00 PM–5:00 PM · Open a session" in card
    assert f"/clerk/sessions/new?day=2026-12-15&officer={officer}" in page.links
    post(
        web,
        "/clerk/sessions/new",
        303,
        day="2026-12-15",
        start="13:30",
        officer_id=str(officer),
        place="City Hall East, Room 102",
        capacity="10",
    )
    with transaction(engine) as session:
        (opened,) = list_sessions(session, NEXT_DAY, NEXT_DAY)
        opened_id = opened.id
    page = Page(client.get("/clerk/officers").text)
    assert "Tuesday, December 15, 2026, 1:00 PM–5:00 PM · session open: go to it" in page.words(
        f"officer-{officer}"
    )
    assert f"/clerk/sessions/{opened_id}" in page.links
    assert not [link for link in page.links if link.startswith("/clerk/sessions/new?")]


def review_upheld(web: Web) -> str:
    _, desk, csrf = web
    number = desk.numbers["review"]
    client = web[0]
    answer = client.post(
        f"/clerk/citations/{number}/review",
        data={
            "csrf_token": csrf,
            "outcome": "upheld",
            "findings": "The sign was visible in the photo.",
            "decided_by_name": "Pat Morgan",
            "decided_by_title": "Senior Review Officer",
        },
    )
    assert answer.status_code == 303, answer.text
    return number


def test_the_interpreter_is_chosen_by_language_name_and_kept_as_its_code(
    web: Web, engine: Engine
) -> None:
    client, _, _ = web
    number = review_upheld(web)
    form = client.get(f"/clerk/citations/{number}/hearing-request").text
    select = re.search(r'<select[^>]*id="f-interpreter_language".*?</select>', form, re.S)
    assert select, "the interpreter is a list of languages"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    assert options[0] == ("", "None needed")
    names = dict(options)
    # The profile's languages and other common ones, by name in the city's locale.
    assert names["es"] == "Spanish" and names["vi"] == "Vietnamese"
    assert names["ko"] == "Korean" and names["ase"] == "American Sign Language"
    listed = [name for _, name in options[1:]]
    assert listed == sorted(listed, key=str.casefold)  # alphabetical, to be found
    hearing = {"basis": "deposit", "deposit": "200.00", "deposit_method": "cash"}
    refused = post(
        web,
        f"/clerk/citations/{number}/hearing-request",
        422,
        interpreter_language="Klingonese",
        **hearing,
    )
    message = refused.words("f-interpreter_language-error-1")
    assert "there is no language called 'Klingonese' in the list" in message
    assert refused.attrs["f-interpreter_language"]["aria-invalid"] == "true"
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        assert contest_of(session, citation).hearing_requested_at is None  # nothing saved
    # A name typed by hand (a client that is not a browser) is read as well as a code.
    post(
        web,
        f"/clerk/citations/{number}/hearing-request",
        303,
        interpreter_language="vietnamese",
        **hearing,
    )
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        assert contest_of(session, citation).interpreter_language == "vi"
    shown = Page(client.get(f"/clerk/citations/{number}").text)
    assert "InterpreterVietnamese" in shown.words("contest-section")


def said(client: TestClient, number: str, done: str) -> str:
    page = Page(client.get(f"/clerk/citations/{number}?done={done}").text)
    return page.words("main")


def test_the_order_is_below_only_where_an_order_of_that_kind_is_shown(
    web: Web, engine: Engine
) -> None:
    client, desk, _ = web
    ready = desk.numbers["to_schedule"]  # its review was decided; no hearing yet
    assert "The review decision is recorded. The order is below." in said(client, ready, "review")
    hearing = said(client, ready, "decision")
    assert "The hearing decision is recorded." in hearing
    assert "The order is below" not in hearing  # the only order below is the review's
    issued = said(client, desk.numbers["issued"], "review")  # no contest at all
    assert "The order is below" not in issued
    on_docket = desk.numbers["on_docket"]
    assert "The order is below" not in said(client, on_docket, "no-show")
    with transaction(engine) as session:
        record_no_show(session, on_docket, actor=CLERK, now=DECIDING)
    after = said(client, on_docket, "no-show")
    assert "upheld by default. The order is below." in after
    assert "default" in Page(client.get(f"/clerk/citations/{on_docket}").text).words(
        "contest-section"
    )
