"""Steps for the tests of the cited person's pages: the app on a pinned clock, and a person
finding their citation through the form, as they would.

The desk of tests/browser/desk.py gives citations at each step (its `person(n, ...)` was born
on 198n-0n-1n); the pages' clock is pinned to its CLOCK (10:00 on Friday 2026-12-04 in Los
Angeles) unless a test moves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import make_engine
from citations.http.deps import clock as public_clock
from citations.web.auth import clock as clerk_clock
from tests.browser.desk import CLOCK, Desk
from tests.browser.html import csrf_of


def door_app(database_url: str, moment: datetime = CLOCK) -> FastAPI:
    """The whole application, its pages' clocks (the person's and the clerks') at `moment`."""
    app = create_app(database_url)
    move_door_clock(app, moment)
    return app


def move_door_clock(app: FastAPI, moment: datetime) -> None:
    app.dependency_overrides[public_clock] = lambda: moment
    app.dependency_overrides[clerk_clock] = lambda: moment


def door_client(database_url: str, moment: datetime = CLOCK) -> TestClient:
    """A browser on the public pages (https, so the Secure cookie is sent back)."""
    return TestClient(
        door_app(database_url, moment), base_url="https://testserver", follow_redirects=False
    )


def birth_of(n: int) -> str:
    """The date of birth of the desk's `person(n, ...)`."""
    return f"198{n}-0{n}-1{n}"


def try_to_find(client: TestClient, number: str, birth: str) -> httpx2.Response:
    """Fill in the find form as a person does (the month and day without leading zeros)."""
    year, month, day = birth.split("-")
    form = client.get("/")
    return client.post(
        "/",
        data={
            "csrf_token": csrf_of(form.text),
            "number": number,
            "year": year,
            "month": str(int(month)),
            "day": str(int(day)),
        },
    )


def find_citation_as_person(
    client: TestClient, number: str, birth: str, *, expect: int = 303
) -> str:
    """Find a citation through the form; returns the page's form token after it (the
    session's, when found)."""
    answer = try_to_find(client, number, birth)
    assert answer.status_code == expect, answer.text
    if expect != 303:
        return csrf_of(answer.text)
    assert answer.headers["location"] == "/citation"
    return csrf_of(client.get("/citation").text)


Door = tuple[TestClient, Desk, Engine]
"""The public pages' client, the desk the database was filled with, and an engine on it."""


@pytest.fixture
def door(filled: Desk, database_url: str) -> Iterator[Door]:
    """The pages on the desk's filled database (a module marked `filled_by(fill=set_desk)`);
    use it with `from tests.public_steps import Door, door`."""
    engine = make_engine(database_url)
    try:
        with door_client(database_url) as client:
            yield client, filled, engine
    finally:
        engine.dispose()
