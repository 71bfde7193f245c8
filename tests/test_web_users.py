"""Signing in with a staff account, and the administrators' account pages, through the whole
application (TestClient over https, as a browser would), on SQLite and PostgreSQL."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import AuditEvent, history
from citations.database import transaction
from citations.record.accounts import get_user
from citations.record.passwords import verify_password
from tests.browser.desk import (
    CLOCK,
    Desk,
    desk_app,
    move_pages_clock,
    set_desk,
    sign_in,
    sign_in_account,
)
from tests.browser.html import Page, csrf_of
from tests.staff_steps import PASSWORD, make_user

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]


@pytest.fixture
def client(filled: Desk, database_url: str) -> Iterator[TestClient]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as made:
        yield made


@pytest.fixture
def admin_client(filled: Desk, database_url: str, engine: Engine) -> Iterator[TestClient]:
    make_user(engine, "boss", name="Pat Boss", title="Court administrator", role="admin")
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as made:
        sign_in_account(made, "boss", PASSWORD)
        yield made


def plain(html: str) -> str:
    """A page's words, without its tags."""
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def temporary_in(html: str) -> str:
    found = re.search(r'<code class="temporary-password">([^<]+)</code>', html)
    assert found, "no temporary password on the page"
    return found.group(1)


def post_login(client: TestClient, username: str, password: str) -> tuple[int, Page, str]:
    login = client.get("/clerk/login")
    answer = client.post(
        "/clerk/login",
        data={
            "csrf_token": csrf_of(login.text),
            "username": username,
            "password": password,
            "next": "",
        },
    )
    return answer.status_code, Page(answer.text), answer.text


def test_a_person_signs_in_as_themselves(client: TestClient, engine: Engine) -> None:
    make_user(engine)
    sign_in_account(client, "JLee", PASSWORD)
    page = client.get("/clerk/contests")
    assert page.status_code == 200
    assert "Signed in as Jordan Lee, Hearing clerk" in plain(page.text)
    assert "token" not in plain(page.text).split("Contests waiting")[0].lower()
    with transaction(engine) as session:
        sign_ins = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "web.sign_in")
        ).all()
        assert [e.actor for e in sign_ins] == ["Jordan Lee, Hearing clerk"]
    # Signing out ends the session, and names the person.
    client.post("/clerk/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/clerk/contests").status_code == 303
    with transaction(engine) as session:
        [out] = session.scalars(select(AuditEvent).where(AuditEvent.action == "web.sign_out")).all()
        assert out.actor == "Jordan Lee, Hearing clerk"


def test_a_wrong_password_and_an_unknown_username_read_the_same(
    client: TestClient, engine: Engine
) -> None:
    make_user(engine)
    status, page, html = post_login(client, "jlee", "not my password")
    assert status == 401
    assert page.words("login-error") == "The username or password is not right."
    assert "not my password" not in html
    assert page.attrs["f-username"]["value"] == "jlee"
    assert page.attrs["f-password"].get("value") is None
    status, unknown, _ = post_login(client, "nobody", "not my password")
    assert (status, unknown.words("login-error")) == (401, page.words("login-error"))
    assert client.get("/clerk/contests").status_code == 303


def test_the_lockout_says_until_when_in_local_time(client: TestClient, engine: Engine) -> None:
    make_user(engine)
    for _ in range(4):
        assert post_login(client, "jlee", "not my password")[0] == 401
    status, page, _ = post_login(client, "jlee", "not my password")
    assert status == 429
    message = page.words("login-error")
    # CLOCK is 10:00 in Los Angeles: locked for one minute.
    assert "locked until Dec 4, 2026, 10:01 AM" in message
    status, page, _ = post_login(client, "jlee", PASSWORD)  # the right one, while locked
    assert status == 429 and "10:01" in page.words("login-error")
    move_pages_clock(client, CLOCK + timedelta(seconds=61))
    sign_in_account(client, "jlee", PASSWORD)
    assert client.get("/clerk/contests").status_code == 200


def test_a_password_set_by_an_administrator_is_changed_first(
    client: TestClient, engine: Engine
) -> None:
    make_user(engine, must_change=True)
    csrf = sign_in_account(client, "jlee", PASSWORD)
    away = client.get("/clerk/contests")
    assert (away.status_code, away.headers["location"]) == (303, "/clerk/password")
    form = plain(client.get("/clerk/password").text)
    assert "Choose your password" in form
    refused = client.post(
        "/clerk/password",
        data={
            "csrf_token": csrf,
            "old": PASSWORD,
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert refused.status_code == 400
    page = Page(refused.text)
    assert "common password" in page.words("f-password-error-1")
    assert "f-password-error-1" in page.attrs["f-password"]["aria-describedby"]
    done = client.post(
        "/clerk/password",
        data={
            "csrf_token": csrf,
            "old": PASSWORD,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert done.status_code == 200 and "Your password is changed" in plain(done.text)
    assert client.get("/clerk/contests").status_code == 200
    with transaction(engine) as session:
        user = get_user(session, "jlee")
        assert not user.must_change_password
        assert verify_password(user.password_hash, "a brand new phrase")


def test_an_idle_session_ends(client: TestClient, engine: Engine) -> None:
    make_user(engine)
    sign_in_account(client, "jlee", PASSWORD)
    move_pages_clock(client, CLOCK + timedelta(minutes=29))
    assert client.get("/clerk/contests").status_code == 200  # and counts as activity
    move_pages_clock(client, CLOCK + timedelta(minutes=58))
    assert client.get("/clerk/contests").status_code == 200
    move_pages_clock(client, CLOCK + timedelta(minutes=88))
    ended = client.get("/clerk/contests")
    assert ended.status_code == 303 and "ended=1" in ended.headers["location"]


def test_a_token_session_goes_idle_too(client: TestClient, filled: Desk) -> None:
    sign_in(client, filled.tokens["clerk"])
    move_pages_clock(client, CLOCK + timedelta(minutes=31))
    assert client.get("/clerk/contests").status_code == 303


def test_the_account_pages_are_for_administrators_only(client: TestClient, engine: Engine) -> None:
    make_user(engine)
    sign_in_account(client, "jlee", PASSWORD)
    page = client.get("/clerk/contests")
    assert "/clerk/users" not in page.text
    assert client.get("/clerk/users").status_code == 403
    assert client.get("/clerk/users/new").status_code == 403


def test_an_administrator_adds_an_account_with_a_temporary_password(
    admin_client: TestClient, engine: Engine
) -> None:
    listing = admin_client.get("/clerk/users")
    assert listing.status_code == 200
    assert 'href="/clerk/users"' in listing.text  # the nav link, for admins
    csrf = csrf_of(listing.text)
    refused = admin_client.post(
        "/clerk/users/new",
        data={
            "csrf_token": csrf,
            "username": "boss",
            "name": "",
            "title": "Cashier",
            "role": "clerk",
            "agency": "",
        },
    )
    assert refused.status_code == 400
    page = Page(refused.text)
    assert page.words("f-username-error-1") == "Error: There is already an account 'boss'."
    assert page.attrs["f-title"]["value"] == "Cashier"  # what was typed stays
    added = admin_client.post(
        "/clerk/users/new",
        data={
            "csrf_token": csrf,
            "username": "mvu",
            "name": "Mai Vu",
            "title": "Cashier",
            "role": "clerk",
            "agency": "",
        },
    )
    assert added.status_code == 200
    temporary = temporary_in(added.text)
    with transaction(engine) as session:
        user = get_user(session, "mvu")
        assert verify_password(user.password_hash, temporary)
        assert user.must_change_password
        assert user.created_by == "Pat Boss, Court administrator"
        assert history(session, "staff_user", "mvu")[0].actor == "Pat Boss, Court administrator"
    rows = plain(admin_client.get("/clerk/users").text)
    assert "Mai Vu" in rows and "Active (to choose a password)" in rows and "Never" in rows
    assert temporary not in rows  # shown once


def test_disabling_an_account_ends_its_open_session(
    admin_client: TestClient, engine: Engine, filled: Desk, database_url: str
) -> None:
    make_user(engine)
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as clerk:
        sign_in_account(clerk, "jlee", PASSWORD)
        assert clerk.get("/clerk/contests").status_code == 200
        csrf = csrf_of(admin_client.get("/clerk/users").text)
        done = admin_client.post("/clerk/users/jlee/disable", data={"csrf_token": csrf})
        assert (done.status_code, done.headers["location"]) == (303, "/clerk/users?done=disabled")
        listing = plain(admin_client.get(done.headers["location"]).text)
        assert "The account is disabled" in listing and "Disabled since" in listing
        ended = clerk.get("/clerk/contests")
        assert ended.status_code == 303 and "ended=1" in ended.headers["location"]
        assert post_login(clerk, "jlee", PASSWORD)[0] == 401
        admin_client.post("/clerk/users/jlee/enable", data={"csrf_token": csrf})
        sign_in_account(clerk, "jlee", PASSWORD)


def test_a_reset_shows_the_temporary_password_once_and_ends_sessions(
    admin_client: TestClient, engine: Engine, database_url: str
) -> None:
    make_user(engine)
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as clerk:
        sign_in_account(clerk, "jlee", PASSWORD)
        csrf = csrf_of(admin_client.get("/clerk/users").text)
        answer = admin_client.post("/clerk/users/jlee/reset", data={"csrf_token": csrf})
        assert answer.status_code == 200
        temporary = temporary_in(answer.text)
        assert clerk.get("/clerk/contests").status_code == 303
        sign_in_account(clerk, "jlee", temporary)
        assert clerk.get("/clerk/contests").headers["location"] == "/clerk/password"


def test_what_a_person_does_is_recorded_under_their_name_and_title(
    client: TestClient, engine: Engine, filled: Desk
) -> None:
    make_user(engine)
    csrf = sign_in_account(client, "jlee", PASSWORD)
    number = filled.numbers["on_docket"]
    answer = client.post(
        f"/clerk/citations/{number}/continue",
        data={"csrf_token": csrf, "reason": "The person asked to bring a witness."},
    )
    assert answer.status_code == 303, answer.text
    page = plain(client.get(f"/clerk/citations/{number}").text)
    assert "Jordan Lee, Hearing clerk" in page.split("History")[-1]
    with transaction(engine) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_key == number).order_by(AuditEvent.id)
        ).all()
        assert events[-1].actor == "Jordan Lee, Hearing clerk"
