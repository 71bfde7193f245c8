"""The repeat rates from their daily aggregates (`citations.reports.repeated`) equal the
rows' at the windows' date edges, on both backends: for periods that start and end on
either side of every 6 and 12 month boundary of tests/test_report_repeats.py's cases,
while every day is stale (read from the rows' facts), once rebuilt (all from the table),
and after changes to a person's other citations (a late arrival, a void, an amended date
or person), which must mark that person's days stale.

Those cases' people are counted per area there; here the report covers every area, where
the rows are not read (a person's first citation in a period is the aggregate's key)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from citations.database import make_engine, transaction
from citations.issuing.void import void_citation
from citations.record.daily import ReportRepeatDay, ReportStaleDay
from citations.record.repeats import add_months
from citations.reports.aggregates import rebuild, refresh
from citations.reports.compute import Source, compute_report
from citations.reports.model import RepeatRate
from citations.reports.repeated import matured_until
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.databases import Databases
from tests.factories import subject
from tests.permission_world import BACKENDS
from tests.test_report_repeats import (
    ATTORNEY,
    PARK,
    amend,
    cite,
    cite_every_case,
    moment,
)

STARTS = ["2020-01-01", "2024-02-29", "2025-01-15", "2025-01-16", "2025-03-01", "2025-03-02"]
"""Before everything, on a case's first day, the day after (its later same-day citation
and the case cited twice in its area then count as first), and around a second citation."""
ENDS = [
    "2024-08-28",
    "2024-08-29",
    "2025-02-27",
    "2025-02-28",
    "2025-07-14",
    "2025-07-15",
    "2026-01-14",
    "2026-01-15",
    "2026-02-27",
    "2026-02-28",
    "2026-03-01",
    "2026-11-29",
]
"""Each side of 6 and 12 months after the cases' first days (28 February is 31 August's)."""


def rates(engine: Engine, source: Source, start: str, end: str) -> list[RepeatRate]:
    with transaction(engine) as session:
        report = compute_report(
            session,
            date.fromisoformat(start),
            date.fromisoformat(end),
            actor=ATTORNEY,
            now=NOW,
            source=source,
        )
    return report.repeat_rates


def assert_same_rates(engine: Engine) -> int:
    """Every period both ways; how many rows the rows' reports had (so not all empty)."""
    found = 0
    for start in STARTS:
        for end in ENDS:
            if end < start:
                continue
            from_rows = rates(engine, "rows", start, end)
            assert rates(engine, "aggregates", start, end) == from_rows, (start, end)
            found += len(from_rows)
    return found


def stale_days(engine: Engine) -> set[date]:
    with transaction(engine) as session:
        return set(session.scalars(select(ReportStaleDay.day)))


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, databases: Databases
) -> Iterator[Engine]:
    with databases.migrated(request.param, tmp_path) as url:
        engine = make_engine(url)
        try:
            cite_every_case(engine)
            yield engine
        finally:
            engine.dispose()


def test_repeat_rates_from_the_aggregates_equal_the_rows(engine: Engine) -> None:
    assert assert_same_rates(engine) > 40  # every day stale: the facts read from the rows
    with transaction(engine) as session:
        rebuild(session, date(2020, 1, 1), date(2026, 12, 31), actor=OPERATOR)
        assert session.scalars(select(ReportRepeatDay.id)).first() is not None
    assert stale_days(engine) == set()
    assert assert_same_rates(engine) > 40  # every figure from the table

    # A late arrival before Jan's repeat: the person's later citations get a new previous
    # one, on days the new citation's own day does not cover.
    cite(engine, "late", "2025-03-01", area="late")
    with transaction(engine) as session:
        rebuild(session, date(2020, 1, 1), date(2026, 12, 31), actor=OPERATOR)
    cite(engine, "late", "2025-02-01", area="late", arrived="2025-09-15")
    assert date(2025, 3, 1) in stale_days(engine)
    # A void, an amended date and an amended person move other days' keys.
    voided = cite(engine, "void", "2025-01-20", area="void")
    kept = cite(engine, "void", "2025-04-01", area="void")
    moved = cite(engine, "moved", "2024-05-10", area="moved", ordinance=PARK)
    cite(engine, "moved", "2024-10-10", area="moved", ordinance=PARK)
    with transaction(engine) as session:
        rebuild(session, date(2020, 1, 1), date(2026, 12, 31), actor=OPERATOR)
    with transaction(engine) as session:
        void_citation(session, voided, "Wrong person identified", actor=OPERATOR, now=NOW)
    assert date(2025, 4, 1) in stale_days(engine)  # the person's other day
    with transaction(engine) as session:
        rebuild(session, date(2020, 1, 1), date(2026, 12, 31), actor=OPERATOR)
    amend(engine, moved, "2025-07-01", violation_at=moment("2024-12-01").isoformat())
    assert date(2024, 10, 10) in stale_days(engine)  # now after the moved one: not first
    with transaction(engine) as session:
        rebuild(session, date(2020, 1, 1), date(2026, 12, 31), actor=OPERATOR)
    amend(
        engine,
        kept,
        "2025-07-02",
        subject=subject(
            first_name="moved", last_name="Repeat", date_of_birth="1990-04-02", identifiers=[]
        ),
    )
    assert date(2024, 10, 10) in stale_days(engine)  # the new person's other day
    assert assert_same_rates(engine) > 40  # the changed people's days from the rows
    with transaction(engine) as session:
        refresh(session, actor=OPERATOR)
    assert stale_days(engine) == set()
    assert assert_same_rates(engine) > 40  # all from the table again


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("months", [6, 12])
def test_the_cutoff_is_the_last_day_whose_window_has_passed(months: int) -> None:
    """Against a search over every day: three years of report ends, a leap year among
    them, so every month-end clamp (31 August to 28 or 29 February) is crossed."""
    days = every_day(date(2022, 1, 1), date(2025, 12, 31))
    for end in every_day(date(2023, 1, 1), date(2025, 12, 31)):
        passed = [d for d in days if add_months(d, months) <= end]
        assert matured_until(end, months) == max(passed), end


@pytest.mark.parametrize(
    ("end", "months", "cutoff"),
    [
        ("2026-02-28", 6, "2025-08-31"),  # 29, 30, 31 August + 6 months: 28 February
        ("2026-02-27", 6, "2025-08-27"),
        ("2024-02-29", 6, "2023-08-31"),
        ("2024-02-28", 6, "2023-08-28"),
        ("2025-02-28", 12, "2024-02-29"),  # 29 February + 12 months: 28 February
        ("2025-02-27", 12, "2024-02-27"),
        ("2025-07-15", 6, "2025-01-15"),
        ("2025-09-30", 6, "2025-03-31"),
    ],
)
def test_cutoffs_at_the_month_ends(end: str, months: int, cutoff: str) -> None:
    assert matured_until(date.fromisoformat(end), months) == date.fromisoformat(cutoff)
