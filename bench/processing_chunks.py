"""How long a payment waits while daily processing runs, whole or a chunk per transaction.

    python -m bench.processing_chunks POSTGRESQL_URL [--count 1000] [--chunk 50]   # by hand

For each way, on a database of its own: `--count` citations are issued sixty days before
today (every one of them late by today), then daily processing runs for today while payers
pay part of citations picked at random, one after another on four connections. Printed: the
run's seconds, its chunks' commits, and the payments' waits (median, 99th percentile, most).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event, make_url, select, text

from bench.intake_stored import prepared
from bench.run import NOW, message
from citations.database import make_engine, transaction
from citations.errors import CitationsError
from citations.issuing.batch import Record, issue_records
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.processing import process, process_in_chunks
from citations.record.chunks import CHUNK
from citations.record.tables import Citation
from citations.roles import OPERATOR, Actor, Role

PAYERS = 2
PAUSE = 0.1
CASHIER = Actor("bench cashier", Role.CLERK)


def loaded(url: str, database: str, count: int) -> Any:
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {database}"))
        connection.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    engine = prepared(make_url(url).set(database=database).render_as_string(False))
    issued_at = NOW - timedelta(days=60)
    day = (issued_at - timedelta(days=1)).date()  # the day before, in any zone
    records = (Record(i, json.dumps(message(i, day))) for i in range(count))
    results = list(issue_records(engine, records, actor=OPERATOR, clock=lambda: issued_at))
    assert all(r.result is not None for r in results), results[0].errors
    return engine


def pay_loop(url: str, numbers: list[str], seed: int, stop: Any, out: Any) -> None:
    """A payer in a process of its own (the run's PDFs and the payers' receipts would share
    one interpreter's lock otherwise): a part payment on a random citation every `PAUSE`."""
    engine = make_engine(url)
    rng = random.Random(seed)
    waits: list[float] = []
    refused = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with transaction(engine) as session:
                request = PaymentRequest(amount=Decimal("1.00"), method="card")
                record_payment(session, rng.choice(numbers), request, actor=CASHIER, now=NOW)
            waits.append(time.perf_counter() - started)
        except CitationsError:
            refused += 1
        time.sleep(PAUSE)
    engine.dispose()
    out.put((waits, refused))


def measure(engine: Any, run: Callable[[], Any], payers_count: int) -> dict[str, Any]:
    with transaction(engine) as session:
        numbers = list(session.scalars(select(Citation.number)))
    commits: list[int] = []
    event.listen(engine, "commit", lambda _: commits.append(1))
    context = multiprocessing.get_context("spawn")
    stop, out = context.Event(), context.Queue()
    url = engine.url.render_as_string(hide_password=False)
    payers = [
        context.Process(target=pay_loop, args=(url, numbers, i, stop, out))
        for i in range(payers_count)
    ]
    for payer in payers:
        payer.start()
    if payers:
        time.sleep(3)  # the payers started and at their pace before the run
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    stop.set()
    waits: list[float] = []
    refused = 0
    for _ in payers:
        some, not_taken = out.get(timeout=120)
        waits.extend(some)
        refused += not_taken
    for payer in payers:
        payer.join()
    figures = {
        "late": len(report.delinquent),
        "seconds": round(seconds, 1),
        "commits": len(commits),
        "payments": len(waits),
        "refused": refused,
    }
    if waits:
        ordered = sorted(waits)
        figures["payment_median_ms"] = round(statistics.median(ordered) * 1000, 1)
        figures["payment_p99_ms"] = round(ordered[int(len(ordered) * 0.99)] * 1000, 1)
        figures["payment_most_ms"] = round(ordered[-1] * 1000, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=CHUNK, help="candidates per transaction")
    parser.add_argument("--only-chunked", action="store_true", help="not the whole run")
    parser.add_argument("--payers", type=int, default=PAYERS, help="0: the run alone")
    args = parser.parse_args()
    today = NOW.date()

    def whole(engine: Any) -> Any:
        with transaction(engine) as session:
            return process(session, as_of=today, actor=OPERATOR, now=NOW)

    def chunked(engine: Any) -> Any:
        return process_in_chunks(engine, as_of=today, actor=OPERATOR, now=NOW, chunk=args.chunk)

    ways = [("whole", whole), (f"chunks of {args.chunk}", chunked)]
    for name, way in ways[1:] if args.only_chunked else ways:
        engine = loaded(args.url, f"bench_processing_{name.split()[0]}", args.count)
        figures = measure(engine, lambda way=way, engine=engine: way(engine), args.payers)
        print(name, json.dumps(figures), flush=True)
        engine.dispose()


if __name__ == "__main__":
    main()
