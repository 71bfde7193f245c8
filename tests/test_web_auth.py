"""Signing in to the clerks' pages: the session cookie, form tokens, roles, and the edge.

Every test drives the whole application (API and pages) through TestClient over https, as a
browser would: the session cookie is Secure, so it only travels over a secure connection.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import history
from citations.database import transaction
from citations.record.lookup import get_citation
from citations.record.tokens import create_token, list_tokens, revoke_token
from citations.record.web_sessions import WebSession
from citations.roles import OPERATOR
from citations.web.auth import clock
from citations.web.guard import COOKIE
from tests.browser.desk import (
    CLOCK,
    HEARING_TIME,
    Desk,
    desk_app,
    move_pages_clock,
    set_desk,
    sign_in,
)
from tests.browser.html import Page, csrf_of

pytestmark = [
    pytest.mark.filled_by(fill=set_desk),
    pytest.mark.clock(CLOCK),  # the desk's day: the pages, the API and tokens agree
]

Web = tuple[TestClient, Desk]


def status_of(engine: Engine, number: str) -> str:
    with transaction(engine) as session:
        return get_citation(session, number, OPERATOR).status


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    desk = filled
    app = desk_app(database_url)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client, desk


def test_pages_send_strangers_to_the_login_page_and_back(web: Web) -> None:
    client, desk = web
    number = desk.numbers["on_docket"]
    answer = client.get(f"/clerk/citations/{number}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/clerk/login?next=%2Fclerk%2Fcitations%2F{number}"
    login = client.get(answer.headers["location"])
    assert login.status_code == 200
    page = Page(login.text)
    assert page.attrs["f-token"]["type"] == "password"
    assert page.words("f-token-hint").startswith("The token an administrator created")
    back = client.post(
        "/clerk/login",
        data={
            "csrf_token": csrf_of(login.text),
            "token": desk.tokens["clerk"],
            "next": f"/clerk/citations/{number}",
        },
    )
    assert back.status_code == 303 and back.headers["location"] == f"/clerk/citations/{number}"
    assert client.get(back.headers["location"]).status_code == 200


def test_the_session_cookie_is_signed_secure_http_only_and_same_site(web: Web) -> None:
    client, desk = web
    login = client.get("/clerk/login")
    before = login.headers["set-cookie"]  # the login form's own cookie, for its form token
    answer = client.post(
        "/clerk/login",
        data={"csrf_token": csrf_of(login.text), "token": desk.tokens["clerk"], "next": ""},
    )
    for cookie in (before, answer.headers["set-cookie"]):
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "samesite", "path", "max-age"} <= flags
        assert "SameSite=lax" in cookie and "Path=/clerk" in cookie
        assert "Max-Age=43200" in cookie  # a working day
    # The form token changes at sign-in: one learnt before is worth nothing after.
    assert csrf_of(client.get("/clerk/contests").text) != csrf_of(login.text)
    # A cookie changed by hand is not a session: back to the login page.
    value = client.cookies.get(COOKIE)
    assert value is not None
    client.cookies.set(COOKIE, value[:-3] + ("xyz" if not value.endswith("xyz") else "abc"))
    assert client.get("/clerk/contests").status_code == 303


def test_the_session_cookie_holds_a_session_key_never_the_token(web: Web) -> None:
    """A leaked cookie must not be an API credential."""
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    value = client.cookies.get(COOKIE)
    assert value is not None
    payload = value.split(".")[0] + "=" * (-len(value.split(".")[0]) % 4)
    decoded = base64.urlsafe_b64decode(payload).decode()
    secret = desk.tokens["clerk"]
    assert secret not in value and secret not in decoded
    assert '"key":' in decoded and "token" not in decoded


def test_a_wrong_token_is_refused_next_to_the_field_and_never_echoed(web: Web) -> None:
    client, _ = web
    login = client.get("/clerk/login")
    typed = "cit_not-a-real-token"
    answer = client.post(
        "/clerk/login", data={"csrf_token": csrf_of(login.text), "token": typed, "next": ""}
    )
    assert answer.status_code == 401
    page = Page(answer.text)
    assert "not valid" in page.words("f-token-error-1")
    assert "f-token-error-1" in page.attrs["f-token"]["aria-describedby"]
    assert typed not in answer.text
    assert client.get("/clerk/contests").status_code == 303  # still signed out


@pytest.mark.parametrize("role", ["officer", "attorney", "auditor"])
def test_roles_outside_the_hearing_office_are_refused(web: Web, role: str) -> None:
    client, desk = web
    login = client.get("/clerk/login")
    answer = client.post(
        "/clerk/login",
        data={"csrf_token": csrf_of(login.text), "token": desk.tokens[role], "next": ""},
    )
    assert answer.status_code == 403
    assert "cannot use the clerks' pages" in Page(answer.text).words("f-token-error-1")
    assert client.get("/clerk/contests").status_code == 303


def test_a_hearing_officer_may_view_and_decide_but_not_schedule(web: Web) -> None:
    client, desk = web
    sign_in(client, desk.tokens["hearing_officer"])
    home = client.get("/clerk/")
    assert home.status_code == 303 and home.headers["location"] == "/clerk/contests"
    assert client.get("/clerk/docket/2026-12-14").status_code == 403
    number = desk.numbers["to_schedule"]
    refused = client.get(f"/clerk/citations/{number}/schedule")
    assert refused.status_code == 403
    assert "may not schedule hearing" in refused.text
    assert client.get(f"/clerk/citations/{desk.numbers['on_docket']}/decision").status_code == 200
    contests = Page(client.get("/clerk/contests").text)
    # The queue offers only what this role may do: a review, not a waiver decision.
    assert f"/clerk/citations/{desk.numbers['review']}/review" in contests.links
    assert f"/clerk/citations/{desk.numbers['waiver']}/waiver" not in contests.links


def test_every_post_needs_the_session_form_token(web: Web, engine: Engine) -> None:
    client, desk = web
    number = desk.numbers["on_docket"]
    move_pages_clock(client, HEARING_TIME)  # a no-show is recorded once the hearing begins
    csrf = sign_in(client, desk.tokens["clerk"])  # that day's session
    for sent in ({}, {"csrf_token": "forged"}):
        answer = client.post(f"/clerk/citations/{number}/no-show", data=sent)
        assert answer.status_code == 403
        assert "form token" in answer.text
    assert status_of(engine, number) == "hearing_scheduled"  # nothing happened
    done = client.post(f"/clerk/citations/{number}/no-show", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert status_of(engine, number) == "paid"  # upheld by default; the deposit pays it


def test_the_login_form_needs_its_form_token_too(web: Web) -> None:
    client, desk = web
    client.get("/clerk/login")
    answer = client.post("/clerk/login", data={"token": desk.tokens["clerk"], "next": ""})
    assert answer.status_code == 403
    assert client.get("/clerk/contests").status_code == 303


def test_a_revoked_token_ends_the_session_at_once(web: Web, engine: Engine) -> None:
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    assert client.get("/clerk/contests").status_code == 200
    with transaction(engine) as session:
        token = next(t for t in list_tokens(session) if t.role == "clerk")
        revoke_token(session, token.id, actor=OPERATOR, now=CLOCK)
    answer = client.get("/clerk/contests")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("&ended=1")
    assert "Your session ended" in client.get(answer.headers["location"]).text


def test_an_expired_token_ends_the_session(web: Web, engine: Engine) -> None:
    client, _ = web
    with transaction(engine) as session:
        _, secret = create_token(
            session,
            role="clerk",
            agency=None,
            name="short",
            actor=OPERATOR,
            now=CLOCK - timedelta(days=1),
            expires_at=CLOCK + timedelta(minutes=5),
        )
    sign_in(client, secret)
    assert client.get("/clerk/contests").status_code == 200
    app: FastAPI = client.app  # type: ignore[assignment]
    app.dependency_overrides[clock] = lambda: CLOCK + timedelta(hours=1)
    assert client.get("/clerk/contests").status_code == 303


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(
    web: Web, engine: Engine
) -> None:
    client, desk = web
    csrf = sign_in(client, desk.tokens["admin"])
    kept = client.cookies.get(COOKIE)  # a copy: another tab's, a proxy's, a thief's
    assert kept is not None
    answer = client.post("/clerk/logout", data={"csrf_token": csrf})
    assert answer.status_code == 303 and answer.headers["location"] == "/clerk/login?out=1"
    assert 'citations_clerk=""' in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert client.get("/clerk/contests").status_code == 303
    client.cookies.set(COOKIE, kept)
    replayed = client.get("/clerk/contests")
    assert replayed.status_code == 303
    assert replayed.headers["location"].endswith("&ended=1")
    with transaction(engine) as session:
        [signed_out] = session.scalars(select(WebSession).where(WebSession.ended_at.is_not(None)))
        actions = [e.action for e in history(session, "web_session", str(signed_out.id))]
    assert actions == ["web.sign_in", "web.sign_out"]


def test_a_session_ends_after_a_working_day_whatever_the_cookie_says(web: Web) -> None:
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    app: FastAPI = client.app  # type: ignore[assignment]
    # A clerk at work all day (a page every 20 minutes: never idle long enough to end it).
    for minutes in [*range(20, 12 * 60, 20), 12 * 60 - 1]:
        moment = CLOCK + timedelta(minutes=minutes)
        app.dependency_overrides[clock] = lambda moment=moment: moment
        assert client.get("/clerk/contests").status_code == 200
    app.dependency_overrides[clock] = lambda: CLOCK + timedelta(hours=12)
    answer = client.get("/clerk/contests")
    assert answer.status_code == 303 and answer.headers["location"].endswith("&ended=1")


def test_revoking_the_token_ends_its_sessions_in_the_database(web: Web, engine: Engine) -> None:
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    with transaction(engine) as session:
        token = next(t for t in list_tokens(session) if t.role == "clerk")
        revoke_token(session, token.id, actor=OPERATOR, now=CLOCK)
    with transaction(engine) as session:
        rows = session.scalars(select(WebSession).where(WebSession.token_id == token.id)).all()
    assert rows and all(row.ended_at == CLOCK for row in rows)


def test_pages_are_not_part_of_the_api_description(web: Web) -> None:
    client, _ = web
    app: FastAPI = client.app  # type: ignore[assignment]
    paths = app.openapi()["paths"]
    assert paths and not [p for p in paths if p.startswith("/clerk")]


def test_pages_forbid_framing_and_scripts_and_are_not_cached(web: Web) -> None:
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    answer = client.get("/clerk/contests")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no scripts at all
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text.replace("&lt;script", "")


def test_an_unknown_page_is_a_page_not_a_problem_document(web: Web) -> None:
    client, desk = web
    sign_in(client, desk.tokens["clerk"])
    for path in ("/clerk/no/such/page", "/clerk/sessions/abc/docket.pdf"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "<h1>Not found</h1>" in answer.text
