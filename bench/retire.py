"""A closed year exported and detached, by hand:
`python bench/retire.py POSTGRESQL_URL [--count 200000] [--schema S --reuse]`.

Seeds `--count` citations over the 400 days before 2026-11-29 into the schema
`bench_retire` (dropped first), so the first two months or so are 2025's. A city retires a
year whose cases are all closed; the seed leaves some of 2025's open, so the bench closes
them with one UPDATE (timed apart, not part of the retirement). Then it times
`export_records(year=2025)` to a file and `retire_year(2025)` (the checks, which read the
whole file and count the year's rows, and the detach and drop of every partition), and
prints a markdown table with the rows and bytes involved.

`--schema bench_reports --reuse` retires the year of a schema that bench/reports.py seeded
(the same seed and days) instead of seeding again: a million takes half an hour to seed. The
year's rows are gone afterwards, so run it after the report's bench.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from citations.database import make_engine, transaction, upgrade
from citations.export import export_records
from citations.export.retire import retire_year
from citations.partitions import first_id
from citations.record.tables import Citation
from citations.roles import OPERATOR
from citations.seed import seed

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
SCHEMA = "bench_retire"
YEAR = 2025


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--schema", default=SCHEMA)
    parser.add_argument("--reuse", action="store_true", help="retire from a seeded schema")
    args = parser.parse_args()
    schema = args.schema
    if not args.reuse:
        engine = make_engine(args.url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
    separator = "&" if "?" in args.url else "?"
    engine = make_engine(f"{args.url}{separator}options=-csearch_path%3D{schema}%2Cpublic")
    rows: list[tuple[str, str]] = []
    upgrade(engine)
    if not args.reuse:
        started = time.perf_counter()
        seed(engine, args.count, seed=1, now=NOW)
        rows.append((f"seed {args.count:,} citations", f"{time.perf_counter() - started:.0f} s"))
    in_year = (Citation.id >= first_id(YEAR)) & (Citation.id < first_id(YEAR + 1))
    with transaction(engine) as session:
        cases = session.scalar(select(func.count()).select_from(Citation).where(in_year)) or 0
        total = session.scalar(select(func.count()).select_from(Citation)) or 0
        started = time.perf_counter()
        closed = session.execute(
            Citation.__table__.update()  # type: ignore[attr-defined]
            .where(in_year, Citation.closed_at.is_(None))
            .values(status="dismissed", closed_at=NOW)
        ).rowcount
    rows.append(
        (
            f"(setup) close {closed:,} of {YEAR}'s {cases:,} citations left open",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"records-{YEAR}.jsonl"
        started = time.perf_counter()
        with file.open("w", encoding="utf-8") as out:
            summary = export_records(engine, out, year=YEAR, files=False)
        exported = time.perf_counter() - started
        rows.append(
            (
                f"export {YEAR} ({summary.rows:,} rows, {file.stat().st_size / 1e6:,.0f} MB)",
                f"{exported:.1f} s",
            )
        )
        started = time.perf_counter()
        with file.open("rb") as export:
            retired = retire_year(engine, YEAR, export, actor=OPERATOR, now=NOW)
        detached = sum(retired.detached.values())
        rows.append(
            (
                f"retire {YEAR}: check the file and the counts, detach and drop "
                f"{len(retired.detached)} partitions ({detached:,} rows)",
                f"{time.perf_counter() - started:.1f} s",
            )
        )
    rows.insert(0, (f"citations stored before, {cases:,} of them {YEAR}'s", f"{total:,}"))
    with transaction(engine) as session:
        left = session.scalar(select(func.count()).select_from(Citation)) or 0
    print(f"{left:,} citations left stored, PostgreSQL\n\n| measure | value |\n|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")


if __name__ == "__main__":
    main()
