"""Staff accounts: creating, disabling and resetting them, and signing in with a password.

An administrator (Action.MANAGE_USERS) creates an account with a temporary password (or one
typed at the command line); the person chooses their own at the first sign-in. Signing in
refuses an unknown username, a wrong password and a disabled account with one message, after
the same Argon2 work, so the answer never tells which usernames exist. After the settings'
`sign_in_attempts` failures in a row the account is locked for `lockout_first_seconds`, and
each further failure doubles the wait up to `lockout_max_seconds`: guessing becomes slow for
an attacker while a person who mistyped waits a minute. A locked account is refused even with
the right password, and the refusal says until when. Every change, failure and lockout is
audited (entity "staff_user", key the username), in the same transaction.

The account acts as `Actor(name="Jordan Lee, Hearing clerk", ...)`: that string is what every
audit event, receipt and order records, so `create_user` keeps it unique among accounts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import CitationsError, FieldError, InputRejected, NotFound
from citations.record.agencies import get_agency
from citations.record.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from citations.record.staff import StaffUser, signature
from citations.record.tables import Agency
from citations.record.web_sessions import end_user_sessions
from citations.roles import AGENCY_BOUND, STAFF_ROLES, Action, Actor, Role
from citations.settings import get_settings

Reader = Session | Connection

REFUSED = "The username or password is not right."
"""One message for an unknown username, a wrong password and a disabled account."""


class SignInRefused(CitationsError):
    """The sign-in failed; `locked_until` is set when the account is locked (the page shows
    it in the jurisdiction's local time)."""

    def __init__(self, locked_until: datetime | None = None) -> None:
        self.locked_until = locked_until
        super().__init__(
            REFUSED if locked_until is None else f"account locked until {locked_until.isoformat()}"
        )


class AccountEnded(CitationsError):
    """The account of a session no longer signs in (disabled since)."""

    def __init__(self) -> None:
        super().__init__("this account is disabled")


def fold(username: str) -> str:
    """Usernames are kept folded: "JLee" and "jlee" are one account."""
    return username.strip().casefold()


def temporary_password() -> str:
    """A temporary password to read out or hand over: 4 groups of 4 letters and digits (about
    80 bits), without look-alike characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def actor_of(user: StaffUser, agency_code: str | None = None) -> Actor:
    """The Actor a signed-in account acts as."""
    code = agency_code if agency_code is not None else (user.agency.code if user.agency else None)
    return Actor(name=user.signature, role=Role(user.role), agency=code, user_id=user.id)


def get_user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == fold(username)))
    if user is None:
        raise NotFound("account", username)
    return user


def list_users(session: Session, *, actor: Actor) -> list[StaffUser]:
    """Every account, by name."""
    actor.require(Action.MANAGE_USERS)
    return list(session.scalars(select(StaffUser).order_by(StaffUser.name, StaffUser.username)))


def _audit(
    session: Session, *, actor: Actor, now: datetime, action: str, user: StaffUser, **after: object
) -> None:
    record(
        session,
        at=now,
        actor=actor.name,
        action=action,
        entity_type="staff_user",
        entity_key=user.username,
        after=after or None,
    )


def signature_holder(
    session: Session, name: str, title: str, excluding: int | None = None
) -> str | None:
    """The username of the account (other than `excluding`) with this name and title, case
    aside, if any: records name a person by name and title, so two accounts must not share
    both."""
    query = select(StaffUser.username).where(
        func.lower(StaffUser.name) == name.lower(), func.lower(StaffUser.title) == title.lower()
    )
    if excluding is not None:
        query = query.where(StaffUser.id != excluding)
    return session.scalar(query)


def create_user(
    session: Session,
    *,
    username: str,
    name: str,
    title: str,
    role: str,
    agency: str | None = None,
    password: str | None = None,
    actor: Actor,
    now: datetime,
) -> tuple[StaffUser, str | None]:
    """Create an account; returns it and, when no password was given, the temporary one
    generated (shown once, never stored). Either way the person chooses their own password
    at the first sign-in."""
    actor.require(Action.MANAGE_USERS)
    folded, name, title = fold(username), " ".join(name.split()), " ".join(title.split())
    problems: list[FieldError] = []
    if not folded or len(folded) > 64 or not all(c.isalnum() or c in "._-" for c in folded):
        problems.append(
            FieldError("username", "Use 1 to 64 letters, digits, dots, hyphens or underscores.")
        )
    elif session.scalar(select(StaffUser.id).where(StaffUser.username == folded)) is not None:
        problems.append(FieldError("username", f"There is already an account {folded!r}."))
    if not name or len(name) > 200:
        problems.append(FieldError("name", "Give the person's name (at most 200 characters)."))
    if not title or len(title) > 200:
        problems.append(FieldError("title", "Give their title, e.g. Hearing clerk."))
    if name and title:
        taken = signature_holder(session, name, title)
        if taken is not None:
            problems.append(
                FieldError("title", f"Account {taken!r} has this name and title already.")
            )
    parsed = next((r for r in STAFF_ROLES if r.value == role), None)
    if parsed is None:
        choices = ", ".join(r.value for r in STAFF_ROLES)
        problems.append(FieldError("role", f"Unknown role {role!r} (one of: {choices})."))
    agency_row: Agency | None = None
    if parsed in AGENCY_BOUND and not agency:
        problems.append(FieldError("agency", "An officer's account needs their agency."))
    elif parsed is not None and parsed not in AGENCY_BOUND and agency:
        problems.append(FieldError("agency", "Only an officer's account names an agency."))
    elif agency:
        try:
            agency_row = get_agency(session, agency)
        except NotFound:
            problems.append(FieldError("agency", f"Unknown agency {agency!r}."))
    temporary = None
    if password is None:
        temporary = password = temporary_password()
    else:
        problems += password_problems(password, username=folded, name=name)
    if problems or parsed is None:
        raise InputRejected(problems, "the account was not created")
    user = StaffUser(
        username=folded,
        name=name,
        title=title,
        role=parsed.value,
        agency_id=agency_row.id if agency_row else None,
        password_hash=hash_password(password),
        password_changed_at=now,
        must_change_password=True,
        created_at=now,
        created_by=actor.name,
        disabled_at=None,
        failed_attempts=0,
        locked_until=None,
        last_sign_in_at=None,
        oidc_subject=None,
    )
    session.add(user)
    session.flush()
    _audit(
        session,
        actor=actor,
        now=now,
        action="staff.create",
        user=user,
        name=name,
        title=title,
        role=parsed.value,
        agency=agency_row.code if agency_row else None,
    )
    return user, temporary


def disable_user(session: Session, username: str, *, actor: Actor, now: datetime) -> StaffUser:
    """Disable an account: it cannot sign in, and its open sessions end at once. The account
    stays, with its name on everything it did. Disabling twice records nothing more."""
    actor.require(Action.MANAGE_USERS)
    user = get_user(session, username)
    if user.id == actor.user_id:
        raise InputRejected([FieldError("username", "You cannot disable your own account.")])
    if user.disabled_at is None:
        user.disabled_at = now
        ended = end_user_sessions(session, user.id, now)
        _audit(session, actor=actor, now=now, action="staff.disable", user=user, sessions=ended)
    return user


def enable_user(session: Session, username: str, *, actor: Actor, now: datetime) -> StaffUser:
    """Let a disabled account sign in again (with its lockout cleared)."""
    actor.require(Action.MANAGE_USERS)
    user = get_user(session, username)
    if user.disabled_at is not None:
        user.disabled_at = None
        user.failed_attempts, user.locked_until = 0, None
        _audit(session, actor=actor, now=now, action="staff.enable", user=user)
    return user


def reset_password(
    session: Session, username: str, *, actor: Actor, now: datetime
) -> tuple[StaffUser, str]:
    """Give an account a temporary password (returned, shown once): its sessions end, its
    lockout is cleared and the person must choose a new password at the next sign-in."""
    actor.require(Action.MANAGE_USERS)
    user = get_user(session, username)
    temporary = temporary_password()
    user.password_hash = hash_password(temporary)
    user.password_changed_at = now
    user.must_change_password = True
    user.failed_attempts, user.locked_until = 0, None
    ended = end_user_sessions(session, user.id, now)
    _audit(session, actor=actor, now=now, action="staff.reset_password", user=user, sessions=ended)
    return user, temporary


def change_password(
    session: Session, user_id: int, *, old: str, new: str, confirm: str | None = None, now: datetime
) -> StaffUser:
    """The person changes their own password: the current one, then a new one that meets
    the policy (and differs from the current one)."""
    user = session.get(StaffUser, user_id)
    if user is None or user.disabled_at is not None:
        raise AccountEnded()
    problems: list[FieldError] = []
    if not verify_password(user.password_hash, old):
        problems.append(FieldError("old", "This is not your current password."))
    problems += password_problems(new, username=user.username, name=user.name)
    if not problems and old == new:
        problems.append(FieldError("password", "Choose a password other than the current one."))
    if confirm is not None and confirm != new:
        problems.append(FieldError("confirm", "The two new passwords are not the same."))
    if problems:
        raise InputRejected(problems, "the password was not changed")
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.must_change_password = False
    record(
        session,
        at=now,
        actor=user.signature,
        action="staff.change_password",
        entity_type="staff_user",
        entity_key=user.username,
    )
    return user


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to. The attempt's bookkeeping (failures, lockout, audit)
    must be committed whatever the outcome, so the outcome is a value; `actor()` then raises
    SignInRefused outside the transaction."""

    signed_in: Actor | None
    locked_until: datetime | None = None
    must_change_password: bool = False

    def actor(self) -> Actor:
        if self.signed_in is None:
            raise SignInRefused(self.locked_until)
        return self.signed_in


def lockout_wait(failures: int) -> timedelta | None:
    """How long an account is locked after `failures` failed sign-ins in a row.

    >>> [lockout_wait(n) for n in (4, 5, 6, 7)]  # doctest: +NORMALIZE_WHITESPACE
    [None, datetime.timedelta(seconds=60), datetime.timedelta(seconds=120),
     datetime.timedelta(seconds=240)]
    """
    settings = get_settings()
    beyond = failures - settings.sign_in_attempts
    if beyond < 0:
        return None
    seconds = settings.lockout_first_seconds * 2 ** min(beyond, 32)
    return timedelta(seconds=min(seconds, settings.lockout_max_seconds))


def attempt_sign_in(session: Session, username: str, password: str, *, now: datetime) -> SignIn:
    """Check a username and password, and keep count of failures (commit the session even
    when it is refused)."""
    user = session.scalar(
        select(StaffUser).where(StaffUser.username == fold(username)).with_for_update()
    )
    if user is None or user.password_hash is None:
        verify_password(None, password)  # as long as a real check: no hint the name is free
        if user is None:
            # Not the typed name: people type their password in the username field too, and
            # the audit trail keeps everything for good. A digest still shows repeated tries.
            digest = hashlib.sha256(fold(username).encode()).hexdigest()[:16]
            _failed(session, f"unknown {digest}", "unknown", now)
        else:
            _failed(session, user.username, "no password", now)
        return SignIn(None)
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        _failed(session, user.username, "locked", now)
        return SignIn(None, locked_until=user.locked_until)
    right = verify_password(user.password_hash, password)
    if right and user.disabled_at is None:
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_attempts, user.locked_until = 0, None
        user.last_sign_in_at = now
        return SignIn(actor_of(user), must_change_password=user.must_change_password)
    if user.disabled_at is not None:
        _failed(session, user.username, "disabled", now)
        return SignIn(None)
    user.failed_attempts += 1
    _failed(session, user.username, "password", now, failures=user.failed_attempts)
    wait = lockout_wait(user.failed_attempts)
    if wait is None:
        return SignIn(None)
    user.locked_until = now + wait
    record(
        session,
        at=now,
        actor="sign-in page",
        action="staff.locked",
        entity_type="staff_user",
        entity_key=user.username,
        after={"until": user.locked_until.isoformat(), "failures": user.failed_attempts},
    )
    return SignIn(None, locked_until=user.locked_until)


def _failed(session: Session, username: str, why: str, now: datetime, **more: object) -> None:
    record(
        session,
        at=now,
        actor="sign-in page",
        action="staff.sign_in_failed",
        entity_type="staff_user",
        entity_key=username,
        after={"why": why, **more},
    )


def sign_in_password(session: Session, username: str, password: str, now: datetime) -> Actor:
    """The actor of a username and password; SignInRefused otherwise. The failures it
    counts are in `session`: a caller that wants them kept commits before letting the error
    out (as the login page does, through `attempt_sign_in`)."""
    return attempt_sign_in(session, username, password, now=now).actor()


@dataclass(frozen=True)
class SessionAccount:
    actor: Actor
    must_change_password: bool


def session_account(reader: Reader, user_id: int) -> SessionAccount:
    """The actor of a signed-in session's account, checked again on every request;
    AccountEnded once it is disabled."""
    row = reader.execute(
        select(
            StaffUser.id,
            StaffUser.name,
            StaffUser.title,
            StaffUser.role,
            StaffUser.disabled_at,
            StaffUser.must_change_password,
            Agency.code,
        )
        .outerjoin(Agency, Agency.id == StaffUser.agency_id)
        .where(StaffUser.id == user_id)
    ).first()
    if row is None or row.disabled_at is not None:
        raise AccountEnded()
    actor = Actor(
        name=signature(row.name, row.title), role=Role(row.role), agency=row.code, user_id=row.id
    )
    return SessionAccount(actor, bool(row.must_change_password))
