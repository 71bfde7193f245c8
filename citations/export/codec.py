"""The records export format: which tables, in which order, and each value as JSON.

Every value is encoded by its column's type, not by its Python type, so decoding is exact:
a text column that holds "2026-01-01" stays text, and a date column refuses anything but an
ISO date. JSON documents are written with sorted keys, because PostgreSQL's JSONB does not
keep key order: sorted keys make the export of the same records the same on both backends.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.sql import sqltypes
from sqlalchemy.types import TypeDecorator

from citations.orm import UTCDateTime
from citations.partitions import partition_year
from citations.record.daily import DERIVED_TABLES
from citations.schema import METADATA

FORMAT = "citations-export"
VERSION = 1
TRAILER = "citations-export-end"
ALEMBIC_TABLE = "alembic_version"
"""Alembic's bookkeeping; the header's schema_revision stands for it."""


def schema_tables() -> list[Table]:
    """Every table of the records, parents before children: the order rows are written in
    and restored in, so that each row's foreign keys point at rows already restored. The
    report's daily aggregates are derived from the rows and are not exported
    (citations.record.daily.DERIVED_TABLES)."""
    return [table for table in METADATA.sorted_tables if table.name not in DERIVED_TABLES]


BYTES_BATCH = 50
"""Rows at a time for a table holding bytes (a document as sent is some 50 kB): a thousand
such rows would hold 50 MB in memory."""


def batch_for(table: Table, batch: int) -> int:
    """How many rows of `table` to stream or insert at a time."""
    if any(isinstance(c.type, sqltypes.LargeBinary) for c in table.columns):
        return min(batch, BYTES_BATCH)
    return batch


def missing_tables(database_tables: list[str]) -> list[str]:
    """Tables the database has but the export would not write (a module nobody imported)."""
    known = {table.name for table in schema_tables()} | {ALEMBIC_TABLE} | DERIVED_TABLES
    # A year's partition is read through its table (citations.partitions).
    return sorted(name for name in set(database_tables) - known if partition_year(name) is None)


class BadValue(ValueError):
    """A value that is not what its column holds; the reader adds the file and line."""


@dataclass(frozen=True)
class Codec:
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    document: bool = False
    """A JSON document, where null is a value (JSON null) even in a NOT NULL column."""


def dumps(value: Any) -> str:
    """The canonical JSON text of one line: sorted keys, no spaces, UTF-8 characters as is.

    >>> dumps({"row": {"b": 1, "a": "é"}, "table": "t"})
    '{"row":{"a":"é","b":1},"table":"t"}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _expect(kind: type[Any], name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # bool is an int in Python; an integer column must not take true/false, nor the reverse
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise BadValue(f"expected {name}, got {json.dumps(value)}")
        return value

    return check


def _parse(parser: Callable[[str], Any], name: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            raise BadValue(f"expected {name} as a string, got {json.dumps(value)}")
        try:
            return parser(value)
        except (ValueError, InvalidOperation, binascii.Error):
            raise BadValue(f"expected {name}, got {json.dumps(value)}") from None

    return parse


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment


def _encode_instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _encode_decimal(value: Decimal) -> str:
    return str(value)


def _encode_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _decode_bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _isoformat(value: date | time) -> str:
    return value.isoformat()


def _same(value: Any) -> Any:
    return value


_CODECS: dict[type[Any], Codec] = {
    bool: Codec(_expect(bool, "true or false"), _expect(bool, "true or false")),
    int: Codec(_expect(int, "an integer"), _expect(int, "an integer")),
    str: Codec(_expect(str, "a string"), _expect(str, "a string")),
    datetime: Codec(_encode_instant, _parse(_instant, "an ISO 8601 date-time with an offset")),
    date: Codec(_isoformat, _parse(date.fromisoformat, "an ISO 8601 date (YYYY-MM-DD)")),
    time: Codec(_isoformat, _parse(time.fromisoformat, "an ISO 8601 time (HH:MM:SS)")),
    Decimal: Codec(_encode_decimal, _parse(Decimal, "a decimal number")),
    bytes: Codec(_encode_bytes, _parse(_decode_bytes, "base64 bytes")),
}


def codec_for(column: Column[Any]) -> Codec:
    """How `column`'s values are written and read back; a type without an exact JSON form
    (a float, say) is refused here, so a new column can never be exported lossily."""
    if isinstance(column.type, sqltypes.JSON):
        return Codec(_same, _same, document=True)
    stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    try:
        python_type = stored.python_type
    except NotImplementedError:
        python_type = object
    codec = _CODECS.get(python_type)
    # A naive DateTime column would be read as local time: only UTCDateTime is exact.
    if codec is None or (python_type is datetime and not isinstance(column.type, UTCDateTime)):
        raise TypeError(
            f"column {column.table.name}.{column.name} has type {column.type}, which the "
            "records export cannot write exactly; teach citations/export/codec.py its form"
        )
    return codec


@dataclass(frozen=True)
class TableCodec:
    """Encodes and decodes whole rows of one table."""

    table: Table
    columns: tuple[tuple[str, bool, Codec], ...]
    """(name, nullable, codec) of each column."""

    @classmethod
    def of(cls, table: Table) -> TableCodec:
        return cls(table, tuple((c.name, bool(c.nullable), codec_for(c)) for c in table.columns))

    def encode(self, row: Any) -> dict[str, Any]:
        mapping = row._mapping
        return {
            name: None if mapping[name] is None else codec.encode(mapping[name])
            for name, _, codec in self.columns
        }

    def decode(self, row: Any) -> dict[str, Any]:
        if not isinstance(row, dict):
            raise BadValue(f"the row of {self.table.name} is not a JSON object")
        names = [name for name, _, _ in self.columns]
        unknown = sorted(set(row) - set(names))
        if unknown:
            raise BadValue(f"table {self.table.name} has no column {', '.join(unknown)}")
        missing = [name for name in names if name not in row]
        if missing:
            raise BadValue(f"the row of {self.table.name} lacks column {', '.join(missing)}")
        values: dict[str, Any] = {}
        for name, nullable, codec in self.columns:
            value = row[name]
            try:
                if value is None:
                    if not nullable and not codec.document:
                        raise BadValue("must not be null")
                    values[name] = None
                else:
                    values[name] = codec.decode(value)
            except BadValue as exc:
                raise BadValue(f"column {self.table.name}.{name}: {exc}") from None
        return values
