"""Reads from a streaming replica (CITATIONS_READ_DATABASE_URL), against a real one.

The session starts a PostgreSQL primary and a replica made from it with pg_basebackup
(tests/replica_cluster.py). A routed read is shown to come from the replica by pausing the
replica's replay (`pg_wal_replay_pause()`): a row written on the primary then is seen by
the primary only. The rule under test: reports, exports, searches, lists and the public
pages' plain reads go to the replica, except a client's read after its own write, which
goes to the primary until the replica has replayed that write; and a replica that does
not answer sends reads to the primary, never an error.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from citations.app import create_app
from citations.database import (
    ReadRouting,
    format_lsn,
    make_engine,
    make_read_engine,
    parse_lsn,
    read_routing,
    upgrade,
)
from citations.http.deps import READ_AFTER_COOKIE, READ_AFTER_HEADER, WRITTEN_HEADER, clock
from citations.settings import Settings
from tests.browser.desk import CLOCK, Desk, set_desk, sign_in
from tests.browser.html import Page
from tests.cli_steps import run
from tests.clock import pause
from tests.databases import postgres_url
from tests.factories import message, send, subject
from tests.public_steps import birth_of, find_citation_as_person
from tests.replica_cluster import ClusterUnavailable, StreamingPair, streaming_pair

pytestmark = pytest.mark.clock(CLOCK)

DAY = "2026-12-01"
"""The violation day of every citation these tests write (within the report's month)."""


@pytest.fixture(scope="session")
def pair() -> Iterator[StreamingPair]:
    if postgres_url() is None:
        pytest.skip("set CITATIONS_TEST_POSTGRES_URL to run the read replica tests (PostgreSQL)")
    try:
        made = streaming_pair()
        started = made.__enter__()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield started
    finally:
        made.__exit__(None, None, None)


@dataclass(frozen=True)
class Replicated:
    """The desk's data on the pair: a migrated database `citations`, and engines on it."""

    pair: StreamingPair
    desk: Desk
    primary: Engine
    replica: Engine

    @property
    def primary_url(self) -> str:
        return self.pair.primary_url("citations")

    @property
    def replica_url(self) -> str:
        return self.pair.replica_url("citations")


@pytest.fixture(scope="session")
def replicated(pair: StreamingPair) -> Iterator[Replicated]:
    admin = make_engine(pair.primary_url())
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CREATE DATABASE citations"))
    admin.dispose()
    primary = make_engine(pair.primary_url("citations"))
    upgrade(primary)
    desk = set_desk(primary)
    replica = make_engine(pair.replica_url("citations"))
    made = Replicated(pair, desk, primary, replica)
    caught_up(made)
    try:
        yield made
    finally:
        primary.dispose()
        replica.dispose()


def position(engine: Engine) -> int:
    with engine.connect() as connection:
        found = parse_lsn(str(connection.scalar(text("SELECT pg_current_wal_lsn()::text"))))
    assert found is not None
    return found


def replayed(engine: Engine) -> int:
    with engine.connect() as connection:
        value = connection.scalar(text("SELECT pg_last_wal_replay_lsn()::text"))
    return parse_lsn(str(value)) or 0


def caught_up(db: Replicated, target: int | None = None, seconds: float = 10) -> None:
    """Until the replica has replayed everything the primary has written (or `target`)."""
    wanted = position(db.primary) if target is None else target
    deadline = time.monotonic() + seconds
    while replayed(db.replica) < wanted:
        assert time.monotonic() < deadline, "the replica did not catch up"
        pause(0.02)


@contextmanager
def replay_paused(db: Replicated) -> Iterator[None]:
    """The replica stops applying the primary's log (it still receives it) until the end."""
    caught_up(db)
    with db.replica.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))
        deadline = time.monotonic() + 10
        while connection.scalar(text("SELECT pg_get_wal_replay_pause_state()")) != "paused":
            assert time.monotonic() < deadline, "the replica's replay did not pause"
            pause(0.01)
        connection.commit()
    try:
        yield
    finally:
        with db.replica.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
            connection.commit()


def app_on(db: Replicated) -> FastAPI:
    app = create_app(db.primary_url, Settings(read_database_url=db.replica_url))
    app.dependency_overrides[clock] = lambda: CLOCK
    return app


@pytest.fixture
def client(replicated: Replicated) -> Iterator[TestClient]:
    with TestClient(
        app_on(replicated), base_url="https://testserver", follow_redirects=False
    ) as made:
        yield made


def bearer(db: Replicated, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {db.desk.tokens[role]}"}


def someone() -> tuple[str, dict[str, Any]]:
    """A person no other test cites: a last name of their own."""
    name = "Zed" + uuid.uuid4().hex[:10]
    return name, message(
        violation_at=f"{DAY}T10:00:00-08:00",
        subject=subject(last_name=name, first_name="Quinn", identifiers=[]),
    )


def cite_elsewhere(db: Replicated) -> str:
    """A citation written on the primary by someone else (not the client under test)."""
    name, body = someone()
    send(db.primary, body, now=CLOCK)
    return name


def found(client: TestClient, db: Replicated, name: str, **headers: str) -> bool:
    answer = client.get(
        "/v1/citations/search", params={"q": name}, headers={**bearer(db, "clerk"), **headers}
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["hits"])


def clerk_search(client: TestClient, name: str) -> str:
    """The heading of the clerks' search page's results (the client is signed in)."""
    answer = client.get("/clerk/search", params={"q": name})
    assert answer.status_code == 200, answer.text
    return Page(answer.text).words("results-heading")


def issued_in_report(client: TestClient, db: Replicated, **headers: str) -> Any:
    answer = client.get(
        "/v1/reports/program",
        params={"from": "2026-12-01", "to": "2026-12-31", "format": "json"},
        headers={**bearer(db, "admin"), **headers},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["issued_total"]


def test_searches_lists_reports_and_exports_read_from_the_replica(
    replicated: Replicated, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = replicated
    sign_in(client, db.desk.tokens["clerk"], "/clerk/citations")  # a write: wait for it below
    report_before = issued_in_report(client, db)
    with replay_paused(db):
        name = cite_elsewhere(db)
        after = {READ_AFTER_HEADER: format_lsn(position(db.primary))}
        # On the primary only: every routed read misses it...
        assert not found(client, db, name)
        listed = client.get("/v1/citations", params={"size": "100"}, headers=bearer(db, "clerk"))
        assert name not in listed.text
        assert issued_in_report(client, db) == report_before
        assert clerk_search(client, name).startswith("Nothing found")
        monkeypatch.setenv("CITATIONS_READ_DATABASE_URL", db.replica_url)
        runner = CliRunner()
        assert "nothing found" in run(runner, "find", name, "--database", db.primary_url).output
        exported = tmp_path / "records.jsonl"
        out = run(
            runner, "export", "-o", str(exported), "--without-files", "--database", db.primary_url
        ).output
        assert f":{db.pair.replica.port}/citations" in out and name not in exported.read_text()
        # ...but not a read that must see the write: that one goes to the primary.
        assert found(client, db, name, **after)
        assert issued_in_report(client, db, **after) != report_before
        monkeypatch.delenv("CITATIONS_READ_DATABASE_URL")
        assert name in run(runner, "find", name, "--database", db.primary_url).output
    caught_up(db)
    assert found(client, db, name)  # replayed: the replica has it now
    assert clerk_search(client, name).startswith("1 found")


def test_a_clients_own_write_is_read_from_the_primary_until_the_replica_has_it(
    replicated: Replicated, client: TestClient
) -> None:
    db = replicated
    with replay_paused(db):
        name, body = someone()
        issued = client.post("/v1/citations", json=body, headers=bearer(db, "officer"))
        assert issued.status_code == 201, issued.text
        written = issued.headers[WRITTEN_HEADER]
        assert parse_lsn(written) is not None
        assert READ_AFTER_COOKIE not in issued.headers.get("set-cookie", "")  # the API: a header
        assert found(client, db, name, **{READ_AFTER_HEADER: written})  # the primary
        assert not found(client, db, name)  # without it: the replica, which is behind
    caught_up(db, parse_lsn(written))
    with replay_paused(db):
        later = cite_elsewhere(db)
        # The replica has the client's write now, so it serves the read: it has the client's
        # citation and not the one written since.
        assert found(client, db, name, **{READ_AFTER_HEADER: written})
        assert not found(client, db, later, **{READ_AFTER_HEADER: written})
    reading = client.get("/v1/citations/search", params={"q": name}, headers=bearer(db, "clerk"))
    assert WRITTEN_HEADER not in reading.headers  # a read writes nothing: nothing to tell


ASKED = "What you asked for online A payment plan"
"""What the person's citation page says once they have asked the office for a plan."""


def test_the_persons_page_shows_their_own_request_at_once(
    replicated: Replicated, client: TestClient
) -> None:
    db = replicated
    csrf = find_citation_as_person(client, db.desk.numbers["issued"], birth_of(5))
    assert parse_lsn(client.cookies[READ_AFTER_COOKIE]) is not None  # finding it wrote
    # A page whose work commits says so too (the notice is kept the first time); one that
    # only marks the session as used does not, or every page would go to the primary.
    assert READ_AFTER_COOKIE in client.get("/notice.pdf").headers.get("set-cookie", "")
    assert "set-cookie" not in client.get("/citation").headers
    with replay_paused(db):
        asked = client.post(
            "/help/plan/ask", data={"csrf_token": csrf, "months": "12", "statement": "Small."}
        )
        assert asked.status_code == 303, asked.text
        page = Page(client.get("/citation").text).words("main")
        assert ASKED in page  # from the primary
        client.cookies.delete(READ_AFTER_COOKIE)  # a browser that forgot its write...
        page = Page(client.get("/citation").text).words("main")
        assert ASKED not in page  # ...reads the replica's page
    caught_up(db)
    assert ASKED in Page(client.get("/citation").text).words("main")


def test_reads_go_to_the_primary_when_the_replica_is_down(
    replicated: Replicated, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    db = replicated
    routing: ReadRouting = client.app.state.reads  # type: ignore[attr-defined]
    routing.rest_seconds = 0  # tried again at each read, not after the usual rest
    name = cite_elsewhere(db)
    db.replica.dispose()
    db.pair.stop_replica()
    try:
        with caplog.at_level(logging.INFO, logger="citations.database"):
            assert found(client, db, name)
            assert found(client, db, name)
            assert issued_in_report(client, db) >= 1
            assert clerk_search_after_sign_in(client, db, name).startswith("1 found")
        lost = [r for r in caplog.records if "does not answer" in r.getMessage()]
        assert len(lost) == 1 and lost[0].levelno == logging.WARNING  # said once
        assert f":{db.pair.replica.port}/citations" in lost[0].getMessage()
    finally:
        db.pair.start_replica()
    caught_up(db)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="citations.database"), replay_paused(db):
        later = cite_elsewhere(db)
        assert not found(client, db, later)  # the replica serves reads again
    assert any("answers again" in r.getMessage() for r in caplog.records)


def clerk_search_after_sign_in(client: TestClient, db: Replicated, name: str) -> str:
    sign_in(client, db.desk.tokens["clerk"], "/clerk/search")
    return clerk_search(client, name)


def test_a_replica_of_another_database_is_not_read(
    replicated: Replicated, caplog: pytest.LogCaptureFixture
) -> None:
    """Another cluster (the machine's own) named as the replica: refused, said in the log."""
    db = replicated
    other = postgres_url()
    assert other is not None
    routing = ReadRouting(db.primary, make_read_engine(other))
    with caplog.at_level(logging.ERROR, logger="citations.database"):
        assert routing.engine_for() is db.primary
        with routing.reading() as session:
            assert session.scalar(text("SELECT current_database()")) == "citations"
    routing.dispose()
    assert any("is not a replica of" in r.getMessage() for r in caplog.records)


def test_a_read_after_header_that_is_not_a_position_is_refused(
    replicated: Replicated, client: TestClient
) -> None:
    answer = client.get(
        "/v1/citations/search",
        params={"q": "lopez"},
        headers={**bearer(replicated, "clerk"), READ_AFTER_HEADER: "yesterday"},
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["field"] == READ_AFTER_HEADER
    assert "Citations-Written-LSN" in problem["errors"][0]["message"]


def test_without_a_replica_every_read_is_the_primarys(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Unset, or beside a SQLite database (which has no replica): reads as before."""
    assert read_routing(engine, None).replica is None
    if engine.dialect.name == "sqlite":
        with caplog.at_level(logging.WARNING, logger="citations.database"):
            routing = read_routing(engine, "postgresql+psycopg://reader@127.0.0.1:1/citations")
        assert routing.replica is None and "is not PostgreSQL" in caplog.text
    routing = read_routing(engine, None)
    assert routing.written_position() is None
    assert routing.engine_for() is engine
    with routing.reading() as session:
        assert session.scalar(text("SELECT 1")) == 1
    with pytest.raises(ValueError, match="must be a postgresql:// URL"):
        Settings(read_database_url="sqlite:///replica.db")
    assert Settings(read_database_url="").read_database_url is None
