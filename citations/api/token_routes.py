"""API tokens over HTTP, for administrators: create one (its secret shown once), list them
without secrets, and revoke one so that its very next request is refused.

Each endpoint calls the library (`citations.record.tokens`), which checks Action.MANAGE_TOKENS and
records every change in the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import RowId
from citations.api.routes import PROBLEMS, Body
from citations.http.deps import ActorDep, SessionDep, clock
from citations.inputs import Moment
from citations.record.tables import ApiToken
from citations.record.tokens import create_token, list_tokens, revoke_token
from citations.roles import Action, Role

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


class TokenCreate(Body):
    role: Role
    agency: Annotated[str, Field(min_length=2, max_length=8)] | None = None
    """Required for an officer's token (officers act only for their own agency), refused for
    any other role: the others act for every agency."""
    name: Annotated[str, Field(min_length=1, max_length=200)]
    expires_at: Moment | None = None


class TokenPublic(BaseModel):
    """A token as administrators see it: never its secret, nor its hash."""

    id: int
    name: str
    role: str
    agency: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool
    """Neither revoked nor expired now."""


class TokenCreated(TokenPublic):
    secret: str
    """Shown this once: only its SHA-256 is stored."""


def to_public(token: ApiToken, now: datetime) -> TokenPublic:
    expired = token.expires_at is not None and token.expires_at <= now
    return TokenPublic(
        id=token.id,
        name=token.name,
        role=token.role,
        agency=token.agency.code if token.agency else None,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        active=token.revoked_at is None and not expired,
    )


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Create a token")
def post_token(
    body: TokenCreate, actor: ActorDep, session: SessionDep, response: Response
) -> TokenCreated:
    """Admin only. The response carries the secret; it cannot be shown again."""
    now = clock()
    token, secret = create_token(
        session,
        role=body.role.value,
        agency=body.agency,
        name=body.name,
        actor=actor,
        now=now,
        expires_at=body.expires_at,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenCreated(**to_public(token, now).model_dump(), secret=secret)


@router.get("/tokens", response_model=list[TokenPublic], summary="List tokens")
def read_tokens(actor: ActorDep, session: SessionDep) -> list[TokenPublic]:
    """Admin only; every token, revoked and expired ones included, without secrets."""
    actor.require(Action.MANAGE_TOKENS)
    now = clock()
    return [to_public(token, now) for token in list_tokens(session)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenPublic, summary="Revoke a token")
def post_revoke(token_id: RowId, actor: ActorDep, session: SessionDep) -> TokenPublic:
    """Admin only. The token's next request gets 401; revoking it again changes nothing."""
    now = clock()
    return to_public(revoke_token(session, token_id, actor=actor, now=now), now)
