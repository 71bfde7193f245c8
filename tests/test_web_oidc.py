"""Staff signing in through the city's identity provider (OpenID Connect): a stand-in
provider served on a free port (tests/oidc_stand_in.py), the whole application through
TestClient over https, the redirects followed by hand as a browser would; on SQLite and
PostgreSQL."""

from __future__ import annotations

import html as markup
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import httpx2
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.record.accounts import disable_user, get_user
from citations.record.staff import StaffUser
from citations.record.web_sessions import WebSession
from citations.roles import OPERATOR
from citations.settings import Settings, get_settings
from citations.web.guard import COOKIE
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk
from tests.browser.html import Page
from tests.cli_steps import run
from tests.oidc_stand_in import CLIENT_ID, CLIENT_SECRET, Mischief, StandIn, identity_provider
from tests.staff_steps import make_user

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]


@pytest.fixture
def idp(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    with identity_provider(monkeypatch, CLOCK) as served:
        yield served


@pytest.fixture
def client(filled: Desk, database_url: str) -> Iterator[TestClient]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as made:
        yield made


def through_provider(client: TestClient, idp: StandIn, next_page: str = "/clerk/contests") -> str:
    """Start at our /clerk/oidc/start, sign in at the provider, and come back: returns the
    callback's address (with the code and state)."""
    start = client.get(f"/clerk/oidc/start?next={quote(next_page, safe='')}")
    assert start.status_code == 303, start.text
    location = start.headers["location"]
    assert location.startswith(f"{idp.base}/authorize?")
    asked = parse_qs(urlsplit(location).query)
    assert asked["redirect_uri"] == ["https://testserver/clerk/oidc/callback"]
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    back = httpx2.get(location, follow_redirects=False)
    assert back.status_code == 302
    callback = back.headers["location"]
    assert callback.startswith("https://testserver/clerk/oidc/callback?")
    return str(callback)


def sign_in_with_provider(
    client: TestClient, idp: StandIn, next_page: str = "/clerk/contests"
) -> httpx2.Response:
    return client.get(through_provider(client, idp, next_page))


def events(engine: Engine, action: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        found = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        session.expunge_all()
        return found


def account(engine: Engine, username: str) -> StaffUser:
    with transaction(engine) as session:
        user = get_user(session, username)
        session.expunge(user)
        return user


def refused(answer: httpx2.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    page = " ".join(markup.unescape(answer.text).split())
    assert words in page
    assert "Traceback" not in page
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_the_first_sign_in_creates_the_account_and_lands_on_the_page_asked(
    client: TestClient, idp: StandIn, engine: Engine
) -> None:
    answer = sign_in_with_provider(client, idp, "/clerk/contests")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/clerk/contests"
    page = client.get("/clerk/contests")
    assert page.status_code == 200
    assert "Jordan Lee, Clerk" in page.text
    user = account(engine, "jlee")
    assert (user.role, user.name, user.title, user.oidc_subject) == (
        "clerk",
        "Jordan Lee",
        "Clerk",
        idp.person.sub,
    )
    assert user.password_hash is None and user.created_by == "identity provider"
    assert user.last_sign_in_at == CLOCK
    (created,) = events(engine, "staff.create")
    assert (created.actor, created.entity_key) == ("identity provider", "jlee")
    assert created.after is not None
    assert (created.after["role"], created.after["subject"]) == ("clerk", idp.person.sub)
    (signed,) = events(engine, "web.sign_in")
    assert signed.actor == "Jordan Lee, Clerk"
    assert signed.after is not None and signed.after["user"] == user.id
    # The flow's cookie is spent: the same answer from the provider cannot be used again.
    assert client.get(through_provider(client, idp)).status_code == 303
    replay = client.get(answer.request.url)
    assert replay.status_code == 400


def test_the_second_sign_in_finds_the_account(
    client: TestClient, idp: StandIn, engine: Engine
) -> None:
    assert sign_in_with_provider(client, idp).status_code == 303
    client.cookies.clear()
    idp.person.preferred_username = "jordan.renamed"  # the username is not how we find them
    assert sign_in_with_provider(client, idp, "/clerk/").headers["location"] == "/clerk/"
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
        assert session.scalar(select(func.count()).select_from(WebSession)) == 2
    assert len(events(engine, "staff.create")) == 1
    assert events(engine, "staff.update") == []


def test_a_change_of_groups_changes_the_role_and_a_new_name_is_taken(
    client: TestClient, idp: StandIn, engine: Engine
) -> None:
    assert sign_in_with_provider(client, idp).status_code == 303
    client.cookies.clear()
    # In both mapped groups: the group written first in the setting wins.
    idp.person.groups = ["hearing-clerks", "citations-admins"]
    idp.person.name = "Jordan Lee-Park"
    assert sign_in_with_provider(client, idp).status_code == 303
    user = account(engine, "jlee")
    assert (user.role, user.title, user.name) == ("admin", "Administrator", "Jordan Lee-Park")
    (changed,) = events(engine, "staff.update")
    assert changed.actor == "identity provider"
    assert changed.before == {"role": "clerk", "title": "Clerk", "name": "Jordan Lee"}
    assert changed.after == {"role": "admin", "title": "Administrator", "name": "Jordan Lee-Park"}
    # The administrators' pages are theirs now.
    assert client.get("/clerk/users").status_code == 200


def test_someone_in_no_mapped_group_is_refused(
    client: TestClient, idp: StandIn, engine: Engine
) -> None:
    idp.person.groups = ["everyone", "parks-department"]
    refused(sign_in_with_provider(client, idp), 403, "in none of the groups")
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 0
    (failed,) = events(engine, "staff.sign_in_failed")
    assert failed.after == {"why": "no mapped group", "via": "oidc"}
    assert client.get("/clerk/contests").status_code == 303  # still not signed in


def test_a_role_without_the_pages_is_refused(client: TestClient, idp: StandIn) -> None:
    idp.person.groups = ["auditors"]
    refused(sign_in_with_provider(client, idp), 403, "auditor's account cannot use")


def test_an_answer_with_another_state_is_refused(client: TestClient, idp: StandIn) -> None:
    callback = through_provider(client, idp)
    forged = callback.replace("state=", "state=x")
    refused(client.get(forged), 400, "does not belong to the sign-in started in this browser")
    assert idp.token_requests == 0  # the code was never even exchanged


def test_an_answer_without_the_flow_cookie_is_refused(client: TestClient, idp: StandIn) -> None:
    callback = through_provider(client, idp)
    client.cookies.clear()
    refused(client.get(callback), 400, "This sign-in has expired")


@pytest.mark.parametrize(
    ("mischief", "logged"),
    [
        (Mischief(other_key=True), "InvalidKeyIdError"),
        (Mischief(other_key_same_kid=True), "BadSignatureError"),
        (Mischief(audience="another-client"), "Invalid claim: 'aud'"),
        (Mischief(issuer="https://login.elsewhere.example"), "Invalid claim: 'iss'"),
        (Mischief(expired=True), "ExpiredTokenError"),
        (Mischief(nonce="a-nonce-from-another-sign-in"), "Invalid claim: 'nonce'"),
    ],
    ids=["unknown-key", "forged-signature", "audience", "issuer", "expired", "nonce"],
)
def test_an_id_token_that_does_not_verify_is_refused(
    client: TestClient,
    idp: StandIn,
    engine: Engine,
    mischief: Mischief,
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    idp.mischief = mischief
    refused(sign_in_with_provider(client, idp), 401, "could not be verified")
    assert logged in caplog.text  # refused for the reason meant, told to the log only
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 0
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_a_disabled_account_is_refused(client: TestClient, idp: StandIn, engine: Engine) -> None:
    assert sign_in_with_provider(client, idp).status_code == 303
    with transaction(engine) as session:
        disable_user(session, "jlee", actor=OPERATOR, now=CLOCK)
    assert client.get("/clerk/contests").status_code == 303  # its session ended
    client.cookies.clear()
    refused(sign_in_with_provider(client, idp), 403, "This account is disabled")
    assert events(engine, "staff.sign_in_failed")[-1].after == {"why": "disabled", "via": "oidc"}


def test_an_administrators_account_of_the_same_name_is_not_taken_over(
    client: TestClient, idp: StandIn, engine: Engine
) -> None:
    """A provider's preferred_username matching an account made with a password never signs
    in as that account: the provider's person gets an account of their own."""
    make_user(engine, "jlee", name="Jordan Lee", title="Hearing clerk", role="admin")
    assert sign_in_with_provider(client, idp).status_code == 303
    assert account(engine, "jlee").oidc_subject is None
    mine = account(engine, "jlee-2")
    assert (mine.oidc_subject, mine.role) == (idp.person.sub, "clerk")


def test_an_administrator_links_an_existing_account_to_the_provider(
    client: TestClient, idp: StandIn, engine: Engine, database_url: str
) -> None:
    """A city moving to its provider keeps its accounts: the person's first sign-in is
    refused (their name and title are taken) and audited with their subject; the
    administrator links the account at the command line; then it signs in as them, with the
    role their groups give."""
    make_user(engine, "jlee", name="Jordan Lee", title="Clerk", role="hearing_officer")
    refused(sign_in_with_provider(client, idp), 403, "There is already an account for")
    (failed,) = events(engine, "staff.sign_in_failed")
    assert failed.entity_key == f"oidc {idp.person.sub}"
    linked = run(CliRunner(), "users", "link", "JLee", idp.person.sub, "--database", database_url)
    assert "Account jlee signs in through the identity provider." in linked.output
    # The subject is one account's: a second account cannot take it.
    make_user(engine, "other", name="Sam Other", title="Clerk")
    taken = run(
        CliRunner(), "users", "link", "other", idp.person.sub, "--database", database_url, code=1
    )
    assert "Account 'jlee' signs in as this subject." in taken.output
    client.cookies.clear()
    assert sign_in_with_provider(client, idp).status_code == 303
    user = account(engine, "jlee")
    assert (user.oidc_subject, user.role, user.password_hash is not None) == (
        idp.person.sub,
        "clerk",
        True,
    )
    (link,) = events(engine, "staff.link_oidc")
    assert (link.actor, link.before, link.after) == (
        "operator (command line)",
        {"subject": None},
        {"subject": idp.person.sub},
    )
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 2


def test_the_login_page_offers_the_provider(client: TestClient, idp: StandIn) -> None:
    page = Page(client.get("/clerk/login?next=/clerk/contests").text)
    assert page.text["oidc-sign-in"].strip() == "Sign in with Demo City staff account"
    assert page.attrs["oidc-sign-in"]["href"] == "/clerk/oidc/start?next=/clerk/contests"
    assert page.attrs["f-username"]  # the password form stays


def test_without_an_issuer_the_routes_are_not_found_and_no_button_shows(
    client: TestClient,
) -> None:
    get_settings.cache_clear()
    assert get_settings().oidc_issuer is None
    login = client.get("/clerk/login")
    assert "oidc-sign-in" not in login.text and "Sign in with" in login.text  # the token's
    assert client.get("/clerk/oidc/start").status_code == 404
    assert client.get("/clerk/oidc/callback?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_a_readable_page(
    client: TestClient, idp: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITATIONS_OIDC_ISSUER", "http://127.0.0.1:9")  # nothing listens there
    get_settings.cache_clear()
    refused(client.get("/clerk/oidc/start"), 503, "cannot be reached")


def test_the_settings_refuse_an_incomplete_or_unsafe_provider() -> None:
    good: dict[str, object] = {
        "oidc_issuer": "https://login.demo-city.example/",
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_roles": {"hearing-clerks": "clerk"},
    }
    assert Settings.model_validate(good).oidc_issuer == "https://login.demo-city.example"
    changes: list[tuple[dict[str, object], str]] = [
        ({"oidc_roles": {"patrol": "officer"}}, "officers need an agency"),
        ({"oidc_roles": {"x": "person"}}, "is not a role"),
        ({"oidc_roles": {}}, "CITATIONS_OIDC_ROLES"),
        ({"oidc_client_secret": None}, "CITATIONS_OIDC_CLIENT_SECRET"),
        ({"oidc_issuer": "http://login.demo-city.example"}, "https://"),
        ({"oidc_titles": {"clerk": " "}}, "1 to 200 characters"),
    ]
    for change, words in changes:
        with pytest.raises(ValidationError, match=words):
            Settings.model_validate({**good, **change})
