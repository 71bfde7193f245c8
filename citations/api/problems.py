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
from starlette.exceptions import HTTPException as StarletteHTTPException

from citations.errors import (
    CitationsError,
    DatabaseNotReady,
    DatabaseUnavailable,
    FieldError,
    IdempotencyConflict,
    IllegalTransition,
    InputRejected,
    NotFound,
    PermissionDenied,
)
from citations.hearings.contests import DeadlineMissed
from citations.tokens import InvalidToken
from ordinances.errors import NothingPublished, NotInEffect, OrdinanceError, UnknownOrdinance

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("citations.api")

# Domain error -> (HTTP status, problem kind). The first matching class wins.
STATUS: list[tuple[type[Exception], int, str]] = [
    (InvalidToken, 401, "unauthorized"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (UnknownOrdinance, 404, "not-found"),
    (IdempotencyConflict, 409, "idempotency-conflict"),
    (IllegalTransition, 409, "illegal-transition"),
    (InputRejected, 422, "input-rejected"),
    (DeadlineMissed, 422, "deadline-missed"),
    (NotInEffect, 422, "not-in-effect"),
    (NothingPublished, 503, "catalog-not-published"),
    (DatabaseNotReady, 503, "database-not-ready"),
    (DatabaseUnavailable, 503, "database-unavailable"),
    (CitationsError, 400, "bad-request"),
    (OrdinanceError, 400, "bad-request"),
]


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


def install(app: FastAPI) -> None:
    """Register handlers so no error leaves the API as anything but problem+json."""

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
            errors.append(FieldError(_field(loc), message))
        return problem(
            422, "input-rejected", "the request has invalid fields", request.url.path, errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
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

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return problem(
            500,
            "internal-error",
            "an unexpected error occurred; it has been logged",
            request.url.path,
        )

    app.add_exception_handler(CitationsError, domain_error)
    app.add_exception_handler(OrdinanceError, domain_error)
    app.add_exception_handler(Exception, unexpected)
