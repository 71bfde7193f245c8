"""What an unexpected error may put in a log: its classes and stack, never its message.

A message can quote input: `invalid literal for int() with base 10: '²'`, a database error's
statement parameters (a date of birth, an address). The stack (file, line, code) is what a
developer needs to find the fault. The clerks' pages and the API's problems (and the filter
on uvicorn's own error log) all log through this.
"""

from __future__ import annotations

import traceback

from starlette.requests import Request


def error_kinds(exc: BaseException) -> str:
    """The error's class and its causes' classes, without their messages.

    >>> try:
    ...     int("²")
    ... except ValueError as exc:
    ...     error_kinds(exc)
    'builtins.ValueError'
    """
    kinds: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(kinds) < 5:
        kinds.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    return " caused by ".join(kinds)


def stack(exc: BaseException) -> str:
    """The frames of the error's traceback (file, line, function, code), without a message."""
    return "".join(traceback.format_tb(exc.__traceback__))


def route_of(request: Request) -> str:
    """The request's route as declared (`/clerk/officers/{officer_id}/availability`), not
    its path, which can carry what was typed into it; the method too."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return f"{request.method} {template if isinstance(template, str) else '(no route)'}"
