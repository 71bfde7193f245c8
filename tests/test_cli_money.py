"""The money commands as a cashier and an administrator type them (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine

from cli import cli
from tests.cli_steps import run
from tests.money_steps import issue_one


def test_a_cashiers_day(
    runner: CliRunner,
    db: str,
    engine: Engine,
    tmp_path: Path,
    pinned_clock: time_machine.Traveller,
) -> None:
    d = ["--database", db]
    paid, planned, served, diverted, late = (issue_one(engine) for _ in range(5))
    receipt = tmp_path / "receipt.pdf"
    out = run(
        runner,
        "pay",
        paid,
        "--amount",
        "200.00",
        "--method",
        "card",
        "--key",
        "k1",
        "--receipt",
        str(receipt),
        *d,
    ).output
    assert "balance 0.00; paid." in out
    assert receipt.read_bytes().startswith(b"%PDF")
    again = run(runner, "pay", paid, "--amount", "200.00", "--method", "card", "--key", "k1", *d)
    assert "(already recorded)" in again.output
    assert (
        "is more than it"
        in run(runner, "pay", planned, "--amount", "999", "--method", "cash", *d, code=1).output
    )
    run(
        runner,
        "plan",
        planned,
        "--installment",
        "2030-01-15:100.00",
        "--installment",
        "2030-02-15:100.00",
        *d,
    )
    elected = run(runner, "service", "elect", served, "--provider", "food-bank", *d).output
    assert "0.00 of 10 hours signed off" in elected
    assert (
        "with food-bank"
        in run(runner, "service", "log", served, "--date", "2026-11-29", "--hours", "10", *d).output
    )
    assert (
        "completed" in run(runner, "service", "sign-off", served, "--signer", "Lee Park", *d).output
    )
    run(
        runner,
        "diversion",
        "refer",
        diverted,
        "--program",
        "neighborhood-justice",
        "--obligation",
        "apology_letter:Letter to neighbors",
        *d,
    )
    assert (
        "program completed"
        in run(runner, "diversion", "done", diverted, "0", "--date", "2026-11-29", *d).output
    )
    ability = run(
        runner, "ability", late, "--household", "2", "--monthly-income", "5000", "--sworn", *d
    ).output
    assert "does not qualify" in ability
    # The morning after: processing for yesterday, and the lockbox file dated today.
    pinned_clock.move_to(datetime(2026, 12, 27, 17, 0, tzinfo=UTC))
    notices = tmp_path / "late"
    processed = run(runner, "process", "--as-of", "2026-12-26", "--notices", str(notices), *d)
    assert "1 now delinquent" in processed.output
    assert (notices / f"{late}-late-notice.pdf").exists()
    assert "0 now delinquent" in run(runner, "process", "--as-of", "2026-12-26", *d).output
    lockbox = tmp_path / "lockbox.csv"
    lockbox.write_text(
        "batch_id,item,received_on,citation_number,amount,method\n"
        f"B7,1,2026-12-27,{late},50.00,check\n",
        encoding="utf-8",
    )
    acks = tmp_path / "acks.csv"
    assert (
        "1 posted"
        in run(runner, "payments", "import", str(lockbox), "--acks", str(acks), *d).output
    )
    assert "1 replayed" in run(runner, "payments", "import", str(lockbox), *d).output
    assert acks.read_text().startswith("line,status,citation_number,receipt_number,message")
    reconciled = run(
        runner, "payments", "reconcile", "--from", "2020-01-01", "--to", "2035-12-31", *d
    ).output
    assert "matches" in reconciled
    export = tmp_path / "collections.csv"
    run(runner, "collections", "export", "--output", str(export), *d)
    assert export.read_text().startswith("record,citation_number")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1e30", "enter an amount such as 250.00"),
        ("NaN", "enter an amount such as 250.00"),
        ("1.999999999999999999", "at most two decimals"),
        ("99999999999999999999", "cannot exceed 99,999,999.99"),
        ("²", "enter an amount such as 250.00"),
    ],
)
def test_an_amount_typed_on_the_command_line_is_exact(
    runner: CliRunner, db: str, engine: Engine, amount: str, words: str
) -> None:
    """`1e30` and `NaN` used to end in a traceback (decimal.InvalidOperation)."""
    number = issue_one(engine)
    result = runner.invoke(
        cli, ["pay", number, "--amount", amount, "--method", "card", "--database", db]
    )
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_lockbox_amount_is_read_as_the_command_line_reads_it(
    runner: CliRunner, db: str, engine: Engine, tmp_path: Path
) -> None:
    number = issue_one(engine)
    lockbox = tmp_path / "lockbox.csv"
    lockbox.write_text(
        "batch_id,item,received_on,citation_number,amount,method\n"
        f"B8,1,2026-11-25,{number},1e2,check\n"
        f"B8,2,2026-11-25,{number},1.999,check\n"
        f"B8,3,2026-11-25,{number},10.50,check\n",
        encoding="utf-8",
    )
    out = run(runner, "payments", "import", str(lockbox), "--database", db, code=1).output
    assert out.count("amount must be like 250.00") == 2, out
    assert "1 posted" in out
