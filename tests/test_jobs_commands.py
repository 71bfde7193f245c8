"""The `--queue` of the commands that do long work: on PostgreSQL the work is left to a
`citations worker` process, which does it once (the mail run mails the waiting notice once,
the report and the export are written where asked); a second mail run asked for while one
waits is refused; on SQLite the same flag runs the work in the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from citations.app import create_app
from citations.database import transaction
from citations.record.tables import SentDocument
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from cli import cli
from tests.clock import pinned_command, run_to_the_end
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.test_sent_documents import ADDRESS


@pytest.fixture
def waiting(engine: Engine) -> str:
    """A citation whose notice waits to be mailed; returns its number."""
    prepare(engine)
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(preferred_language="en", address=ADDRESS),
        service="mail",
    )
    number = send(engine, body).result.citation_number
    assert number is not None
    return number


def mailed(engine: Engine) -> int:
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(SentDocument).where(SentDocument.delivery == "mailed")
        )
    return count or 0


def test_queued_work_is_done_once_by_a_worker_or_at_once_on_sqlite(
    engine: Engine, database_url: str, waiting: str, runner: CliRunner, tmp_path: Path
) -> None:
    def citations(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--database", database_url])
        assert result.exit_code == 0, result.output
        return result.output

    report, export = tmp_path / "report.json", tmp_path / "records.jsonl"
    mail = citations("mail", "notices", "--queue")
    made = citations(
        "report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json",
        "--output", str(report), "--queue",
    )  # fmt: skip
    exported = citations("export", "--output", str(export), "--queue")

    if engine.dialect.name == "sqlite":
        assert mail == f'Ran mail-notices now (SQLite has no queue): {{"mailed": ["{waiting}"]}}\n'
        assert made.startswith("Ran program-report now")
        assert exported.startswith("Ran records-export now")
        status, answer = jobs_over_the_api(engine, database_url)
        assert status == 400 and isinstance(answer, dict)
        assert answer["detail"].startswith("there is no job queue on SQLite")
    else:
        assert [line.split()[:2] for line in (mail, made, exported)] == [["Queued", "job"]] * 3
        assert mailed(engine) == 0 and not report.exists() and not export.exists()
        again = runner.invoke(cli, ["mail", "notices", "--queue", "--database", database_url])
        assert again.exit_code == 1
        assert "a mail-notices job is already waiting in the queue" in again.output
        worker = run_to_the_end(
            pinned_command("worker", "--until-empty", "--database", database_url), timeout=120
        )
        assert worker.returncode == 0, worker.stderr
        listed = citations("jobs", "list", "--json")
        assert sorted((j["name"], j["status"]) for j in json.loads(listed)) == [
            ("mail-notices", "succeeded"),
            ("program-report", "succeeded"),
            ("records-export", "succeeded"),
        ]
        status, answer = jobs_over_the_api(engine, database_url)
        assert status == 200 and isinstance(answer, list)
        assert [(job["name"], job["args"]["asked_by"]) for job in answer] == [
            ("records-export", "operator (command line)"),
            ("program-report", "operator (command line)"),
            ("mail-notices", "operator (command line)"),
        ]
    assert mailed(engine) == 1
    assert json.loads(report.read_text())["start"] == "2026-11-01"
    assert oct(export.stat().st_mode & 0o777) == "0o600"
    assert waiting in export.read_text()


def jobs_over_the_api(engine: Engine, database_url: str) -> tuple[int, object]:
    """`GET /v1/jobs?status=succeeded` as an administrator: the status and the JSON."""
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="admin", agency=None, name="ops", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as api:
        answer = api.get(
            "/v1/jobs",
            params={"status": "succeeded"},
            headers={"Authorization": f"Bearer {secret}"},
        )
    return answer.status_code, answer.json()


def test_a_queued_report_or_export_needs_a_file(database_url: str, runner: CliRunner) -> None:
    refused = runner.invoke(
        cli,
        ["export", "--output", "-", "--queue", "--database", database_url],
    )
    assert refused.exit_code == 2
    assert "Invalid value for '--output': name the file a queued export goes to" in refused.output
