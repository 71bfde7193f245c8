"""Keeping the report's daily aggregates (`citations.record.daily`) equal to the rows.

A day's aggregates are always recomputed whole from the rows (`citations.reports.facts`),
never incremented: `rebuild` does it for a range of days (after an upgrade, or to repair),
`refresh` for the days the triggers marked stale since the last refresh (daily processing
and `citations reports refresh` run it). Until a stale day is refreshed, the report reads it
from the rows, so its figures never depend on when the last refresh ran.

Refreshing one day at 10 million citations reads that day's few thousand rows through the
`violation_date` indexes; a rebuild reads the range in one grouped query per table.

>>> from datetime import date
>>> list(local_days_of_marks([date(2026, 3, 1)]))
[datetime.date(2026, 2, 28), datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, delete, insert, literal, select, text
from sqlalchemy.orm import Session

from citations.calendar import local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.record.daily import (
    CITATIONS,
    INTAKE,
    ReportCitationDay,
    ReportIntakeDay,
    ReportMoneyDay,
    ReportOrderDay,
    ReportOrdinanceDay,
    ReportRepeatDay,
    ReportResolutionDay,
    ReportServiceDay,
    ReportStaleDay,
)
from citations.record.tables import Citation, IntakeRecord
from citations.reports.experiment_days import tables_of
from citations.reports.facts import (
    citation_facts,
    intake_facts,
    money_facts,
    order_facts,
    ordinance_facts,
    service_facts,
)
from citations.reports.repeated import repeat_facts, repeat_facts_at_once
from citations.reports.resolution import resolution_facts
from citations.roles import Action, Actor

CITATION_TABLES: list[tuple[Any, Any]] = [
    (ReportCitationDay, citation_facts),
    (ReportOrdinanceDay, ordinance_facts),
    (ReportMoneyDay, money_facts),
    (ReportServiceDay, service_facts),
    (ReportOrderDay, order_facts),
    (ReportResolutionDay, resolution_facts),
    (ReportRepeatDay, repeat_facts),
]
"""Each aggregate of citations with the query of its rows (`citation_tables` adds those that
need the city's zone)."""

AT_ONCE: dict[Any, Any] = {ReportRepeatDay: repeat_facts_at_once}
"""The facts a rebuild of many days reads another way, to the same rows."""

T = TypeVar("T")

REFRESH_LOCK = 0x72657073
"""The PostgreSQL advisory lock one refresh holds at a time: two refreshing the same day at
once would each delete the old rows and both insert new ones."""


def citation_tables(session: Session) -> list[tuple[Any, Any]]:
    """`CITATION_TABLES` and the experiment's, whose local dates need the city's zone."""
    zone = zone_of(PublishedCatalog(session).jurisdiction())
    return CITATION_TABLES + tables_of(zone)


@dataclass(frozen=True)
class Refreshed:
    citation_days: int
    intake_days: int


def local_days_of_marks(days: Iterable[date]) -> list[date]:
    """The local days an intake mark (a UTC date) may stand for: the day and either side."""
    return sorted({d + timedelta(days=n) for d in days for n in (-1, 0, 1)})


def stale_days(session: Session, source: str, start: date, end: date) -> list[date]:
    """The days between `start` and `end` marked stale (intake marks as local days)."""
    pad = timedelta(days=1) if source == INTAKE else timedelta(0)
    marks = session.scalars(
        select(ReportStaleDay.day)
        .distinct()
        .where(
            ReportStaleDay.source == source,
            ReportStaleDay.day >= start - pad,
            ReportStaleDay.day <= end + pad,
        )
    ).all()
    days = local_days_of_marks(marks) if source == INTAKE else sorted(marks)
    return [d for d in days if start <= d <= end]


def rebuild(session: Session, start: date, end: date, *, actor: Actor) -> Refreshed:
    """Recompute the aggregates of every day from `start` to `end` from the rows, and clear
    those days' stale marks. Derived data, like an index: not audited."""
    actor.require(Action.RUN_DAILY_PROCESSING)
    _lock(session)
    in_range = [Citation.violation_date >= start, Citation.violation_date <= end]
    tables = citation_tables(session)
    for table, facts in tables:
        session.execute(delete(table).where(table.day >= start, table.day <= end))
        _insert(session, table, AT_ONCE.get(table, facts)(in_range))
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    _refresh_intake(session, days)
    session.execute(
        delete(ReportStaleDay).where(
            ReportStaleDay.source == CITATIONS,
            ReportStaleDay.day >= start,
            ReportStaleDay.day <= end,
        )
    )
    # An intake mark stands for its day and either side: cleared when all three were rebuilt.
    session.execute(
        delete(ReportStaleDay).where(
            ReportStaleDay.source == INTAKE,
            ReportStaleDay.day > start,
            ReportStaleDay.day < end,
        )
    )
    _analyze(session, [table for table, _ in tables] + [ReportIntakeDay])
    return Refreshed(citation_days=len(days), intake_days=len(days))


ANALYZE_AFTER_DAYS = 60
"""A refresh of this many days or more (a backlog: after an upgrade, a restore, a change to
many old cases) gives the planner new statistics of the tables at once, as a rebuild does."""


def _analyze(session: Session, tables: Sequence[Any]) -> None:
    """PostgreSQL's statistics of the aggregate tables just rewritten. Until autovacuum came
    by, the planner took a rebuilt table for nearly empty and joined the experiment's
    deadlines by a nested loop: a year's experiment took 26 s at a million citations, and
    0.12 s after ANALYZE. ANALYZE samples a fixed number of rows and may run in the
    transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"ANALYZE {table.__tablename__}"))


def refresh(session: Session, *, actor: Actor) -> Refreshed:
    """Recompute the aggregates of the days marked stale, and clear the marks read (marks
    that writers commit meanwhile stay for the next refresh)."""
    actor.require(Action.RUN_DAILY_PROCESSING)
    _lock(session)
    marks = session.execute(select(ReportStaleDay.id, ReportStaleDay.source, ReportStaleDay.day))
    ids: list[int] = []
    by_source: dict[str, set[date]] = {CITATIONS: set(), INTAKE: set()}
    for mark_id, source, day in marks:
        ids.append(mark_id)
        by_source.setdefault(source, set()).add(day)
    citation_days = sorted(by_source[CITATIONS])
    tables = citation_tables(session)
    for chunk in _chunks(citation_days, 200):
        for table, facts in tables:
            session.execute(delete(table).where(table.day.in_(chunk)))
            _insert(session, table, facts([Citation.violation_date.in_(chunk)]))
    intake_days = local_days_of_marks(by_source[INTAKE])
    _refresh_intake(session, intake_days)
    for chunk_ids in _chunks(ids, 1000):
        session.execute(delete(ReportStaleDay).where(ReportStaleDay.id.in_(chunk_ids)))
    if len(citation_days) >= ANALYZE_AFTER_DAYS:
        _analyze(session, [table for table, _ in tables])
    if len(intake_days) >= ANALYZE_AFTER_DAYS:
        _analyze(session, [ReportIntakeDay])
    return Refreshed(citation_days=len(citation_days), intake_days=len(intake_days))


def _refresh_intake(session: Session, days: Sequence[date]) -> None:
    """Intake aggregates a local day at a time: the zone's offset changes with the season,
    and SQLite knows no zones, so each day is its range of instants."""
    zone = zone_of(PublishedCatalog(session).jurisdiction())
    for chunk in _chunks(list(days), 200):
        session.execute(delete(ReportIntakeDay).where(ReportIntakeDay.day.in_(chunk)))
    for day in days:
        within: list[ColumnElement[bool]] = [
            IntakeRecord.violation_at >= local_at(day, time.min, zone),
            IntakeRecord.violation_at < local_at(day + timedelta(days=1), time.min, zone),
        ]
        _insert(session, ReportIntakeDay, intake_facts(literal(day, Date()), within))


def _insert(session: Session, table: Any, query: Any) -> None:
    names = [c.name for c in query.selected_columns]
    session.execute(insert(table).from_select(names, query))


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})


def _chunks(items: list[T], size: int) -> Iterable[list[T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]
