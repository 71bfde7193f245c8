"""How every API route reads its JSON body: the one place each body's numbers and text pass.

- JSON numbers are read as exact decimals, never binary floats: `{"amount": 1.999999999999999999}`
  is refused for having more than two decimals rather than recorded as 2.00. `NaN` and
  `Infinity` (which Python's reader would accept) are not JSON, and are refused as such.
- No text anywhere in a body, key or value, at any depth, may hold a control character: the
  answer is a 422 problem naming each field and the character. Every body is checked, those
  of routes added later included, whatever model reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from citations.inputs import unprintable


def _not_json(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def read_json(body: bytes) -> Any:
    """A JSON body with its numbers as `int` or exact `Decimal`.

    >>> read_json(b'{"amount": 1.999999999999999999, "n": 2}')
    {'amount': Decimal('1.999999999999999999'), 'n': 2}
    """
    return json.loads(body, parse_float=Decimal, parse_constant=_not_json)


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = read_json(await self.body())
        return self._json


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class ExactJsonRoute(APIRoute):
    """An `APIRoute` that reads bodies as `read_json` does and refuses control characters."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            request = ExactJsonRequest(request.scope, request.receive)
            if _is_json(request) and await request.body():
                try:
                    parsed = await request.json()
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                    parsed = None  # the route's own reading says what is wrong with it
                problems = [
                    {"type": "value_error", "loc": ("body", path), "msg": message, "input": None}
                    for path, message in unprintable(parsed)
                ]
                if problems:
                    raise RequestValidationError(problems)
            return await handler(request)

        return exact
