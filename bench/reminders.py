"""Reminders at a city's scale, run by hand: `python bench/reminders.py [URL] [--count N]`.

Seeds (in bulk) N open citations, each with a phone and consent to texts, whose notice's
deadline is tomorrow; then, as of 08:00 on the city's clock:
- queue: `sync_citations` over all of them, in one transaction (the plan wants the reminder
  a day before the deadline, due at 10:00 today, and the one the day after it);
- render: every message due by 10:00 today, with what each citation owes read in bulk
  (`citations.record.ledger.balances`), through `citations.outreach.render.render`;
- a second queue over the same citations (nothing to do: what it costs to check).
Prints the seconds of each step. Without a URL: a new SQLite file; a PostgreSQL URL is used in
a schema of its own (`bench_reminders`, dropped and made again).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from citations.calendar import deadline_dates
from citations.catalog.publishing import publish
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction, upgrade
from citations.outreach.render import render
from citations.outreach.sync import sync_citations
from citations.record.agencies import register_agency
from citations.record.ledger import EntryKind, LedgerEntry, balances, entry_row
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation, IntakeRecord
from citations.roles import OPERATOR
from ordinances.catalog import DEMO_CATALOG, load_catalog

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
"""08:00 on Tuesday 2026-12-01 in Demo City (Los Angeles)."""
DUE_BY = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
"""10:00 that day: the reminders sent then are the ones rendered."""
SERVED = date(2026, 11, 12)
"""Served on this day, the notice's deadline is 2026-12-02 (20 calendar days)."""
SITE = "https://citations.demo-city.example/c/"
"""Each message's link carries an access code of its own (here made up from its id): the words
that hold the link are rendered for every message."""
CHUNK = 1000
SCHEMA = "bench_reminders"
NAMES = ("Maria", "Jose", "Ann", "Nguyen", "Wei", "Fatima", "Oleksandr", "Grace", "Luis", "Sam")


def fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        separator = "&" if "?" in url else "?"
        engine = make_engine(f"{url}{separator}options=-csearch_path%3D{SCHEMA}")
    upgrade(engine)
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(DEMO_CATALOG),
            author="bench",
            approved_by="bench ok",
            reason="bench",
            now=NOW - timedelta(days=30),
        )
        register_agency(session, "DCPD", "Bench PD", actor=OPERATOR, now=NOW - timedelta(days=30))
    return engine


def seed(engine: Engine, count: int) -> list[int]:
    """`count` issued citations with a phone and consent to texts, deadline tomorrow, each
    with its fine in the ledger; three in ten get their notices in Spanish."""
    pay_by, _ = deadline_dates(SERVED, load_catalog(DEMO_CATALOG).jurisdiction)
    assert pay_by == date(2026, 12, 2), pay_by
    issued = datetime(2026, 11, 12, 20, 0, tzinfo=UTC)
    with transaction(engine) as session:
        agency_id = session.scalar(text("SELECT id FROM agencies WHERE code = 'DCPD'"))
        intake_id = session.scalars(
            insert(IntakeRecord).returning(IntakeRecord.id),
            [
                {
                    "message_id": "00000000-0000-4000-8000-000000000000",
                    "body_hash": "0" * 64,
                    "body": {},
                    "agency_id": agency_id,
                    "device_id": "bench",
                    "received_at": issued,
                    "received_by": "bench",
                    "outcome": "issued",
                    "reasons": [],
                    "violation_at": issued,
                    "response": {},
                }
            ],
        ).one()
        ids: list[int] = []
        for start in range(0, count, 10_000):
            rows = [
                _citation(i, agency_id, intake_id, issued, pay_by)
                for i in range(start, min(count, start + 10_000))
            ]
            ids += session.scalars(
                insert(Citation).returning(Citation.id, sort_by_parameter_order=True), rows
            )
        fines = [
            entry_row(i, EntryKind.FINE_ASSESSED, Decimal("250.00"), actor="bench", at=issued)
            for i in ids
        ]
        session.execute(insert(LedgerEntry), [{**f, "reference": None} for f in fines if f])
    return ids


def _citation(
    i: int, agency_id: int, intake_id: int, issued: datetime, pay_by: date
) -> dict[str, Any]:
    name = NAMES[i % len(NAMES)]
    return {
        "number": f"DCPD-2026-{i:07d}",
        "agency_id": agency_id,
        "device_id": "bench",
        "intake_id": intake_id,
        "status": "issued",
        "revision": 1,
        "violation_at": issued,
        "violation_date": SERVED,
        "location": {"address": f"{i} Main St", "area": "Central"},
        "area": "Central",
        "officer_badge": "1",
        "officer_name": "Bench",
        "subject": {"first_name": name, "last_name": f"Bench{i}"},
        "subject_name_key": f"{name.lower()} bench{i}",
        "notice_language": "es" if i % 10 < 3 else "en",
        "total_fine_cents": 25000,
        "due_on": pay_by,
        "issued_at": issued,
        "service_method": "personal",
        "served_on": SERVED,
        "phone": f"+1555{i:07d}",
        "texts_consent": True,
        "emails_consent": False,
    }


class Timer:
    """Wall-clock seconds, and this process's CPU seconds (the machine is shared: when other
    work runs, the wall clock says more about the machine than about the code)."""

    def __init__(self) -> None:
        self.started = (time.perf_counter(), time.process_time())
        self.took: tuple[float, float] | None = None

    def stop(self) -> Timer:
        self.took = (
            time.perf_counter() - self.started[0],
            time.process_time() - self.started[1],
        )
        return self

    def __add__(self, other: Timer) -> Timer:
        total = Timer()
        assert self.took is not None and other.took is not None
        total.took = (self.took[0] + other.took[0], self.took[1] + other.took[1])
        return total

    def __str__(self) -> str:
        assert self.took is not None, "stop() it first"
        wall, cpu = self.took
        return f"{wall:.1f} ({cpu:.1f} CPU)"


def queue(engine: Engine, ids: list[int]) -> tuple[Timer, Any]:
    timer = Timer()
    with transaction(engine) as session:
        synced = sync_citations(session, ids, now=NOW)
    return timer.stop(), synced


def due(engine: Engine) -> Iterator[list[tuple[OutboxMessage, Citation, Decimal]]]:
    """The messages due by DUE_BY with their citations and what each owes, a thousand at a
    time (read in a transaction that ends before they are rendered)."""
    with transaction(engine) as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_try_at <= DUE_BY)
                .order_by(OutboxMessage.id)
            )
        )
    for start in range(0, len(ids), CHUNK):
        with transaction(engine) as session:
            rows = session.execute(
                select(OutboxMessage, Citation)
                .join(Citation, Citation.id == OutboxMessage.citation_id)
                .where(OutboxMessage.id.in_(ids[start : start + CHUNK]))
                .order_by(OutboxMessage.id)
            ).all()
            owed = balances(session, list({c.id for _, c in rows}))
        yield [(message, citation, owed.get(citation.id, Decimal(0))) for message, citation in rows]


def analyze(engine: Engine) -> None:
    """Fresh statistics after a bulk load, as autovacuum gathers soon after one on PostgreSQL
    (the planner would otherwise plan for the empty tables it last saw)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def render_due(engine: Engine) -> tuple[Timer, int, int]:
    """(its timer, messages rendered, characters of their texts)."""
    timer = Timer()
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
    rendered = characters = 0
    for chunk in due(engine):
        for message, citation, owed in chunk:
            code = f"{message.id:016X}"
            link = f"{SITE}{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
            words = render(message, citation, profile, owed=owed, link=link)
            rendered += 1
            characters += len(words.text)
    return timer.stop(), rendered, characters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", help="a database URL (default: a new SQLite file)")
    parser.add_argument("--count", type=int, default=100_000, help="citations (100,000)")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='reminders-')) / 'bench.db'}"
    engine = fresh(url)
    print(f"| step, seconds | {engine.dialect.name} |\n|---|---|")
    timer = Timer()
    ids = seed(engine, args.count)
    analyze(engine)
    print(f"| seed {len(ids):,} citations | {timer.stop()} |", flush=True)
    queued, synced = queue(engine, ids)
    print(f"| queue: sync {synced.citations:,} citations, {synced.written:,} written | {queued} |")
    with transaction(engine) as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_try_at <= DUE_BY)
        )
    analyze(engine)  # not counted: a second's work, and part of the database's own routine
    rendering, rendered, characters = render_due(engine)
    assert rendered == waiting, (rendered, waiting)
    print(f"| render {rendered:,} due messages (owed read in bulk) | {rendering} |")
    print(f"| queue + render | {queued + rendering} |")
    print(f"| average text (characters) | {characters / max(rendered, 1):.0f} |")
    again, synced = queue(engine, ids)
    assert synced.written == synced.cancelled == 0, synced
    print(f"| queue again, nothing to change | {again} |", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
