"""A clerk's desk for the web tests: citations at every step of a contest, a docket session,
and a token per role. The fast TestClient tests and the browser test share it.

The pages' clock is pinned to CLOCK (10:00 on Friday 2026-12-04 in Los Angeles), so the
first day a hearing may be set is Monday 2026-12-14, the day of the session below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.hearings.contests import request_review
from citations.hearings.scheduling import schedule_hearing
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from citations.web.auth import clock
from tests.browser.html import csrf_of
from tests.conftest import NOW
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session, to_ready

CLOCK = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
"""10:00 on Friday 2026-12-04 in Los Angeles."""
HEARING_DAY = date(2026, 12, 14)
HEARING_TIME = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
"""09:00 on the hearing day in Los Angeles: the session opens, with the `on_docket` hearing."""
HOSTILE = '<script>alert("x")</script>'


@dataclass
class Desk:
    tokens: dict[str, str] = field(default_factory=dict)
    """Role -> token secret."""
    numbers: dict[str, str] = field(default_factory=dict)
    """What each citation is waiting for -> its number."""
    session_id: int = 0


def person(n: int, first: str, last: str, language: str = "en") -> dict[str, object]:
    return {
        "first_name": first,
        "last_name": last,
        "date_of_birth": f"198{n}-0{n}-1{n}",
        "identifiers": [{"type": "CA-DL", "number": f"D900000{n}"}],
        "preferred_language": language,
    }


def set_desk(engine: Engine) -> Desk:
    """Publish the test catalog and put citations at each step a clerk meets in a day."""
    prepare(engine)
    desk = Desk()
    with transaction(engine) as session:
        for role, agency in [
            ("clerk", None),
            ("admin", None),
            ("hearing_officer", None),
            ("officer", "DCPD"),
            ("attorney", None),
            ("auditor", None),
        ]:
            _, desk.tokens[role] = create_token(
                session, role=role, agency=agency, name=f"{role} desk", actor=OPERATOR, now=NOW
            )
    _, desk.session_id = officer_with_session(engine, "Ada Ruiz", HEARING_DAY, capacity=4)
    on_docket = issue_one(engine, **person(1, "Maria", "Lopez", "es"))
    to_ready(engine, on_docket)
    with transaction(engine) as session:
        schedule_hearing(session, on_docket, actor=CLERK, now=CLOCK)
    to_schedule = issue_one(engine, **person(2, "Sam", "Okafor"))
    to_ready(engine, to_schedule)
    waiver = issue_one(engine, **person(3, "Lena", "Vu", "vi"))
    to_ready(engine, waiver, deposit=False)
    review = issue_one(engine, **person(4, HOSTILE, "Doe"))
    with transaction(engine) as session:
        request_review(
            session,
            review,
            "The sign was covered; <b>see photo</b>.",
            received_at=at("2026-12-02"),
            actor=CLERK,
            now=at("2026-12-02"),
        )
    issued = issue_one(engine, **person(5, "Ana", "Reyes"))
    desk.numbers = {
        "on_docket": on_docket,
        "to_schedule": to_schedule,
        "waiver": waiver,
        "review": review,
        "issued": issued,
    }
    return desk


def desk_app(database_url: str) -> FastAPI:
    """The whole application (API and pages) with the pages' clock pinned to CLOCK."""
    app = create_app(database_url)
    app.dependency_overrides[clock] = lambda: CLOCK
    return app


def move_pages_clock(client: TestClient, moment: datetime) -> None:
    """The day's work goes on: the pages act at `moment` from now on (a hearing is decided on
    its day, a request that arrives later is recorded then)."""
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[clock] = lambda: moment


def sign_in(client: TestClient, secret: str, next_page: str = "/clerk/") -> str:
    """Sign in through the login form; returns the session's form token."""
    login = client.get("/clerk/login")
    answer = client.post(
        "/clerk/login",
        data={"csrf_token": csrf_of(login.text), "token": secret, "next": next_page},
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/clerk/contests").text)


def sign_in_account(
    client: TestClient, username: str, password: str, next_page: str = "/clerk/"
) -> str:
    """Sign in with a staff account's username and password through the login form; returns
    the session's form token (from the page signing in leads to: the "choose your password"
    page for an account whose password must change)."""
    login = client.get("/clerk/login")
    answer = client.post(
        "/clerk/login",
        data={
            "csrf_token": csrf_of(login.text),
            "username": username,
            "password": password,
            "next": next_page,
        },
    )
    assert answer.status_code == 303, answer.text
    landing = answer.headers["location"]
    return csrf_of(
        client.get("/clerk/password" if landing.endswith("/password") else "/clerk/contests").text
    )
