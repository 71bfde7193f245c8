"""Engines, sessions and schema migrations for SQLite (embedded) and PostgreSQL (city scale)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from citations import partitions
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


@dataclass
class Writes:
    """Whether the work of one request committed a transaction (`transaction`)."""

    committed: bool = False


_WRITES: ContextVar[Writes | None] = ContextVar("citations_writes", default=None)


@contextmanager
def noting_writes() -> Iterator[Writes]:
    """Note the transactions the block commits, in its thread and the threads it hands work
    to (they run in a copy of its context, which holds the same `Writes`).

    >>> with noting_writes() as writes:
    ...     pass
    >>> writes.committed
    False
    """
    writes = Writes()
    token = _WRITES.set(writes)
    try:
        yield writes
    finally:
        _WRITES.reset(token)


@contextmanager
def transaction(engine: Engine, *, noted: bool = True) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on any error.

    A commit is noted for the request under way (`noting_writes`), so that the client's
    next reads see it even on a read replica; `noted=False` is for bookkeeping no later
    read shows (when a session was last used), which would otherwise send every page after
    it to the primary.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        yield session
    if noted and (writes := _WRITES.get()) is not None:
        writes.committed = True


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
    """Bring the schema to the newest revision, and on PostgreSQL make the partitions of
    last, this and next year (citations.partitions); returns (before, after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    partitions.forget(engine)
    with engine.begin() as connection:
        partitions.ensure_years_around(connection)
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


# Reading from a replica (CITATIONS_READ_DATABASE_URL) ------------------------------------

log = logging.getLogger("citations.database")

Lsn = int
"""A position in PostgreSQL's write-ahead log, as a number: `16/B374D848` is 0x16B374D848."""

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")


def parse_lsn(value: str) -> Lsn | None:
    """A WAL position as PostgreSQL writes it, or None for anything else.

    >>> parse_lsn("16/B374D848") == 0x16_B374D848, parse_lsn("yesterday")
    (True, None)
    """
    found = _LSN.fullmatch(value.strip())
    return None if found is None else (int(found[1], 16) << 32) | int(found[2], 16)


def format_lsn(lsn: Lsn) -> str:
    """
    >>> format_lsn(0x16_B374D848)
    '16/B374D848'
    """
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


REPLICA_CONNECT_SECONDS = 2
"""How long connecting to the replica may take before its reads go to the primary."""

_REPLAYED = text("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
_IDENTITY = text("SELECT (SELECT system_identifier FROM pg_control_system()), current_database()")


def make_read_engine(url: str) -> Engine:
    """An engine on a read replica (PostgreSQL): quick to give up connecting, since a
    replica that does not answer is read around, not waited for."""
    return create_engine(
        normalize_url(url),
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"connect_timeout": REPLICA_CONNECT_SECONDS},
    )


class ReadRouting:
    """Where the reads that a replica may serve go: reports, exports, searches and lists,
    and the public pages' plain reads. Everything else uses the primary directly.

    The rule: such a read goes to the replica unless the client has written something the
    replica has not replayed yet. `after` is where the client's last write left the
    primary's write-ahead log (`written_position`, read after it committed); the replica's
    `pg_last_wal_replay_lsn()` is compared with it on the very connection the read then
    uses, so a read the replica serves sees that write. Behind it, unreachable (said once in
    the log; tried again after `rest_seconds`), or not a copy of the primary's database
    (said in the log): the read goes to the primary at once; nothing waits for the replica.

    Without a replica every read goes to the primary, as before.

    Example:
        routing = ReadRouting(primary, make_read_engine("postgresql://reader@replica/citations"))
        with routing.reading(after=parse_lsn("0/3000148")) as session:
            ...
    """

    def __init__(
        self, primary: Engine, replica: Engine | None = None, *, rest_seconds: float = 5.0
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.rest_seconds = rest_seconds
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0
        self._same: bool | None = None
        """Whether the replica is a copy of the primary's database; None: not checked yet."""

    def written_position(self) -> Lsn | None:
        """The primary's write-ahead log position now: read after a commit, it is at or past
        that commit. None without a replica (nobody needs it)."""
        if self.replica is None:
            return None
        with self.primary.connect() as connection:
            value = connection.scalar(text("SELECT pg_current_wal_lsn()::text"))
        return parse_lsn(str(value))

    @contextmanager
    def reading(self, after: Lsn | None = None) -> Iterator[Session]:
        """A session that only reads: on the replica when it has replayed `after`, else on
        the primary (`reading`)."""
        connection = self._replica_connection(after)
        if connection is None:
            with reading(self.primary) as session:
                yield session
            return
        # The connection is in the transaction the check began; closing it rolls that back.
        with connection, Session(bind=connection) as session:
            yield session

    def engine_for(self, after: Lsn | None = None) -> Engine:
        """The engine for reading in a transaction of the caller's own (an export, which
        is one snapshot): the replica when it answers and has replayed `after`."""
        connection = self._replica_connection(after)
        if connection is None:
            return self.primary
        connection.close()
        return connection.engine

    def dispose(self) -> None:
        """Close the replica's connections (the primary belongs to whoever made it)."""
        if self.replica is not None:
            self.replica.dispose()

    def _replica_connection(self, after: Lsn | None) -> Connection | None:
        replica = self.replica
        if replica is None or not self._may_be_copy() or self._resting():
            return None
        try:
            connection = replica.connect()
            try:
                recovering, replayed = connection.execute(_REPLAYED).one()
                if self._same is None:
                    self._check_identity(connection)
            except BaseException:
                connection.close()
                raise
        except DBAPIError as exc:
            self._lost(exc)
            return None
        self._answered()
        behind = after is not None and recovering and (parse_lsn(replayed or "") or 0) < after
        if not self._may_be_copy() or behind:
            connection.close()
            return None
        return connection

    def _check_identity(self, connection: Connection) -> None:
        """A replica made by pg_basebackup has its primary's system identifier; the same
        database name too, or reads would come from another database of the cluster."""
        theirs = tuple(connection.execute(_IDENTITY).one())
        with self.primary.connect() as primary:
            ours = tuple(primary.execute(_IDENTITY).one())
        same = theirs == ours
        if not same:
            log.error(
                "CITATIONS_READ_DATABASE_URL (%s) is not a replica of %s: every read goes to "
                "the primary",
                describe_url(str(connection.engine.url)),
                describe_url(str(self.primary.url)),
            )
        self._same = same

    def _may_be_copy(self) -> bool:
        return self._same is not False

    def _resting(self) -> bool:
        return self._down and time.monotonic() < self._retry_at

    def _lost(self, exc: DBAPIError) -> None:
        assert self.replica is not None
        with self._lock:
            first = not self._down
            self._down, self._retry_at = True, time.monotonic() + self.rest_seconds
        if first:
            lines = str(exc.orig).strip().splitlines()
            log.warning(
                "the read replica %s does not answer (%s): reads go to the primary until it does",
                describe_url(str(self.replica.url)),
                lines[0] if lines else type(exc.orig).__name__,
            )

    def _answered(self) -> None:
        if not self._down:
            return
        with self._lock:
            was_down, self._down = self._down, False
        if was_down and self.replica is not None:
            log.info("the read replica %s answers again", describe_url(str(self.replica.url)))


def read_routing(primary: Engine, read_url: str | None) -> ReadRouting:
    """The routing of `primary`'s reads, with the replica at `read_url` if one is given and
    the primary is PostgreSQL (a SQLite database has no replica)."""
    if read_url is None:
        return ReadRouting(primary)
    if primary.dialect.name != "postgresql":
        log.warning(
            "CITATIONS_READ_DATABASE_URL is not used: %s is not PostgreSQL",
            describe_url(str(primary.url)),
        )
        return ReadRouting(primary)
    return ReadRouting(primary, make_read_engine(read_url))
