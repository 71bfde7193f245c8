"""No log record holds a person's date of birth, identifier or address.

Issuing runs through the library, the API (in-process and behind a real uvicorn server)
and the CLI with every logger at DEBUG (SQLAlchemy's statement log at INFO, as an operator
switches it on), including rejected intake, a conflict and unexpected errors whose messages
quote the person's data. Each test also checks that something was logged, so an empty
capture cannot pass for a clean one.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from citations.app import create_app
from citations.database import transaction
from citations.errors import InputRejected
from citations.issuing.amend import Amendment, amend_citation
from citations.issuing.intake import IntakeMessage
from citations.issuing.pipeline import issue
from citations.notice.build import notice_for
from citations.notice.render import render_notice
from citations.record.lookup import get_citation
from citations.record.tokens import create_token
from citations.roles import OPERATOR, Actor
from cli import cli
from tests.clock import pause
from tests.conftest import NOW
from tests.factories import intake, message, prepare, send, subject

PERSON = subject(
    date_of_birth="1990-04-03",
    identifiers=[{"type": "CA-DL", "number": "D7654321"}],
    address={"line1": "742 Evergreen Terrace", "city": "Springfield", "state": "CA"},
)
LOCATION = {"address": "1600 Elm Street", "area": "Central"}
PERSONAL = [
    "1990-04-03",
    "04/03/1990",
    "4/3/1990",
    "1990/04/03",
    "19900403",
    "1990, 4, 3",  # a date's repr in a log record's args
    "D7654321",
    "742 Evergreen Terrace",
    "1600 Elm Street",
]
LOGGERS = ["sqlalchemy.engine", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi"]
LOGGERS += ["starlette", "httpx", "httpx2", "citations", "alembic"]


def personal_message(**overrides: Any) -> dict[str, Any]:
    return message(subject=PERSON, location=LOCATION, **overrides)


def bad_message() -> dict[str, Any]:
    """Refused: the date of birth in the wrong format, an unknown field, no violations."""
    person = {**PERSON, "date_of_birth": "04/03/1990", "eye_colour": "brown"}
    return message(subject=person, location=LOCATION, violations=[])


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    # Statements at INFO, as `echo=True` shows them; DEBUG would add result rows, which hold
    # personal data by nature (the README says to never run it so in production).
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    return caplog


def logged_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), record.stack_info or ""]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def assert_private(records: list[logging.LogRecord], *, expect: Callable[[str], bool]) -> None:
    """No record holds personal data, and some record satisfies `expect` (so the capture
    was live)."""
    texts = [(record.name, logged_text(record)) for record in records]
    leaks = [(name, value) for name, logged in texts for value in PERSONAL if value in logged]
    assert leaks == [], leaks
    assert any(expect(logged) for _, logged in texts), [name for name, _ in texts][:20]


def statement_logged(logged: str) -> bool:
    return "INSERT INTO citations" in logged


def test_library_issuing(engine: Engine, logs: pytest.LogCaptureFixture) -> None:
    prepare(engine)
    number = send(engine, personal_message()).result.citation_number
    assert number is not None
    unknown = [{"ordinance": "XX 1.1", "narrative": "No such ordinance."}]
    with transaction(engine) as session, pytest.raises(InputRejected):
        issue(session, intake(subject=PERSON, violations=unknown), actor=OPERATOR, now=NOW)
    moved = {**PERSON, "address": {"line1": "742 Evergreen Terrace", "city": "Shelbyville"}}
    with transaction(engine) as session:
        amendment = Amendment.model_validate({"reason": "Moved", "subject": moved})
        amend_citation(session, number, amendment, actor=OPERATOR, now=NOW)
        render_notice(notice_for(session, number, OPERATOR))
        assert get_citation(session, number, OPERATOR).subject["date_of_birth"] == "1990-04-03"
    assert_private(logs.records, expect=statement_logged)


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    prepare(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="admin", agency=None, name="logs", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as test_client:
        yield test_client, {"Authorization": f"Bearer {secret}"}


def database_error(session: Session, number: str, actor: Actor) -> None:
    """A statement that fails (NOT NULL) with the person's data among its parameters."""
    session.execute(
        text("INSERT INTO agencies (code, name, created_at) VALUES (NULL, :name, :at)"),
        {"name": "742 Evergreen Terrace, born 1990-04-03", "at": NOW},
    )


def validation_error(session: Session, number: str, actor: Actor) -> None:
    """pydantic quotes the value it refused (`input_value='04/03/1990'`) in its message."""
    IntakeMessage.model_validate(bad_message())


def exchange(client: TestClient | httpx2.Client, headers: dict[str, str]) -> str:
    """Issue, replay, conflict, reject, read, amend; returns the citation number."""
    body = personal_message()
    first = client.post("/v1/citations", json=body, headers=headers)
    assert first.status_code == 201, first.text
    number: str = first.json()["citation_number"]
    assert client.post("/v1/citations", json=body, headers=headers).status_code == 201
    conflict = {**body, "officer_notes": "edited"}
    assert client.post("/v1/citations", json=conflict, headers=headers).status_code == 409
    rejected = client.post("/v1/citations", json=bad_message(), headers=headers)
    assert rejected.status_code == 422
    fields = {e["field"] for e in rejected.json()["errors"]}
    assert {"subject.date_of_birth", "subject.eye_colour", "violations"} <= fields
    assert client.get(f"/v1/citations/{number}", headers=headers).status_code == 200
    assert client.get(f"/v1/citations/{number}/notice.pdf", headers=headers).status_code == 200
    moved = {"reason": "Moved", "location": {"address": "1600 Elm Street", "area": "Westlake"}}
    amended = client.post(f"/v1/citations/{number}/amendments", json=moved, headers=headers)
    assert amended.status_code == 200, amended.text
    return number


def test_api_in_process(
    client: tuple[TestClient, dict[str, str]],
    logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    test_client, headers = client
    number = exchange(test_client, headers)
    for broken in (database_error, validation_error):
        monkeypatch.setattr("citations.api.routes.get_citation", broken)
        failed = test_client.get(f"/v1/citations/{number}", headers=headers)
        assert failed.status_code == 500
        assert failed.json()["type"] == "/problems/internal-error"
    assert_private(logs.records, expect=statement_logged)
    errors = [r.getMessage() for r in logs.records if r.name == "citations.api"]
    assert len(errors) == 2
    assert "sqlalchemy.exc." in errors[0] and "in database_error" in errors[0]
    assert "pydantic_core._pydantic_core.ValidationError" in errors[1]


def serve(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The app behind a real uvicorn server on a free port, logging as uvicorn does."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        pause(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def test_api_behind_uvicorn(
    engine: Engine,
    database_url: str,
    logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn logs every request line and every exception that reaches it, with its
    message; the app keeps the messages out."""
    prepare(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="admin", agency=None, name="logs", actor=OPERATOR, now=NOW
        )
    headers = {"Authorization": f"Bearer {secret}"}
    server, thread, base = serve(create_app(database_url))
    try:
        with httpx2.Client(base_url=base, timeout=30) as http:
            number = exchange(http, headers)
        for broken in (database_error, validation_error):
            monkeypatch.setattr("citations.api.routes.get_citation", broken)
            # uvicorn drops the connection after an exception: one client each.
            with httpx2.Client(base_url=base, timeout=30) as http:
                assert http.get(f"/v1/citations/{number}", headers=headers).status_code == 500
    finally:
        server.should_exit = True
        thread.join(10)
    assert_private(logs.records, expect=lambda logged: "Exception in ASGI application" in logged)
    access = [r for r in logs.records if r.name == "uvicorn.access"]
    assert len(access) == 9  # every request's line: 7 exchanged, 2 failing


def test_cli(
    engine: Engine,
    database_url: str,
    runner: CliRunner,
    tmp_path: Path,
    logs: pytest.LogCaptureFixture,
) -> None:
    prepare(engine)
    batch = tmp_path / "shift.jsonl"
    lines = [personal_message(), bad_message(), {"message_id": "not json at all", **LOCATION}]
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    args = ["issue", str(batch), "--rejects", str(rejects), "--database", database_url]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "1 issued" in result.output and "2 rejected" in result.output
    found = re.search(r"DCPD-\d{4}-\d{6}-\d", result.output)
    assert found is not None, result.output
    number = found.group()
    shown = runner.invoke(cli, ["show", number, "--database", database_url])
    assert shown.exit_code == 0, shown.output
    assert_private(logs.records, expect=statement_logged)
