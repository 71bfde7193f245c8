"""Signed-in sessions of the clerks' pages, kept in the database so that they can end.

A cookie alone cannot be taken back: signing out only asks the browser to forget it, and a
copy (a shared computer's profile, a proxy's log) would go on working until it expired. Here
the cookie carries a random session key; the database keeps its SHA-256 (as for API tokens,
so a stolen table opens no session), the token the clerk signed in with, and when the session
expires or ended. Every page looks the session up and checks its token again, so signing out,
revoking the token and the session's expiry each end it on the very next request.

A session belongs to a staff account (user_id) or to an API token (token_id). Besides its
12-hour lifetime it ends when idle: a session with no request for the settings'
`web_idle_minutes` has ended (a computer left signed in at the counter). Disabling an account
or resetting its password ends its sessions at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, ForeignKey, Index, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.audit import record
from citations.orm import Base
from citations.record.staff import StaffUser
from citations.record.tables import ApiToken
from citations.roles import Actor

Reader = Session | Connection

LIFETIME = timedelta(hours=12)
"""A session lasts a working day; then the clerk signs in again."""


class WebSession(Base):
    """One sign-in to the clerks' pages; only its key's SHA-256 is stored."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        Index("ix_web_sessions_token", "token_id", "ended_at"),
        Index("ix_web_sessions_user", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    """The API token signed in with (integrations' operators); None for an account."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    """The staff account signed in with; None for a token."""
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    """The last request: a session idle for longer than the idle limit has ended."""
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    """Signed out, or its token revoked; None while it may still be used (until expires_at)."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


IDLE_REFRESH = timedelta(minutes=1)
"""last_seen_at is written at most once a minute: page loads do not each write a row."""


def start_session(
    session: Session,
    token_id: int | None = None,
    *,
    user_id: int | None = None,
    actor: Actor,
    now: datetime,
) -> str:
    """Open a session for a token that has just authenticated (`identify`) or an account
    that has just signed in (`citations.record.accounts`); returns the key for the cookie,
    which is never stored."""
    if (token_id is None) == (user_id is None):
        raise ValueError("a session belongs to a token or to an account, not both")
    key = secrets.token_urlsafe(32)
    row = WebSession(
        key_hash=_hash(key),
        token_id=token_id,
        user_id=user_id,
        started_at=now,
        last_seen_at=now,
        expires_at=now + LIFETIME,
        ended_at=None,
    )
    session.add(row)
    session.flush()
    owner = {"token": token_id} if token_id is not None else {"user": user_id}
    record(
        session,
        at=now,
        actor=actor.name,
        action="web.sign_in",
        entity_type="web_session",
        entity_key=str(row.id),
        after={**owner, "expires_at": row.expires_at.isoformat()},
    )
    return key


@dataclass(frozen=True)
class OpenSession:
    """A session that may still be used: whose it is, and when it was last used."""

    id: int
    token_id: int | None
    user_id: int | None
    last_seen_at: datetime


def open_session(reader: Reader, key: str, now: datetime, idle: timedelta) -> OpenSession | None:
    """The session of a key if it has neither ended, expired nor been idle for `idle`, else
    None. The caller then checks its token or account again (revoked, disabled)."""
    row = reader.execute(
        select(
            WebSession.id,
            WebSession.token_id,
            WebSession.user_id,
            WebSession.started_at,
            WebSession.last_seen_at,
        ).where(
            WebSession.key_hash == _hash(key),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    seen = row.last_seen_at or row.started_at
    if now - seen >= idle:
        return None
    return OpenSession(row.id, row.token_id, row.user_id, seen)


def needs_touch(found: OpenSession, now: datetime) -> bool:
    """Whether this request should write its time (at most once a minute)."""
    return now - found.last_seen_at >= IDLE_REFRESH


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    """Note a request on the session (keeps it from ending idle). Never moves time back,
    so two requests racing write one of their times, either of which is fine."""
    session.execute(
        update(WebSession)
        .where(
            WebSession.id == session_id,
            WebSession.ended_at.is_(None),
            (WebSession.last_seen_at.is_(None)) | (WebSession.last_seen_at < now),
        )
        .values(last_seen_at=now)
    )


def session_token(reader: Reader, key: str, now: datetime) -> int | None:
    """The token id of a session that has neither ended nor expired, else None. The caller
    then checks that the token itself is still valid (`authenticate_id`)."""
    return reader.execute(
        select(WebSession.token_id).where(
            WebSession.key_hash == _hash(key),
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
        )
    ).scalar()


def end_session(session: Session, key: str, *, now: datetime) -> None:
    """Sign out: the session's key is refused from now on. Ending an ended, expired or
    unknown session changes nothing (and records nothing)."""
    row = session.scalars(
        select(WebSession).where(WebSession.key_hash == _hash(key)).with_for_update()
    ).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return
    row.ended_at = now
    if row.user_id is not None:
        user = session.get(StaffUser, row.user_id)
        who = user.signature if user else f"account {row.user_id}"
    else:
        token = session.get(ApiToken, row.token_id)
        who = f"token {row.token_id} ({token.name if token else '?'})"
    record(
        session,
        at=now,
        actor=who,
        action="web.sign_out",
        entity_type="web_session",
        entity_key=str(row.id),
    )


def end_token_sessions(session: Session, token_id: int, now: datetime) -> int:
    """End every open session of a token (when it is revoked); returns how many."""
    ended = session.execute(
        update(WebSession)
        .where(WebSession.token_id == token_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(getattr(ended, "rowcount", 0) or 0)


def end_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every open session of an account (disabled, or its password reset); returns how
    many."""
    ended = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(getattr(ended, "rowcount", 0) or 0)
