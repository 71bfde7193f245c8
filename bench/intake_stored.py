"""Issuing with a large program stored against an empty database, by hand:
`python -m bench.intake_stored POSTGRESQL_URL [--schema bench_reports] [--count 6000]`.

The stored program is a schema that bench/reports.py (or bench/retire.py) seeded; this adds
`--count` new people's citations to it through the batch path (`issue_records`, what a file of
an officer's device goes through: each message looked up by its id, the person by name key and
date of birth, the agency's number taken, the citation, its intake record and audit events
written) and the same count to a new, empty database `bench_intake_empty` on the same
server (a database, not a schema: pg_trgm lives in the seeded schema), three rounds each,
alternating, so that the machine's changing load falls on both alike. Prints a markdown table
with each round's rate and the ratio of the medians (the issue's target: 90% or better).
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from sqlalchemy import func, make_url, select, text

from bench.run import NOW, batch_rate
from citations.catalog.publishing import publish
from citations.database import make_engine, transaction, upgrade
from citations.record.agencies import register_agency
from citations.record.tables import Agency, Citation
from citations.roles import OPERATOR
from ordinances.catalog import DEMO_CATALOG, load_catalog

EMPTY = "bench_intake_empty"
AGENCY = "BNCH"
ROUNDS = 3


def in_schema(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}%2Cpublic"


def prepared(url: str) -> Any:
    """An empty program as the seed starts one: migrated, the demo catalog, the agency."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        catalog = load_catalog(DEMO_CATALOG)
        publish(session, catalog, author="bench", approved_by="ok", reason="bench", now=NOW)
        register_agency(session, "DCPD", "Bench PD", actor=OPERATOR, now=NOW)
    return engine


def with_agency(engine: Any) -> Any:
    """`AGENCY` registered, once. The rounds issue under an agency of their own in both
    databases: at ten million, seeds made before numbers could be widened left the seed's
    agency no 2026 numbers (six digits a year)."""
    with transaction(engine) as session:
        known = session.scalar(
            select(func.count()).select_from(Agency).where(Agency.code == AGENCY)
        )
        if not known:
            register_agency(session, AGENCY, "Bench intake PD", actor=OPERATOR, now=NOW)
    return engine


def stored(engine: Any) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Citation)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--schema", default="bench_reports", help="the seeded schema")
    parser.add_argument("--count", type=int, default=6000, help="citations per round")
    args = parser.parse_args()
    admin = make_engine(args.url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {EMPTY}"))
        connection.execute(text(f"CREATE DATABASE {EMPTY}"))
    empty = with_agency(prepared(make_url(args.url).set(database=EMPTY).render_as_string(False)))
    full = with_agency(make_engine(in_schema(args.url, args.schema)))
    before = stored(full)
    rates: dict[str, list[float]] = {"empty": [], "stored": []}
    for round_ in range(ROUNDS):
        # New people every round (numbers far past the seed's, and past an earlier run's,
        # whose citations are counted in `before`), the same work on both.
        first = 50_000_000 + before + round_ * args.count
        rates["empty"].append(batch_rate(empty, args.count, first, AGENCY))
        rates["stored"].append(batch_rate(full, args.count, first, AGENCY))
    ratio = statistics.median(rates["stored"]) / statistics.median(rates["empty"])
    print(f"{before:,} citations stored in {args.schema}, PostgreSQL\n")
    print("| measure | round 1 | round 2 | round 3 | median |\n|---|---|---|---|---|")
    for label, values in (("empty database", rates["empty"]), ("program stored", rates["stored"])):
        cells = " | ".join(f"{value:,.0f}/s" for value in values)
        print(f"| issued, {label} | {cells} | {statistics.median(values):,.0f}/s |")
    print(f"\nstored against empty: {ratio:.0%}")
    empty.dispose()
    full.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {EMPTY}"))


if __name__ == "__main__":
    main()
