"""The seed's bulk writer: rows with explicit ids, written table by table in large batches
(COPY on PostgreSQL, by writer threads beside the seed),
and the PostgreSQL housekeeping a bulk load needs afterwards."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC
from typing import Any, cast

from sqlalchemy import Engine, Table, func, insert, select, text

from citations import partitions
from citations.audit import AuditEvent
from citations.hearings.tables import Contest, Hearing, Order
from citations.payments.tables import (
    AbilityRequest,
    CollectionReferral,
    DiversionReferral,
    Payment,
    PaymentPlan,
    PlanInstallment,
    ServiceAssignment,
    ServiceHours,
)
from citations.record.ledger import LedgerEntry
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation, CitationIdentifier, CitationViolation, IntakeRecord

from .copying import copy_rows

ACTOR = "seed (synthetic data)"
"""Who every seeded row says wrote it."""
BATCH = 5000
WRITERS = 2
"""Batches written at once on PostgreSQL, each by its own thread and connection."""


def table(model: type[Any]) -> Table:
    """The Core table behind an ORM class, for bulk inserts."""
    return cast(Table, model.__table__)


ORDER: list[Table] = [
    table(t)
    for t in (
        IntakeRecord,
        Citation,
        CitationViolation,
        CitationIdentifier,
        LedgerEntry,
        Payment,
        PaymentPlan,
        PlanInstallment,
        ServiceAssignment,
        ServiceHours,
        AbilityRequest,
        DiversionReferral,
        Contest,
        Hearing,
        Order,
        CollectionReferral,
        OutboxMessage,
        AuditEvent,
    )
]
"""The seeded tables, parents before children, so each batch satisfies its foreign keys."""


class Rows:
    """Rows waiting to be written, per table, flushed in batches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pending: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.next_id: dict[Table, int] = {}
        self.partitioned = False
        self.years: set[int] = set()
        self.written_year = 0  # the database's year, which audit events take (partitioned)
        self.writer = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="seed-writer")
        self.writing: list[Future[None]] = []
        self.ensured: set[int] = set()

    def start_ids(self, tables: list[Table]) -> None:
        with self.engine.connect() as connection:
            self.partitioned = partitions.is_partitioned(connection)
            if self.partitioned:
                self.written_year = partitions.database_year(connection)
            for table in tables:
                column: Any = table.c.id
                if self.partitioned and table.name in partitions.TABLES:
                    column = column % partitions.YEAR_SPAN  # the number after the year
                last = connection.execute(select(func.max(column))).scalar()
                self.next_id[table] = (last or 0) + 1

    def add(self, table: Table, row: dict[str, Any]) -> int:
        if "id" in table.c and "id" not in row:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
            if self.partitioned and table.name in partitions.TABLES:
                year = _year(table.name, row, self.written_year)
                self.years.add(year)
                row["id"] += partitions.first_id(year)
        self.pending[table].append(row)
        return int(row.get("id", 0))

    def flush(self, force: bool = False) -> None:
        """Write the pending rows once there are enough of them (or all, with `force`).

        On PostgreSQL each batch goes to one of `WRITERS` threads, each on its own
        connection, while the seed draws the next batch: one after the other, the
        database's work (COPY, triggers, indexes, commit) took longer than the seed's own
        Python. Every batch holds whole citations, so batches may commit in any order. At
        most `WRITERS` batches are in flight; a forced flush waits for all of them, so a
        failure surfaces at a flush. The year partitions are made here, before a writer
        needs them, so that two writers never race to make one. SQLite writes in the
        caller's thread: an in-memory database is one connection's."""
        if not force and sum(len(v) for v in self.pending.values()) < BATCH * 4:
            return
        batch, self.pending = self.pending, defaultdict(list)
        if not self.years <= self.ensured:
            with self.engine.begin() as connection:
                partitions.ensure_years(connection, self.years)
            self.ensured |= self.years
        if self.engine.dialect.name != "postgresql":
            self._write(batch)
            return
        while len(self.writing) >= WRITERS:
            self._wait_one()
        self.writing.append(self.writer.submit(self._write, batch))
        if force:
            while self.writing:
                self._wait_one()

    def _wait_one(self) -> None:
        done, _ = wait(self.writing, return_when=FIRST_COMPLETED)
        for future in done:
            self.writing.remove(future)
            future.result()

    def close(self) -> None:
        """Wait for the batches in flight and stop the writer threads."""
        try:
            while self.writing:
                self._wait_one()
        finally:
            self.writer.shutdown(wait=True, cancel_futures=True)

    def _write(self, batch: dict[Table, list[dict[str, Any]]]) -> None:
        with self.engine.begin() as connection:
            for table in ORDER:
                rows = batch.get(table, [])
                if not rows:
                    continue
                if connection.dialect.name == "postgresql":
                    copy_rows(connection, table, rows)
                    continue
                for start in range(0, len(rows), BATCH):
                    connection.execute(insert(table), rows[start : start + BATCH])


def _year(table: str, row: dict[str, Any], written_year: int) -> int:
    """A seeded row's year on a partitioned database (citations.partitions)."""
    if table == "citations":
        return int(row["violation_date"].year)
    if table == "intake_records":
        return int(row["violation_at"].astimezone(UTC).year)
    if table == "audit_events":
        # As the column's default would: the year by the database's clock, so that seeded
        # events sort before the ones written after them.
        return written_year
    column = partitions.YEAR_FROM[table]
    assert column is not None
    return partitions.year_of_id(int(row[column]))


def advance_sequences(engine: Engine) -> None:
    """Explicit ids bypass PostgreSQL's sequences: move each past the highest id. Then
    refresh the planner's statistics, which a bulk load leaves stale (the report ran 25%
    slower on a freshly seeded million until ANALYZE)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        partitioned = partitions.is_partitioned(connection)
        for table in ORDER:
            if partitioned and table.name in partitions.TABLES:
                # Ids carry their year; the sequence gives the number after it.
                connection.execute(
                    text(
                        f"SELECT setval('{table.name}_id_seq', COALESCE((SELECT MAX(id % "
                        f"{partitions.YEAR_SPAN}) FROM {table.name}), 1))"
                    )
                )
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                )
            )
            # This schema's tables only: a bare ANALYZE would visit the whole database.
            connection.execute(text(f"ANALYZE {table.name}"))
