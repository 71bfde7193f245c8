"""`import_records`: restore an export into an empty database, in one transaction.

The file is read once, as a stream: rows are inserted in batches while the file's SHA-256 is
computed, and the trailer is checked at the end; any problem rolls everything back, so a
refused file leaves the database as empty as it was. When the database refuses a row (a
foreign key, a unique value), the rest of the file is still hashed, so that an edited file is
reported as edited rather than as whatever constraint the edit happened to break. A document
as sent whose bytes no longer match the SHA-256 kept with them is refused too.

After the rows come the files the attachments name (citations.export.files): each is
checked against its SHA-256 and put in the configured files store. The store is not part of
the transaction: a refused restore may leave some of those files in it, which no row names
and which harm nothing (content-addressed, the same bytes under the same name).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, Engine, Table, bindparam, not_, select, text
from sqlalchemy.exc import DBAPIError

from citations import partitions
from citations.audit import GENESIS, AuditHead
from citations.database import describe_url, ensure_current, head_revision
from citations.errors import ExportFileInvalid, ExportSchemaMismatch, RestoreTargetNotEmpty
from citations.export.codec import (
    FORMAT,
    TRAILER,
    VERSION,
    BadValue,
    TableCodec,
    batch_for,
    schema_tables,
)
from citations.export.files import HASHES, INCLUDED, MODES, FilesReader

if TYPE_CHECKING:
    from citations.attachments.store import FileStore


@dataclass(frozen=True)
class ImportSummary:
    schema_revision: str
    exported_at: datetime
    row_counts: dict[str, int]
    rows_sha256: str
    files: int = 0
    """The files the restored rows name: restored into the store, or found there."""
    file_bytes: int = 0
    files_included: bool = True

    @property
    def rows(self) -> int:
        return sum(self.row_counts.values())


class _Lines:
    """The file's lines, numbered, parsed, and hashed as the export hashed them."""

    def __init__(self, lines: Iterable[str], source: str) -> None:
        self._lines: Iterator[str] = iter(lines)
        self.source = source
        self.number = 0
        self.whole = hashlib.sha256()
        self.rows = hashlib.sha256()

    def fail(self, problem: str, line: int | None = None) -> ExportFileInvalid:
        return ExportFileInvalid(self.source, self.number if line is None else line, problem)

    def next(self) -> dict[str, Any] | None:
        """The next line as a JSON object (None at the end of the file)."""
        try:
            raw = next(self._lines, None)
        except UnicodeDecodeError:
            raise self.fail("not UTF-8 text", self.number + 1) from None
        if raw is None:
            return None
        self.number += 1
        content = raw.rstrip("\n").rstrip("\r")
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise self.fail("not a JSON object (the line is damaged or cut short)")
        if parsed.get("format") != TRAILER:
            data = (content + "\n").encode("utf-8")
            self.whole.update(data)
            if self.number > 1 and "file" not in parsed:
                self.rows.update(data)
        return parsed


@dataclass(frozen=True)
class _Header:
    schema_revision: str
    exported_at: datetime
    files: str
    """`included` (the files follow the rows) or `hashes` (the store was copied apart)."""
    files_declared: bool
    """False for an export written before the files section (neither header nor trailer
    says anything of files)."""


def _read_header(lines: _Lines) -> _Header:
    first = lines.next()
    if first is None:
        raise ExportFileInvalid(lines.source, 1, "the file is empty; expected the export header")
    if first.get("format") != FORMAT:
        raise lines.fail(f'not a records export: the header must have "format": "{FORMAT}"')
    if first.get("version") != VERSION:
        raise lines.fail(
            f"export format version {json.dumps(first.get('version'))} is not supported "
            f"(this citations reads version {VERSION})"
        )
    revision = first.get("schema_revision")
    if not isinstance(revision, str) or not revision:
        raise lines.fail("the header has no schema_revision")
    stamp = first.get("exported_at")
    try:
        exported_at = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        exported_at = None
    if exported_at is None or exported_at.tzinfo is None:
        raise lines.fail("the header's exported_at is not an ISO 8601 date-time with an offset")
    # An export without the key predates the files section: its files were not in it.
    files = first.get("files", HASHES)
    if files not in MODES:
        raise lines.fail(
            f'the header\'s files is {json.dumps(files)}, not "{INCLUDED}" or "{HASHES}"'
        )
    return _Header(revision, exported_at, files, "files" in first)


class _Loader:
    """Inserts one table's rows in batches; self-references to later rows wait for an update.

    A row may point at a row of its own table that comes later (a postponed hearing names
    the hearing that replaced it): such a value is inserted as NULL and set once the whole
    table is in. Only those values are kept in memory.
    """

    def __init__(self, connection: Connection, batch: int) -> None:
        self.connection = connection
        self.batch = batch
        self.table_batch = batch
        self.table: Table | None = None
        self.key: Column[Any] | None = None
        self.self_refs: list[tuple[str, bool]] = []
        """(column, refers to the primary key) of each nullable reference to the table."""
        self.pending: list[dict[str, Any]] = []
        self.deferred: dict[str, list[dict[str, Any]]] = {}
        self.table_line = self.batch_line = self.last_line = 0
        self.failure: tuple[int, int, str] | None = None
        """(first line, last line, what the database said) of the rows it refused."""
        self.invalid: tuple[int, str] | None = None
        """(line, problem) of the first row that fails its own check (`ROW_CHECKS`)."""

    def start(self, table: Table, line: int) -> None:
        self.finish()
        self.table = table
        self.table_batch = batch_for(table, self.batch)
        self.table_line = line
        keys = list(table.primary_key.columns)
        self.key = keys[0] if len(keys) == 1 else None
        self.self_refs = [
            (fk.parent.name, fk.column is self.key)
            for fk in table.foreign_keys
            if fk.column.table is table and fk.parent.nullable
        ]
        if self.self_refs and self.key is None:
            raise TypeError(f"{table.name} refers to itself but has a composite key")
        self.deferred = {name: [] for name, _ in self.self_refs}

    def add(self, values: dict[str, Any], line: int) -> None:
        if self.failure is not None:
            return  # the transaction is lost; the rest of the file is only checked
        if self.key is not None:
            key = values[self.key.name]
            for name, to_key in self.self_refs:
                value = values[name]
                earlier = to_key and type(value) is type(key) and value < key
                if value is not None and not earlier:
                    values[name] = None
                    self.deferred[name].append({"export_key": key, "export_value": value})
        if not self.pending:
            self.batch_line = line
        self.last_line = line
        self.pending.append(values)
        if len(self.pending) >= self.table_batch:
            self.flush()

    def flush(self) -> None:
        if self.table is None or not self.pending or self.failure is not None:
            return
        try:
            if self.table.name in partitions.TABLES:  # the ids' years, on PostgreSQL
                years = {partitions.year_of_id(values["id"]) for values in self.pending}
                partitions.ensure_years(self.connection, years)
            self.connection.execute(self.table.insert(), self.pending)
        except DBAPIError as exc:
            self.failure = (self.batch_line, self.last_line, _first_line(exc))
        self.pending = []

    def finish(self) -> None:
        self.flush()
        if self.table is None or self.key is None or self.failure is not None:
            return
        for name, updates in self.deferred.items():
            if not updates:
                continue
            statement = (
                self.table.update()
                .where(self.key == bindparam("export_key"))
                .values({name: bindparam("export_value")})
            )
            try:
                self.connection.execute(statement, updates)
            except DBAPIError as exc:
                self.failure = (self.table_line, self.last_line, _first_line(exc))
        self.deferred = {}


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0]


def import_records(
    engine: Engine,
    lines: Iterable[str],
    *,
    source: str = "the export",
    batch: int = 1000,
    store: FileStore | None = None,
) -> ImportSummary:
    """Restore an export written by `export_records` into an empty database at the same schema.

    `source` names the file in error messages. Everything happens in one transaction: a
    refused file (bad header, damaged, edited or truncated) leaves no row behind. The files
    in the export go into `store` (the configured files store by default); for an export of
    hashes only, `store` must already hold every file the rows name (StoreError if not).

    Example:
        with open("records.jsonl", encoding="utf-8") as lines:
            summary = import_records(engine, lines, source="records.jsonl")
    """
    ensure_current(engine)
    reader = _Lines(lines, source)
    header = _read_header(reader)
    head = head_revision()
    if header.schema_revision != head:
        raise ExportSchemaMismatch(source, header.schema_revision, head)
    tables = schema_tables()
    with engine.begin() as connection:
        _require_empty(connection, tables, describe_url(str(engine.url)))
        loader = _Loader(connection, batch)
        counts, item = _load_rows(reader, loader, tables)
        loader.finish()  # the rows are in: the files section is checked against them
        files = FilesReader(
            connection,
            (lambda: store) if store is not None else _configured_store,
            included=header.files == INCLUDED,
            active=loader.failure is None and loader.invalid is None,
            fail=reader.fail,
            batch=batch,
        )
        try:
            while item.get("format") != TRAILER:
                files.add(item, reader.number)
                item = _next_or_cut(reader)
            trailer_line = reader.number
            _check_trailer(reader, item, counts, trailer_line)
            if reader.next() is not None:
                raise reader.fail("more lines after the trailer")
            if loader.invalid is not None:
                raise reader.fail(loader.invalid[1], loader.invalid[0])
            if loader.failure is not None:
                first, last, said = loader.failure
                where = f"line {first}" if first == last else f"lines {first}-{last}"
                raise reader.fail(f"the database refused a row in {where}: {said}", first)
            files.finish(trailer_line)
            if header.files_declared:
                _check_file_count(reader, item, files, trailer_line)
        finally:
            files.close()
        _after_bulk_load(connection, tables)
    digest = reader.rows.hexdigest()
    return ImportSummary(
        header.schema_revision,
        header.exported_at,
        counts,
        digest,
        files.count,
        files.bytes,
        header.files == INCLUDED,
    )


def _configured_store() -> FileStore:
    from citations.attachments.store import open_store

    return open_store()


def _next_or_cut(reader: _Lines) -> dict[str, Any]:
    item = reader.next()
    if item is None:
        raise reader.fail("the file ends after this line without its trailer: it is cut short")
    return item


def _check_file_count(
    reader: _Lines, trailer: dict[str, Any], files: FilesReader, line: int
) -> None:
    stated = trailer.get("files")
    if not isinstance(stated, dict):
        raise reader.fail("the trailer's files do not say how many files the export names", line)
    if stated.get("count") != files.count:
        raise reader.fail(
            f"the trailer counts {stated.get('count')} files, the records name {files.count}",
            line,
        )
    if files.included and stated.get("bytes") != files.bytes:
        raise reader.fail(
            f"the trailer counts {stated.get('bytes')} bytes of files, the file has "
            f"{files.bytes:,}",
            line,
        )


def _load_rows(
    reader: _Lines, loader: _Loader, tables: list[Table]
) -> tuple[dict[str, int], dict[str, Any]]:
    """Every row line up to the files or the trailer, into the loader; returns the counts and
    the first line after the rows."""
    position = {table.name: index for index, table in enumerate(tables)}
    codecs = {table.name: TableCodec.of(table) for table in tables}
    counts = dict.fromkeys(position, 0)
    current = -1
    while True:
        item = reader.next()
        if item is None:
            raise reader.fail("the file ends after this line without its trailer: it is cut short")
        if item.get("format") == TRAILER or "file" in item:
            return counts, item
        if set(item) != {"table", "row"}:
            raise reader.fail('expected a row {"table": ..., "row": {...}} or the trailer')
        name = item["table"]
        if not isinstance(name, str) or name not in position:
            raise reader.fail(
                f"unknown table {json.dumps(name)} (not in schema revision {head_revision()})"
            )
        if position[name] < current:
            raise reader.fail(
                f"a row of {name} after rows of {tables[current].name}: tables must come "
                "in foreign-key order"
            )
        if position[name] != current:
            loader.start(tables[position[name]], reader.number)
            current = position[name]
        try:
            values = codecs[name].decode(item["row"])
        except BadValue as exc:
            raise reader.fail(str(exc)) from None
        check = ROW_CHECKS.get(name)
        problem = check(values) if check is not None else None
        if problem is not None and loader.invalid is None:
            loader.invalid = (reader.number, problem)  # reported once the file is hashed
        loader.add(values, reader.number)
        counts[name] += 1


def _document_intact(values: dict[str, Any]) -> str | None:
    """A document as sent must still be the bytes it was: their SHA-256 and size as kept."""
    content = values["content"]
    digest = hashlib.sha256(content).hexdigest()
    if digest == values["sha256"] and len(content) == values["size"]:
        return None
    return (
        f"sent document {values['id']}: its bytes ({len(content):,}, SHA-256 {digest}) are not "
        f"the ones kept ({values['size']:,}, SHA-256 {values['sha256']}): the document was "
        "altered"
    )


ROW_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "sent_documents": _document_intact,
}
"""Checks of a row's own consistency, beyond its columns' types."""


def _check_trailer(
    reader: _Lines, trailer: dict[str, Any], counts: dict[str, int], line: int
) -> None:
    whole = reader.whole.hexdigest()
    if trailer.get("sha256") != whole:
        raise reader.fail(
            f"the SHA-256 of lines 1-{line - 1} is {whole}, not the trailer's "
            f"{trailer.get('sha256')}: the file was edited or damaged after export",
            line,
        )
    if trailer.get("rows_sha256") != reader.rows.hexdigest():
        raise reader.fail("the trailer's rows_sha256 does not match the rows", line)
    stated = trailer.get("row_counts")
    if not isinstance(stated, dict) or set(stated) - set(counts):
        raise reader.fail("the trailer's row_counts do not name the schema's tables", line)
    for name, count in counts.items():
        if stated.get(name, 0) != count:
            raise reader.fail(
                f"the trailer counts {stated.get(name, 0)} rows of {name}, the file has {count}",
                line,
            )


def _require_empty(connection: Connection, tables: list[Table], where: str) -> None:
    """Refuse a database with records. The migrations write the audit trail's lane heads at
    their genesis value; they are removed here and come back from the file."""
    head = AuditHead.__table__
    assert isinstance(head, Table)
    genesis = head.c.hash == GENESIS
    holding = []
    for table in tables:
        query = select(1).select_from(table).limit(1)
        if table is head:
            query = query.where(not_(genesis))
        if connection.execute(query).first() is not None:
            holding.append(table.name)
    if holding:
        raise RestoreTargetNotEmpty(where, holding)
    connection.execute(head.delete().where(genesis))


def _after_bulk_load(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the restored ids (explicit ids bypass them),
    and refresh the planner's statistics. SQLite's integer keys take max(id) + 1 by themselves.
    """
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer
    partitioned = partitions.is_partitioned(connection)
    for table in tables:
        column = table.autoincrement_column
        name = quote.format_table(table)
        if partitioned and table.name in partitions.TABLES:
            # Ids carry their year (citations.partitions): the sequence gives the rest.
            connection.execute(
                text(
                    f"SELECT setval('{table.name}_id_seq', "
                    f"COALESCE(MAX(id % {partitions.YEAR_SPAN}), 0) + 1, false) FROM {name}"
                )
            )
        elif column is not None:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE(MAX({quote.quote(column.name)}), 0) + 1, false) FROM {name}"
                ),
                {"table": name, "column": column.name},
            )
        connection.execute(text(f"ANALYZE {name}"))
