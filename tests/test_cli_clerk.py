"""The command line as a clerk reads it (and the API's and pages' reading of the same record):
local times with their offset, where a citation stands, errors said once, no stray database
files, honest batch counts, a quiet batch, export progress and a paid citation called paid."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.database import transaction
from citations.record.numbering import CitationNumber
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.browser.desk import desk_app, sign_in
from tests.browser.html import Page
from tests.cli_steps import run
from tests.conftest import NOW
from tests.factories import message


def batch(tmp_path: Path, *bodies: dict[str, Any], name: str = "shift.jsonl") -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(b) + "\n" for b in bodies), encoding="utf-8")
    return str(path)


FIRST, SECOND = str(CitationNumber("DCPD", 2026, 1)), str(CitationNumber("DCPD", 2026, 2))


def mistyped(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# `citations show`


def test_show_gives_local_times_with_their_offset(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    evening = message(violation_at="2026-11-20T22:15:00-08:00")  # 06:15 the next day in UTC
    summer = message(violation_at="2026-07-04T22:30:00-07:00")
    run(runner, "issue", batch(tmp_path, evening, summer), "--database", db)
    shown = run(runner, "show", FIRST, "--database", db).output
    assert "  violation:  2026-11-20 22:15 PST (UTC-08:00) at 100 Main St" in shown
    assert "2026-11-21" not in shown
    # Issued now: 18:00 UTC on 2026-11-29 is 10:00 in Los Angeles (the pinned clock).
    assert "  issued:     2026-11-29 10:00 PST (UTC-08:00)" in shown
    assert "  revision 1: 2026-11-29 10:00 PST (UTC-08:00) by " in shown
    summer_shown = run(runner, "show", SECOND, "--database", db).output
    assert "  violation:  2026-07-04 22:30 PDT (UTC-07:00) at 100 Main St" in summer_shown


def test_show_reads_a_time_sent_in_utc_on_the_citys_clocks(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    run(
        runner,
        "issue",
        batch(tmp_path, message(violation_at="2026-11-21T06:15:00Z")),
        "--database",
        db,
    )
    shown = run(runner, "show", FIRST, "--database", db).output
    assert "  violation:  2026-11-20 22:15 PST (UTC-08:00) at 100 Main St" in shown


def test_show_says_the_status_the_balance_and_the_contests_stage(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    run(runner, "issue", batch(tmp_path, message()), "--database", db)
    shown = run(runner, "show", FIRST, "--database", db).output.splitlines()
    assert shown[1:3] == ["  status:     issued", "  balance:    $200.00"]
    assert not any(line.startswith("  contest:") for line in shown)
    run(runner, "pay", FIRST, "--amount", "50", "--method", "cash", "--database", db)
    statement = "It was a soda can, not beer."
    run(runner, "hearings", "request-review", FIRST, "--statement", statement, "--database", db)
    shown = run(runner, "show", FIRST, "--database", db).output.splitlines()
    assert shown[1:4] == [
        "  status:     in review",
        "  balance:    $150.00",
        "  contest:    review requested",
    ]
    document = json.loads(run(runner, "show", FIRST, "--json", "--database", db).output)
    assert (document["status"], document["balance"]) == ("in_review", "150.00")
    assert document["contest_stage"] == "review_requested"
    assert document["violation_at"] == "2026-11-20T22:15:00-08:00"


# The API keeps the offset the sender gave


@pytest.fixture
def api(db: str, engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API, and a token for each role used here: `officer` (DCPD's) and `clerk`."""
    secrets = {}
    with transaction(engine) as session:
        for role, agency in [("officer", "DCPD"), ("clerk", None)]:
            _, secrets[role] = create_token(
                session, role=role, agency=agency, name=role, actor=OPERATOR, now=NOW
            )
    with TestClient(desk_app(db), raise_server_exceptions=False) as client:
        yield client, secrets


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "sent",
    ["2026-11-20T22:15:00-08:00", "2026-11-21T06:15:00Z", "2026-11-21T01:15:00-05:00"],
)
def test_the_api_returns_the_violation_time_as_sent(
    api: tuple[TestClient, dict[str, str]], sent: str
) -> None:
    client, secrets = api
    officer = bearer(secrets["officer"])
    created = client.post("/v1/citations", headers=officer, json=message(violation_at=sent))
    assert created.status_code == 201, created.text
    read = client.get(created.headers["Location"], headers=bearer(secrets["clerk"])).json()
    assert read["violation_at"] == sent
    # However it is written, it is the same instant.
    assert datetime.fromisoformat(read["violation_at"]) == datetime.fromisoformat(
        "2026-11-21T06:15:00+00:00"
    )
    assert read["violation_date"] == "2026-11-20"


def test_an_amended_time_is_returned_as_the_amendment_gave_it(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, secrets = api
    officer = bearer(secrets["officer"])
    created = client.post("/v1/citations", headers=officer, json=message())
    number = created.json()["citation_number"]
    amended = client.post(
        f"/v1/citations/{number}/amendments",
        headers=officer,
        json={
            "reason": "The officer wrote the wrong hour",
            "violation_at": "2026-11-21T00:45:00-05:00",
        },
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["violation_at"] == "2026-11-21T00:45:00-05:00"
    read = client.get(f"/v1/citations/{number}", headers=bearer(secrets["clerk"])).json()
    assert read["violation_at"] == "2026-11-21T00:45:00-05:00"
    assert read["revision"] == 2


# Errors are said once


def test_a_mistyped_number_is_explained_once(
    runner: CliRunner, db: str, tmp_path: Path, api: tuple[TestClient, dict[str, str]]
) -> None:
    run(runner, "issue", batch(tmp_path, message()), "--database", db)
    typo = mistyped(FIRST)
    said = run(runner, "show", typo, "--database", db, code=1).output
    assert said.splitlines() == [
        f"Error: citation number '{typo}' is not valid",
        "  number: the check digit does not match (mistyped?)",
    ]
    client, secrets = api
    problem = client.get(f"/v1/citations/{typo}", headers=bearer(secrets["clerk"])).json()
    assert problem["detail"] == f"citation number '{typo}' is not valid"
    with TestClient(desk_app(db), base_url="https://testserver", follow_redirects=False) as pages:
        sign_in(pages, secrets["clerk"])
        page = pages.get(f"/clerk/citations/{typo}")
    assert page.status_code == 400
    text = Page(page.text).words("main")
    assert text.count("check digit does not match") == 1, text


# No database file made by mistake


@pytest.mark.parametrize("command", [["show", FIRST], ["ordinances", "list"], ["serve"]])
def test_a_missing_sqlite_file_is_named_and_not_created(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo.db"
    url = f"sqlite:///{missing}"
    said = run(runner, *command, "--database", url, code=1).output
    assert said.strip() == (
        f"Error: the database file {missing} does not exist: run `citations db upgrade` "
        "first, which creates it"
    )
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


# Batches: what was created, and what was already recorded


def test_a_batch_run_again_issues_nothing_and_says_so(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    shift = batch(tmp_path, message(), message())
    first = run(runner, "issue", shift, "--database", db).stdout.splitlines()
    assert first[-1] == "2 records: 2 issued"
    again = run(runner, "issue", shift, "--database", db).stdout.splitlines()
    assert again[-1] == "2 records: 0 issued, 2 already recorded"
    mixed = batch(tmp_path, json.loads(Path(shift).read_text().splitlines()[0]), message())
    assert run(runner, "issue", mixed, "--database", db).stdout.splitlines()[-1] == (
        "2 records: 1 issued, 1 already recorded"
    )


def test_a_quiet_batch_prints_only_its_summary(runner: CliRunner, db: str, tmp_path: Path) -> None:
    shift = batch(tmp_path, message(), message(), message())
    quiet = run(runner, "issue", shift, "--quiet", "--database", db)
    assert quiet.stdout.splitlines() == ["3 records: 3 issued"]


# Export progress


def test_export_shows_progress_on_standard_error_when_asked(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    run(runner, "issue", batch(tmp_path, message()), "--database", db)
    shown = run(runner, "export", "-o", str(tmp_path / "a.jsonl"), "--progress", "--database", db)
    rows = len((tmp_path / "a.jsonl").read_text().splitlines()) - 2  # not header, trailer
    steps = shown.stderr.split("\r")
    assert steps[1] == f"Exporting: 0 of {rows:,} rows (0%)"
    assert steps[-1] == f"Exporting: {rows:,} of {rows:,} rows (100%)\n"
    assert f"Exported {rows:,} rows" in shown.stdout
    # Not a terminal (the runner's standard error) and not asked: nothing but the summary.
    quiet = run(runner, "export", "-o", str(tmp_path / "b.jsonl"), "--database", db)
    assert quiet.stderr == ""
    # To standard output: the progress stays on standard error, before the summary.
    piped = run(runner, "export", "-o", "-", "--progress", "--database", db)
    assert piped.stderr.split("\n")[0].endswith(f"Exporting: {rows:,} of {rows:,} rows (100%)")
    assert piped.stderr.split("\n")[1].startswith(f"Exported {rows:,} rows")


# Paying a paid citation


def test_paying_a_paid_citation_says_it_is_paid(runner: CliRunner, db: str, tmp_path: Path) -> None:
    run(runner, "issue", batch(tmp_path, message()), "--database", db)
    pay = ["pay", FIRST, "--amount", "200.00", "--method", "cash", "--database", db]
    run(runner, *pay)
    again = run(runner, *pay, code=1).output
    assert again.strip() == (
        f"Error: citation {FIRST} is paid: cannot take a payment; it is paid in full and its "
        "balance is 0.00: nothing is owed"
    )
    assert "contest" not in again
