"""The database going away in the middle of a request: a clean error, and nothing half-written.

On PostgreSQL the server really drops the connection: right after the request's first INSERT
into a given table (`citations` when issuing, so the intake record and the citation are
written but not its violations, fine or audit event), an administrator's connection
terminates the backend (`pg_terminate_backend`), so the next statement finds the connection
gone. On SQLite, which has no server, that next statement raises the OperationalError a
failing disk or a lost file would.

Either way the API answers 503 `database-unavailable` (problem+json), the command line prints
one clean line, and no row of the interrupted work exists: no citation, intake record, ledger
entry, audit event or reserved number. Sending the same thing again then works.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from citations.app import create_app
from citations.audit import AuditEvent, verify
from citations.database import make_engine, transaction, unavailable
from citations.errors import DatabaseUnavailable
from citations.record.ledger import LedgerEntry
from citations.record.numbering import CitationNumber
from citations.record.tables import Citation, IntakeRecord, NumberSequence
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from cli import cli
from tests.conftest import NOW
from tests.factories import message, prepare, send

FIRST = str(CitationNumber("DCPD", NOW.year, 1))
TABLES: list[type[Any]] = [Citation, IntakeRecord, LedgerEntry, AuditEvent, NumberSequence]


class Outage:
    """Makes the database go away once, right after the first INSERT into `table` it sees on
    the engines it watches (any table when None)."""

    def __init__(self, database_url: str) -> None:
        self.postgres = make_url(database_url).get_backend_name() == "postgresql"
        self.admin = make_engine(database_url) if self.postgres else None
        self.table: str | None = None
        self.after: str | None = None
        """The table after whose INSERT the database went away, once it has."""
        self._armed = False

    def watch(self, engine: Engine, table: str | None = None) -> None:
        self.table = table
        event.listen(engine, "after_cursor_execute", self._after_insert)
        event.listen(engine, "before_cursor_execute", self._before_next)

    def _after_insert(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        insert = re.match(r"\s*INSERT INTO (\w+)", statement)
        if self.after is not None or insert is None or self.table not in (None, insert[1]):
            return
        self.after = insert[1]
        if self.admin is not None:
            pid = connection.connection.dbapi_connection.info.backend_pid
            with self.admin.connect() as admin:
                stopped = admin.scalar(
                    text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
                )
            assert stopped, "the backend was not terminated"
        else:
            self._armed = True

    def _before_next(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self._armed:
            self._armed = False
            raise OperationalError(statement, None, sqlite3.OperationalError("disk I/O error"))

    def close(self) -> None:
        if self.admin is not None:
            self.admin.dispose()


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    fault = Outage(database_url)
    yield fault
    fault.close()


def counts(engine: Engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in TABLES
        }


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    prepare(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="officer", agency="DCPD", name="unit 12", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/database-unavailable"
    assert problem["detail"] == (
        "the database is unavailable; nothing of this request was saved: try again"
    )


def test_issuing_when_the_database_goes_away_saves_nothing_and_can_be_sent_again(
    api: tuple[TestClient, dict[str, str]], engine: Engine, outage: Outage
) -> None:
    client, headers = api
    app: Any = client.app
    outage.watch(app.state.engine, "citations")
    before = counts(engine)
    body = message()
    assert_unavailable(client.post("/v1/citations", json=body, headers=headers))
    assert outage.after == "citations", "the fault never fired"
    assert counts(engine) == before
    # The same message again is decided afresh (not a replay) and takes the first number.
    again = client.post("/v1/citations", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in again.headers
    assert again.json()["citation_number"] == FIRST
    with transaction(engine) as session:
        assert verify(session).intact


def test_voiding_when_the_database_goes_away_leaves_the_citation_as_it_was(
    api: tuple[TestClient, dict[str, str]], engine: Engine, outage: Outage
) -> None:
    """The same for a route that works in the request's session (the void writes a ledger
    entry, a status change and an audit event)."""
    client, headers = api
    number = send(engine, message()).result.citation_number
    app: Any = client.app
    outage.watch(app.state.engine, "ledger_entries")
    before = counts(engine)
    void = {"reason": "Wrong person identified"}
    assert_unavailable(client.post(f"/v1/citations/{number}/void", json=void, headers=headers))
    assert outage.after == "ledger_entries", "the fault never fired"
    assert counts(engine) == before
    assert client.get(f"/v1/citations/{number}", headers=headers).json()["status"] == "issued"
    voided = client.post(f"/v1/citations/{number}/void", json=void, headers=headers)
    assert voided.json()["status"] == "voided", voided.text


def test_the_issue_command_says_so_in_one_line_and_a_rerun_finishes(
    engine: Engine,
    database_url: str,
    outage: Outage,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    prepare(engine)
    batch = tmp_path / "shift.jsonl"
    batch.write_text("".join(json.dumps(message()) + "\n" for _ in range(3)), encoding="utf-8")
    before = counts(engine)

    def failing_engine(url: str) -> Engine:
        made = make_engine(url)
        outage.watch(made, "citations")
        return made

    monkeypatch.setattr("citations.commands.common.make_engine", failing_engine)
    args = ["issue", str(batch), "--database", database_url]
    failed = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert failed.exit_code == 1
    assert "Traceback" not in failed.output
    reason = (
        "terminating connection due to administrator command"
        if outage.postgres
        else "disk I/O error"
    )
    assert failed.output.splitlines()[-1].startswith("Error: cannot reach the database ")
    assert failed.output.splitlines()[-1].endswith(
        f": {reason}; what was not committed was rolled back: run the command again"
    )
    assert outage.after == "citations", "the fault never fired"
    assert counts(engine) == before

    monkeypatch.undo()
    rerun = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert rerun.exit_code == 0, rerun.output
    assert rerun.output.splitlines()[-1] == "3 records: 3 issued"


def test_only_the_files_own_troubles_are_an_outage_on_sqlite() -> None:
    """SQLite says OperationalError for a missing table too: that is a bug (a 500), not a
    database that went away (a 503 that invites a retry)."""

    def error(message: str) -> OperationalError:
        return OperationalError("SELECT 1", None, sqlite3.OperationalError(message))

    assert unavailable(error("no such table: citations"), "sqlite:///x.db") is None
    assert unavailable(error('near "SELEC": syntax error'), "sqlite:///x.db") is None
    lost = unavailable(error("disk I/O error"), "sqlite:///x.db")
    assert isinstance(lost, DatabaseUnavailable)
    assert unavailable(error("database is locked"), "sqlite:///x.db") is not None
