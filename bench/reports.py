"""The program report from the daily aggregates against the report from the rows, by hand:
`python -m bench.reports POSTGRESQL_URL [--count 1000000] [--reuse] [--bulk]`.

Seeds `--count` citations into the schema `bench_reports` (dropped first, unless `--reuse`
finds it seeded), rebuilds the aggregates, then times the report for the last year and the
last month both ways, with the parts that read rows (or did) timed on their own. Each figure is
the best of three runs in this process after one warm-up. Prints a markdown table.

With `--bulk` the seed is a bulk load (bench/bulk_indexes.py): the schema's secondary
indexes and foreign keys dropped for it and made again after it (timed on their own), and
no triggers fired while it runs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import ColumnElement, func, select, text

from bench import bulk_indexes
from citations.calendar import local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction, upgrade
from citations.partitions import TABLES
from citations.record.daily import ReportRepeatDay, ReportResolutionDay
from citations.record.tables import Citation, IntakeRecord
from citations.reports import compute
from citations.reports.aggregates import rebuild
from citations.reports.evidence import experiment_results
from citations.reports.experiment_summed import experiment_figures
from citations.reports.repeated import repeat_facts, repeat_rates
from citations.reports.resolution import (
    resolution_facts,
    resolution_from_histogram,
    resolution_from_rows,
)
from citations.reports.summed import Period, summed_figures
from citations.roles import OPERATOR
from citations.seed import seed
from citations.upkeep import analyze

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
SCHEMA = "bench_reports"


def best(action: Callable[[], Any], runs: int = 3) -> float:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded schema")
    parser.add_argument(
        "--bulk", action="store_true", help="indexes and foreign keys off during the seed"
    )
    parser.add_argument(
        "--no-rebuild", action="store_true", help="the aggregates of a reused schema are current"
    )
    parser.add_argument(
        "--aggregates-only",
        action="store_true",
        help="time only the report from the aggregates (at 10 million, one report from the "
        "rows takes minutes; tests/test_report_aggregates.py compares the two)",
    )
    args = parser.parse_args()
    separator = "&" if "?" in args.url else "?"
    url = f"{args.url}{separator}options=-csearch_path%3D{SCHEMA}%2Cpublic"
    engine = make_engine(args.url)
    with engine.begin() as connection:
        seeded = connection.scalar(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
            {"s": SCHEMA},
        )
        if not (args.reuse and seeded):
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            # The job queue's schema is the database's, named alike by every migrated schema.
            connection.execute(text("DROP SCHEMA IF EXISTS procrastinate CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    engine = make_engine(url)
    rows: list[tuple[str, str]] = []
    upgrade(engine)  # a reused schema gains the aggregates of newer migrations
    if not (args.reuse and seeded):
        definitions: list[str] = []
        if args.bulk:
            with engine.begin() as connection:
                definitions = bulk_indexes.drop(connection, SCHEMA)
        seeding = make_engine(url + bulk_indexes.SEED_OPTIONS) if args.bulk else engine
        started = time.perf_counter()
        seed(seeding, args.count, seed=1, now=NOW)
        rows.append((f"seed {args.count:,} citations", f"{time.perf_counter() - started:.0f} s"))
        if definitions:
            started = time.perf_counter()
            with engine.begin() as connection:
                bulk_indexes.restore(connection, definitions)
            analyze(engine, TABLES)
            rows.append(
                (
                    f"make {len(definitions)} indexes and foreign keys again, and ANALYZE",
                    f"{time.perf_counter() - started:.0f} s",
                )
            )
        print(*rows[-2:], sep="\n", flush=True)  # hours may pass before the table
    with transaction(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Citation)) or 0
        first, last = session.execute(
            select(func.min(Citation.violation_date), func.max(Citation.violation_date))
        ).one()
    if not args.no_rebuild:
        started = time.perf_counter()
        with transaction(engine) as session:
            rebuild(session, first, last, actor=OPERATOR)
        rows.append(
            (
                f"rebuild the aggregates of {stored:,} citations",
                f"{time.perf_counter() - started:.1f} s",
            )
        )
        print(*rows[-1:], flush=True)
    end = last
    year = (end - timedelta(days=364), end)
    month = (end.replace(day=1), end)
    for label, (start, stop) in (("year", year), ("month", month)):
        for source in ("aggregates",) if args.aggregates_only else ("rows", "aggregates"):

            def report(start: date = start, stop: date = stop, source: Any = source) -> Any:
                with transaction(engine) as session:
                    return compute.compute_report(
                        session, start, stop, actor=OPERATOR, now=NOW, source=source
                    )

            rows.append((f"report, a {label}, from the {source}", f"{best(report):.2f} s"))
        measured = [
            (f"... of which {part}", f"{seconds:.2f} s")
            for part, seconds in parts(engine, start, stop, not args.aggregates_only)
        ]
        rows += measured
        print(*measured, sep="\n", flush=True)
    print(f"{stored:,} citations stored, PostgreSQL\n\n| measure | value |\n|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")


def parts(engine: Any, start: date, end: date, with_rows: bool) -> list[tuple[str, float]]:
    """The report's parts on their own: the sums from the aggregates, and the figures that
    still read the period's rows; `with_rows`, each part also as computed from the rows."""
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
    zone = zone_of(profile)
    in_period: list[ColumnElement[bool]] = [
        Citation.violation_date >= start,
        Citation.violation_date <= end,
    ]
    intake: list[ColumnElement[bool]] = [
        IntakeRecord.violation_at >= local_at(start, clock_time.min, zone),
        IntakeRecord.violation_at < local_at(end + timedelta(days=1), clock_time.min, zone),
    ]

    def summed() -> Any:
        with transaction(engine) as session:
            return summed_figures(Period(session, start, end, [], zone), {}, intake)

    def closed(session: Any) -> int:
        where = [*in_period, Citation.closed_at.is_not(None)]
        return int(session.scalar(select(func.count()).select_from(Citation).where(*where)) or 0)

    def resolution() -> Any:
        with transaction(engine) as session:
            return resolution_from_rows(session, in_period, closed(session))

    def histogram() -> Any:
        with transaction(engine) as session:
            period = Period(session, start, end, [], zone)
            days = period.union(ReportResolutionDay, resolution_facts)
            # The count from the histogram, as the report takes it from the aggregates.
            count = int(session.scalar(select(func.sum(days.c.citations))) or 0)
            return resolution_from_histogram(session, days, in_period, count)

    def repeats() -> Any:
        with transaction(engine) as session:
            return compute._repeats(session, in_period, {}, end)

    def repeat_days() -> Any:
        with transaction(engine) as session:
            period = Period(session, start, end, [], zone)
            days = period.union(ReportRepeatDay, repeat_facts)
            return repeat_rates(session, days, start, end, {})

    def experiment() -> Any:
        with transaction(engine) as session:
            return experiment_results(session, in_period, profile, NOW)

    def experiment_days() -> Any:
        with transaction(engine) as session:
            return experiment_figures(Period(session, start, end, [], zone), profile, NOW)

    if not with_rows:
        return [
            ("counts and sums from the aggregates", best(summed)),
            ("resolution percentiles (histogram and one bucket's rows)", best(histogram)),
            ("repeat rates (keyed daily counts)", best(repeat_days)),
            ("reminders experiment (daily counts keyed by dates)", best(experiment_days)),
        ]
    assert experiment() == experiment_days(), "the experiment differs from the rows'"
    return [
        ("counts and sums from the aggregates", best(summed)),
        ("resolution percentiles (rows)", best(resolution)),
        ("resolution percentiles (histogram and one bucket's rows)", best(histogram)),
        ("repeat rates (rows)", best(repeats)),
        ("repeat rates (keyed daily counts)", best(repeat_days)),
        ("reminders experiment (rows)", best(experiment)),
        ("reminders experiment (daily counts keyed by dates)", best(experiment_days)),
    ]


if __name__ == "__main__":
    main()
