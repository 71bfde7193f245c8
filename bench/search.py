"""The clerks' search and list at a city's scale, run by hand:
`python bench/search.py POSTGRESQL_URL [--count 1000000] [--keep]`.

Loads N citations with PostgreSQL's COPY into a schema of its own (`bench_search`, dropped
and made again unless `--keep` reuses it): people drawn from a few hundred first and last
names (accented ones among them), birth dates, a driver's licence for six in ten, addresses,
twenty areas, seven years of numbers, statuses and balances. Then times, warm, the median
of several runs of: a last name, `last, first`, a date of birth, an identifier, part of a
number, part of an address (each the whole `search_citations`, with the others of each
person found), and list pages (filtered, sorted by name or balance, a deep page).
The target is under 100 ms each. The balances are set directly (there is no ledger here):
the bench measures the queries, not the money.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from citations.catalog.publishing import publish
from citations.database import make_engine, transaction, upgrade
from citations.record.agencies import register_agency
from citations.record.folding import fold
from citations.record.listing import CitationFilters, Paging, Sort, list_citations
from citations.record.numbering import CitationNumber
from citations.record.search import search_citations
from citations.roles import OPERATOR, Actor, Role
from ordinances.catalog import DEMO_CATALOG, load_catalog

SCHEMA = "bench_search"
START = datetime(2020, 1, 1, 16, 0, tzinfo=UTC)
CLERK = Actor("bench clerk", Role.CLERK)
LAST = [
    "López",
    "García",
    "Hernández",
    "Martínez",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Gómez",
    "Díaz",
    "Cruz",
    "Morales",
    "Reyes",
    "Gutiérrez",
    "Ortiz",
    "Chávez",
    "Ruiz",
    "Álvarez",
    "Castillo",
    "Jiménez",
    "Vásquez",
    "Moreno",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Kim",
    "Lee",
    "Park",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Peterson",
    "Cooper",
    "Reed",
    "Bailey",
    "Bell",
    "Kelly",
    "Howard",
    "Ward",
    "Cox",
    "Richardson",
    "Wood",
    "Watson",
    "Brooks",
    "Bennett",
    "Gray",
    "James",
    "O'Brien",
    "Müller",
    "Søren",
    "Núñez",
    "Peña",
    "Ibáñez",
    "Castañeda",
    "Avilés",
    "Muñoz",
    "Zúñiga",
    "Acuña",
    "Báez",
]
FIRST = [
    "María",
    "José",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Jorge",
    "Rosa",
    "Carlos",
    "Elena",
    "Miguel",
    "Sofía",
    "David",
    "Laura",
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Barbara",
    "Wei",
    "Min",
    "Jun",
    "Hana",
    "Yuki",
    "Thanh",
    "Linh",
    "Fatima",
    "Omar",
    "Amir",
    "Leila",
    "Oleksandr",
    "Olena",
    "Grace",
    "Sam",
    "Chris",
    "Alex",
    "Taylor",
    "Jordan",
]
STREETS = [
    "Main",
    "Oak",
    "Alvarado",
    "Sunset",
    "Figueroa",
    "Hope",
    "Grand",
    "Olive",
    "Spring",
    "Broadway",
    "Vermont",
    "Pico",
]
STATUSES = [("issued", 40), ("paid", 30), ("delinquent", 10), ("upheld", 5), ("dismissed", 5)]
STATUSES += [("in_review", 3), ("on_plan", 3), ("in_collections", 2), ("voided", 2)]
COLUMNS = [
    "id",
    "number",
    "agency_id",
    "device_id",
    "intake_id",
    "status",
    "revision",
    "violation_at",
    "violation_date",
    "location",
    "area",
    "officer_badge",
    "officer_name",
    "subject",
    "subject_name_key",
    "subject_dob",
    "notice_language",
    "total_fine_cents",
    "balance_cents",
    "issued_at",
    "subject_last_folded",
    "subject_first_folded",
    "subject_address_folded",
]


def fresh(url: str, keep: bool) -> tuple[Engine, bool]:
    """The bench's schema at the newest revision; whether it already holds the citations."""
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        raise SystemExit("the search bench runs on PostgreSQL (COPY, trigram indexes)")
    with engine.begin() as connection:
        exists = connection.execute(
            text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA}
        ).scalar()
        if not keep or not exists:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{separator}options=-csearch_path%3D{SCHEMA},public")
    if keep and exists:
        return engine, True
    upgrade(engine)
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(DEMO_CATALOG),
            author="bench",
            approved_by="bench ok",
            reason="bench",
            now=START - timedelta(days=30),
        )
        register_agency(session, "DCPD", "Bench PD", actor=OPERATOR, now=START)
    return engine, False


def load(engine: Engine, count: int) -> float:
    """COPY `count` citations (and their licences); returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(17)
    weights = [w for _, w in STATUSES]
    statuses = [s for s, _ in STATUSES]
    with transaction(engine) as session:
        agency_id = session.scalar(text("SELECT id FROM agencies WHERE code = 'DCPD'"))
        intake_id = session.scalar(
            text(
                "INSERT INTO intake_records (message_id, body_hash, body, agency_id, device_id, "
                "received_at, received_by, outcome, reasons, violation_at, response) VALUES "
                "('00000000-0000-4000-8000-000000000000', :h, '{}', :a, 'bench', :t, 'bench', "
                "'issued', '[]', :t, '{}') RETURNING id"
            ),
            {"h": "0" * 64, "a": agency_id, "t": START},
        )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        columns = ", ".join(COLUMNS)
        with cursor.copy(f"COPY citations ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for i in range(1, count + 1):
                copy.write_row(_row(rng, i, agency_id, intake_id, statuses, weights))
        cursor.execute(
            "SELECT v.id, o.code, o.category FROM ordinance_versions v "
            "JOIN ordinances o ON o.id = v.ordinance_id ORDER BY v.id"
        )
        versions = cursor.fetchall()
        with cursor.copy(  # type: ignore[attr-defined]
            "COPY citation_violations (citation_id, position, ordinance_code, category, "
            "violation_date, ordinance_version_id, disposition, prior_count, offense_count, "
            "fine_cents, narrative, snapshot) FROM STDIN"
        ) as copy:
            for i in range(1, count + 1):
                version_id, code, category = versions[i % len(versions)]
                day = START.date() + timedelta(days=i * 7 // 3650)
                copy.write_row(
                    (i, 0, code, category, day, version_id, "fine", 0, 1, 25000, "bench", "{}")
                )
        licences = ((i, "ca-dl", f"d{i * 7919 % 10_000_000:07d}") for i in range(1, count + 1))
        with cursor.copy(  # type: ignore[attr-defined]
            "COPY citation_identifiers (citation_id, id_type, id_number) FROM STDIN"
        ) as copy:
            for row in licences:
                if row[0] % 10 < 6:
                    copy.write_row(row)
        raw.commit()
        cursor.execute("SELECT setval(pg_get_serial_sequence('citations', 'id'), %s)", (count,))
        raw.commit()
    finally:
        raw.close()
    vacuum(engine)
    return time.perf_counter() - started


def vacuum(engine: Engine) -> None:
    """What autovacuum does soon after a bulk load: statistics, and the visibility map that
    lets index-only scans skip the rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE citations"))
        connection.execute(text("VACUUM ANALYZE citation_identifiers"))
        connection.execute(text("VACUUM ANALYZE citation_violations"))


def _row(
    rng: random.Random,
    i: int,
    agency_id: int,
    intake_id: int,
    statuses: list[str],
    weights: list[int],
) -> tuple[Any, ...]:
    year, sequence = 2020 + (i - 1) // 150_000, (i - 1) % 150_000 + 1
    issued = START + timedelta(days=(year - 2020) * 365 + sequence * 365 // 150_000, hours=i % 9)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    street = f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} St"
    status = rng.choices(statuses, weights)[0]
    fine = rng.choice((10000, 20000, 25000, 50000, 100000))
    owed = 0 if status in ("paid", "dismissed", "voided") else fine - rng.choice((0, 0, 5000))
    subject = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": born.isoformat(),
        "address": {"line1": street, "city": "Demo City"},
    }
    return (
        i,
        str(CitationNumber("DCPD", year, sequence)),
        agency_id,
        "bench",
        intake_id,
        status,
        1,
        issued,
        issued.date(),
        json.dumps({"address": street, "area": f"Beat {i % 20 + 1}"}),
        f"Beat {i % 20 + 1}",
        "1",
        "Bench",
        json.dumps(subject),
        f"{first} {last}".casefold(),
        born,
        "en",
        fine,
        owed,
        issued,
        fold(last),
        fold(first),
        fold(f"{street} Demo City"),
    )


def timed(run: Callable[[], Any], times: int = 7) -> tuple[float, Any]:
    """The median milliseconds of `times` runs after one to warm up, and the last answer."""
    answer = run()
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        answer = run()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a PostgreSQL URL")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse the loaded schema")
    arguments = parser.parse_args()
    engine, loaded = fresh(arguments.url, arguments.keep)
    if not loaded:
        print(f"loaded {arguments.count:,} citations in {load(engine, arguments.count):.1f} s")
    with transaction(engine) as session:
        total = session.scalar(text("SELECT count(*) FROM citations"))
        sample = session.execute(
            text("SELECT number, subject_dob FROM citations WHERE id = :i"), {"i": total // 2}
        ).one()
    print(f"{total:,} citations")
    searches = {
        "last name (lopez)": "lopez",
        "last, first (Núñez, Maria)": "Núñez, Maria",
        "first last (ana garcia)": "ana garcia",
        f"date of birth ({sample.subject_dob:%m/%d/%Y})": f"{sample.subject_dob:%m/%d/%Y}",
        "identifier (D-0079190)": "D-0079190",
        f"part of a number ({sample.number[10:16]})": sample.number[10:16],
        "whole number": sample.number,
        "part of an address (4521 oak)": "4521 oak",
    }
    lists = {
        "list: issued, owing, by -balance": (
            CitationFilters.model_validate({"status": ["issued"], "owing": True}),
            "-balance",
            1,
        ),
        "list: everything by name, page 1": (CitationFilters(), "name", 1),
        "list: everything by -issued, page 400": (CitationFilters(), "-issued", 400),
        "list: Beat 7, 2025, by -issued": (
            CitationFilters.model_validate(
                {"area": "Beat 7", "issued_from": "2025-01-01", "issued_to": "2025-12-31"}
            ),
            "-issued",
            1,
        ),
        "list: delinquent, owing >= 200, by number": (
            CitationFilters.model_validate({"balance_min": "200", "status": ["delinquent"]}),
            "number",
            1,
        ),
        "list: one ordinance, owing, by -balance": (
            CitationFilters.model_validate({"ordinance": "LAMC 41.59", "owing": True}),
            "-balance",
            1,
        ),
        "list: one ordinance in Beat 3, by name": (
            CitationFilters.model_validate({"ordinance": "LAMC 41.59", "area": "Beat 3"}),
            "name",
            1,
        ),
    }
    with transaction(engine) as session:
        for label, query in searches.items():
            ms, result = timed(lambda q=query: search_citations(session, q, CLERK, 50))
            print(
                f"{label:<44} {ms:7.1f} ms  {len(result.hits):>3} hits{'+' if result.more else ''}"
            )
        for label, (filters, sort, page) in lists.items():
            ms, result = timed(
                lambda f=filters, s=sort, p=page: list_citations(
                    session, f, Sort.read(s), Paging(number=p, size=50), CLERK
                )
            )
            more = "" if result.total_exact else "+"
            print(f"{label:<44} {ms:7.1f} ms  {result.total:>9,}{more} total")


if __name__ == "__main__":
    main()
