"""A group commit of messages from several actors (two agencies' officers) takes every
number sequence it needs before its first audit event takes a lane: while it waits for a
sequence another writer holds, it holds no lane head, so that writer may take any lane
(PostgreSQL; before, two API workers deadlocked here, each holding what the other wanted)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text

from citations.audit import verify
from citations.database import make_engine, transaction
from citations.issuing.pipeline import Issued, Refusal, issue_together
from citations.record.agencies import get_agency, reserve_numbers
from citations.roles import Actor, Role
from tests.clock import pause
from tests.conftest import NOW
from tests.factories import intake, prepare


def test_a_batch_of_two_agencies_waits_for_a_sequence_holding_no_lane(
    engine: Engine, database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer")
    prepare(engine)
    officers = [Actor(f"officer {code}", Role.OFFICER, code) for code in ("DCPD", "OTHR")]
    items = [(intake(agency=officer.agency), officer) for officer in officers]
    outcomes: list[Issued | Refusal] = []
    batch_engine = make_engine(database_url)
    holder = make_engine(database_url)
    try:
        with transaction(holder) as holding:
            reserve_numbers(holding, get_agency(holding, "OTHR"), NOW.year, 0)  # held
            me = holding.scalar(text("SELECT pg_backend_pid()"))
            batch = threading.Thread(
                target=lambda: outcomes.extend(issue_together(batch_engine, items, now=NOW))
            )
            batch.start()
            waiting = None
            while waiting is None:  # until the batch waits for the OTHR sequence
                pause(0.02)
                waiting = holding.scalar(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database() AND pid <> :me"
                    ),
                    {"me": me},
                )
            heads = holding.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND c.relname = 'audit_head' AND l.mode = 'RowShareLock'"
                ),
                {"pid": waiting},
            )
            assert heads == 0  # the batch holds no lane: it has written no event yet
        batch.join()
    finally:
        batch_engine.dispose()
        holder.dispose()
    assert [type(outcome) for outcome in outcomes] == [Issued, Issued]
    numbers = [o.result.citation_number for o in outcomes if isinstance(o, Issued)]
    assert [number[:4] for number in numbers if number] == ["DCPD", "OTHR"]
    with transaction(engine) as session:
        assert verify(session).intact
