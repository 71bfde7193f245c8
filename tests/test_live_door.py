"""The cited person's door against a real `citations serve` process (tests/live_server.py),
as a phone meets it: a session and the wrong tries are committed before their answers (a
kill -9 right after the answer loses neither), leaving ends the session for a copy of the
cookie, the limit counts the client's address behind a trusted proxy, and every answer is
marked not to be indexed or cached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.record.access import mint_access_code
from citations.record.lookup import find_citation
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one
from tests.live_server import LiveServer

COOKIE = "citations_person"
BIRTH = ("1990", "4", "2")
"""The date of birth of tests.factories.subject()."""


@pytest.fixture
def server(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    prepare(engine)
    # A fixed signing key, so a cookie signed before a restart is still well signed after it:
    # whatever refuses it then is the session's end in the database.
    monkeypatch.setenv("CITATIONS_WEB_SECRET_KEY", "k" * 32)
    with LiveServer(database_url, tmp_path / "serve.log", slow_commit=0.2) as live:
        yield live


def cookie_of(answer: httpx2.Response) -> str:
    """`citations_person=...` from Set-Cookie (the cookie is Secure, so a client would not
    send it back over plain http to 127.0.0.1 by itself; the test does)."""
    found = re.search(rf"{COOKIE}=[^;]*", answer.headers["set-cookie"])
    assert found, answer.headers["set-cookie"]
    return found.group(0)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def try_to_find(
    server: LiveServer, number: str, birth: tuple[str, str, str], client_address: str
) -> httpx2.Response:
    year, month, day = birth
    proxy = {"X-Forwarded-For": client_address}
    with server.client() as client:
        form = client.get("/", headers=proxy)
        return client.post(
            "/",
            data={
                "csrf_token": csrf_of(form.text),
                "number": number,
                "year": year,
                "month": month,
                "day": day,
            },
            headers={"Cookie": cookie_of(form), **proxy},
        )


def page(server: LiveServer, cookie: str, path: str = "/citation") -> httpx2.Response:
    with server.client() as client:  # a new connection each time
        return client.get(path, headers={"Cookie": cookie})


def test_a_session_survives_a_kill_right_after_its_answer_and_leaving_ends_it(
    server: LiveServer, engine: Engine
) -> None:
    number = issue_one(engine)
    found = try_to_find(server, number, BIRTH, "203.0.113.5")
    assert found.status_code == 303 and found.headers["location"] == "/citation"
    cookie = cookie_of(found)
    server.kill()  # at once: the session was committed before the answer, or it is lost
    server.start()
    mine = page(server, cookie)
    assert mine.status_code == 200 and number in mine.text
    assert mine.headers["cache-control"] == "no-store"
    assert mine.headers["x-robots-tag"] == "noindex, nofollow"
    notice = page(server, cookie, "/notice.pdf")
    assert notice.status_code == 200 and notice.headers["content-type"] == "application/pdf"
    assert notice.headers["cache-control"] == "no-store"
    with server.client() as client:
        left = client.post(
            "/leave", data={"csrf_token": csrf_of(mine.text)}, headers={"Cookie": cookie}
        )
    assert left.status_code == 303
    server.kill()
    server.start()
    again = page(server, cookie)
    assert again.status_code == 303 and again.headers["location"] == "/?ended=1"


def test_wrong_tries_are_kept_across_a_kill_and_counted_per_client_behind_a_proxy(
    server: LiveServer, engine: Engine
) -> None:
    first, second = issue_one(engine), issue_one(engine)
    for _ in range(5):
        wrong = try_to_find(server, first, ("1970", "1", "1"), "203.0.113.7")
        assert wrong.status_code == 200
        assert "We could not find a citation" in wrong.text
    server.kill()
    server.start()
    # The client that tried: waits, even with the right date of birth and another number.
    assert try_to_find(server, first, BIRTH, "203.0.113.7").status_code == 429
    waits = try_to_find(server, second, BIRTH, "203.0.113.7")
    assert waits.status_code == 429 and "try again after" in waits.text
    # Another client behind the same proxy: the number that was tried waits, another opens.
    assert try_to_find(server, first, BIRTH, "203.0.113.8").status_code == 429
    assert try_to_find(server, second, BIRTH, "203.0.113.8").status_code == 303


def test_the_qr_link_opens_the_citation(server: LiveServer, engine: Engine) -> None:
    number = issue_one(engine)
    with transaction(engine) as session:
        citation = find_citation(session, number, CLERK)
        code = mint_access_code(session, citation, printed_on="notice", now=at("2026-11-21"))
    with server.client() as client:
        opened = client.get(f"/c/{code}")
    assert opened.status_code == 303 and opened.headers["referrer-policy"] == "no-referrer"
    assert number in page(server, cookie_of(opened)).text
