"""Batch intake: a file of messages (one JSON object, a JSON array, or JSON Lines), each
ending as a citation, a referral, a declined or warning record, or a reject with its reasons.

Records are decided in chunks, each chunk in one transaction; a bad record is refused alone
and never loses a good one, and a batch interrupted at any point can simply be run again:
records already received replay their first result and create nothing.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from citations.errors import FieldError, IdempotencyConflict, InputRejected
from citations.gc_tuning import fewer_collections
from citations.issuing.intake import MAX_MESSAGE_BYTES, IntakeMessage, validation_errors
from citations.issuing.pipeline import IntakeResult, Issued, issue_together
from citations.roles import Actor


@dataclass(frozen=True)
class Record:
    """One message of a batch: where it came from and its text."""

    line: int
    text: str
    problem: str | None = None
    """Why the record cannot be read at all (not UTF-8), found while reading the file."""


@dataclass(frozen=True)
class RecordResult:
    record: Record
    message_id: str | None
    result: IntakeResult | None
    replayed: bool = False
    errors: list[FieldError] = field(default_factory=list)
    summary: str = ""

    @property
    def rejected(self) -> bool:
        return self.result is None

    @property
    def line(self) -> int:
        return self.record.line


def read_records(path: Path) -> Iterator[Record]:
    """The messages of a file: a single object, an array, or one object per line.

    The file is UTF-8, with or without a byte-order mark (Windows editors write one); a line
    that is not UTF-8 is refused alone, naming the first wrong byte, rather than read with
    replacement characters that would print a mangled name on a notice.
    """
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    head = data[: 1 << 16].decode("utf-8", errors="replace")
    stripped = head.lstrip()
    if stripped.startswith("[") or (stripped.startswith("{") and not _looks_like_lines(head)):
        whole = _whole_document(data)
        if whole is not None:
            yield from whole
            return
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield _decoded(number, line)


def _decoded(number: int, line: bytes) -> Record:
    try:
        return Record(number, line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problem = (
            f"not UTF-8 text: byte 0x{line[exc.start]:02X} at byte {exc.start + 1} of the line; "
            "save the file as UTF-8"
        )
        return Record(number, line.decode("utf-8", errors="replace"), problem)


def _looks_like_lines(head: str) -> bool:
    """JSON Lines when the first line is itself a complete object."""
    first = head.split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _whole_document(data: bytes) -> list[Record] | None:
    """The records of a file that is one JSON document; None when it is JSON Lines after all
    (a broken first line must not take the good lines after it down with it)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        lines = (_decoded(number, line) for number, line in enumerate(data.splitlines(), 1))
        bad = next((record for record in lines if record.problem), None)
        if bad is None or not _is_document(text):
            return None  # JSON Lines: each line is decoded, and refused or read, on its own
        return [Record(bad.line, text, bad.problem)]
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        if any(_is_message(line) for line in text.splitlines()[1:]):
            return None
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else 1
        return [Record(line, text)]  # decided (and rejected) with the parser's message
    if isinstance(document, list):
        return [Record(index, json.dumps(item)) for index, item in enumerate(document, start=1)]
    return [Record(1, text)]


def _is_document(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _is_message(line: str) -> bool:
    """A line that is a whole JSON object with a message_id: the mark of a JSON Lines file."""
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(data, dict) and "message_id" in data


def parse_record(record: Record) -> tuple[IntakeMessage | None, str | None, list[FieldError]]:
    """The message of a record, or the field errors that keep it from being one."""
    if record.problem is not None:
        return None, None, [FieldError("(encoding)", record.problem)]
    size = len(record.text.encode("utf-8", errors="replace"))
    if size > MAX_MESSAGE_BYTES:
        limit = f"a message may be at most {MAX_MESSAGE_BYTES:,} bytes"
        return None, None, [FieldError("(record)", f"the record is {size:,} bytes; {limit}")]
    try:
        data: Any = json.loads(record.text)
    except json.JSONDecodeError as exc:
        where = f"character {exc.pos + 1}"
        return None, None, [FieldError("(json)", f"invalid JSON: {exc.msg} at {where}")]
    except RecursionError:
        return None, None, [FieldError("(json)", "invalid JSON: nested too deeply to read")]
    message_id = data.get("message_id") if isinstance(data, dict) else None
    try:
        return IntakeMessage.model_validate(data), str(message_id) if message_id else None, []
    except ValidationError as exc:
        return None, str(message_id) if message_id else None, validation_errors(exc)


CHUNK = 200
"""Records decided and written together, in one transaction: commits and per-row statements
are the costly part of issuing, and a chunk lost to a crash is simply issued again by the
rerun (its records were never committed, nor were the numbers they took)."""


def issue_records(
    engine: Engine,
    records: Iterator[Record],
    *,
    actor: Actor,
    clock: Callable[[], datetime],
) -> Iterator[RecordResult]:
    """Decide each record and yield its result, in file order, once it is committed."""
    pending: list[tuple[Record, IntakeMessage, str | None]] = []
    for record in records:
        message, message_id, errors = parse_record(record)
        if message is None:
            yield from _decide(engine, pending, actor, clock)
            pending = []
            yield RecordResult(
                record,
                message_id,
                None,
                errors=errors,
                summary="the record is not a valid intake message",
            )
            continue
        pending.append((record, message, message_id))
        if len(pending) >= CHUNK:
            yield from _decide(engine, pending, actor, clock)
            pending = []
    yield from _decide(engine, pending, actor, clock)


def _decide(
    engine: Engine,
    pending: list[tuple[Record, IntakeMessage, str | None]],
    actor: Actor,
    clock: Callable[[], datetime],
) -> list[RecordResult]:
    """The chunk in one transaction (or record by record, if the database refuses it)."""
    with fewer_collections():
        outcomes = issue_together(engine, [(m, actor) for _, m, _ in pending], now=clock())
    results = []
    for (record, _, message_id), outcome in zip(pending, outcomes, strict=True):
        if isinstance(outcome, Issued):
            results.append(
                RecordResult(record, message_id, outcome.result, replayed=outcome.replayed)
            )
        else:
            results.append(_refused(record, message_id, outcome))
    return results


def _refused(record: Record, message_id: str | None, exc: Exception) -> RecordResult:
    if isinstance(exc, InputRejected):
        return RecordResult(record, message_id, None, errors=exc.errors, summary=exc.summary)
    if isinstance(exc, IdempotencyConflict):
        return RecordResult(
            record,
            message_id,
            None,
            errors=[FieldError("message_id", str(exc))],
            summary="conflict",
        )
    return RecordResult(
        record, message_id, None, errors=[FieldError("(record)", str(exc))], summary=str(exc)
    )


def reject_line(source: str, result: RecordResult) -> str:
    """A JSON line for the rejects file: where the record was, why, and the record itself."""
    record = result.record
    try:
        original: Any = json.loads(record.text)
    except (json.JSONDecodeError, RecursionError):
        original = record.text
    return json.dumps(
        {
            "file": source,
            "line": record.line,
            "message_id": result.message_id,
            "summary": result.summary,
            "errors": [e.as_dict() for e in result.errors],
            "record": original,
        },
        ensure_ascii=False,
    )
