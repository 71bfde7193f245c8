"""Reading one's own writes when reads may come from a replica (CITATIONS_READ_DATABASE_URL).

After a request that may have written (any method but GET, HEAD and OPTIONS, or one whose
work committed a transaction: `citations.database.noting_writes`), the answer says where
the primary's write-ahead log then stood, which is at or past the request's commits:

- the API's answers in the header `Citations-Written-LSN: 0/3000148`; a client that must
  see that write in a later read sends it back as `Citations-Read-After: 0/3000148`;
- the pages' answers also in the cookie `citations_read_after`, which the browser sends
  back by itself.

A routed read (citations.http.deps.ReplicaDep) then goes to the replica only if the replica
has replayed that far, and to the primary otherwise. Without a replica nothing is added.
"""

from __future__ import annotations

import logging

from anyio import to_thread
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citations.database import Lsn, ReadRouting, format_lsn, noting_writes
from citations.http.deps import READ_AFTER_COOKIE, WRITTEN_HEADER

log = logging.getLogger("citations.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE_SECONDS = 24 * 60 * 60
"""The cookie outlives any lag: once the replica is past it, it no longer changes a thing."""


class ReadYourWrites:
    """ASGI middleware: tell the client where its writes left the primary's log."""

    def __init__(self, app: ASGIApp, routing: ReadRouting) -> None:
        self.app = app
        self.routing = routing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.routing.replica is None:
            await self.app(scope, receive, send)
            return
        may_write = scope["method"] not in SAFE_METHODS
        pages = not scope["path"].startswith("/v1/")

        with noting_writes() as writes:

            async def send_position(message: Message) -> None:
                if message["type"] == "http.response.start" and (may_write or writes.committed):
                    # The route's transactions have committed before its answer starts.
                    position = await to_thread.run_sync(self._position)
                    if position is not None:
                        headers = MutableHeaders(scope=message)
                        headers[WRITTEN_HEADER] = format_lsn(position)
                        if pages:
                            headers.append("set-cookie", _cookie(position))
                await send(message)

            await self.app(scope, receive, send_position)

    def _position(self) -> Lsn | None:
        try:
            return self.routing.written_position()
        except DBAPIError as exc:  # the primary is gone: the answer itself says so
            log.warning("could not read the primary's log position: %s", type(exc.orig).__name__)
            return None


def _cookie(position: Lsn) -> str:
    """
    >>> _cookie(0x3000148)
    'citations_read_after=0/3000148; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Lax'
    """
    return (
        f"{READ_AFTER_COOKIE}={format_lsn(position)}; Max-Age={COOKIE_SECONDS}; Path=/; "
        "HttpOnly; Secure; SameSite=Lax"
    )
