"""Request dependencies: the database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citations.database import reading_rows, transaction
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
    with transaction(engine) as session:
        yield session


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
SessionDep = Annotated[Session, Depends(get_session)]
ActorDep = Annotated[Actor, Depends(get_actor)]
IntakeWriterDep = Annotated[IntakeWriter, Depends(get_intake_writer)]
