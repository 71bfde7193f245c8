"""The export's files section: the bytes of every attachment's files, after the rows.

The attachments table is exported as any table (its rows name each file by SHA-256); the
bytes live in the files store. By default the export carries them, so that one file holds
everything: after the last row, each file the rows name (the kept original and the shown
copy of every attachment whose bytes have come) once, in order of its SHA-256, as lines of
base64 of at most `PART` bytes each:

    {"file":"<sha256>","part":1,"parts":2,"data":"<base64>"}

The restore checks each file's bytes against its name before putting them in its own
store, and that the section holds exactly the files the restored rows name. Written
`hashes` only (`citations export --without-files`), the section is empty and the restore
checks instead that the store, copied separately, holds every file the rows name.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Table, and_, func, select, union

from citations.attachments.store import HASH, FileMissing, FileStore, StoreError, digest
from citations.attachments.tables import Attachment
from citations.errors import ExportFileInvalid
from citations.export.year import scoped

INCLUDED = "included"
HASHES = "hashes"
MODES = (INCLUDED, HASHES)
"""The header's `files`: the bytes are in the export, or only the rows' hashes are."""

PART = 768 * 1024
"""Bytes of a file per line: 1 MiB of base64, so no line holds a whole 25 MB photo."""


def _table() -> Table:
    table = Attachment.__table__
    assert isinstance(table, Table)
    return table


def named_files(connection: Connection, year: int | None = None) -> Select[Any]:
    """Each SHA-256 that an attachment whose bytes have come names (original or shown copy),
    once, in byte order (as both backends and the store list them); with `year`, the
    attachments of that year's citations (citations.export.year)."""
    table = _table()
    came = and_(table.c.received_at.is_not(None), scoped(table, year))
    names = union(
        select(table.c.sha256.label("sha")).where(came),
        select(table.c.shown_sha256.label("sha")).where(came, table.c.shown_sha256.is_not(None)),
    ).subquery()
    binary = "C" if connection.dialect.name == "postgresql" else "BINARY"
    return select(names.c.sha).order_by(names.c.sha.collate(binary))


def naming(connection: Connection, sha256: str) -> str:
    """The attachment (and citation) that names a file, for messages."""
    table = _table()
    from citations.record.tables import Citation

    citations = Citation.__table__
    assert isinstance(citations, Table)
    found = connection.execute(
        select(table.c.key, citations.c.number)
        .outerjoin(citations, citations.c.id == table.c.citation_id)
        .where((table.c.sha256 == sha256) | (table.c.shown_sha256 == sha256))
        .order_by(table.c.id)
        .limit(1)
    ).first()
    if found is None:
        return "no attachment"
    key, number = found
    return f"attachment {key}" + (f" (citation {number})" if number else "")


def file_lines(sha256: str, data: bytes) -> Iterator[str]:
    """A file's lines: its bytes in parts of `PART`, each part's base64 on its own line.

    >>> list(file_lines(digest(b"hi"), b"hi"))[0][-35:]
    '","part":1,"parts":1,"data":"aGk="}'
    """
    parts = max(1, -(-len(data) // PART))
    for index in range(parts):
        chunk = base64.b64encode(data[index * PART : (index + 1) * PART]).decode("ascii")
        yield f'{{"file":"{sha256}","part":{index + 1},"parts":{parts},"data":"{chunk}"}}'


@dataclass
class Written:
    count: int = 0
    bytes: int = 0


def write_files(
    connection: Connection,
    store: FileStore,
    emit: Callable[[str], None],
    batch: int = 1000,
    year: int | None = None,
) -> Written:
    """Every named file's lines, read from `store` one file at a time; StoreError naming the
    file and its attachment if the store lacks one or its bytes no longer match."""
    written = Written()
    query = named_files(connection, year).execution_options(yield_per=batch)
    # Closed even when a file stops the export: PostgreSQL's server-side cursor with it.
    with connection.execute(query) as result:
        for found_name in result.scalars():
            sha = str(found_name)
            try:
                data = store.get(sha)
            except FileMissing:
                _cannot(connection, store, sha, "is missing from")
            found = digest(data)
            if found != sha:
                _cannot(connection, store, sha, f"is damaged (its bytes hash to {found}) in")
            for line in file_lines(sha, data):
                emit(line)
            written.count += 1
            written.bytes += len(data)
    return written


def _cannot(connection: Connection, store: FileStore, sha: str, what: str) -> None:
    raise StoreError(
        f"the export cannot carry file {sha} of {naming(connection, sha)}: it {what} the "
        f"files store ({store.where}). `citations audit verify` lists every such file; "
        "`citations export --without-files` exports the records without the files"
    )


def count_named(connection: Connection, year: int | None = None) -> int:
    names = named_files(connection, year).order_by(None).subquery()
    return int(connection.scalar(select(func.count()).select_from(names)) or 0)


Fail = Callable[[str, int], ExportFileInvalid]


class FilesReader:
    """Reads the files section of a restore: each file whole and matching its name, in
    order, exactly the files the restored rows name; each put in `store`.

    `active` is False once the restore is lost anyway (the database refused a row): the
    lines are then only parsed, for the checksum to say what happened.
    """

    def __init__(
        self,
        connection: Connection,
        store: Callable[[], FileStore],
        *,
        included: bool,
        active: bool,
        fail: Fail,
        batch: int = 1000,
    ) -> None:
        self.connection = connection
        self._store_factory = store
        self._store: FileStore | None = None
        self.included = included
        self.active = active
        self.fail = fail
        self.count = self.bytes = 0
        self.expected: Iterator[str] | None = None
        self._result: Any = None
        if active:
            query = named_files(connection).execution_options(yield_per=batch)
            self._result = connection.execute(query)
            self.expected = iter(self._result.scalars())
        self._ahead: str | None = None if self.expected is None else next(self.expected, None)
        self._sha: str | None = None
        self._last: str | None = None
        self._part = self._parts = self._first = 0
        self._chunks: list[bytes] = []

    @property
    def store(self) -> FileStore:
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    def add(self, item: dict[str, Any], line: int) -> None:
        if not self.included:
            raise self.fail(
                "a file line, but the header says this export holds only the files' hashes "
                '("files": "hashes")',
                line,
            )
        sha, part, parts, data = self._parse(item, line)
        if part == 1:
            self._begin(sha, parts, line)
        elif (sha, part, parts) != (self._sha, self._part + 1, self._parts):
            raise self.fail(
                f"part {part} of file {sha} comes after "
                + (f"part {self._part} of {self._sha}" if self._sha else "no part 1"),
                line,
            )
        self._part = part
        self._chunks.append(data)
        if part == parts:
            self._end(line)

    def _parse(self, item: dict[str, Any], line: int) -> tuple[str, int, int, bytes]:
        if set(item) != {"file", "part", "parts", "data"}:
            raise self.fail(
                'expected a file {"file": ..., "part": ..., "parts": ..., "data": ...} or the '
                "trailer (the rows come before the files)",
                line,
            )
        sha, part, parts, text = item["file"], item["part"], item["parts"], item["data"]
        if not isinstance(sha, str) or not HASH.match(sha):
            raise self.fail(f"the file's name {json.dumps(sha)} is not a SHA-256", line)
        whole = (int, int)
        if not (type(part), type(parts)) == whole or not 1 <= part <= parts:
            raise self.fail(f"file {sha}: part {part} of {parts} is not a part", line)
        try:
            data = base64.b64decode(text, validate=True) if isinstance(text, str) else None
        except (binascii.Error, ValueError):
            data = None
        if data is None:
            raise self.fail(f"file {sha}, part {part}: the data is not base64", line)
        return sha, part, parts, data

    def _begin(self, sha: str, parts: int, line: int) -> None:
        if self._sha is not None:
            raise self.fail(
                f"file {self._sha} stops at part {self._part} of {self._parts} (lines "
                f"{self._first}-{line - 1}): the file is damaged or cut",
                line,
            )
        if self._last is not None and sha <= self._last:
            raise self.fail(
                f"file {sha} after file {self._last}: files come once each, in order of their "
                "SHA-256",
                line,
            )
        if self.active:
            ahead = self._ahead
            if ahead is not None and ahead < sha:
                raise self.fail(self._lacking(ahead), line)
            if ahead != sha:
                raise self.fail(f"file {sha} is named by no attachment of the records", line)
            assert self.expected is not None
            self._ahead = next(self.expected, None)
        self._sha, self._parts, self._first, self._chunks = sha, parts, line, []

    def _end(self, line: int) -> None:
        sha, data = self._sha, b"".join(self._chunks)
        assert sha is not None
        found = digest(data)
        if found != sha:
            where = f"line {line}" if line == self._first else f"lines {self._first}-{line}"
            raise self.fail(
                f"file {sha} ({where}) is damaged: its {len(data):,} bytes hash to {found}",
                self._first,
            )
        if self.active:
            self.store.put(data)
        self.count += 1
        self.bytes += len(data)
        self._last, self._sha, self._chunks = sha, None, []

    def _lacking(self, sha: str) -> str:
        return (
            f"the export lacks file {sha}, named by {naming(self.connection, sha)}: it was "
            "cut or edited"
        )

    def finish(self, line: int) -> None:
        """At the trailer: no file left half-read, none the rows name left out; for an
        export of hashes only, every named file in the store."""
        if self._sha is not None:
            raise self.fail(
                f"file {self._sha} stops at part {self._part} of {self._parts} (lines "
                f"{self._first}-{line - 1}): the file is damaged or cut",
                line,
            )
        if not self.active:
            return
        assert self.expected is not None
        if self.included:
            if self._ahead is not None:
                raise self.fail(self._lacking(self._ahead), line)
        else:
            self._check_store()
        self.close()

    def _check_store(self) -> None:
        assert self.expected is not None
        lacking: list[str] = []
        ahead = self._ahead
        while ahead is not None:
            self.count += 1
            if not self.store.has(ahead):
                lacking.append(ahead)
            ahead = next(self.expected, None)
        self._ahead = None
        if lacking:
            self.close()
            first = lacking[0]
            raise StoreError(
                f"the files store ({self.store.where}) lacks {len(lacking):,} of the "
                f"{self.count:,} files the records name (the first, {first}, of "
                f"{naming(self.connection, first)}): this export holds only their hashes, so "
                "copy the files store before restoring it. Nothing was restored"
            )

    def close(self) -> None:
        if self._result is not None:
            self._result.close()
            self._result = None
