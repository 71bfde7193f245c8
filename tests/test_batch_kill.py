"""A batch import killed in the middle (kill -9) and run again ends with every record issued
exactly once: no duplicates, no gaps in the numbers, an intact audit chain (both backends).

`citations issue` runs as a real process on a batch of a few thousand records (citations with
numbers assigned online, citations written offline with numbers from a device's block, and
referrals). The test waits until some chunks are committed, kills the process with SIGKILL
(no cleanup of any kind), runs the same command again to the end, and then checks the
database: the chunk that was being written when the process died left nothing, not even the
numbers it had reserved, and the rerun replayed what was committed and issued the rest.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from citations.audit import AuditEvent, verify
from citations.database import transaction
from citations.record.agencies import allocate_block
from citations.record.ledger import LedgerEntry
from citations.record.numbering import CitationNumber
from citations.record.tables import Citation, IntakeRecord, NumberSequence
from citations.roles import OPERATOR
from tests.clock import pause, pinned_command, run_to_the_end
from tests.conftest import NOW
from tests.factories import message, prepare, subject

RECORDS = 3000
OFFLINE_EVERY = 5
"""Every 5th record was written offline, with the next number of device unit-77's block."""
REFERRED_EVERY = 7
"""Every 7th record (not written offline) is a 16-year-old in 2021: referred, no number."""
DEVICE_YEAR = 2026


def kind_of(index: int) -> str:
    if index % OFFLINE_EVERY == 0:
        return "offline"
    return "referred" if index % REFERRED_EVERY == 0 else "online"


def write_batch(path: Path) -> dict[str, str]:
    """The batch file; returns each record's kind by message_id."""
    kinds, lines, offline = {}, [], 0
    for index in range(1, RECORDS + 1):
        kind = kind_of(index)
        person = subject(
            first_name=f"Person{index}",
            identifiers=[{"type": "CA-DL", "number": f"K{index:07d}"}],
        )
        body = message(message_id=str(uuid.UUID(int=index)), subject=person)
        if kind == "offline":
            offline += 1
            number = CitationNumber("DCPD", DEVICE_YEAR, offline)
            body.update(device_id="unit-77", citation_number=str(number))
        elif kind == "referred":
            body.update(
                violation_at="2021-06-01T12:00:00-07:00",
                subject=subject(**{**person, "date_of_birth": "2005-01-01"}),
            )
        kinds[body["message_id"]] = kind
        lines.append(json.dumps(body))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kinds


def issue_command(path: Path, database_url: str) -> list[str]:
    """`citations issue FILE` in a process of its own, as an operator would run it, on the
    test's clock (the citations' year and the violations' age depend on the day)."""
    return pinned_command("issue", str(path), "--database", database_url)


IMPORT = "citations-batch-kill-test"
"""The import's application_name on PostgreSQL, to find its connection."""


def ready_to_kill(engine: Engine, database_url: str) -> bool:
    """A few chunks committed and, on PostgreSQL, the next one half-written: its transaction
    has written rows (it has a transaction id), so the kill must roll back written rows and
    reserved numbers. SQLite is read without taking its write lock (which every transaction
    of the engine takes) so the import is not slowed; there the kill lands wherever it lands."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(f"file:{url.database}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute("SELECT count(*) FROM citations").fetchone()[0]) >= 600
    with engine.connect() as connection:
        done = connection.scalar(select(func.count()).select_from(Citation)) or 0
        writing = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = :name AND backend_xid IS NOT NULL"
            ),
            {"name": IMPORT},
        )
    return done >= 600 and bool(writing)


def kill_midway(command: list[str], engine: Engine, database_url: str, log: Path) -> None:
    """Start the import and SIGKILL it once `ready_to_kill`."""
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        deadline = time.monotonic() + 300
        try:
            while not ready_to_kill(engine, database_url):
                ended = process.poll() is not None
                assert not ended, f"the import ended first: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "the import did not get going in 5 minutes"
                pause(0.01)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL


def count(engine: Engine, model: type[Any]) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_batch_killed_midway_and_run_again_issues_every_record_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    prepare(engine)
    with transaction(engine) as session:
        size = RECORDS // OFFLINE_EVERY
        allocate_block(session, "DCPD", "unit-77", size, year=DEVICE_YEAR, actor=OPERATOR, now=NOW)
    kinds = write_batch(tmp_path / "shift.jsonl")
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.update_query_dict({"application_name": IMPORT})
    command = issue_command(tmp_path / "shift.jsonl", url.render_as_string(hide_password=False))

    kill_midway(command, engine, database_url, tmp_path / "killed.log")
    expected = Counter(kinds.values())
    issued_total = expected["online"] + expected["offline"]
    before_rerun = count(engine, Citation), count(engine, IntakeRecord)
    assert 600 <= before_rerun[0] < issued_total, "the kill did not land mid-way"

    rerun = run_to_the_end(command, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    lines = rerun.stdout.splitlines()
    # What the killed run committed, and only that, is replayed.
    replayed = [line for line in lines if "(already received)" in line]
    assert len(replayed) == before_rerun[1]
    issued_before = sum(1 for line in replayed if ": issued " in line)
    assert issued_before == before_rerun[0]
    referred_now = expected["referred"] - (len(replayed) - issued_before)
    summary = (
        f"{RECORDS} records: {issued_total - issued_before} issued, "
        f"{len(replayed)} already recorded" + (f", {referred_now} referred" if referred_now else "")
    )
    assert lines[-1] == summary
    print(
        f"\nkilled with {before_rerun[0]} citations committed; the rerun replayed {len(replayed)}"
    )

    with transaction(engine) as session:
        intakes = session.execute(select(IntakeRecord.message_id, IntakeRecord.outcome)).all()
        citations = session.execute(
            select(IntakeRecord.message_id, Citation.number).join(
                Citation, Citation.intake_id == IntakeRecord.id
            )
        ).all()
        sequences = session.scalars(select(NumberSequence)).all()
        fines = session.scalar(select(func.count()).select_from(LedgerEntry))
        intake_events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("intake.%"))
        )
        chain = verify(session)

    # Every record exactly once, with its own outcome.
    assert sorted(m for m, _ in intakes) == sorted(kinds)
    assert Counter(o for _, o in intakes) == {
        "issued": issued_total,
        "referred": expected["referred"],
    }
    by_message = Counter(m for m, _ in citations)
    assert set(by_message) == {m for m, k in kinds.items() if k != "referred"}
    assert max(by_message.values()) == 1
    numbers = [CitationNumber.parse(n) for _, n in citations]
    assert len(set(numbers)) == len(numbers) == issued_total

    # No gaps: the device's block is used exactly, and numbers given online (in the year of
    # the import's pinned clock, the block's year) follow it without a hole; the counter
    # stands right after the last one (nothing reserved and lost).
    assert {n.year for n in numbers} == {DEVICE_YEAR}
    sequences_used = sorted(n.sequence for n in numbers)
    assert sequences_used == list(range(1, issued_total + 1))
    assert {(s.year, s.next_sequence) for s in sequences} >= {(DEVICE_YEAR, issued_total + 1)}

    # One fine and one audit event per record; the chain verifies from the first event.
    assert fines == issued_total
    assert intake_events == RECORDS
    assert chain.intact, chain
