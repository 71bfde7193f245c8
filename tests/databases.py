"""Private databases for tests, copied from a template migrated once per test session.

Migrating a new database with Alembic for every test was most of the suite's time. Instead,
the first test that needs a migrated database on a backend migrates a template from this
checkout's migrations, and every test gets a copy of it:

- SQLite: the template is a file, checkpointed and closed (no -wal or -shm beside it), made
  read-only and checked unchanged at the end of the session; each test gets a copy in its own
  folder.
- PostgreSQL: the template is a database that accepts no connections, so no test can change
  it; each test gets `CREATE DATABASE ... TEMPLATE` of it, dropped `WITH (FORCE)` afterwards.

Data that many tests start from (the clerk's desk of the web tests) is made the same way: a
`Fill` puts it into a copy of the migrated template once per session, sealed like it, and
tests get copies of that (the `filled_by` marker and `filled` fixture in conftest.py).

Tests that are about an empty database (migrations, restoring into one) get one of those
instead: a new file name, or a new database copied from `template0`.

On PostgreSQL a session names its databases `citations_test_<run>_...` and holds an advisory
lock on its run number while it lives. A new session drops the databases of runs whose lock is
gone (a run that crashed or was killed), never those of a run still going.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from citations.database import (
    MIGRATIONS,
    current_revision,
    head_revision,
    make_engine,
    normalize_url,
    upgrade,
)

BACKENDS = ["sqlite", "postgresql"]

PREFIX = "citations_test_"
NAME = re.compile(rf"{PREFIX}(?P<run>[0-9a-f]{{8}})_\w+")
LIVE_RUN = 0x63697461
"""The first key of the advisory lock a live session holds (the second is its run number)."""


def postgres_url() -> str | None:
    url = os.environ.get("CITATIONS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CITATIONS_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
        return None
    return normalize_url(url)


def migrations_state() -> list[tuple[str, int, int]]:
    """Each migration script's name, size and modification time."""
    return [
        (str(path.relative_to(MIGRATIONS)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(MIGRATIONS.rglob("*.py"))
    ]


Fill = Callable[[Engine], Any]
"""Puts the same data into a database every time, and returns what tests need to know of it:
data that many tests start from, made once per session into a template of its own."""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Template:
    name: str
    """The SQLite file's path, or the PostgreSQL database's name."""
    filled: Any
    """What the fill returned; None for the migrated template."""


def build_template(url: str, fill: Fill | None) -> Any:
    """Migrate the empty database at `url` to the migrations' head, or fill the migrated one."""
    engine = make_engine(url)
    try:
        if fill is not None:
            return fill(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        return None
    finally:
        engine.dispose()


class Databases:
    """The databases of one test session: its templates, made when first needed, and the
    private copies it hands to tests."""

    def __init__(self, folders: pytest.TempPathFactory) -> None:
        self._folders = folders
        self._migrations = migrations_state()
        self._templates: dict[tuple[str, Fill | None], Template] = {}
        self._sqlite_digests: dict[str, str] = {}
        self._server: Server | None = None

    @contextmanager
    def empty(self, backend: str, folder: Path) -> Iterator[str]:
        """A private database with no tables at all, on `backend`."""
        if backend == "sqlite":
            yield f"sqlite:///{folder / 'test.db'}"
            return
        with self.server().database("template0") as url:
            yield url

    @contextmanager
    def migrated(self, backend: str, folder: Path, fill: Fill | None = None) -> Iterator[str]:
        """A private database at the newest schema, on `backend`: a copy of the template, or
        of the template `fill` filled (see `filled`)."""
        if backend == "sqlite":
            yield self.sqlite_copy(folder / "test.db", fill)
            return
        template = self.template(backend, fill)
        with self.server().database(template.name) as url:
            yield url

    def sqlite_copy(self, path: Path, fill: Fill | None = None) -> str:
        """The URL of a new SQLite file at `path`, like `migrated`, for tests that only run on
        SQLite."""
        shutil.copyfile(self.template("sqlite", fill).name, path)  # the copy is writable
        return f"sqlite:///{path}"

    def filled(self, backend: str, fill: Fill) -> Any:
        """What `fill` returned when it filled the template on `backend`: a copy, which the
        test may change."""
        return copy.deepcopy(self.template(backend, fill).filled)

    def template(self, backend: str, fill: Fill | None) -> Template:
        """The migrated template on `backend`, or a copy of it that `fill` filled."""
        if migrations_state() != self._migrations:
            pytest.fail(
                f"the migrations in {MIGRATIONS} changed during this test run, so the migrated "
                "templates no longer match them: run the tests again"
            )
        key = (backend, fill)
        if key not in self._templates:
            source = None if fill is None else self.template(backend, None).name
            if backend == "sqlite":
                self._templates[key] = self._sqlite_template(source, fill)
            else:
                self._templates[key] = self.server().template(source, fill)
        return self._templates[key]

    def _sqlite_template(self, source: str | None, fill: Fill | None) -> Template:
        path = self._folders.mktemp("template") / "template.db"
        if source is not None:
            shutil.copyfile(source, path)
        filled = build_template(f"sqlite:///{path}", fill)
        # The file is in WAL mode (make_engine): fold the log into it, so that the file alone
        # is the whole database, and close the last connection, which removes the -wal and
        # -shm files.
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        assert busy == 0, "the template's write-ahead log could not be checkpointed"
        beside = sorted(p.name for p in path.parent.iterdir())
        assert beside == [path.name], f"files left beside the template: {beside}"
        path.chmod(0o444)  # read-only (though not to root: see close)
        self._sqlite_digests[str(path)] = digest(path)
        return Template(str(path), filled)

    def server(self) -> Server:
        if self._server is None:
            base = postgres_url()
            if base is None:
                pytest.skip("set CITATIONS_TEST_POSTGRES_URL to run the PostgreSQL half")
            self._server = Server(base)
        return self._server

    def close(self) -> None:
        try:
            changed = [p for p, d in self._sqlite_digests.items() if digest(Path(p)) != d]
            assert not changed, f"tests changed SQLite templates they should only copy: {changed}"
        finally:
            if self._server is not None:
                self._server.close()


class Server:
    """This session's databases on the PostgreSQL server of `base`."""

    def __init__(self, base: str) -> None:
        self._base = make_url(base)
        self._admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self._connection: Connection = self._admin.connect()
        self._run = secrets.randbits(31)
        self._numbers = count(1)
        self._made: list[str] = []
        locked = self._connection.scalar(
            text("SELECT pg_try_advisory_lock(:live, :run)"), {"live": LIVE_RUN, "run": self._run}
        )
        assert locked, f"run number {self._run} is taken"
        self._drop_stale()

    def _name(self, suffix: str) -> str:
        return f"{PREFIX}{self._run:08x}_{suffix}"

    def _url(self, name: str) -> str:
        return self._base.set(database=name).render_as_string(hide_password=False)

    def _drop_stale(self) -> None:
        """Drop the databases of earlier sessions that ended without dropping them."""
        live = {
            run
            for first, run in self._connection.execute(
                text(
                    "SELECT classid::int8, objid::int8 FROM pg_locks"
                    " WHERE locktype = 'advisory' AND objsubid = 2"
                )
            )
            if first == LIVE_RUN
        }
        names = self._connection.scalars(
            text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
            {"prefix": PREFIX},
        ).all()
        for name in names:
            match = NAME.fullmatch(name)
            if match and int(match["run"], 16) not in live:
                self._connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _create(self, name: str, template: str) -> None:
        # WAL_LOG (PostgreSQL 15's default) copies the template's blocks through the WAL;
        # FILE_COPY forces two checkpoints per copy and measured about three times slower here.
        self._connection.execute(
            text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG')
        )
        self._made.append(name)

    def _drop(self, name: str) -> None:
        # FORCE ends the connections a test left open (an app's pool, a killed process).
        # DROP DATABASE forces an immediate checkpoint (PostgreSQL 15), which writes out every
        # dirty page on the server but the dropped database's own. Dropping each copy as soon
        # as its test ends keeps that small: drops deferred and batched made each checkpoint
        # write out the copies still waiting, and were several times slower.
        self._connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._made.remove(name)

    def template(self, source: str | None, fill: Fill | None) -> Template:
        """A new template database: `template0` migrated when `source` is None, else a copy of
        `source` that `fill` filled."""
        name = self._name(f"template{next(self._numbers)}")
        self._create(name, source or "template0")
        try:
            filled = build_template(self._url(name), fill)
        except BaseException:
            self._drop(name)
            raise
        # From now on nobody can connect to it, so no test can change it; copying it needs no
        # connection.
        self._connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        return Template(name, filled)

    @contextmanager
    def database(self, template: str) -> Iterator[str]:
        """A new database copied from `template`, dropped when the block ends."""
        name = self._name(str(next(self._numbers)))
        self._create(name, template)
        try:
            yield self._url(name)
        finally:
            self._drop(name)

    def close(self) -> None:
        try:
            while self._made:  # the copies first, the template last
                self._drop(self._made[-1])
        finally:
            self._connection.close()  # releases the advisory lock: the run is over
            self._admin.dispose()
