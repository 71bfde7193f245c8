"""Headers every answer carries, the API's and the pages' alike.

- `Cache-Control: no-store`: citations, ledgers, receipts and every PDF carry people's names,
  addresses and payments; no browser, proxy or shared cache may keep a copy. An answer that
  chose its own caching keeps it (none does today).
- `X-Content-Type-Options: nosniff`: a document is what its content type says.
- `Strict-Transport-Security` on answers to https requests (`CITATIONS_HSTS_SECONDS`, a year
  by default; 0 sends none): once a browser has reached the service over https it never
  tries plain http there again. Behind a proxy that ends TLS, uvicorn takes the scheme from
  the proxy's `X-Forwarded-Proto` when the proxy's address is in `FORWARDED_ALLOW_IPS`
  (127.0.0.1 by default), so the header follows what the client used.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
"""What every answer carries. An answer made by Starlette's outermost error handler (a 500)
never passes through this middleware, so the API's 500 problem sets these itself."""


class SecurityHeaders:
    """ASGI middleware: add the headers above to every HTTP answer that lacks them."""

    def __init__(self, app: ASGIApp, hsts_seconds: int) -> None:
        self.app = app
        self.hsts = f"max-age={hsts_seconds}" if hsts_seconds > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if secure and self.hsts is not None:
                    headers.setdefault("Strict-Transport-Security", self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
