"""Benchmarks, run by hand (never by the test suite): `python bench/run.py [--large]`.

Prints one table for SQLite and PostgreSQL (when CITATIONS_BENCH_POSTGRES_URL or
CITATIONS_TEST_POSTGRES_URL is set):
- citations issued per second through the library batch path (`issue_records`);
- API issuances per second with p50/p99 latency, against `citations serve` on loopback;
- notices rendered per second per core, next to bare reportlab drawing the same text;
- report time and peak memory at 100k citations (and 1M with --large);
- daily processing time over the seeded program;
- issuing throughput with the program stored, against an empty database.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import text

from citations.catalog.publishing import publish
from citations.database import make_engine, transaction, upgrade
from citations.issuing.batch import Record, issue_records
from citations.notice.build import notice_for
from citations.notice.render import render_notice
from citations.payments.processing import process_in_chunks
from citations.record.agencies import register_agency
from citations.record.tokens import create_token
from citations.reports.compute import compute_report
from citations.roles import OPERATOR
from citations.seed import seed
from ordinances.catalog import DEMO_CATALOG, load_catalog

NOW = datetime.now(UTC)
ISSUED = 6000
"""Citations per batch-path measurement: about three seconds, so one slow second (the machine
is shared with the database) moves the rate less than with the 2,000 of earlier runs."""
ROOT = Path(__file__).resolve().parent


BORN = date(1950, 1, 1)


def message(i: int, day: date, agency: str = "DCPD") -> dict[str, Any]:
    """A valid intake message for person `i` on `day` (shared by the benches)."""
    return {
        "message_id": str(uuid.uuid4()),
        "agency": agency,
        "device_id": "bench",
        "violation_at": f"{day.isoformat()}T12:00:00-08:00",
        "location": {"address": f"{i} Main St", "area": "Central"},
        "officer": {"badge": "1", "name": "Bench"},
        "subject": {
            "first_name": f"P{i}",
            "last_name": "Bench",
            # Spread over fifty years, as people's are: with one date for everyone, a planner
            # without statistics that took the index on the date alone read every person.
            "date_of_birth": (BORN + timedelta(days=(i * 7919) % 18250)).isoformat(),
            "identifiers": [{"type": "CA-DL", "number": f"B{i:08d}"}],
        },
        "violations": [{"ordinance": "LAMC 53.06.2", "narrative": "Dog off leash."}],
        "screening": {"violence": False, "dog_bite": False},
    }


def fresh(url: str) -> Any:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench CASCADE"))
            connection.execute(text("CREATE SCHEMA bench"))
        engine.dispose()
        engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(DEMO_CATALOG),
            author="bench",
            approved_by="bench ok",
            reason="bench",
            now=NOW,
        )
        register_agency(session, "DCPD", "Bench PD", actor=OPERATOR, now=NOW)
    return engine


def batch_rate(engine: Any, count: int, first_person: int = 0, agency: str = "DCPD") -> float:
    """Citations per second through the batch path, for `count` people never cited before
    (from `first_person` on), so that runs compare the same work on different data."""
    day = (NOW - timedelta(days=2)).date()
    people = range(first_person, first_person + count)
    records = (Record(i, json.dumps(message(i, day, agency))) for i in people)
    started = time.perf_counter()
    results = list(issue_records(engine, records, actor=OPERATOR, clock=lambda: NOW))
    elapsed = time.perf_counter() - started
    assert all(r.result is not None for r in results), results[0].errors
    return count / elapsed


def api_rate(url: str, count: int, workers: int = 8) -> tuple[float, float, float]:
    engine = make_engine(url)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="officer", agency="DCPD", name="bench", actor=OPERATOR, now=NOW
        )
    engine.dispose()
    port = 8765
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=os.environ | {"CITATIONS_DATABASE_URL": url},
        cwd=ROOT.parent,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/schemas/intake", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        latencies: list[float] = []
        lock = threading.Lock()
        day = (NOW - timedelta(days=2)).date()

        def worker(indexes: range) -> None:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {secret}"}
            ) as client:
                for i in indexes:
                    started = time.perf_counter()
                    response = client.post("/v1/citations", json=message(10_000_000 + i, day))
                    assert response.status_code == 201, response.text
                    with lock:
                        latencies.append(time.perf_counter() - started)

        per = count // workers
        threads = [
            threading.Thread(target=worker, args=(range(w * per, (w + 1) * per),))
            for w in range(workers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    return (
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


def notice_ratio(engine: Any, count: int = 50) -> tuple[float, float, float]:
    """Notices per second (one core), and the ratio to bare reportlab drawing the same text
    line by line: in Helvetica (a standard font, never embedded), and in the notice's own
    embedded font (which every notice needs for names in any script)."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    from citations.documents.fonts import REGULAR, register_fonts
    from citations.documents.wording import plain_text

    with transaction(engine) as session:
        number = session.execute(text("SELECT number FROM citations LIMIT 1")).scalar_one()
        context = notice_for(session, number, OPERATOR)
    pdf = render_notice(context)
    words = _pdf_text(pdf)
    started = time.perf_counter()
    for _ in range(count):
        render_notice(context)
    ours = (time.perf_counter() - started) / count
    register_fonts()

    def bare(font: str) -> float:
        started = time.perf_counter()
        for _ in range(count):
            canvas = Canvas(BytesIO(), pagesize=LETTER)
            canvas.setFont(font, 10)
            y = 760.0
            for line in words:
                canvas.drawString(40, y, plain_text(line)[:120])
                y -= 11
                if y < 40:
                    canvas.showPage()
                    canvas.setFont(font, 10)
                    y = 760.0
            canvas.save()
        return (time.perf_counter() - started) / count

    return 1 / ours, ours / bare("Helvetica"), ours / bare(REGULAR)


def _pdf_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [
        line
        for page in PdfReader(BytesIO(pdf)).pages
        for line in (page.extract_text() or "").splitlines()
    ]


REPORT_PROCESS = """
import sys, time
from datetime import UTC, date, datetime
from citations.database import make_engine, transaction
from citations.reports.compute import compute_report
from citations.roles import OPERATOR
engine = make_engine(sys.argv[1])
started = time.perf_counter()
with transaction(engine) as session:
    compute_report(session, date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3]),
                   actor=OPERATOR, now=datetime.now(UTC))
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(time.perf_counter() - started, peak.split()[1])
"""


def report_in_fresh_process(url: str, start: date, end: date) -> tuple[float, float]:
    """(seconds, peak resident MiB) of the report in a process of its own: the whole
    process's memory, the database driver's included, which tracemalloc does not see. The
    peak is VmHWM, which starts afresh at exec (getrusage's maxrss would include the forking
    benchmark's own memory)."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT_PROCESS, url, start.isoformat(), end.isoformat()],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,
    )
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) / 1024


def measured(action: Callable[[], Any]) -> tuple[float, float]:
    """(seconds, peak MiB of Python allocations) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak


def run(label: str, url: str, large: bool) -> Iterator[tuple[str, str, str]]:
    engine = fresh(url)
    empty = batch_rate(engine, ISSUED)
    yield label, "issued/s, library batch path (empty db)", f"{empty:,.0f}"
    rate, p50, p99 = api_rate(url, 2000)
    yield label, "API issuances/s (8 clients)", f"{rate:,.0f}"
    yield label, "API latency p50 / p99 (ms)", f"{p50:.1f} / {p99:.1f}"
    per_second, ratio, embedded = notice_ratio(engine)
    yield (
        label,
        "notices/s per core (x bare reportlab: Helvetica; same embedded font)",
        f"{per_second:,.1f} ({ratio:.1f}x; {embedded:.1f}x)",
    )
    for size in [100_000] + ([1_000_000] if large else []):
        seeded = seed(engine, size, seed=1, now=NOW)
        yield label, f"seed {size:,} citations (s)", f"{seeded.seconds:,.1f}"
        start, end = (NOW - timedelta(days=400)).date(), NOW.date()

        def report(start: date = start, end: date = end) -> Any:
            with transaction(engine) as session:
                return compute_report(session, start, end, actor=OPERATOR, now=NOW)

        seconds, peak = measured(report)
        yield label, f"report at {size:,} (s, peak MiB)", f"{seconds:.2f} s, {peak:.0f} MiB"
        seconds, rss = report_in_fresh_process(url, start, end)
        yield (
            label,
            f"report at {size:,}, own process (s, peak RSS MiB)",
            f"{seconds:.2f} s, {rss:.0f} MiB",
        )

        def daily() -> Any:
            tomorrow = NOW.date() + timedelta(days=1)
            return process_in_chunks(engine, as_of=tomorrow, actor=OPERATOR, now=NOW)

        seconds, _ = measured(daily)
        yield label, f"daily processing at {size:,} (s)", f"{seconds:.2f}"
        stored = batch_rate(engine, ISSUED, first_person=size)  # new people, as in `empty`
        versus = f"{stored:,.0f} ({stored / empty:.0%})"
        yield label, f"issued/s with {size:,} stored (vs empty)", versus
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also 1M citations (slow)")
    parser.add_argument("--only", choices=["SQLite", "PostgreSQL"], help="one backend only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="citations-bench-"))
    targets = [("SQLite", f"sqlite:///{folder / 'bench.db'}")]
    pg = os.environ.get("CITATIONS_BENCH_POSTGRES_URL") or os.environ.get(
        "CITATIONS_TEST_POSTGRES_URL"
    )
    if pg:
        separator = "&" if "?" in pg else "?"
        targets.append(("PostgreSQL", f"{pg}{separator}options=-csearch_path%3Dbench"))
    print("| backend | measure | value |\n|---|---|---|")
    for label, url in targets:
        if args.only and label != args.only:
            continue
        for row in run(label, url, args.large):
            print(f"| {row[0]} | {row[1]} | {row[2]} |", flush=True)


if __name__ == "__main__":
    main()
