"""Sessions, headers and docs against a real `citations serve` process, as a browser and an
integration meet them (tests/live_server.py): sign-out ends the session for a copy of the
cookie, across a kill -9 and restart too; personal data is never cached; HSTS follows the
scheme the proxy reports; no API description or docs unless configured."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import prepare
from tests.live_server import LiveServer
from tests.money_steps import issue_one, pay

COOKIE = "citations_clerk"


@dataclass(frozen=True)
class Live:
    server: LiveServer
    clerk: str
    number: str
    receipt: str


@pytest.fixture
def live(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Live]:
    prepare(engine)
    number = issue_one(engine)
    paid, _ = pay(engine, number, "50.00")
    with transaction(engine) as session:
        _, clerk = create_token(
            session, role="clerk", agency=None, name="desk", actor=OPERATOR, now=NOW
        )
    # A fixed signing key, so a cookie signed before a restart still has a valid signature
    # after it: whatever refuses it then is the session's end in the database.
    monkeypatch.setenv("CITATIONS_WEB_SECRET_KEY", "k" * 32)
    with LiveServer(database_url, tmp_path / "serve.log") as server:
        yield Live(server, clerk, number, paid.receipt_number)


def cookie_of(answer: httpx2.Response) -> str:
    """`citations_clerk=...` from an answer's Set-Cookie (the cookie is Secure, so a client
    would not send it back over plain http to 127.0.0.1 by itself; the test does)."""
    header = answer.headers["set-cookie"]
    found = re.search(rf"{COOKIE}=[^;]*", header)
    assert found, header
    return found.group(0)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def sign_in(server: LiveServer, secret: str) -> tuple[str, str]:
    """(the session cookie, its form token), through the login form."""
    with server.client() as client:
        login = client.get("/clerk/login")
        answer = client.post(
            "/clerk/login",
            data={"csrf_token": csrf_of(login.text), "token": secret, "next": "/clerk/"},
            headers={"Cookie": cookie_of(login)},
        )
    assert answer.status_code == 303, answer.text
    cookie = cookie_of(answer)
    page = contests(server, cookie)
    assert page.status_code == 200
    return cookie, csrf_of(page.text)


def contests(server: LiveServer, cookie: str) -> httpx2.Response:
    with server.client() as client:  # a new connection each time
        return client.get("/clerk/contests", headers={"Cookie": cookie})


def test_signing_out_ends_the_session_even_across_a_kill_and_restart(live: Live) -> None:
    server = live.server
    cookie, csrf = sign_in(server, live.clerk)
    other, _ = sign_in(server, live.clerk)  # a second session of the same clerk stays
    with server.client() as client:
        out = client.post("/clerk/logout", data={"csrf_token": csrf}, headers={"Cookie": cookie})
    assert out.status_code == 303
    server.kill()  # at once: the sign-out was committed before its answer, or it is lost
    server.start()
    replayed = contests(server, cookie)
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/clerk/login?")
    assert replayed.headers["location"].endswith("&ended=1")
    assert contests(server, other).status_code == 200


def test_personal_data_is_never_cached_and_https_gets_hsts(live: Live) -> None:
    n = live.number
    paths = [f"/v1/citations/{n}", f"/v1/citations/{n}/ledger", f"/v1/citations/{n}/notice.pdf"]
    paths.append(f"/v1/payments/{live.receipt}/receipt.pdf")
    with live.server.client(live.clerk) as client:
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert answer.headers["cache-control"] == "no-store", path
            assert "strict-transport-security" not in answer.headers  # plain http
        # Behind a proxy on this host that ended TLS: uvicorn trusts its X-Forwarded-Proto.
        proxied = client.get(paths[2], headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"] == "max-age=31536000"
        assert proxied.headers["cache-control"] == "no-store"
        assert proxied.headers["content-type"] == "application/pdf"


def test_no_description_or_docs_by_default(live: Live) -> None:
    for token in (None, live.clerk):
        with live.server.client(token) as client:
            for path in ("/docs", "/redoc", "/openapi.json"):
                assert client.get(path).status_code == 404, (path, token)
