"""The clerks' pages log an unexpected error without quoting what was typed: the route's
template, the error's classes and its stack, never its message nor the path."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from citations.web import office
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

TYPED = "²"
"""A digit to str.isdigit, not to int(): the value the issue saw quoted in the log."""


@pytest.fixture
def client(filled: Desk, database_url: str) -> Iterator[TestClient]:
    app = desk_app(database_url)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        sign_in(client, filled.tokens["clerk"])
        yield client


def formatted(record: logging.LogRecord) -> str:
    return logging.Formatter("%(name)s %(message)s").format(record)


def test_an_unexpected_error_is_logged_without_the_input(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse_blindly(session: Any, actor: Any, now: Any, officer: str | None) -> Any:
        return int(officer or "")  # the defect's shape: int() of what the path carried

    # The page's own parsing may refuse "²" by now; this stands in for any unexpected error
    # whose message quotes input.
    monkeypatch.setattr(office, "_office", parse_blindly)
    caplog.set_level(logging.DEBUG)
    answer = client.get(f"/clerk/officers/{TYPED}/availability")
    assert answer.status_code == 500
    assert TYPED not in answer.text
    logged = [formatted(r) for r in caplog.records if r.name.startswith(("citations", "uvicorn"))]
    assert any(
        "unexpected error on GET /clerk/officers/{officer_id}/availability: builtins.ValueError"
        in text
        for text in logged
    ), logged
    assert any("parse_blindly" in text for text in logged)  # the stack is there
    assert [text for text in logged if TYPED in text or "invalid literal" in text] == []
