"""Limits on what the API accepts: the size of a request body, so a huge payload gets a 413
problem instead of filling memory, and the range of row ids in paths and bodies.

The largest valid intake message is a few tens of kilobytes (four narratives of at most 4,000
characters, names of at most 200); a megabyte leaves room for every body the API takes while
refusing, before parsing, anything that could only be a mistake or an attack. The limit is
enforced on the bytes received, not only on `Content-Length`, so a chunked upload that never
says its length is cut off too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citations.api.problems import problem
from citations.inputs import FIRST_DAY, LAST_DAY, MAX_RECORD_ID
from citations.issuing.intake import MAX_MESSAGE_BYTES

MAX_BODY_BYTES = MAX_MESSAGE_BYTES
"""1 MiB, as for a record of a batch: the intake message is the largest body any route takes."""

MAX_ROW_ID = 2**31 - 1
"""Row ids are 32-bit integers in PostgreSQL; a larger number cannot name a row (and would
fail in the database, not as a 404), so the API description says so and refuses it first."""

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id (1 to 2,147,483,647).")]
"""A row id in a path: `/hearing-officers/{officer_id}/...`."""
RowIdField = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
"""A row id in a request body."""
RecordId = Annotated[
    int, Path(ge=1, le=MAX_RECORD_ID, description="A case's row id (64-bit: it carries its year).")
]
"""The id of a row of a case in a path (`/documents/{document_id}`): on PostgreSQL such ids
carry their year (citations.partitions), beyond 32 bits."""

DayQuery = Annotated[
    date, Query(ge=date(1900, 1, 1), le=date(9000, 12, 31), description="YYYY-MM-DD")
]
"""A day to compute deadlines from: years 1 or 9999 would overflow the date arithmetic."""

_PERIOD = f"YYYY-MM-DD, {FIRST_DAY.year} to {LAST_DAY.year}"
FromQuery = Annotated[date, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description=_PERIOD)]
"""The first day of a period (reports, reconciliation, docket sessions): a period reaching
year 9999 would overflow the day after its end."""
ToQuery = Annotated[date, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description=_PERIOD)]
"""The last day of a period."""


class BodySizeLimit:
    """ASGI middleware: read the body up to `max_bytes`, then hand it on, or answer 413.

    The body is read here (the routes read it whole anyway) so the refusal is made before
    any route, dependency or database work starts.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, own_limit: Collection[str] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_limit = frozenset(own_limit)
        """Paths whose routes read the body under a limit of their own (file uploads)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.own_limit:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send, declared)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, declared: int | None
    ) -> None:
        limit = f"the limit is {self.max_bytes:,} bytes"
        detail = (
            f"the request body is {declared:,} bytes; {limit}"
            if declared is not None
            else f"the request body is larger than allowed: {limit}"
        )
        response = problem(413, "content-too-large", detail, scope.get("path", ""))
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives the buffered messages first, then the client's own."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


UNPRINTABLE_IN_PATH = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Control and format characters and the line and paragraph separators: no id, number or day
in a path holds one, and some (a line break) would break a header that echoes the path."""


class PrintablePath:
    """ASGI middleware: a path (once %-decoded) holding a control, format or line-separator
    character names nothing, and is answered with a 400 problem before any route reads it
    (`/v1/citations/N%0A/late-notice.pdf` used to drop the connection, `%E2%80%A8` a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        bad = next((c for c in path if unicodedata.category(c) in UNPRINTABLE_IN_PATH), None)
        if bad is None:
            await self.app(scope, receive, send)
            return
        detail = f"the path holds an unprintable character U+{ord(bad):04X}"
        shown = "".join("_" if unicodedata.category(c) in UNPRINTABLE_IN_PATH else c for c in path)
        response = problem(400, "malformed-path", detail, shown)
        await response(scope, receive, send)
