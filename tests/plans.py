"""The plans PostgreSQL executed, as auto_explain reports them (JSON), for tests that a
lookup stays a lookup whatever the planner believes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

AUTO_EXPLAIN = [
    "LOAD 'auto_explain'",
    "SET auto_explain.log_min_duration = 0",
    "SET auto_explain.log_nested_statements = on",
    "SET auto_explain.log_analyze = on",
    "SET auto_explain.log_format = json",
    "SET auto_explain.log_level = notice",
]


@contextmanager
def executed_plans(connection: Connection, *settings: str) -> Iterator[list[dict[str, Any]]]:
    """Every statement run on `connection` inside the block (a trigger's too), its plan
    appended to the list yielded when the block ends. `settings` (e.g. "SET enable_nestloop =
    off") stand for a planner that misjudges."""
    raw = connection.connection.driver_connection
    assert raw is not None
    messages: list[str] = []

    def heard(notice: Any) -> None:
        messages.append(notice.message_primary or "")

    raw.add_notice_handler(heard)
    for setting in [*AUTO_EXPLAIN, *settings]:
        connection.exec_driver_sql(setting)
    plans: list[dict[str, Any]] = []
    try:
        yield plans
    finally:
        raw.remove_notice_handler(heard)
    plans.extend(json.loads(message.split("plan:", 1)[1]) for message in messages)


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A plan's nodes, depth first."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)
