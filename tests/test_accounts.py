"""Staff accounts in the library: creating, disabling, resetting, changing a password, and
signing in with a lockout whose wait grows. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.audit import history
from citations.database import transaction
from citations.errors import InputRejected, PermissionDenied
from citations.record.accounts import (
    REFUSED,
    SignInRefused,
    attempt_sign_in,
    change_password,
    create_user,
    disable_user,
    enable_user,
    get_user,
    reset_password,
    session_account,
    sign_in_password,
)
from citations.record.passwords import verify_password
from citations.record.staff import StaffUser
from citations.record.web_sessions import WebSession, open_session, start_session, touch_session
from citations.roles import OPERATOR, Actor, Role
from tests.conftest import NOW
from tests.staff_steps import PASSWORD, make_user

IDLE = timedelta(minutes=30)
CLERK = Actor("a clerk", Role.CLERK)


def attempt(
    engine: Engine, password: str, at: timedelta, username: str = "jlee"
) -> SignInRefused | Actor:
    """One sign-in at NOW + `at`, committed whatever it came to (as the login page does)."""
    with transaction(engine) as session:
        tried = attempt_sign_in(session, username, password, now=NOW + at)
    try:
        return tried.actor()
    except SignInRefused as refused:
        return refused


def actions(session: Session, username: str) -> list[str]:
    return [event.action for event in history(session, "staff_user", username)]


def test_a_new_account_gets_a_temporary_password_shown_once(session: Session) -> None:
    user, temporary = create_user(
        session,
        username=" JLee ",
        name="Jordan  Lee",
        title="Hearing clerk",
        role="clerk",
        actor=OPERATOR,
        now=NOW,
    )
    assert temporary is not None and len(temporary) == 19
    assert user.username == "jlee"
    assert user.name == "Jordan Lee"
    assert user.must_change_password
    assert user.password_hash is not None and temporary not in user.password_hash
    assert verify_password(user.password_hash, temporary)
    assert user.created_by == OPERATOR.name
    [event] = history(session, "staff_user", "jlee")
    assert event.action == "staff.create"
    assert event.actor == OPERATOR.name
    assert event.after == {
        "name": "Jordan Lee",
        "title": "Hearing clerk",
        "role": "clerk",
        "agency": None,
    }
    assert "password" not in str(event.after)


def test_a_typed_password_must_meet_the_policy(session: Session) -> None:
    with pytest.raises(InputRejected) as refused:
        create_user(
            session,
            username="jlee",
            name="Jordan Lee",
            title="Hearing clerk",
            role="clerk",
            password="qwerty123456",
            actor=OPERATOR,
            now=NOW,
        )
    assert [e.field for e in refused.value.errors] == ["password"]
    assert session.scalar(select(StaffUser.id)) is None


def test_accounts_are_checked_field_by_field(db: str, session: Session) -> None:
    make_user(session)
    with pytest.raises(InputRejected) as refused:
        create_user(
            session,
            username="JLEE",
            name="Jordan Lee",
            title="hearing clerk",
            role="officer",
            actor=OPERATOR,
            now=NOW,
        )
    fields = {e.field: e.message for e in refused.value.errors}
    assert fields["username"] == "There is already an account 'jlee'."
    assert "has this name and title already" in fields["title"]  # records would be ambiguous
    assert fields["agency"] == "An officer's account needs their agency."
    officer = make_user(
        session, "aruiz", name="Ana Ruiz", title="Officer", role="officer", agency="dcpd"
    )
    assert officer.agency is not None and officer.agency.code == "DCPD"
    with pytest.raises(InputRejected) as refused:
        create_user(
            session, username="x y", name="", title="", role="person", actor=OPERATOR, now=NOW
        )
    assert {e.field for e in refused.value.errors} == {"username", "name", "title", "role"}


def test_only_an_administrator_manages_accounts(session: Session) -> None:
    make_user(session)
    with pytest.raises(PermissionDenied):
        create_user(session, username="x", name="X", title="Y", role="clerk", actor=CLERK, now=NOW)
    with pytest.raises(PermissionDenied):
        disable_user(session, "jlee", actor=CLERK, now=NOW)
    with pytest.raises(PermissionDenied):
        reset_password(session, "jlee", actor=CLERK, now=NOW)


def test_the_account_acts_under_its_name_and_title(engine: Engine) -> None:
    user = make_user(engine)
    with transaction(engine) as session:
        actor = sign_in_password(session, "JLee", PASSWORD, NOW)
    assert actor == Actor("Jordan Lee, Hearing clerk", Role.CLERK, None, user_id=user.id)
    with transaction(engine) as session:
        assert get_user(session, "jlee").last_sign_in_at == NOW


def test_lockout_after_five_failures_with_a_growing_wait(engine: Engine) -> None:
    make_user(engine)
    for second in range(4):
        refused = attempt(engine, "wrong password!", timedelta(seconds=second))
        assert isinstance(refused, SignInRefused) and refused.locked_until is None
    fifth = attempt(engine, "wrong password!", timedelta(seconds=4))
    assert isinstance(fifth, SignInRefused)
    assert fifth.locked_until == NOW + timedelta(seconds=4 + 60)  # locked 1 minute
    # The right password is refused while locked, and says until when.
    during = attempt(engine, PASSWORD, timedelta(seconds=30))
    assert isinstance(during, SignInRefused) and during.locked_until == fifth.locked_until
    # After the wait a further failure locks for twice as long ...
    sixth = attempt(engine, "wrong again!!", timedelta(seconds=65))
    assert isinstance(sixth, SignInRefused)
    assert sixth.locked_until == NOW + timedelta(seconds=65 + 120)
    seventh = attempt(engine, "wrong again!!", timedelta(seconds=65 + 121))
    assert isinstance(seventh, SignInRefused)
    assert seventh.locked_until == NOW + timedelta(seconds=65 + 121 + 240)
    # ... and the right password, after the wait, signs in and clears the count.
    signed = attempt(engine, PASSWORD, timedelta(seconds=65 + 121 + 241))
    assert isinstance(signed, Actor)
    with transaction(engine) as session:
        user = get_user(session, "jlee")
        assert (user.failed_attempts, user.locked_until) == (0, None)
        events = actions(session, "jlee")
    assert events.count("staff.sign_in_failed") == 8  # 7 wrong, 1 while locked
    assert events.count("staff.locked") == 3


def test_the_wait_is_capped_at_an_hour(engine: Engine) -> None:
    make_user(engine)
    at = timedelta(0)
    refused: SignInRefused | Actor = attempt(engine, "wrong password!", at)
    for _ in range(12):
        assert isinstance(refused, SignInRefused)
        if refused.locked_until is not None:
            at = refused.locked_until - NOW + timedelta(seconds=1)
        refused = attempt(engine, "wrong password!", at)
    assert isinstance(refused, SignInRefused) and refused.locked_until is not None
    assert refused.locked_until - (NOW + at) == timedelta(hours=1)


def test_an_unknown_username_gets_the_same_answer_after_the_same_work(engine: Engine) -> None:
    make_user(engine)

    def timed(username: str) -> tuple[str, float]:
        started = time.perf_counter()
        refused = attempt(engine, "wrong password!", timedelta(0), username)
        assert isinstance(refused, SignInRefused)
        return str(refused), time.perf_counter() - started

    unknown = [timed("nobody") for _ in range(3)]
    known = [timed("jlee") for _ in range(3)]
    assert {message for message, _ in unknown + known} == {REFUSED}
    slowest_unknown = sorted(t for _, t in unknown)[1]
    slowest_known = sorted(t for _, t in known)[1]
    assert slowest_unknown > slowest_known / 3  # an Argon2 check for both, not a quick "no"
    with transaction(engine) as session:
        assert history(session, "staff_user", "nobody") == []  # the typed name is not kept
        key = "unknown " + hashlib.sha256(b"nobody").hexdigest()[:16]
        tries = history(session, "staff_user", key)
        assert [e.action for e in tries] == ["staff.sign_in_failed"] * 3
        assert tries[0].after == {"why": "unknown"}


def test_a_disabled_account_is_refused_and_its_sessions_end(engine: Engine) -> None:
    user = make_user(engine)
    with transaction(engine) as session:
        key = start_session(session, user_id=user.id, actor=OPERATOR, now=NOW)
        assert open_session(session, key, NOW, IDLE) is not None
        disable_user(session, "jlee", actor=OPERATOR, now=NOW)
        disable_user(session, "jlee", actor=OPERATOR, now=NOW)  # twice: recorded once
    with transaction(engine) as session:
        assert open_session(session, key, NOW, IDLE) is None
        assert actions(session, "jlee") == ["staff.create", "staff.disable"]
        with pytest.raises(Exception, match="disabled"):
            session_account(session, user.id)
    refused = attempt(engine, PASSWORD, timedelta(seconds=1))
    assert isinstance(refused, SignInRefused) and str(refused) == REFUSED
    with transaction(engine) as session:
        enable_user(session, "jlee", actor=OPERATOR, now=NOW)
    assert isinstance(attempt(engine, PASSWORD, timedelta(seconds=2)), Actor)


def test_an_administrator_cannot_disable_their_own_account(engine: Engine) -> None:
    admin = make_user(engine, "boss", name="Pat Boss", title="Administrator", role="admin")
    with transaction(engine) as session, pytest.raises(InputRejected):
        disable_user(
            session,
            "boss",
            actor=Actor("Pat Boss, Administrator", Role.ADMIN, user_id=admin.id),
            now=NOW,
        )


def test_a_reset_ends_sessions_and_the_person_chooses_a_new_password(engine: Engine) -> None:
    user = make_user(engine)
    with transaction(engine) as session:
        key = start_session(session, user_id=user.id, actor=OPERATOR, now=NOW)
        _, temporary = reset_password(session, "jlee", actor=OPERATOR, now=NOW)
    with transaction(engine) as session:
        assert open_session(session, key, NOW, IDLE) is None
    assert isinstance(attempt(engine, PASSWORD, timedelta(seconds=1)), SignInRefused)
    with transaction(engine) as session:
        tried = attempt_sign_in(session, "jlee", temporary, now=NOW + timedelta(seconds=2))
        assert tried.must_change_password
        with pytest.raises(InputRejected) as refused:
            change_password(
                session,
                user.id,
                old="not it at all",
                new="jlee jlee jlee",
                confirm="other",
                now=NOW,
            )
        assert {e.field for e in refused.value.errors} == {"old", "password", "confirm"}
        change_password(
            session,
            user.id,
            old=temporary,
            new="a brand new phrase",
            confirm="a brand new phrase",
            now=NOW,
        )
    with transaction(engine) as session:
        changed = get_user(session, "jlee")
        assert not changed.must_change_password
        done = actions(session, "jlee")
        assert done[-3:] == [
            "staff.reset_password",
            "staff.sign_in_failed",
            "staff.change_password",
        ]
        [event] = [
            e for e in history(session, "staff_user", "jlee") if e.action == "staff.change_password"
        ]
        assert event.actor == "Jordan Lee, Hearing clerk"
    assert isinstance(attempt(engine, "a brand new phrase", timedelta(seconds=3)), Actor)


def test_a_session_ends_when_idle_and_is_touched_at_most_once_a_minute(engine: Engine) -> None:
    user = make_user(engine)
    with transaction(engine) as session:
        key = start_session(session, user_id=user.id, actor=OPERATOR, now=NOW)
    with transaction(engine) as session:
        found = open_session(session, key, NOW + timedelta(minutes=29), IDLE)
        assert found is not None
        touch_session(session, found.id, NOW + timedelta(minutes=29))
    with transaction(engine) as session:
        assert open_session(session, key, NOW + timedelta(minutes=58), IDLE) is not None
        assert open_session(session, key, NOW + timedelta(minutes=59), IDLE) is None
        row = session.scalars(select(WebSession)).one()
        assert row.last_seen_at == NOW + timedelta(minutes=29)
        assert row.user_id == user.id and row.token_id is None
