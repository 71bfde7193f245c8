"""The issuing commands as a user meets them: agencies, numbers, tokens, issue, show, amend,
void and notice (both backends)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from citations.record.numbering import CitationNumber
from tests.cli_steps import run
from tests.factories import message, subject


def write_jsonl(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_issue_a_batch_with_rejects_and_run_it_again(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    good = message()
    referred = message(
        violation_at="2021-06-01T12:00:00-07:00", subject=subject(date_of_birth="2005-01-01")
    )
    bad = message(violations=[{"ordinance": "TC 404", "narrative": "x"}])
    batch = write_jsonl(tmp_path / "shift.jsonl", [good, "{not json", referred, bad])
    rejects = tmp_path / "rejects.jsonl"
    first = run(runner, "issue", str(batch), "--rejects", str(rejects), "--database", db, code=1)
    lines = first.stdout.splitlines()
    number = str(CitationNumber("DCPD", 2026, 1))
    assert lines[0] == f"line 1: issued {number}, fine $200.00"
    assert lines[1].startswith("line 2: rejected: (json): invalid JSON: Expecting property name")
    assert lines[2] == (
        "line 3: referred: the subject is 16, under the minimum age of 18 for TC 41.27(c)"
    )
    assert (
        lines[3] == "line 4: rejected: violations[0].ordinance: no ordinance 'TC 404' is published"
    )
    assert lines[4] == "4 records: 1 issued, 1 referred, 2 rejected"
    assert f"2 record(s) rejected; see {rejects}" in first.output
    kept = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(k["line"], k["errors"][0]["field"]) for k in kept] == [
        (2, "(json)"),
        (4, "violations[0].ordinance"),
    ]
    assert kept[1]["record"] == bad
    second = run(runner, "issue", str(batch), "--database", db, code=1)
    assert f"line 1: issued {number}, fine $200.00 (already received)" in second.output
    assert "line 3: referred (already received)" in second.output


def test_issue_one_pretty_printed_message_and_json_output(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(message(), indent=2), encoding="utf-8")
    output = json.loads(run(runner, "issue", str(path), "--json", "--database", db).output)
    assert output[0]["result"]["outcome"] == "issued"
    assert output[0]["line"] == 1


def test_issue_schema(runner: CliRunner) -> None:
    schema = json.loads(run(runner, "issue", "--schema").output)
    assert schema["title"] == "Citation intake message"


def test_show_amend_void_and_notice(runner: CliRunner, db: str, tmp_path: Path) -> None:
    run(runner, "issue", str(write_jsonl(tmp_path / "a.jsonl", [message()])), "--database", db)
    number = str(CitationNumber("DCPD", 2026, 1))
    shown = run(runner, "show", number, "--database", db).output
    assert f"Citation {number} (DCPD), issued, revision 1" in shown
    assert "TC 41.27(c)" in shown
    changes = tmp_path / "fix.json"
    changes.write_text(
        json.dumps(
            {
                "reason": "Address mistyped",
                "location": {"address": "110 Main St", "area": "Central"},
            }
        )
    )
    amended = run(runner, "amend", number, str(changes), "--database", db).output
    assert f"Citation {number} amended: revision 2" in amended
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"location": {"address": "x"}}))
    refused = run(runner, "amend", number, str(bad), "--database", db, code=1).output
    assert "reason: required" in refused
    pdf = tmp_path / "notice.pdf"
    run(runner, "notice", number, "--output", str(pdf), "--database", db)
    assert pdf.read_bytes().startswith(b"%PDF")
    run(runner, "void", number, "--reason", "Wrong person", "--database", db)
    again = run(runner, "void", number, "--reason", "Wrong person", "--database", db, code=1)
    assert f"citation {number} is voided: cannot void it" in again.output
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert (
        "the check digit does not match"
        in run(runner, "show", typo, "--database", db, code=1).output
    )


def test_agencies_numbers_and_tokens(runner: CliRunner, db: str) -> None:
    assert (
        "Agency SFPD"
        in run(runner, "agencies", "add", "sfpd", "--name", "Parks Police", "--database", db).output
    )
    assert "DCPD  Demo City Police" in run(runner, "agencies", "list", "--database", db).output
    refused = run(runner, "agencies", "add", "X1", "--name", "n", "--database", db, code=1)
    assert "code: must be 2 to 8 letters" in refused.output
    block = json.loads(
        run(
            runner,
            "numbers",
            "allocate",
            "--agency",
            "DCPD",
            "--device",
            "u7",
            "--size",
            "25",
            "--json",
            "--database",
            db,
        ).output
    )
    assert block["size"] == 25
    created = run(
        runner,
        "tokens",
        "create",
        "--role",
        "officer",
        "--agency",
        "DCPD",
        "--name",
        "unit 7",
        "--database",
        db,
    )
    secret = created.stdout.splitlines()[1]
    assert secret.startswith("cit_")
    listed = run(runner, "tokens", "list", "--database", db).output
    assert "officer" in listed and "DCPD" in listed and secret not in listed
    assert (
        "a officer token needs an agency"
        in run(runner, "tokens", "create", "--role", "officer", "--database", db, code=1).output
    )
    clerk = ("tokens", "create", "--role", "clerk", "--agency", "DCPD", "--name", "desk")
    assert "acts for every agency" in run(runner, *clerk, "--database", db, code=1).output
    run(runner, "tokens", "revoke", "1", "--database", db)
    assert "revoked" in run(runner, "tokens", "list", "--database", db).output
