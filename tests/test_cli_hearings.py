"""Hearing clerks' commands from a contest to an order, as a clerk types them (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine

from tests.cli_steps import run
from tests.hearing_steps import issue_one


@pytest.mark.clock(datetime(2026, 12, 11, 17, 0, tzinfo=UTC))  # the late request arrives today
def test_a_clerks_day(
    runner: CliRunner,
    db: str,
    engine: Engine,
    tmp_path: Path,
    pinned_clock: time_machine.Traveller,
) -> None:
    number = issue_one(engine)
    d = ["--database", db]
    late = run(
        runner,
        "hearings",
        "request-review",
        number,
        "--statement",
        "Soda can.",
        "--received-at",
        "2026-12-11T09:00:00-08:00",
        *d,
        code=1,
    )
    assert "after the deadline of 2026-12-10" in late.output
    run(
        runner,
        "hearings",
        "request-review",
        number,
        "--statement",
        "Soda can.",
        "--received-at",
        "2026-12-11T09:00:00-08:00",
        "--late-reason",
        "Mailed to old address",
        *d,
    )
    reviewed = run(
        runner,
        "hearings",
        "review",
        number,
        "--outcome",
        "upheld",
        "--findings",
        "Photo shows an open beer can.",
        "--decided-by",
        "Pat Morgan",
        "--title",
        "Senior Review Officer",
        *d,
    )
    assert f"Review of {number}: upheld; a hearing may be requested by" in reviewed.output
    run(
        runner,
        "hearings",
        "request",
        number,
        "--waiver-declaration",
        "I receive CalFresh and cannot pay.",
        "--interpreter",
        "es",
        *d,
    )
    denied = run(runner, "hearings", "waiver", number, "--deny", "--reason", "No proof", *d)
    assert "deposit due by" in denied.output
    run(runner, "hearings", "deposit", number, "--amount", "200.00", "--method", "cash", *d)
    added = run(
        runner,
        "docket",
        "add-officer",
        "Ada Ruiz",
        "--qualification",
        "pro_tem_judge",
        "--independence",
        "Retired judge; not a city employee.",
        *d,
    )
    officer = added.output.split()[2].rstrip(":")
    day = date(2031, 3, 4).isoformat()  # a Tuesday, far past any notice lead time
    run(
        runner,
        "docket",
        "available",
        officer,
        "--date",
        day,
        "--from",
        "08:00",
        "--to",
        "12:00",
        *d,
    )
    session = (
        run(
            runner,
            "docket",
            "add-session",
            "--date",
            day,
            "--start",
            "09:00",
            "--officer",
            officer,
            "--capacity",
            "4",
            "--slot-minutes",
            "20",
            "--place",
            "Room 101",
            *d,
        )
        .output.split()[1]
        .rstrip(":")
    )
    scheduled = run(runner, "hearings", "schedule", number, *d)
    assert f"Hearing for {number}: {day} at 09:00, session {session}, Ada Ruiz." in scheduled.output
    listing = run(runner, "docket", "sessions", "--from", day, "--to", day, *d).output
    assert "1/4 booked" in listing
    notice = tmp_path / "notice.pdf"
    run(runner, "hearings", "print", number, "--document", "notice", "--output", str(notice), *d)
    sheet = tmp_path / "docket.pdf"
    run(runner, "docket", "print", session, "--output", str(sheet), *d)
    early = run(
        runner,
        "hearings",
        "decide",
        number,
        "--outcome",
        "dismissed",
        "--findings",
        "The city did not prove the can held alcohol.",
        *d,
        code=1,
    )
    assert "the hearing is set for 2031-03-04 09:00 (America/Los_Angeles)" in early.output
    pinned_clock.move_to(datetime.fromisoformat(f"{day}T09:00:00-08:00"))  # the hearing's time
    bad = run(
        runner,
        "hearings",
        "decide",
        number,
        "--outcome",
        "reduced",
        "--findings",
        "Proven; hardship shown.",
        "--amount",
        "80.00",
        "--reason",
        "Income",
        "--installment",
        "2031-04-01:40.00",
        *d,
        code=1,
    )
    # the deposit of 200.00 already covers a fine reduced to 80.00: nothing is left to schedule
    assert "installments: installments add up to 40.00, not the 0.00 owed" in bad.output
    decided = run(
        runner,
        "hearings",
        "decide",
        number,
        "--outcome",
        "dismissed",
        "--findings",
        "The city did not prove the can held alcohol.",
        *d,
    )
    assert "dismissed; refund 200.00; appeal by" in decided.output
    order = tmp_path / "order.pdf"
    run(runner, "hearings", "print", number, "--output", str(order), *d)
    for pdf in (notice, sheet, order):
        assert pdf.read_bytes().startswith(b"%PDF")
    shown = run(runner, "hearings", "show", number, *d).output
    assert "hearing dismissed on" in shown
    assert "deposit: paid" in shown
