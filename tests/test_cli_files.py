"""`citations files`: a clerk's scan added, listed, written out and withdrawn (both backends)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from cli import cli
from tests.cli_steps import run
from tests.hearing_steps import issue_one
from tests.test_online_files import gps_jpeg


def test_add_list_get_and_withdraw(
    engine: Engine, db: str, runner: CliRunner, tmp_path: Path
) -> None:
    number = issue_one(engine)
    letter = tmp_path / "letter from Ms Lopez.pdf"
    letter.write_bytes(b"%PDF-1.4\n" + b"1" * 3000)
    added = json.loads(
        run(
            runner,
            "files",
            "add",
            number,
            str(letter),
            "--description",
            "Her letter, by mail",
            "--json",
            "--database",
            db,
        ).output
    )
    assert (added["citation"], added["source"], added["purpose"]) == (number, "person", "mail")
    assert added["added_from"] == "command line"
    assert added["sha256"] == hashlib.sha256(letter.read_bytes()).hexdigest()
    photo = tmp_path / "hours.jpg"
    photo.write_bytes(gps_jpeg())
    said = run(
        runner,
        "files",
        "add",
        number,
        str(photo),
        "--from",
        "city",
        "--purpose",
        "service_hours",
        "--database",
        db,
    ).output
    assert said.startswith("Added att_") and f"to {number}: hours.jpg (image/jpeg)." in said
    listing = run(runner, "files", "list", number, "--database", db).output
    assert listing.startswith(f"Files on {number}: 2\n")
    assert f"  {added['id']}  attached, person's mail: letter from Ms Lopez.pdf" in listing
    assert "city's service hours: hours.jpg (image/jpeg" in listing
    out = tmp_path / "out.pdf"
    run(runner, "files", "get", added["id"], "-o", str(out), "--database", db)
    assert out.read_bytes() == letter.read_bytes()
    photo_key = json.loads(run(runner, "files", "list", number, "--json", "--database", db).output)[
        1
    ]["id"]
    shown = tmp_path / "shown.jpg"
    run(runner, "files", "get", photo_key, "--shown", "-o", str(shown), "--database", db)
    assert shown.read_bytes() != photo.read_bytes() and b"Apple" not in shown.read_bytes()
    reason = "A letter about another citation"
    withdrawn = run(
        runner, "files", "withdraw", added["id"], "--reason", reason, "--database", db
    ).output
    assert withdrawn == f"Withdrew {added['id']} (letter from Ms Lopez.pdf): {reason}\n"
    listing = run(runner, "files", "list", number, "--database", db).output
    assert f"withdrawn by operator (command line): {reason}" in listing
    with transaction(engine) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_key == number)
        ).all()
    assert actions.count("attachment.added") == 2 and "attachment.withdrawn" in actions


def test_bad_files_and_numbers_are_refused_plainly(
    engine: Engine, db: str, runner: CliRunner, tmp_path: Path
) -> None:
    number = issue_one(engine)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture", encoding="utf-8")
    refused = runner.invoke(cli, ["files", "add", number, str(notes), "--database", db])
    assert refused.exit_code == 1
    assert "file: notes.txt is not a JPEG, PNG, HEIC or PDF file" in refused.output
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(b"%PDF-1.4\n")
    wrong = runner.invoke(
        cli, ["files", "add", number, str(paper), "--purpose", "fun", "--database", db]
    )
    assert wrong.exit_code == 1
    assert "purpose: 'fun' is not one of: evidence, mail" in wrong.output
    key = "att_" + "x" * 26
    unknown = runner.invoke(cli, ["files", "withdraw", key, "--reason", "x y z", "--database", db])
    assert unknown.exit_code == 1
    assert unknown.output == f"Error: no file {key!r}\n"


def test_each_files_command_ends_its_help_with_an_example(runner: CliRunner) -> None:
    for name in ("add", "list", "withdraw", "get"):
        help_text = run(runner, "files", name, "--help").output
        assert "Example:\n      citations files " + name in help_text, help_text
