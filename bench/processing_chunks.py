"""How long a payment waits while daily processing runs, whole or a chunk per transaction.

    python -m bench.processing_chunks POSTGRESQL_URL [--count 2000]   # by hand

For each way, on a database of its own: `--count` citations are issued sixty days before
today (every one of them late by today), then daily processing runs for today while payers
pay part of citations picked at random, one after another on four connections. Printed: the
run's seconds, its chunks' commits, and the payments' waits (median, 99th percentile, most).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
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
from citations.record.tables import Citation
from citations.roles import OPERATOR, Actor, Role

PAYERS = 4
CASHIER = Actor("bench cashier", Role.CLERK)


def loaded(url: str, database: str, count: int) -> Any:
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {database}"))
        connection.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    engine = prepared(make_url(url).set(database=database).render_as_string(False))
    issued_at = NOW - timedelta(days=60)
    day = issued_at.date()
    records = (Record(i, json.dumps(message(i, day))) for i in range(count))
    results = list(issue_records(engine, records, actor=OPERATOR, clock=lambda: issued_at))
    assert all(r.result is not None for r in results), results[0].errors
    return engine


def measure(engine: Any, run: Callable[[], Any]) -> dict[str, Any]:
    with transaction(engine) as session:
        numbers = list(session.scalars(select(Citation.number)))
    commits: list[int] = []
    event.listen(engine, "commit", lambda _: commits.append(1))
    waits: list[float] = []
    refused: list[str] = []
    done = threading.Event()

    def payer(seed: int) -> None:
        rng = random.Random(seed)
        while not done.is_set():
            started = time.perf_counter()
            try:
                with transaction(engine) as session:
                    request = PaymentRequest(amount=Decimal("1.00"), method="card")
                    record_payment(session, rng.choice(numbers), request, actor=CASHIER, now=NOW)
            except CitationsError as error:
                refused.append(str(error))
                continue
            waits.append(time.perf_counter() - started)

    payers = [threading.Thread(target=payer, args=(i,)) for i in range(PAYERS)]
    for thread in payers:
        thread.start()
    time.sleep(1)  # the payers at their pace before the run
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    done.set()
    for thread in payers:
        thread.join()
    ordered = sorted(waits)
    return {
        "late": len(report.delinquent),
        "seconds": round(seconds, 1),
        "commits": len(commits),
        "payments": len(waits),
        "refused": len(refused),
        "wait_median_ms": round(statistics.median(ordered) * 1000, 1),
        "wait_p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
        "wait_most_ms": round(ordered[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    today = NOW.date()

    def whole(engine: Any) -> Any:
        with transaction(engine) as session:
            return process(session, as_of=today, actor=OPERATOR, now=NOW)

    def chunked(engine: Any) -> Any:
        return process_in_chunks(engine, as_of=today, actor=OPERATOR, now=NOW)

    for name, way in (("whole", whole), ("chunked", chunked)):
        engine = loaded(args.url, f"bench_processing_{name}", args.count)
        print(name, json.dumps(measure(engine, lambda way=way, engine=engine: way(engine))))
        engine.dispose()


if __name__ == "__main__":
    main()
