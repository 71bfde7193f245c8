"""Odd values typed into the clerks' pages: every one is a form error or a 4xx page, never
the 500 page (issue 13: `²`, 99999999999999999999 and 1e30 in fields and paths, days at year 1
and 9999, a form of more than 1,000 fields, the same availability window twice), and every
text field of every form refuses control characters next to the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from citations.database import transaction
from citations.hearings.tables import Availability
from citations.web import contest_forms, hearing_forms, officers, session_forms
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk, str]

# Which desk citation each citation form is tried on: one in the state the form acts on.
ON = {
    "review-request": "issued",
    "review": "review",
    "hearing-request": "review",
    "waiver": "waiver",
    "deposit": "waiver",
    "schedule": "to_schedule",
    "continue": "on_docket",
    "no-show": "on_docket",
    "set-aside": "on_docket",
    "decision": "on_docket",
}


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url),
        base_url="https://testserver",
        follow_redirects=False,
        raise_server_exceptions=False,
    ) as client:
        yield client, filled, sign_in(client, filled.tokens["admin"])


# What a form needs before it reads its other fields (a choice, a day): each form refuses
# itself at once without them, so every field could not be shown its own error.
BASE: dict[str, dict[str, str]] = {
    "review": {"outcome": "upheld"},
    "decision": {"outcome": "upheld"},
    "hearing-request": {"basis": "deposit"},
    "waiver": {"decision": "grant"},
    "/clerk/officers": {"qualification": "pro_tem_judge"},
    "/clerk/officers/1/availability": {"day": "2026-12-21", "start": "09:00", "end": "12:00"},
    "/clerk/sessions/new": {
        "day": "2026-12-21",
        "start": "09:00",
        "officer_id": "1",
        "capacity": "4",
    },
}


def form_paths(desk: Desk) -> list[tuple[str, frozenset[str]]]:
    paths = [
        (f"/clerk/citations/{desk.numbers[ON[page.slug]]}/{page.slug}", page.fields)
        for page in hearing_forms.PAGES + contest_forms.PAGES
    ]
    paths += [
        ("/clerk" + page.path.format(officer_id=1), page.fields)
        for _, page in officers.PAGES + session_forms.PAGES
    ]
    return paths


def test_every_field_of_every_form_refuses_a_control_character(web: Web) -> None:
    client, desk, csrf = web
    tried = 0
    for path, fields in form_paths(desk):
        for name in sorted(fields):
            base = BASE.get(path.rsplit("/", 1)[-1], BASE.get(path, {}))
            if name == "waiver_declaration":  # read only when the waiver is the basis
                base = {"basis": "waiver"}
            sent = base | {"csrf_token": csrf, name: "Ana\x07Ruiz"}
            answer = client.post(path, data=sent)
            assert answer.status_code == 422, (path, name, answer.status_code)
            assert "contains control character U+0007" in answer.text, (path, name)
            tried += 1
    assert tried >= 30


EXTREME_PAGES = [
    "/clerk/docket/0001-01-01",
    "/clerk/docket/9999-12-31",
    "/clerk/docket/0001-01-01/print",
    "/clerk/docket/9999-12-31/print",
    "/clerk/sessions/99999999999999999999/docket.pdf",
    "/clerk/sessions/%C2%B2/docket.pdf",
    "/clerk/officers/99999999999999999999/availability",
    "/clerk/officers/%C2%B2/availability",
]


@pytest.mark.parametrize("path", EXTREME_PAGES)
def test_an_extreme_day_or_id_in_a_path_is_a_page_not_a_server_error(web: Web, path: str) -> None:
    client, _, _ = web
    answer = client.get(path)
    assert answer.status_code in (400, 404), answer.text
    assert "Something went wrong" not in answer.text


def extreme_forms(desk: Desk) -> list[tuple[str, dict[str, str], str, str]]:
    """(path, fields, the field refused, the message shown next to it)."""
    schedule = f"/clerk/citations/{desk.numbers['to_schedule']}/schedule"
    deposit = f"/clerk/citations/{desk.numbers['waiver']}/deposit"
    session = {"day": "2026-12-21", "start": "09:00", "capacity": "4", "officer_id": "1"}
    window = {"day": "2026-12-21", "start": "09:00", "end": "12:00"}
    return [
        (schedule, {"session": "²"}, "session", "choose one from the list"),
        (schedule, {"session": "99999999999999999999"}, "session", "choose one from the list"),
        ("/clerk/sessions/new", session | {"officer_id": "²"}, "officer_id", ""),
        ("/clerk/sessions/new", session | {"capacity": "99999999999999999999"}, "capacity", ""),
        ("/clerk/sessions/new", session | {"day": "9999-12-31"}, "day", "from 1900 to 9000"),
        (deposit, {"deposit": "1e30"}, "deposit", "enter an amount such as 250.00"),
        (deposit, {"deposit": "99999999999999999999"}, "deposit", "cannot exceed"),
        (deposit, {"deposit": "1.999"}, "deposit", "at most two decimals"),
        (deposit, {"deposit": "²"}, "deposit", "enter an amount such as 250.00"),
        (deposit, {"deposit": "5", "received_at": "0001-01-01T00:00"}, "received_at", "from"),
        (deposit, {"deposit": "5", "received_at": "9999-12-31T23:59"}, "received_at", "from"),
        ("/clerk/officers/1/availability", window | {"day": "0001-01-01"}, "day", "from 1900"),
    ]


def test_extreme_values_in_forms_are_errors_next_to_their_field(web: Web) -> None:
    client, desk, csrf = web
    for path, fields, field, message in extreme_forms(desk):
        answer = client.post(path, data={"csrf_token": csrf, **fields})
        assert answer.status_code == 422, (path, fields, answer.status_code)
        assert f'id="f-{field}-error-1"' in answer.text, (path, fields)
        assert message in answer.text, (path, fields)


def test_a_form_of_more_than_1000_fields_is_refused_with_a_page(web: Web) -> None:
    client, desk, csrf = web
    many = {f"field{i}": "x" for i in range(1_001)}
    answer = client.post(
        f"/clerk/citations/{desk.numbers['to_schedule']}/schedule",
        data={"csrf_token": csrf, **many},
    )
    assert answer.status_code == 400, answer.text
    assert "Too many fields" in answer.text


def test_the_same_availability_window_twice_is_a_form_error(web: Web, engine: Engine) -> None:
    client, _, csrf = web
    window = {"csrf_token": csrf, "day": "2026-12-21", "start": "09:00", "end": "12:00"}
    assert client.post("/clerk/officers/1/availability", data=window).status_code == 303
    again = client.post("/clerk/officers/1/availability", data=window | {"end": "13:00"})
    assert again.status_code == 422, again.text
    assert "a window on 2026-12-21 already starts at 09:00" in again.text
    with transaction(engine) as session:
        count = select(func.count()).select_from(Availability)
        assert session.scalar(count.where(Availability.officer_id == 1)) == 2  # desk's + this
