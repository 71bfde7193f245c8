"""RFC 9457 problem details: every error the API returns, in one shape.

`type` is a relative URI naming the kind of problem (documented in the README); `errors`
lists field problems as `{"field": "subject.date_of_birth", "message": "..."}`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from citations.attachments.store import StoreError
from citations.database import unavailable
from citations.errors import (
    CitationsError,
    DatabaseNotReady,
    DatabaseUnavailable,
    FieldError,
    IdempotencyConflict,
    IllegalTransition,
    ImplausibleTime,
    InputRejected,
    NotFound,
    NotSaved,
    PermissionDenied,
    TooEarly,
)
from citations.hearings.contests import DeadlineMissed
from citations.http.headers import ALWAYS
from citations.http.logs import error_kinds, route_of, stack
from citations.issuing.intake import NOT_AN_OBJECT
from citations.record.tokens import InvalidToken
from ordinances.errors import NothingPublished, NotInEffect, OrdinanceError, UnknownOrdinance

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("citations.api")


class ContentTooLarge(CitationsError):
    """A request body past the limit of a route that reads its body itself (a file upload);
    the message names the limit."""


# Domain error -> (HTTP status, problem kind). The first matching class wins.
STATUS: list[tuple[type[Exception], int, str]] = [
    (ContentTooLarge, 413, "content-too-large"),
    (InvalidToken, 401, "unauthorized"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (UnknownOrdinance, 404, "not-found"),
    (IdempotencyConflict, 409, "idempotency-conflict"),
    (IllegalTransition, 409, "illegal-transition"),
    (TooEarly, 422, "too-early"),
    (ImplausibleTime, 422, "implausible-time"),
    (InputRejected, 422, "input-rejected"),
    (DeadlineMissed, 422, "deadline-missed"),
    (NotInEffect, 422, "not-in-effect"),
    (NothingPublished, 503, "catalog-not-published"),
    (DatabaseNotReady, 503, "database-not-ready"),
    (DatabaseUnavailable, 503, "database-unavailable"),
    (NotSaved, 503, "not-saved"),
    (CitationsError, 400, "bad-request"),
    (OrdinanceError, 400, "bad-request"),
]


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """Why FastAPI could not read a JSON body at all, when it says only 'error parsing'."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return f"not UTF-8 text: byte 0x{cause.object[cause.start]:02X} at byte {cause.start + 1}"
    if isinstance(cause, RecursionError):
        return "nested too deeply to read"
    return None


def problem(
    status: int,
    kind: str,
    detail: str,
    instance: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(body)"


class WithholdMessages(logging.Filter):
    """For the server's error log: an exception is logged as its classes and stack only.

    Starlette hands every unexpected exception on to the server (uvicorn) after our handler
    has answered, and uvicorn logs it with its message, which can quote personal data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = stack(exc)
            record.msg = f"{record.getMessage().rstrip()} {error_kinds(exc)}\n{frames}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


SERVER_ERROR_LOG = "uvicorn.error"


def install(app: FastAPI) -> None:
    """Register handlers so no error leaves the API as anything but problem+json, and keep
    error messages (which may quote personal data) out of the server's log."""
    server_log = logging.getLogger(SERVER_ERROR_LOG)
    if not any(isinstance(f, WithholdMessages) for f in server_log.filters):
        server_log.addFilter(WithholdMessages())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        if any(e.get("type") == "json_invalid" for e in raw):
            first = next(e for e in raw if e.get("type") == "json_invalid")
            reason = (first.get("ctx") or {}).get("error", "malformed JSON")
            return problem(
                400, "malformed-json", f"the body is not valid JSON: {reason}", request.url.path
            )
        errors = []
        for error in raw:
            loc = tuple(error.get("loc", ()))
            if loc and loc[0] in ("body", "query", "path", "header"):
                loc = loc[1:]
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            if error.get("type") == "missing":
                message = "required"
            elif error.get("type") == "extra_forbidden":
                message = "unknown field"
            elif error.get("type") in NOT_AN_OBJECT:
                message = "must be a JSON object"
            errors.append(FieldError(_field(loc), message))
        return problem(
            422, "input-rejected", "the request has invalid fields", request.url.path, errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        unreadable = _unreadable_body(exc)
        if unreadable is not None:
            detail = f"the body is not valid JSON: {unreadable}"
            return problem(400, "malformed-json", detail, request.url.path)
        kind = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
        return problem(
            exc.status_code,
            kind,
            str(exc.detail),
            request.url.path,
            headers=getattr(exc, "headers", None),
        )

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        for cls, status, kind in STATUS:
            if isinstance(exc, cls):
                errors = exc.errors if isinstance(exc, InputRejected) else None
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                detail = exc.summary if isinstance(exc, InputRejected) else str(exc)
                return problem(status, kind, detail, request.url.path, errors, headers)
        return await unexpected(request, exc)

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        """The database went away mid-request: 503, and the transaction is gone with it. The
        detail does not name the server (clients need not know it); the log has the kind."""
        if isinstance(exc, DBAPIError) and unavailable(exc, str(request.app.state.engine.url)):
            log.warning("database unavailable on %s: %s", request.url.path, error_kinds(exc))
            detail = "the database is unavailable; nothing of this request was saved: try again"
            return problem(503, "database-unavailable", detail, request.url.path)
        if isinstance(exc, DataError):  # a value validation let through (PostgreSQL: NUL, range)
            log.warning(
                "value refused by the database on %s: %s", request.url.path, error_kinds(exc)
            )
            detail = "a value in the request cannot be stored (out of range, or not text)"
            return problem(422, "input-rejected", detail, request.url.path)
        return await unexpected(request, exc)

    async def store_error(request: Request, exc: Exception) -> JSONResponse:
        """The files store failed (a folder not writable, the object store unreachable, a
        file's bytes missing): 503, and the detail does not say where the store is."""
        log.warning("files store failed on %s: %s", route_of(request), error_kinds(exc))
        detail = "the files store could not be read or written; nothing was saved: try again"
        return problem(503, "files-store-unavailable", detail, request.url.path)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The route's template, not the path, which can carry what was typed into it.
        log.error("unexpected error on %s: %s\n%s", route_of(request), error_kinds(exc), stack(exc))
        return problem(
            500,
            "internal-error",
            "an unexpected error occurred; it has been logged",
            request.url.path,
            headers=ALWAYS,  # answered outside the middleware that adds them to the rest
        )

    app.add_exception_handler(CitationsError, domain_error)
    app.add_exception_handler(StoreError, store_error)  # the nearer class wins
    app.add_exception_handler(OrdinanceError, domain_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(Exception, unexpected)
