"""API throughput with 1, 2 and 4 worker processes on PostgreSQL, by hand (never by the test
suite): `python bench/workers.py [--requests 3000] [--clients 16]`.

For each setting a fresh database, a real `citations serve --workers N` process, and
`--clients` client threads (a connection each) sending at once:
- issuances: every client issues citations, for two agencies (half the clients each);
- mixed: half the clients issue, the other half record payments on citations of their own
  (payments take no number: they meet issuance only at the audit trail's head);
each with the audit trail in 16 lanes (as `citations db upgrade` makes it), and in one lane
(one head row for every writer, as before lanes), to measure what the one row cost.

Beside the rate it reports where the time went: CPU seconds of the server's processes and
of the database's backends per 1,000 requests, and the share of samples (every 10 ms) in
which a backend was waiting for a row lock (pg_stat_activity's wait_event_type 'Lock'), by
the relation it waited on when PostgreSQL says.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from run import message  # the issuing bench's message (bench/ is on the path of a script)
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from citations.catalog.publishing import publish
from citations.database import make_engine, transaction, upgrade
from citations.issuing.batch import Record, issue_records
from citations.record.agencies import register_agency
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from ordinances.catalog import DEMO_CATALOG, load_catalog

NOW = datetime.now(UTC)
DATABASE = "citations_bench_workers"
AGENCIES = ("DCPD", "OTHR")
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def fresh_database(server_url: str, lanes: int) -> str:
    """A new database with the schema, the demo catalog, two agencies, and the audit trail's
    lanes cut to `lanes` (before any event is written, as a database made so would be)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    url = make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head WHERE id >= :lanes"), {"lanes": lanes})
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(DEMO_CATALOG),
            author="bench",
            approved_by="bench ok",
            reason="bench",
            now=NOW,
        )
        for code in AGENCIES:
            register_agency(session, code, f"Bench {code}", actor=OPERATOR, now=NOW)
    engine.dispose()
    return url


def tokens(engine: Engine) -> dict[str, str]:
    secrets = {}
    with transaction(engine) as session:
        for role, agency in [("officer", "DCPD"), ("officer", "OTHR"), ("clerk", None)]:
            _, secret = create_token(
                session, role=role, agency=agency, name="bench", actor=OPERATOR, now=NOW
            )
            secrets[agency or role] = secret
    return secrets


def issued_beforehand(engine: Engine, count: int) -> list[str]:
    """Citations for the payment clients, through the batch path (not measured)."""
    day = (NOW - timedelta(days=2)).date()
    records = (Record(i, json.dumps(message(5_000_000 + i, day))) for i in range(count))
    results = issue_records(engine, records, actor=OPERATOR, clock=lambda: NOW)
    return [r.result.citation_number for r in results if r.result and r.result.citation_number]


@contextmanager
def serving(url: str, workers: int, port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [str(Path(sys.executable).parent / "citations"), "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--database", url]
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-workers-{workers}.log"
    with log.open("ab") as out:  # uvicorn's access log, and any error, kept out of the table
        server = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out)
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/schemas/intake", timeout=1)
                break
            except httpx.HTTPError:
                if server.poll() is not None:
                    raise SystemExit(f"citations serve exited: see {log}") from None
                time.sleep(0.1)
        else:
            raise SystemExit(f"citations serve did not answer in 30 s: see {log}")
        yield server
    finally:
        server.terminate()
        server.wait()


def free_port() -> int:
    """A port nobody listens on now (a fixed one may be another benchmark's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def family(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(int(child) for child in children)]


@dataclass
class Sampler:
    """pg_stat_activity every 10 ms: how often our backends waited for a lock, and on what."""

    engine: Engine
    samples: int = 0
    waiting: int = 0
    on: Counter[str] | None = None

    def run(self, stop: threading.Event) -> None:
        self.on = Counter()
        # A backend waiting for a row waits on the tuple (its lock names the table) or on
        # the transaction holding the row; one waiting on an insert into a unique index has
        # only the transaction: that is "transactionid" without a table.
        query = text(
            "SELECT a.pid, a.wait_event, (SELECT string_agg(DISTINCT l.relation::regclass::text,"
            " ',') FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'tuple') "
            "FROM pg_stat_activity a WHERE a.datname = :db AND a.wait_event_type = 'Lock' "
            "AND a.pid <> pg_backend_pid()"
        )
        with self.engine.connect() as connection:
            while not stop.wait(0.01):
                rows = connection.execute(query, {"db": DATABASE}).all()
                connection.commit()
                self.samples += 1
                self.waiting += len({row[0] for row in rows})
                self.on.update(row[2] or row[1] for row in rows)

    def backends(self) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :db"), {"db": DATABASE}
                )
            )


def measure(
    server_url: str, workers: int, lanes: int, mixed: bool, requests: int, clients: int
) -> dict[str, Any]:
    url = fresh_database(server_url, lanes)
    engine = make_engine(url)
    secrets = tokens(engine)
    payers = clients // 2 if mixed else 0
    per = requests // clients
    to_pay = issued_beforehand(engine, payers * 20) if payers else []
    port = free_port()
    day = (NOW - timedelta(days=2)).date()
    failures: list[str] = []
    with serving(url, workers, port) as server:
        sampler = Sampler(make_engine(url))  # in the database: its table names resolve
        start = threading.Barrier(clients + 1)

        def client(index: int) -> None:
            try:
                send(index)
            except BaseException as exc:  # the run is worthless: stop every thread
                failures.append(f"client {index}: {exc!r}")
                start.abort()

        def send(index: int) -> None:
            paying = index < payers
            agency = AGENCIES[index % 2]
            token = secrets["clerk"] if paying else secrets[agency]
            own = to_pay[index * 20 : (index + 1) * 20]
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as http:
                http.get("/v1/schemas/intake")  # connected before the start
                start.wait()
                for i in range(per):
                    if paying:
                        answer = http.post(
                            f"/v1/citations/{own[i % len(own)]}/payments",
                            json={"amount": "1.00", "method": "card"},
                            headers={"Idempotency-Key": str(uuid.uuid4())},
                        )
                    else:
                        body = message(index * 1_000_000 + i, day, agency)
                        answer = http.post("/v1/citations", json=body)
                    if answer.status_code >= 300:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        stop = threading.Event()
        watcher = threading.Thread(target=sampler.run, args=(stop,))
        processes = family(server.pid)
        backends = sampler.backends()
        app_before, db_before = cpu_seconds(processes), cpu_seconds(backends)
        try:
            start.wait()
        except threading.BrokenBarrierError:
            raise SystemExit(f"a client failed before the start: {failures[:1]}") from None
        watcher.start()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        stop.set()
        watcher.join()
        backends = sorted(set(backends) | set(sampler.backends()))
        app_cpu = cpu_seconds(processes) - app_before
        db_cpu = cpu_seconds(backends) - db_before
        sampler.engine.dispose()
    engine.dispose()
    done = per * clients
    assert sampler.on is not None
    return {
        "workers": workers,
        "lanes": lanes,
        "load": "mixed" if mixed else "issuances",
        "rate": done / elapsed,
        "app_cpu_per_1000": app_cpu / done * 1000,
        "db_cpu_per_1000": db_cpu / done * 1000,
        "lock_waiting": sampler.waiting / max(sampler.samples, 1),
        "waited_on": dict(sampler.on.most_common(4)),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="per setting")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    parser.add_argument("--lanes", default="16,1", help="audit lanes to measure")
    parser.add_argument("--loads", default="issuances,mixed")
    args = parser.parse_args()
    server_url = os.environ.get("CITATIONS_BENCH_POSTGRES_URL") or os.environ.get(
        "CITATIONS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    print(
        "| load | workers | lanes | requests/s | app CPU s per 1k | db CPU s per 1k "
        "| backends waiting on a lock (mean) | waited on | non-2xx |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    for load in args.loads.split(","):
        for lanes in (int(n) for n in args.lanes.split(",")):
            for workers in (int(n) for n in args.workers.split(",")):
                row = measure(
                    server_url, workers, lanes, load == "mixed", args.requests, args.clients
                )
                print(
                    f"| {row['load']} | {workers} | {lanes} | {row['rate']:,.0f} "
                    f"| {row['app_cpu_per_1000']:.1f} | {row['db_cpu_per_1000']:.1f} "
                    f"| {row['lock_waiting']:.2f} | {row['waited_on']} | {row['failures']} |",
                    flush=True,
                )
                if row["first_failure"]:
                    print(f"  first failure: {row['first_failure']}", flush=True)


if __name__ == "__main__":
    main()
