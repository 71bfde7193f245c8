"""Request dependencies: the database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from citations.database import reading_rows, transaction, unavailable
from citations.errors import NotSaved
from citations.issuing.group_commit import IntakeWriter
from citations.record.tokens import InvalidToken, authenticate
from citations.roles import Actor

bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cit_...`")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_intake_writer(request: Request) -> IntakeWriter:
    writer: IntakeWriter = request.app.state.intake_writer
    return writer


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """The request's transaction. It commits when the route has built its answer and before
    the answer is sent (`SessionDep` gives it `scope="function"`): a 2xx means committed.
    A failed commit is raised here, inside the request, and answered 503 (nothing saved)."""
    answered = False
    try:
        with transaction(engine) as session:
            yield session
            answered = True  # the route returned; leaving the block commits
    except DBAPIError as exc:
        if not answered or isinstance(exc, DataError) or unavailable(exc, str(engine.url)):
            raise  # the route's own error, a refused value (422) or an outage (503)
        raise NotSaved() from exc


def clock() -> datetime:
    return datetime.now(UTC)


def get_actor(
    engine: Annotated[Engine, Depends(get_engine)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise InvalidToken()
    with reading_rows(engine) as connection:
        return authenticate(connection, credentials.credentials, clock())


EngineDep = Annotated[Engine, Depends(get_engine)]
# "function": the session ends (commits) before the response is sent, not after it, as the
# default "request" scope would; otherwise a client could read its 201, and the server die
# before the commit, or a read sent at once could miss the write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]
IntakeWriterDep = Annotated[IntakeWriter, Depends(get_intake_writer)]
