"""API tokens: random secrets shown once; only their SHA-256 is stored.

A token's secret has 256 bits of randomness, so a plain SHA-256 (not a slow password hash)
is enough to make a stolen table useless, and lets each request be checked with one lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import CitationsError, FieldError, InputRejected, NotFound
from citations.record.agencies import get_agency
from citations.record.tables import Agency, ApiToken
from citations.record.web_sessions import end_token_sessions
from citations.roles import AGENCY_BOUND, STAFF_ROLES, Action, Actor, Role

PREFIX = "cit_"


class InvalidToken(CitationsError):
    """Missing, malformed, unknown, revoked and expired tokens all look the same to callers."""

    def __init__(self) -> None:
        super().__init__("a valid API token is required (Authorization: Bearer cit_...)")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    role: str,
    agency: str | None,
    name: str,
    actor: Actor,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the secret (which is never stored or shown again)."""
    actor.require(Action.MANAGE_TOKENS)
    try:
        parsed = Role(role)
        if parsed not in STAFF_ROLES:
            raise ValueError(role)
    except ValueError:
        choices = ", ".join(r.value for r in STAFF_ROLES)
        raise InputRejected(
            [FieldError("role", f"unknown role {role!r} (one of: {choices})")]
        ) from None
    if parsed in AGENCY_BOUND and agency is None:
        raise InputRejected([FieldError("agency", f"a {parsed.value} token needs an agency")])
    if parsed not in AGENCY_BOUND and agency is not None:
        # Only officers act for one agency; any other role acts city-wide whatever the
        # token says, so an agency here would promise a limit that nothing enforces.
        raise InputRejected(
            [
                FieldError(
                    "agency",
                    f"a {parsed.value} token acts for every agency; only an officer's token "
                    "names one",
                )
            ]
        )
    try:
        agency_row = get_agency(session, agency) if agency is not None else None
    except NotFound:
        raise InputRejected([FieldError("agency", f"unknown agency {agency!r}")]) from None
    if expires_at is not None and expires_at <= now:
        raise InputRejected([FieldError("expires_at", "must be in the future")])
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=_hash(secret),
        name=name.strip() or f"{parsed.value} token",
        role=parsed.value,
        agency_id=agency_row.id if agency_row else None,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    session.add(token)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="token.create",
        entity_type="token",
        entity_key=str(token.id),
        after={
            "name": token.name,
            "role": token.role,
            "agency": agency_row.code if agency_row else None,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, secret


Reader = Session | Connection
"""Where a token is looked up: a session, or a bare connection (every API request)."""


def authenticate(session: Reader, secret: str | None, now: datetime) -> Actor:
    """The actor a presented secret stands for; InvalidToken for anything else."""
    return identify(session, secret, now)[1]


def identify(session: Reader, secret: str | None, now: datetime) -> tuple[int, Actor]:
    """The id of the token a presented secret belongs to, and its actor (signing in to the
    clerks' pages, which then keep only the id); InvalidToken for anything else."""
    if not secret or not secret.startswith(PREFIX):
        raise InvalidToken()
    return _valid(session, ApiToken.token_hash == _hash(secret), now)


def authenticate_id(session: Reader, token_id: int, now: datetime) -> Actor:
    """The actor of a token known by its id (from a signed session cookie), if the token is
    still valid now; InvalidToken once it is revoked or expired."""
    return _valid(session, ApiToken.id == token_id, now)[1]


def _valid(session: Reader, which: ColumnElement[bool], now: datetime) -> tuple[int, Actor]:
    # Columns, not the mapped object: this runs on every request, and loading an ORM object
    # (with its agency) cost more than the query.
    row = session.execute(
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.role,
            ApiToken.revoked_at,
            ApiToken.expires_at,
            Agency.code,
        )
        .outerjoin(Agency, Agency.id == ApiToken.agency_id)
        .where(which)
    ).first()
    if row is None or row.revoked_at is not None:
        raise InvalidToken()
    if row.expires_at is not None and row.expires_at <= now:
        raise InvalidToken()
    actor = Actor(name=f"token {row.id} ({row.name})", role=Role(row.role), agency=row.code)
    return row.id, actor


def revoke_token(session: Session, token_id: int, *, actor: Actor, now: datetime) -> ApiToken:
    """Revoke a token at once: its next request is refused. Revoking twice changes nothing
    (and records nothing) the second time."""
    actor.require(Action.MANAGE_TOKENS)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token", str(token_id))
    if token.revoked_at is None:
        token.revoked_at = now
        # The pages check the token on every request anyway; ending its sessions here keeps
        # the sessions table truthful about which are still open.
        end_token_sessions(session, token.id, now)
        record(
            session,
            at=now,
            actor=actor.name,
            action="token.revoke",
            entity_type="token",
            entity_key=str(token.id),
        )
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first; callers check Action.MANAGE_TOKENS (the CLI is the operator)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))
