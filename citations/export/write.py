"""`export_records`: every row of every table, streamed to JSON lines from one snapshot,
then the files the rows name (citations.export.files)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.sql import sqltypes

from citations.database import describe_url, ensure_current
from citations.errors import YearsNotPartitioned
from citations.export.codec import (
    FORMAT,
    TRAILER,
    VERSION,
    TableCodec,
    batch_for,
    dumps,
    missing_tables,
    schema_tables,
)
from citations.export.files import HASHES, INCLUDED, count_named, write_files
from citations.export.year import scoped
from citations.partitions import is_partitioned

if TYPE_CHECKING:
    from citations.attachments.store import FileStore


@dataclass(frozen=True)
class ExportSummary:
    schema_revision: str
    exported_at: datetime
    row_counts: dict[str, int]
    """Rows written per table, in the order written (every table, empty ones as 0)."""
    rows_sha256: str
    """SHA-256 of the row lines alone: equal for two exports of the same records."""
    sha256: str
    """SHA-256 of every line before the trailer (the header included)."""
    files: int = 0
    """The files the rows name (each once), written after the rows if `files_included`."""
    file_bytes: int = 0
    """Their bytes, when included."""
    files_included: bool = True

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


def header_line(
    schema_revision: str, exported_at: datetime, files: str = INCLUDED, year: int | None = None
) -> str:
    """The first line; `format` comes first so that `head -c 30` tells what the file is.
    `files` says whether the files' bytes follow the rows (`included`) or only the rows'
    hashes of them are in the file (`hashes`).

    >>> from datetime import timedelta, timezone
    >>> pacific = timezone(timedelta(hours=-8))
    >>> line = header_line("0007", datetime(2026, 11, 29, 10, tzinfo=pacific))
    >>> line[:50]
    '{"format":"citations-export","version":1,"schema_r'
    >>> line[50:]
    'evision":"0007","exported_at":"2026-11-29T18:00:00+00:00","files":"included"}'
    """
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema_revision": schema_revision,
        "exported_at": exported_at.astimezone(UTC).isoformat(),
        "files": files,
    }
    if year is not None:
        header["year"] = year  # a year's records only (citations.export.year)
    return json.dumps(header, separators=(",", ":"), ensure_ascii=False)


def row_line(table: str, row: dict[str, Any]) -> str:
    """One row: the table first, then its columns in alphabetical order.

    >>> row_line("agencies", {"name": "Demo City Police", "id": 1})
    '{"table":"agencies","row":{"id":1,"name":"Demo City Police"}}'
    """
    return '{"table":' + dumps(table) + ',"row":' + dumps(row) + "}"


def export_records(
    engine: Engine,
    out: TextIO,
    *,
    exported_at: datetime | None = None,
    batch: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    files: bool = True,
    store: FileStore | None = None,
    year: int | None = None,
) -> ExportSummary:
    """Write every record of the database to `out` as JSON lines; returns what was written.

    With `files` (the default), the bytes of every file the attachments name follow the
    rows, read from `store` (the configured files store by default), so the export is one
    self-contained file; StoreError if a file is missing or damaged in the store. Without,
    only the rows' hashes name them, and the store is copied separately.

    Rows are streamed `batch` at a time (a server-side cursor on PostgreSQL), so memory does
    not grow with the database. `exported_at` is the header's time stamp (default: now); it
    is the only thing that differs between two exports of the same records. `progress`, if
    given, is called with (rows written, rows in all) every `batch` rows and once at the end;
    the rows are then counted first, in the same snapshot.

    Example:
        with open("records.jsonl", "x", encoding="utf-8") as out:
            summary = export_records(engine, out)

    With `year` (a database partitioned by year, citations.partitions), only that year's
    cases and audit events, with all the reference data (citations.export.year): the file a
    year's retirement (citations.export.retire) checks before detaching the year.
    """
    ensure_current(engine)
    at = datetime.now(UTC) if exported_at is None else exported_at.astimezone(UTC)
    whole, rows_only = hashlib.sha256(), hashlib.sha256()
    counts: dict[str, int] = {}

    def emit(text: str, *, row: bool) -> None:
        line = text + "\n"
        out.write(line)
        data = line.encode("utf-8")
        whole.update(data)
        if row:
            rows_only.update(data)

    with _snapshot(engine) as connection:
        unknown = missing_tables(inspect(connection).get_table_names())
        if unknown:
            # A table module that citations/export/codec.py does not import: a defect, and
            # an export without that table would be silently incomplete.
            raise RuntimeError(f"the export does not know table {', '.join(unknown)}")
        revision = MigrationContext.configure(connection).get_current_revision()
        assert revision is not None  # ensure_current checked it
        if year is not None and not is_partitioned(connection):
            raise YearsNotPartitioned(describe_url(str(engine.url)))
        emit(header_line(revision, at, INCLUDED if files else HASHES, year), row=False)
        total = written = 0
        if progress is not None:
            total = sum(
                connection.scalar(
                    select(func.count()).select_from(table).where(scoped(table, year))
                )
                or 0
                for table in schema_tables()
            )
            progress(0, total)
        for table in schema_tables():
            codec = TableCodec.of(table)
            order = [_binary(column, connection) for column in table.primary_key.columns]
            per = batch_for(table, batch)
            query = (
                select(table)
                .where(scoped(table, year))
                .order_by(*order)
                .execution_options(yield_per=per)
            )
            count = 0
            for row in connection.execute(query):
                emit(row_line(table.name, codec.encode(row)), row=True)
                count += 1
                written += 1
                if progress is not None and written % batch == 0:
                    progress(written, total)
            counts[table.name] = count
        if progress is not None:
            progress(written, total)
        if files:
            if store is None:
                from citations.attachments.store import open_store

                store = open_store()
            carried = write_files(
                connection, store, lambda line: emit(line, row=False), batch, year
            )
            named, size = carried.count, carried.bytes
        else:
            named, size = count_named(connection, year), 0
    summary = ExportSummary(
        revision, at, counts, rows_only.hexdigest(), whole.hexdigest(), named, size, files
    )
    trailer: dict[str, Any] = {
        "format": TRAILER,
        "files": {"count": named, "bytes": size} if files else {"count": named},
        "row_counts": counts,
        "rows_sha256": summary.rows_sha256,
        "sha256": summary.sha256,
    }
    out.write(json.dumps(trailer, separators=(",", ":")) + "\n")
    return summary


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction, so that every table is read as of the same moment, and
    writers are not held up while a large export runs.

    PostgreSQL: REPEATABLE READ. SQLite: the application's engine begins every transaction
    with BEGIN IMMEDIATE (the write lock), so the export reads through an engine of its own
    that begins a plain (deferred) transaction: in WAL mode that is a snapshot, and writers
    carry on beside it.
    """
    if engine.dialect.name == "sqlite":
        reader = create_engine(engine.url, connect_args={"timeout": 30})
        event.listen(reader, "connect", _sqlite_manual_transactions)
        event.listen(reader, "begin", _sqlite_deferred_begin)
    else:
        reader = engine
    try:
        with reader.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            try:
                yield connection
            finally:
                connection.rollback()
    finally:
        if reader is not engine:
            reader.dispose()


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite's implicit BEGIN off: ours below


def _sqlite_deferred_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _binary(column: Column[Any], connection: Connection) -> Any:
    """Order text keys byte by byte, as both backends do alike (collations differ)."""
    if isinstance(column.type, sqltypes.String):
        return column.collate("C" if connection.dialect.name == "postgresql" else "BINARY")
    return column
