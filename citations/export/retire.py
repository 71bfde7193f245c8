"""Retiring a closed year: after its export is checked, its partitions are detached (and
dropped, unless kept), with no mass delete (citations.partitions).

The steps, in one transaction:
1. the year must be over and every citation of it closed;
2. the export file must be the year's (`citations export --year`), complete (its trailer's
   hash of every line matches), and hold exactly as many rows of every table of the year as
   the database does now;
3. the year's attachment rows, the one table of a case that is not partitioned (a photo
   can come before its citation), are removed: their foreign keys to the citations would
   otherwise stop the detach. Their files stay in the files store, which other years'
   rows may name too (the same bytes are stored once);
4. each lane of the audit trail records where the year's events end (`audit_retired`), so
   `citations audit verify` checks the lanes from there on;
5. the year's partitions of every table of a case and of the audit events are detached,
   children first, then dropped (or kept as plain tables, `--keep-tables`, for `pg_dump`
   to archive);
6. the retirement is an audit event of its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import ColumnElement, Engine, Table, func, select, text
from sqlalchemy.orm import Session

from citations.audit import AuditEvent, AuditRetired, record
from citations.database import describe_url, ensure_current
from citations.errors import YearNotRetirable, YearsNotPartitioned
from citations.export.codec import TRAILER, schema_tables
from citations.export.year import case_tables, year_scope
from citations.partitions import (
    AUDIT_TABLE,
    CASE_TABLES,
    first_id,
    forget,
    is_partitioned,
    partition_name,
    partitions,
)
from citations.record.tables import Citation
from citations.roles import Actor

CHILDREN_FIRST = (*reversed(CASE_TABLES), AUDIT_TABLE)
"""The partitioned tables in the order their partitions can be detached."""


@dataclass(frozen=True)
class Retired:
    year: int
    removed: dict[str, int]
    """Rows removed from each table that is not partitioned (the attachments)."""
    detached: dict[str, int]
    """Rows of each large table's detached partition."""
    kept: bool


def read_year_file(file: IO[bytes]) -> tuple[int | None, dict[str, int]]:
    """A year's export file: its year and its trailer's row counts. YearNotRetirable-free:
    ValueError with the reason when it is not a whole export."""
    digest = hashlib.sha256()
    header: dict[str, object] | None = None
    trailer: dict[str, object] | None = None
    for raw in file:
        if trailer is not None:
            raise ValueError("lines follow its trailer")
        if header is None:
            header = json.loads(raw)
            digest.update(raw)
            continue
        if raw.startswith(b'{"format":'):
            candidate = json.loads(raw)
            if candidate.get("format") == TRAILER:
                trailer = candidate
                continue
        digest.update(raw)
    if header is None or trailer is None:
        raise ValueError("it has no header or no trailer (the export did not finish)")
    if trailer.get("sha256") != digest.hexdigest():
        raise ValueError("its lines do not hash to its trailer's SHA-256 (edited or damaged)")
    year = header.get("year")
    counts = trailer.get("row_counts")
    if not isinstance(counts, dict):
        raise ValueError("its trailer has no row counts")
    return (year if isinstance(year, int) else None), {str(k): int(v) for k, v in counts.items()}


def retire_year(
    engine: Engine,
    year: int,
    export: IO[bytes],
    *,
    actor: Actor,
    now: datetime,
    keep_tables: bool = False,
) -> Retired:
    """Detach `year`'s partitions after checking `export` is that year's whole export."""
    ensure_current(engine)
    with Session(engine) as session, session.begin():
        connection = session.connection()
        if not is_partitioned(connection):
            raise YearsNotPartitioned(describe_url(str(engine.url)))
        if year >= now.year:
            raise YearNotRetirable(year, f"it is not over ({now.date().isoformat()})")
        found = partitions(connection)
        if not all(year in found[table] for table in (*CASE_TABLES, AUDIT_TABLE)):
            raise YearNotRetirable(year, "it has no partitions (retired already, or never made)")
        citations = _table(Citation)
        still_open = (_scope(citations, year), Citation.closed_at.is_(None))
        open_cases = session.scalars(
            select(Citation.number).where(*still_open).order_by(Citation.id).limit(4)
        ).all()
        if open_cases:
            count = session.scalar(select(func.count()).select_from(citations).where(*still_open))
            raise YearNotRetirable(
                year,
                f"{count:,} of its citations are still open, such as {', '.join(open_cases)}: "
                "close them first",
            )
        try:
            file_year, counts = read_year_file(export)
        except ValueError as exc:
            raise YearNotRetirable(year, f"the export file is not whole: {exc}") from None
        if file_year != year:
            raise YearNotRetirable(
                year, f"the export file is of {file_year or 'every year'}, not of {year}"
            )
        live = {
            table.name: connection.scalar(
                select(func.count()).select_from(table).where(_scope(table, year))
            )
            or 0
            for table in schema_tables()
            if year_scope(table, year) is not None
        }
        differ = [
            f"{n}: file {counts.get(n, 0)}, now {c}"
            for n, c in live.items()
            if counts.get(n, 0) != c
        ]
        if differ:
            raise YearNotRetirable(
                year,
                "the export file does not hold the year's rows as they are now ("
                + "; ".join(differ[:3])
                + "): export the year again",
            )
        removed: dict[str, int] = {}
        for child in case_tables():
            result = connection.execute(child.delete().where(_scope(child, year)))
            removed[child.name] = result.rowcount
        # The report's stale marks these removals made: the year's aggregates are kept.
        connection.execute(
            text("DELETE FROM report_stale_days WHERE transaction_id = txid_current()")
        )
        _mark_audit_lanes(session, year)
        detached: dict[str, int] = {}
        for parent in CHILDREN_FIRST:
            name = partition_name(parent, year)
            detached[parent] = live[parent]
            connection.exec_driver_sql(f"ALTER TABLE {parent} DETACH PARTITION {name}")
            if not keep_tables:
                connection.exec_driver_sql(f"DROP TABLE {name}")
        record(
            session,
            at=now,
            actor=actor.name,
            action="year_retired",
            entity_type="records",
            entity_key=str(year),
            after={"removed": removed, "detached": detached, "kept": keep_tables},
        )
    forget(engine)
    return Retired(year, removed, detached, keep_tables)


def _table(model: type[Citation]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _scope(table: Table, year: int) -> ColumnElement[bool]:
    scope = year_scope(table, year)
    assert scope is not None
    return scope


def _mark_audit_lanes(session: Session, year: int) -> None:
    """Where each lane's retired events end: its newest event of the year, and how many."""
    start, end = first_id(year), first_id(year + 1)
    in_year = (AuditEvent.id >= start) & (AuditEvent.id < end)
    rows = session.execute(
        select(AuditEvent.lane, func.count(), func.max(AuditEvent.id))
        .where(in_year)
        .group_by(AuditEvent.lane)
    ).all()
    for lane, count, newest in rows:
        last = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == newest))
        earlier = session.scalar(
            select(func.coalesce(func.sum(AuditRetired.events), 0)).where(AuditRetired.lane == lane)
        )
        live = session.scalar(
            select(func.count()).where(AuditEvent.lane == lane, AuditEvent.id < end)
        )
        through = int(earlier or 0) + int(live or 0)
        session.add(AuditRetired(year=year, lane=lane, events=count, through=through, head=last))
    session.flush()
