"""Engines, sessions and schema migrations for SQLite (embedded) and PostgreSQL (city scale)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from citations.errors import BadDatabaseUrl, DatabaseNotReady, DatabaseUnavailable
from citations.resources import package_path

MIGRATIONS = package_path("citations", "migrations")


def normalize_url(url: str) -> str:
    """Accept the URLs people write and name the driver we ship (psycopg 3).

    >>> normalize_url("postgres://postgres@127.0.0.1/test")
    'postgresql+psycopg://postgres@127.0.0.1/test'
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadDatabaseUrl(url) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise BadDatabaseUrl(url)
    return parsed.render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine that never shows a statement's parameters, in its log or in its errors'
    messages: they are people's names, dates of birth and addresses."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own implicit BEGIN is switched off so that `_sqlite_begin` decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Every SQLite transaction takes the write lock when it starts (BEGIN IMMEDIATE).

    SQLite has no row locks: two transactions that both read a counter or a balance and then
    write would otherwise both act on the value they read. Taking the lock up front makes
    concurrent writers wait their turn (up to the 30 s timeout) instead. Work that only
    reads (`reading`) begins deferred: in WAL mode it never waits for a writer.
    """
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "citations_read_only"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for work that only reads (checking a token on every request): on SQLite it
    does not queue behind writers for the write lock. Writing in it is a mistake that SQLite
    refuses only when another writer holds the lock, so keep it to reads."""
    factory = sessionmaker(engine.execution_options(**{READ_ONLY: True}))
    with factory.begin() as session:
        yield session


@contextmanager
def reading_rows(engine: Engine) -> Iterator[Connection]:
    """A read-only connection without an ORM session, for the one query every API request
    makes (its token): making a session for it cost a third of the API's throughput."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        yield connection


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnavailable(describe_url(str(engine.url)), str(exc.orig).strip()) from None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return before, head_revision()


SQLITE_OUTAGES = (
    "database is locked",
    "disk i/o error",
    "unable to open database",
    "database or disk is full",
    "readonly database",
    "disk image is malformed",
)
"""What SQLite says when its file, not the statement, is the trouble."""


def unavailable(exc: DBAPIError, url: str) -> DatabaseUnavailable | None:
    """The domain error for a database error that means the database cannot be used right now
    (the server went away, the connection was cut, the file is locked), or None for any other.

    Its transaction went with the connection, so nothing of it was written, and the work can
    simply be tried again.
    """
    if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
        return None
    if url.startswith("sqlite") and not exc.connection_invalidated:
        # SQLite raises OperationalError for mistakes too ("no such table"): those are bugs
        # (a 500), not an outage, so only the file's own troubles count here.
        message = str(exc.orig).lower()
        if not any(trouble in message for trouble in SQLITE_OUTAGES):
            return None
    lines = str(exc.orig).strip().splitlines()
    return DatabaseUnavailable(describe_url(url), lines[0] if lines else type(exc.orig).__name__)


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than the code."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseNotReady(describe_url(str(engine.url)), current, head)
