"""Importing a bank lockbox payment file: a per-line acknowledgement or error, nothing lost,
and a re-import posts nothing twice.

The file is CSV with a header row and these columns (the order does not matter):
`batch_id`, `item` (the item's number in the batch), `received_on` (YYYY-MM-DD),
`citation_number`, `amount` (e.g. 250.00), `method` (check or money_order),
`check_number` (optional), `payer_name` (optional). Each line is posted in its own
transaction under the idempotency key `lockbox:<batch_id>:<item>`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import CitationsError, IdempotencyConflict, InputRejected
from citations.money import parse_amount
from citations.payments.posting import PaymentRequest, record_payment
from citations.roles import Actor

REQUIRED = ("batch_id", "item", "received_on", "citation_number", "amount", "method")


@dataclass(frozen=True)
class LineResult:
    line: int
    status: str
    """posted, replayed or error."""
    citation_number: str
    receipt_number: str | None
    message: str

    def as_row(self) -> dict[str, str]:
        return {
            "line": str(self.line),
            "status": self.status,
            "citation_number": self.citation_number,
            "receipt_number": self.receipt_number or "",
            "message": self.message,
        }


def import_lockbox(
    engine: Engine, path: Path, *, actor: Actor, clock: Callable[[], datetime]
) -> Iterator[LineResult]:
    """Post each line of a lockbox file; yield its acknowledgement or error, in file order."""
    with transaction(engine) as session:
        zone = zone_of(PublishedCatalog(session).jurisdiction())
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            yield LineResult(1, "error", "", None, f"missing columns: {', '.join(missing)}")
            return
        for row in reader:
            yield _post(engine, reader.line_num, row, path.name, zone, actor, clock)


def _post(
    engine: Engine,
    line: int,
    row: dict[str, str],
    source: str,
    zone: ZoneInfo,
    actor: Actor,
    clock: Callable[[], datetime],
) -> LineResult:
    number = (row.get("citation_number") or "").strip()
    try:
        amount = parse_amount(row.get("amount") or "")
        received = date.fromisoformat((row.get("received_on") or "").strip())
    except ValueError:
        return LineResult(
            line,
            "error",
            number,
            None,
            "amount must be like 250.00 and received_on like 2026-12-01",
        )
    batch, item = (row.get("batch_id") or "").strip(), (row.get("item") or "").strip()
    if not batch or not item:
        return LineResult(line, "error", number, None, "batch_id and item are required")
    try:
        request = PaymentRequest(
            amount=amount,
            method=(row.get("method") or "").strip(),
            reference=(row.get("check_number") or "").strip() or None,
            # The file gives only the day: taken as its first moment, which has come even for
            # a file dated today and read in the morning (a later time, noon, was refused as
            # still to come), and stays the same on a re-import, as the idempotency key needs.
            received_at=datetime.combine(received, time(0), tzinfo=zone),
        )
    except ValueError as exc:
        return LineResult(line, "error", number, None, str(exc).splitlines()[0])
    try:
        with transaction(engine) as session:
            result, replayed = record_payment(
                session,
                number,
                request,
                actor=actor,
                now=clock(),
                idempotency_key=f"lockbox:{batch}:{item}",
                source=f"lockbox:{source}",
            )
    except InputRejected as exc:
        details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        return LineResult(line, "error", number, None, details or str(exc))
    except (IdempotencyConflict, CitationsError) as exc:
        return LineResult(line, "error", number, None, str(exc))
    status = "replayed" if replayed else "posted"
    return LineResult(
        line,
        status,
        result.citation_number,
        result.receipt_number,
        f"balance {result.balance_after}, {result.status_after}",
    )
