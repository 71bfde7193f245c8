"""The edge of the clerks' pages: every error becomes a page a person can read.

The API answers errors in problem+json; a clerk in a browser needs a page instead, with the
navigation still there. `WebRoute` wraps each page's handler: a missing or ended session
goes to the login page, a refused role or a missing record gets a 403 or 404 page, and
nothing unexpected ever shows a traceback. It also sets the security headers of every page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from citations.errors import (
    CitationsError,
    DatabaseNotReady,
    DatabaseUnavailable,
    InputRejected,
    NotFound,
    PermissionDenied,
)
from citations.http.logs import error_kinds, route_of, stack
from citations.web.pages import render
from ordinances.errors import NothingPublished, OrdinanceError

log = logging.getLogger("citations.web")

PREFIX = "/clerk"
COOKIE = "citations_clerk"

HTML_HEADERS = {
    # No scripts at all; styles only from our own style sheet; forms post only to us.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


class LoginRequired(Exception):
    """No session, or its token no longer authenticates (revoked or expired)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__("sign in first")
        self.ended = ended


class PasswordChangeRequired(Exception):
    """A person signed in with a password an administrator set: they choose their own first."""


class CsrfRejected(Exception):
    """A form post without this session's form token: refused before anything happens."""


def login_redirect(request: Request, ended: bool) -> Response:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    response = RedirectResponse(
        f"{PREFIX}/login?next={quote(target, safe='')}" + ("&ended=1" if ended else ""),
        status_code=303,
    )
    if ended:
        response.delete_cookie(COOKIE, path=PREFIX, secure=True, httponly=True, samesite="lax")
    return response


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    try:
        return render(request, "error.html", status, status=status, title=title, message=message)
    except Exception as failure:  # the error page itself must never fail
        log.error(
            "the error page could not be rendered: %s\n%s", error_kinds(failure), stack(failure)
        )
        return PlainTextResponse(f"{status} {title}: {message}", status_code=status)


def _translate(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired):
        return login_redirect(request, exc.ended)
    if isinstance(exc, PasswordChangeRequired):
        return RedirectResponse(f"{PREFIX}/password", status_code=303)
    if isinstance(exc, CsrfRejected):
        return error_page(
            request,
            403,
            "The form could not be accepted",
            "The form was sent without this session's form token (it may be from an old "
            "page, or from another site). Go back, reload the page and try again.",
        )
    if isinstance(exc, RequestValidationError):
        return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, "Not allowed", str(exc))
    if isinstance(exc, NotFound):
        return error_page(request, 404, "Not found", str(exc))
    if isinstance(exc, NothingPublished | DatabaseNotReady | DatabaseUnavailable):
        return error_page(request, 503, "Not ready", str(exc))
    if isinstance(exc, InputRejected):
        return error_page(request, 400, "Cannot show this", str(exc))
    if isinstance(exc, CitationsError | OrdinanceError):
        return error_page(request, 400, "Cannot do this", str(exc))
    if isinstance(exc, StarletteHTTPException) and exc.status_code < 500:
        # e.g. a form of more than 1,000 fields, refused by the form reader itself
        return error_page(request, exc.status_code, "Cannot read this request", str(exc.detail))
    if isinstance(exc, DataError):  # a value no check caught and the database cannot hold
        return error_page(request, 400, "Cannot store this", "A value is out of range.")
    # Classes and stack only: a message can quote input (int("²") names the "²"), and so
    # can the path; the route's template cannot.
    log.error("unexpected error on %s: %s\n%s", route_of(request), error_kinds(exc), stack(exc))
    return error_page(
        request,
        500,
        "Something went wrong",
        "An unexpected error occurred and has been logged. Nothing was changed by the "
        "request that failed; try again, and tell the system administrator if it persists.",
    )


class WebRoute(APIRoute):
    """A page route: errors become pages, and every page carries the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                response = _translate(request, exc)
            headers = HTML_HEADERS if isinstance(response, HTMLResponse) else {}
            for name, value in headers.items():
                response.headers.setdefault(name, value)
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response

        return guarded


def web_router(**options: Any) -> APIRouter:
    """A router whose routes are pages: guarded, and never in the API's OpenAPI schema."""
    return APIRouter(route_class=WebRoute, include_in_schema=False, **options)
