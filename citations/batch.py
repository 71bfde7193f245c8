"""Batch intake: a file of messages (one JSON object, a JSON array, or JSON Lines), each
ending as a citation, a referral, a declined or warning record, or a reject with its reasons.

Each record is decided in its own transaction, so a bad record never loses a good one and a
batch interrupted at any point can simply be run again: records already received replay
their first result and create nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from citations.database import transaction
from citations.errors import CitationsError, FieldError, IdempotencyConflict, InputRejected
from citations.intake import IntakeMessage, validation_errors
from citations.issuing import IntakeResult, issue, issue_once
from citations.roles import Actor
from ordinances.errors import OrdinanceError


@dataclass(frozen=True)
class Record:
    """One message of a batch: where it came from and its text."""

    line: int
    text: str


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
    """The messages of a file: a single object, an array, or one object per line."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(1 << 16)
        stripped = head.lstrip()
        if stripped.startswith("[") or (stripped.startswith("{") and not _looks_like_lines(head)):
            text = head + handle.read()
            yield from _whole_document(text)
            return
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield Record(number, line)


def _looks_like_lines(head: str) -> bool:
    """JSON Lines when the first line is itself a complete object."""
    first = head.split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _whole_document(text: str) -> Iterator[Record]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Record(exc.lineno, text)  # decided (and rejected) with the parser's message
        return
    if isinstance(document, list):
        for index, item in enumerate(document, start=1):
            yield Record(index, json.dumps(item))
    else:
        yield Record(1, text)


def parse_record(record: Record) -> tuple[IntakeMessage | None, str | None, list[FieldError]]:
    """The message of a record, or the field errors that keep it from being one."""
    try:
        data: Any = json.loads(record.text)
    except json.JSONDecodeError as exc:
        where = f"character {exc.pos + 1}"
        return None, None, [FieldError("(json)", f"invalid JSON: {exc.msg} at {where}")]
    message_id = data.get("message_id") if isinstance(data, dict) else None
    try:
        return IntakeMessage.model_validate(data), str(message_id) if message_id else None, []
    except ValidationError as exc:
        return None, str(message_id) if message_id else None, validation_errors(exc)


CHUNK = 200
"""Records decided in one transaction (each in its own savepoint): commits are the costly part
of issuing on SQLite, and a chunk lost to a crash is simply issued again by the rerun."""


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
    """One transaction for the chunk, a savepoint per record so a bad one rolls back alone."""
    if not pending:
        return []
    results: list[RecordResult | None] = []
    with transaction(engine) as session:
        for record, message, message_id in pending:
            try:
                with session.begin_nested():
                    issued = issue(session, message, actor=actor, now=clock())
            except IntegrityError:
                results.append(None)  # a concurrent writer won a race: decided again below
            except (InputRejected, IdempotencyConflict, CitationsError, OrdinanceError) as exc:
                results.append(_refused(record, message_id, exc))
            else:
                results.append(
                    RecordResult(record, message_id, issued.result, replayed=issued.replayed)
                )
    final = []
    for (record, message, message_id), result in zip(pending, results, strict=True):
        if result is None:
            try:
                issued = issue_once(engine, message, actor=actor, now=clock())
                result = RecordResult(record, message_id, issued.result, replayed=issued.replayed)
            except (CitationsError, OrdinanceError) as exc:
                result = _refused(record, message_id, exc)
        final.append(result)
    return final


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
    except json.JSONDecodeError:
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
