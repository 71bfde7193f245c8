"""The hearing office's own pages: hearing officers (add one, their availability, a
recusal) and opening a docket session. Each form acts through the library, and each shows
what went wrong next to the field, keeping what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.hearings.officers import list_officers, list_sessions
from citations.hearings.tables import Availability, Recusal
from citations.record.lookup import find_citation
from citations.record.numbering import CitationNumber
from citations.roles import OPERATOR
from tests.browser.desk import CLOCK, HEARING_DAY, HOSTILE, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page

pytestmark = [
    pytest.mark.filled_by(fill=set_desk),
    pytest.mark.clock(CLOCK),  # the desk's day: the pages, the API and tokens agree
]

Web = tuple[TestClient, Desk, str]
"""The client signed in as a clerk, the desk, and the session's form token."""

INDEPENDENCE = "Mediator in private practice; never employed by the city or an agency."


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    desk = filled
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, desk, sign_in(client, desk.tokens["clerk"])


def ada(engine: Engine) -> int:
    """The desk's one hearing officer (available on HEARING_DAY, 08:00 to 17:00)."""
    with transaction(engine) as session:
        (officer,) = list_officers(session)
        assert officer.name == "Ada Ruiz"
        return officer.id


def refused(web: Web, path: str, **fields: str) -> Page:
    """Post a form that must be refused; the page shown again (422)."""
    client, _, csrf = web
    answer = client.post(path, data={"csrf_token": csrf, **fields})
    assert answer.status_code == 422, answer.text
    return Page(answer.text)


def accepted(web: Web, path: str, **fields: str) -> str:
    """Post a form that must be accepted; where it leads."""
    client, _, csrf = web
    answer = client.post(path, data={"csrf_token": csrf, **fields})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def error_at(page: Page, field: str) -> str:
    """The error shown above a field, checked to be tied to it for screen readers."""
    message = page.words(f"f-{field}-error-1")
    assert message, f"no error next to {field}"
    assert f"f-{field}-error-1" in page.attrs[f"f-{field}"]["aria-describedby"]
    assert page.attrs[f"f-{field}"].get("aria-invalid") == "true"
    return message


def windows(engine: Engine, officer_id: int) -> list[tuple[date, time, time]]:
    with transaction(engine) as session:
        rows = session.scalars(select(Availability).where(Availability.officer_id == officer_id))
        return sorted((r.day, r.start_time, r.end_time) for r in rows)


def recusals(engine: Engine, number: str) -> list[tuple[int, str]]:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        rows = session.scalars(select(Recusal).where(Recusal.citation_id == citation.id))
        return [(r.officer_id, r.reason) for r in rows]


def sessions_on(engine: Engine, day: date) -> list[tuple[time, str | None, int, int]]:
    with transaction(engine) as session:
        return [
            (s.start_time, s.place, s.officer_id, s.capacity)
            for s in list_sessions(session, day, day)
        ]


def test_the_officers_page_lists_each_officer_with_their_availability(
    web: Web, engine: Engine
) -> None:
    client, desk, _ = web
    officer = ada(engine)
    answer = client.get("/clerk/officers")
    assert answer.status_code == 200
    page = Page(answer.text)
    assert page.words(f"officer-{officer}-name") == "Ada Ruiz active"
    card = page.words(f"officer-{officer}")
    assert "Judge pro tem" in card and "LA Superior Court" in card
    assert "not employed by the city" in card  # the independence statement
    assert "Monday, December 14, 2026, 8:00 AM–5:00 PM" in card
    for link in (
        f"/clerk/officers/{officer}/availability",
        f"/clerk/officers/{officer}/recusal",
        f"/clerk/sessions/{desk.session_id}",  # the window's session is open: go to it
        "/clerk/sessions/new",
    ):
        assert link in page.links, link
    assert f"/clerk/sessions/new?day=2026-12-14&officer={officer}" not in page.links
    # The header leads here, and the day's docket leads to the session form.
    assert '<a href="/clerk/officers" aria-current="page">Hearing officers</a>' in page.html
    docket = Page(client.get(f"/clerk/docket/{HEARING_DAY.isoformat()}").text)
    assert "/clerk/sessions/new?day=2026-12-14" in docket.links
    assert "/clerk/officers" in docket.links


def test_adding_an_officer_registers_them_through_the_library(web: Web, engine: Engine) -> None:
    client, _, _ = web
    target = accepted(
        web,
        "/clerk/officers",
        name="Kim Osei",
        qualification="trained_neutral",
        qualification_detail="County mediation program",
        training_hours="30",
        independence=INDEPENDENCE,
    )
    with transaction(engine) as session:
        added = list_officers(session)[-1]
        assert (added.name, added.qualification, added.active) == (
            "Kim Osei",
            "trained_neutral",
            True,
        )
        assert added.qualification_detail == (
            "County mediation program (30 hours of dispute-resolution training)"
        )
        added_id = added.id
    assert target == f"/clerk/officers?done=officer#officer-{added_id}"
    page = Page(client.get(target).text)
    assert "The hearing officer is added" in page.words("main")
    assert page.words(f"officer-{added_id}-name") == "Kim Osei active"
    assert "No availability recorded from today on." in page.words(f"officer-{added_id}")


def test_an_officer_the_library_refuses_shows_why_next_to_each_field(
    web: Web, engine: Engine
) -> None:
    page = refused(
        web,
        "/clerk/officers",
        name=HOSTILE,
        qualification="trained_neutral",
        training_hours="10",
        independence="Is neutral.",
    )
    assert "at least 25 hours" in error_at(page, "training_hours")
    assert "independent of the city" in error_at(page, "independence")
    assert page.attrs["f-name"]["value"] == HOSTILE  # kept, and printed as text
    assert HOSTILE not in page.html
    assert page.attrs["f-training_hours"]["value"] == "10"
    assert page.words("f-independence") == "Is neutral."
    assert "checked" in page.attrs["f-qualification-trained_neutral"]
    assert "There is a problem" in page.words("main")
    # An unreadable number and the library's own objections are shown together.
    both = refused(
        web,
        "/clerk/officers",
        name="",
        qualification="pro_tem_judge",
        training_hours="ten",
        independence=INDEPENDENCE,
    )
    assert error_at(both, "training_hours") == "Error: enter a whole number"
    assert error_at(both, "name") == "Error: required"
    nothing = refused(web, "/clerk/officers", name="Kim Osei", independence=INDEPENDENCE)
    assert error_at(nothing, "qualification") == "Error: choose the qualification"
    assert nothing.attrs["f-name"]["value"] == "Kim Osei"
    with transaction(engine) as session:
        assert [o.name for o in list_officers(session)] == ["Ada Ruiz"]


def test_availability_is_recorded_or_refused_next_to_its_field(web: Web, engine: Engine) -> None:
    client, _, _ = web
    officer = ada(engine)
    path = f"/clerk/officers/{officer}/availability"
    form = Page(client.get(path).text)
    assert "Ada Ruiz" in form.words("main")
    assert {"f-day", "f-start", "f-end"} <= form.attrs.keys()
    wrong = refused(web, path, day="2026-12-15", start="13:00", end="09:00")
    assert error_at(wrong, "end") == "Error: must be after the start"
    assert wrong.attrs["f-end"]["value"] == "09:00"
    assert wrong.attrs["f-start"]["value"] == "13:00"
    unreadable = refused(web, path, day="15/12/2026", start="09:00", end="12:00")
    assert error_at(unreadable, "day") == "Error: enter a date such as 2026-12-14"
    assert unreadable.attrs["f-day"]["value"] == "15/12/2026"
    assert windows(engine, officer) == [(HEARING_DAY, time(8), time(17))]
    target = accepted(web, path, day="2026-12-15", start="09:00", end="12:00")
    assert target == f"/clerk/officers?done=availability#officer-{officer}"
    assert windows(engine, officer)[-1] == (date(2026, 12, 15), time(9), time(12))
    assert "Tuesday, December 15, 2026" in Page(client.get(target).text).words(f"officer-{officer}")


def test_a_recusal_is_recorded_or_refused_next_to_its_field(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    officer = ada(engine)
    path = f"/clerk/officers/{officer}/recusal"
    assert client.get(path).status_code == 200
    number = desk.numbers["to_schedule"]
    short = refused(web, path, number=number, reason="no")
    assert error_at(short, "reason") == "Error: record the conflict"
    assert short.attrs["f-number"]["value"] == number
    missing = str(CitationNumber("DCPD", 2026, 999))
    unknown = refused(web, path, number=missing, reason="Knows the person.")
    assert missing in error_at(unknown, "number")
    assert unknown.words("f-reason") == "Knows the person."
    mistyped = refused(web, path, number="DCPD-2026-000999-0", reason="Knows the person.")
    assert "check digit" in error_at(mistyped, "number")
    assert mistyped.attrs["f-number"]["value"] == "DCPD-2026-000999-0"
    assert recusals(engine, number) == []
    target = accepted(web, path, number=number, reason="Knows the person.")
    assert target == f"/clerk/officers?done=recusal#officer-{officer}"
    assert recusals(engine, number) == [(officer, "Knows the person.")]
    # The library's own rule: an officer already scheduled for a citation is not recused yet.
    booked = refused(web, path, number=desk.numbers["on_docket"], reason="Knows the person.")
    assert "continue the hearing to another session first" in booked.words("main")


def test_a_docket_session_opens_from_the_day_with_the_day_filled_in(
    web: Web, engine: Engine
) -> None:
    client, _, _ = web
    officer = ada(engine)
    form = Page(client.get("/clerk/sessions/new", params={"day": "2026-12-14"}).text)
    assert form.attrs["f-day"]["value"] == "2026-12-14"
    assert "Ada Ruiz (available 2026-12-14)" in form.words("f-officer_id")
    for name in ("day", "start", "officer_id", "place", "remote_link", "capacity"):
        assert form.html.count(f'for="f-{name}"') == 1, name  # every field has its label
    target = accepted(
        web,
        "/clerk/sessions/new",
        day="2026-12-14",
        start="13:30",
        officer_id=str(officer),
        place="City Hall East, Room 102",
        remote_link="",
        capacity="12",
        slot_minutes="",
    )
    after = sessions_on(engine, HEARING_DAY)
    assert after[-1] == (time(13, 30), "City Hall East, Room 102", officer, 12)
    assert len(after) == 2
    assert target.startswith("/clerk/docket/2026-12-14#session-")
    day = Page(client.get(target.split("#")[0]).text)
    assert "2 sessions" in day.words("main")


def test_a_session_the_library_refuses_shows_each_problem_next_to_its_field(
    web: Web, engine: Engine
) -> None:
    client, _, _ = web
    officer = ada(engine)
    page = refused(
        web,
        "/clerk/sessions/new",
        day="2026-12-19",
        start="09:00",
        officer_id=str(officer),
        place="",
        remote_link="",
        capacity="0",
    )
    assert error_at(page, "day") == "Error: 2026-12-19 is not a business day"
    assert error_at(page, "place") == "Error: a session needs a place or a remote link"
    assert error_at(page, "capacity") == "Error: must be from 1 to 200"
    assert "is not available on 2026-12-19" in error_at(page, "officer_id")
    assert page.attrs["f-day"]["value"] == "2026-12-19"
    assert page.attrs["f-capacity"]["value"] == "0"
    kept = page.html[page.html.index(f'<option value="{officer}"') :]
    assert kept.split(">")[0].endswith("selected")  # the choice is kept
    unread = refused(web, "/clerk/sessions/new", day="", start="9h", officer_id="", capacity="x")
    assert error_at(unread, "day") == "Error: enter a date such as 2026-12-14"
    assert error_at(unread, "start") == "Error: enter a time such as 09:30"
    assert error_at(unread, "officer_id") == "Error: choose the hearing officer"
    assert error_at(unread, "capacity") == "Error: enter a whole number"
    assert unread.attrs["f-start"]["value"] == "9h"
    assert len(sessions_on(engine, date(2026, 12, 19))) == 0
    assert client.get("/clerk/officers/999/availability").status_code == 404


def test_every_form_needs_the_form_token(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    officer = ada(engine)
    posts = {
        "/clerk/officers": {
            "name": "Kim Osei",
            "qualification": "pro_tem_judge",
            "independence": INDEPENDENCE,
        },
        f"/clerk/officers/{officer}/availability": {
            "day": "2026-12-15",
            "start": "09:00",
            "end": "12:00",
        },
        f"/clerk/officers/{officer}/recusal": {
            "number": desk.numbers["to_schedule"],
            "reason": "Knows the person.",
        },
        "/clerk/sessions/new": {
            "day": "2026-12-14",
            "start": "13:00",
            "officer_id": str(officer),
            "place": "Room 2",
            "capacity": "5",
        },
    }
    for path, fields in posts.items():
        for token in ({}, {"csrf_token": "forged"}):
            answer = client.post(path, data={**fields, **token})
            assert answer.status_code == 403, path
            assert "form token" in answer.text
    with transaction(engine) as session:
        assert len(list_officers(session)) == 1
    assert len(windows(engine, officer)) == 1
    assert recusals(engine, desk.numbers["to_schedule"]) == []
    assert len(sessions_on(engine, HEARING_DAY)) == 1


def test_a_hearing_officer_may_not_manage_officers_or_sessions(web: Web, engine: Engine) -> None:
    client, desk, _ = web
    officer = ada(engine)
    csrf = sign_in(client, desk.tokens["hearing_officer"])
    contests = Page(client.get("/clerk/contests").text)
    assert "/clerk/officers" not in contests.links
    pages = [
        "/clerk/officers",
        f"/clerk/officers/{officer}/availability",
        f"/clerk/officers/{officer}/recusal",
        "/clerk/sessions/new",
    ]
    for path in pages:
        assert client.get(path).status_code == 403, path
        answer = client.post(path, data={"csrf_token": csrf, "name": "Kim Osei"})
        assert answer.status_code == 403, path
        assert "Not allowed" in answer.text
    with transaction(engine) as session:
        assert len(list_officers(session)) == 1


def test_control_characters_are_refused_next_to_the_field(web: Web, engine: Engine) -> None:
    """As at intake and in the API: invisible on a page, and PostgreSQL cannot hold NUL."""
    page = refused(
        web,
        "/clerk/officers",
        name="Kim\x00Osei",
        qualification="pro_tem_judge",
        independence=INDEPENDENCE,
    )
    assert error_at(page, "name") == "Error: contains control character U+0000"
    with transaction(engine) as session:
        assert [o.name for o in list_officers(session)] == ["Ada Ruiz"]


def test_an_office_form_leads_back_and_cancels_to_where_it_came_from(
    web: Web, engine: Engine
) -> None:
    client, _, _ = web
    officer = ada(engine)
    html = client.get(f"/clerk/officers/{officer}/availability").text
    assert 'class="cancel" href="/clerk/officers' in html
    assert '<p class="back"><a href="/clerk/officers' in html
