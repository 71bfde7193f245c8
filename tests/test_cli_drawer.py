"""`citations drawer open|close|show|list`: the cashier's drawer at the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from citations.database import transaction
from citations.payments.drawers import take_counter_payment
from citations.payments.posting import PaymentRequest
from citations.roles import Actor, Role
from tests.cli_steps import run
from tests.money_steps import issue_one

ROBIN = Actor("Robin Diaz", Role.CLERK)
NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
"""10:00 on 2026-12-04 in Los Angeles."""

pytestmark = pytest.mark.clock(NOW)


def test_a_drawer_opened_shown_closed_and_listed(
    runner: CliRunner, db: str, engine: Engine
) -> None:
    d = ["--database", db]
    number = issue_one(engine)
    who = ["--cashier", "Robin Diaz"]
    assert (
        "is open with a float of 100.00"
        in run(runner, "drawer", "open", "--float", "100.00", *who, *d).output
    )
    again = run(runner, "drawer", "open", "--float", "5", *who, *d, code=1).output
    assert "already open" in again
    with transaction(engine) as session:
        request = PaymentRequest(amount=Decimal("45.00"), method="cash")
        take_counter_payment(session, number, request, actor=ROBIN, now=NOW)
    shown = json.loads(run(runner, "drawer", "show", "--json", *who, *d).output)
    assert (shown["status"], shown["cash_expected"], len(shown["receipts"])) == (
        "open",
        "145.00",
        1,
    )
    closed = run(runner, "drawer", "close", "--cash", "140", "--checks", "0", *who, *d).output
    assert "Counted cash 140.00 (5.00 short), checks 0.00 (balanced)." in closed
    assert "has no open drawer" in run(runner, "drawer", "show", *who, *d, code=1).output
    listed = run(runner, "drawer", "list", "--from", "2026-12-04", "--to", "2026-12-04", *d)
    assert "Robin Diaz" in listed.output and "cash 5.00 short" in listed.output
    rows = json.loads(
        run(
            runner, "drawer", "list", "--from", "2026-12-04", "--to", "2026-12-04", "--json", *d
        ).output
    )
    assert [(r["cashier"], r["cash_difference"]) for r in rows] == [("Robin Diaz", "-5.00")]
    day = ["--from", "2026-12-04", "--to", "2026-12-04"]
    reconciled = run(runner, "payments", "reconcile", *day, *d).output
    assert "total net 45.00; ledger 45.00; matches" in reconciled
    assert "of Robin Diaz on 2026-12-04: cash -5.00, checks +0.00" in reconciled


def test_every_drawer_command_has_help_with_an_example(runner: CliRunner) -> None:
    for command in ("open", "close", "show", "list"):
        out = run(runner, "drawer", command, "--help").output
        assert "Example:" in out and f"citations drawer {command}" in out
