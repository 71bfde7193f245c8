"""The partitioned tables' statistics, and the person triggers that no longer need them.

Autovacuum never analyzes a partitioned table's parent. Without its statistics the planner
took the people whose days the person triggers of migration 0022 mark for a large part of
`citations` and sorted the whole table for them: 4.8 s for an insert of 150 violations at a
million citations. Migration 0025 makes that a lookup per person whatever the planner
believes, and daily processing analyzes the parents (`citations.upkeep`).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from citations import upkeep as upkeep_module
from citations.catalog.publishing import publish
from citations.database import transaction
from citations.partitions import TABLES
from citations.seed.program import seed
from citations.upkeep import analyze, stale_parents, upkeep
from cli import cli
from ordinances.catalog import DEMO_CATALOG, load_catalog
from tests.conftest import NOW
from tests.plans import executed_plans, nodes


def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("partitioned tables and their statistics are PostgreSQL's")


def test_a_persons_citations_are_looked_up_once_per_person_even_when_a_join_looks_cheaper(
    engine: Engine,
) -> None:
    postgres_only(engine)
    seed(engine, 200, seed=5, now=NOW)
    with engine.connect() as connection:
        firsts = connection.execute(
            text(
                "SELECT min(id) FROM citations GROUP BY subject_name_key, subject_dob "
                "ORDER BY 1 LIMIT 6"
            )
        ).scalars()
        chosen = ", ".join(str(first) for first in firsts)
    # Each chosen citation's violations again, at new positions: six people's days go stale.
    statement = (
        "INSERT INTO citation_violations SELECT id + 500000000, citation_id, position + 50, "
        "ordinance_code, category, violation_date, ordinance_version_id, disposition, "
        "prior_count, offense_count, fine_cents, narrative, snapshot "
        f"FROM citation_violations WHERE citation_id IN ({chosen})"
    )
    # A planner that takes a join for cheaper than a lookup per person, as one without the
    # parent's statistics did.
    with engine.connect() as connection:
        with executed_plans(connection, "SET enable_nestloop = off") as executed:
            connection.exec_driver_sql(statement)
        connection.rollback()
    plans = [plan for plan in executed if "report_stale_days" in plan["Query Text"]]
    person = [plan for plan in plans if "subject_name_key = p.k" in plan["Query Text"]]
    assert len(person) == 1, [plan["Query Text"] for plan in plans]
    by_person = [
        node
        for node in nodes(person[0]["Plan"])
        if str(node.get("Relation Name", "")).startswith("citations_y")
        and "subject_name_key" in json.dumps(node)
    ]
    assert by_person, "each person's citations looked up by name key and birth, not joined whole"
    for node in by_person:
        # Once per person (six), never one pass over the whole partition.
        assert node["Actual Loops"] == 6, node
    stale = {plan["Query Text"] for plan in plans}
    assert len(stale) >= 2  # the violation days' own marks (0019) ran as well


def test_daily_processing_analyzes_each_partitioned_table_not_analyzed_this_week(
    engine: Engine, database_url: str
) -> None:
    postgres_only(engine)
    with transaction(engine) as session:
        catalog = load_catalog(DEMO_CATALOG)
        publish(session, catalog, author="test", approved_by="ok", reason="test", now=NOW)
    never = stale_parents(engine)
    assert never == sorted(TABLES)  # a new database: no parent was ever analyzed
    result = CliRunner().invoke(
        # The pinned day: processing refuses only days after the real today, never this one.
        cli,
        ["process", "--as-of", f"{NOW:%Y-%m-%d}", "--no-send", "--database", database_url],
    )
    assert result.exit_code == 0, result.output
    assert f"Upkeep: {len(TABLES)} partitioned tables analyzed." in result.output
    assert stale_parents(engine) == []
    with engine.connect() as connection:
        analyzed = connection.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:tables) "
                "AND last_analyze IS NOT NULL"
            ),
            {"tables": list(TABLES)},
        ).scalars()
        assert sorted(analyzed) == sorted(TABLES)
    again = upkeep(engine, NOW)
    assert again.analyzed == [] and again.left == []  # analyzed this week: not again
    assert again.line() is None


def test_upkeep_makes_the_partitions_in_its_own_transaction_or_leaves_them_to_processing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_only(engine)
    monkeypatch.setattr(upkeep_module, "LOCK_WAIT", "200ms")
    later = NOW.replace(year=2034)
    with engine.connect() as reader:
        # A transaction that has read citations (a request's, say) holds the parent against
        # a new partition: upkeep gives up after LOCK_WAIT rather than wait on it.
        reader.execute(text("SELECT count(*) FROM citations"))
        waited = upkeep(engine, later)
        reader.rollback()
    assert waited.partitions == [] and waited.left[0] == "partitions"
    assert "left for the next run, its lock busy: partitions." in (waited.line() or "")
    done = upkeep(engine, later)
    assert "citations_y2035" in done.partitions and "audit_events_y2033" in done.partitions
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT to_regclass('citations_y2035')")) is not None


def test_a_table_whose_lock_is_taken_is_left_for_the_next_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_only(engine)
    monkeypatch.setattr(upkeep_module, "LOCK_WAIT", "200ms")
    with engine.connect() as holder:
        # What detaching a year or another ANALYZE holds.
        holder.exec_driver_sql("LOCK TABLE citations IN SHARE UPDATE EXCLUSIVE MODE")
        assert analyze(engine, ["citations", "ledger_entries"]) == ["ledger_entries"]
        holder.rollback()
    assert "citations" in stale_parents(engine)
    assert "ledger_entries" not in stale_parents(engine)
    assert analyze(engine, ["citations"]) == ["citations"]


def test_sqlite_has_nothing_to_analyze(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite half")
    assert stale_parents(engine) == []
    assert analyze(engine, TABLES) == []


def test_a_transactions_own_stale_marks_are_found_by_an_index_that_leads_with_it(
    engine: Engine,
) -> None:
    postgres_only(engine)
    with engine.begin() as connection:
        # Marks left by 2,000 other transactions since the last refresh, on a few days. Their
        # ids lie far past this one's, never the reading transaction's: a fixed range met
        # the server's own counter on a new cluster, whose ids start low.
        connection.execute(
            text(
                "INSERT INTO report_stale_days (source, day, transaction_id) "
                "SELECT 'c', CAST(:first AS DATE) + (n % 5), txid_current() + 1000000 + n "
                "FROM generate_series(1, 2000) AS n"
            ),
            {"first": NOW.date()},
        )
        connection.execute(text("ANALYZE report_stale_days"))
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = connection.scalar(
            text(
                "EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) SELECT day FROM report_stale_days s "
                "WHERE s.source = 'c' AND s.transaction_id = txid_current()"
            )
        )
    [scan] = [node for node in nodes(plan[0]["Plan"]) if "Index Name" in node]
    assert scan["Index Name"] == "ix_report_stale_days_transaction"
    assert scan["Index Cond"].startswith("((transaction_id = txid_current())")
    # A descent to one leaf (2,000 marks fill several), not a pass over the others' marks.
    assert scan["Actual Rows"] == 0
    assert scan["Shared Hit Blocks"] + scan["Shared Read Blocks"] <= 3, scan
