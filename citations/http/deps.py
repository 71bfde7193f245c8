"""Request dependencies: the database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from citations.database import (
    Lsn,
    ReadRouting,
    parse_lsn,
    reading_rows,
    transaction,
    unavailable,
)
from citations.errors import FieldError, InputRejected, NotSaved
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


READ_AFTER_HEADER = "Citations-Read-After"
"""What an API client sends back of `Citations-Written-LSN` so its reads see its writes."""
WRITTEN_HEADER = "Citations-Written-LSN"
"""Where the primary's log stood after a request's writes (citations.http.read_after)."""
READ_AFTER_COOKIE = "citations_read_after"
"""The same position for the pages (clerks' and the person's), kept by the browser."""


def read_after(request: Request) -> Lsn | None:
    """The position the client's reads must have seen: its header, else its cookie.

    A header that is not a position is refused (the client means something by it); a
    cookie that is not one is ignored. Neither is signed: a client that lies about its own
    writes only sends its own reads to the primary, or misses its own writes.
    """
    sent = request.headers.get(READ_AFTER_HEADER)
    if sent is not None:
        position = parse_lsn(sent)
        if position is None:
            raise InputRejected(
                [
                    FieldError(
                        READ_AFTER_HEADER,
                        "is not a write-ahead log position such as 0/3000148: send back the "
                        f"{WRITTEN_HEADER} header of your last write",
                    )
                ]
            )
        return position
    kept = request.cookies.get(READ_AFTER_COOKIE)
    return parse_lsn(kept) if kept else None


@dataclass(frozen=True)
class Reads:
    """One request's reads that a replica may serve (citations.database.ReadRouting)."""

    routing: ReadRouting
    after: Lsn | None = None

    def reading(self) -> AbstractContextManager[Session]:
        """A session that only reads: on the replica unless the client's last write is not
        there yet, else on the primary."""
        return self.routing.reading(self.after)


def get_reads(request: Request) -> Reads:
    routing: ReadRouting = request.app.state.reads
    return Reads(routing, read_after(request))


def get_replica_session(request: Request) -> Iterator[Session]:
    """A read-only session for a route that only reads, routed as `Reads.reading`."""
    with get_reads(request).reading() as session:
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
# "function": the session ends (commits) before the response is sent, not after it, as the
# default "request" scope would; otherwise a client could read its 201, and the server die
# before the commit, or a read sent at once could miss the write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]
IntakeWriterDep = Annotated[IntakeWriter, Depends(get_intake_writer)]
ReplicaDep = Annotated[Reads, Depends(get_reads)]
"""For routes that only read and may read from the replica: `with reads.reading() as s:`."""
ReplicaSessionDep = Annotated[Session, Depends(get_replica_session, scope="function")]
"""The same as a session for the whole route (the API's reports, searches and lists)."""
