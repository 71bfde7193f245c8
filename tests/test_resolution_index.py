"""The resolution percentiles read their bucket's rows from the index alone on PostgreSQL
(migration 0026): no visit to the table's rows once the visibility map is current, which at
ten million citations was most of a year's report. SQLite reads them through 0022's index.

The planner is kept from scanning the small test tables whole (`enable_seqscan = off`), so
the plan is the one a large table gets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction
from citations.record.daily import ReportResolutionDay
from citations.record.tables import Citation
from citations.reports.aggregates import rebuild
from citations.reports.resolution import (
    resolution_facts,
    resolution_from_histogram,
    resolution_from_rows,
)
from citations.reports.summed import Period
from citations.roles import OPERATOR
from citations.seed import seed
from tests.conftest import NOW
from tests.databases import Databases
from tests.plans import executed_plans, nodes


@pytest.fixture
def program(databases: Databases, tmp_path: Path) -> Iterator[Engine]:
    """A seeded program on PostgreSQL, its aggregates built and its tables vacuumed."""
    with databases.migrated("postgresql", tmp_path) as url:
        engine = make_engine(url)
        try:
            seed(engine, 400, seed=3, now=NOW)
            with transaction(engine) as session:
                first, last = session.execute(
                    select(func.min(Citation.violation_date), func.max(Citation.violation_date))
                ).one()
                rebuild(session, first, last, actor=OPERATOR)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
                autocommit.exec_driver_sql("VACUUM ANALYZE citations")
            yield engine
        finally:
            engine.dispose()


def test_a_bucket_is_read_from_the_index_alone(program: Engine) -> None:
    with program.connect() as connection:
        session = Session(bind=connection)
        first, last = session.execute(
            select(func.min(Citation.violation_date), func.max(Citation.violation_date))
        ).one()
        in_period = [Citation.violation_date >= first, Citation.violation_date <= last]
        zone = zone_of(PublishedCatalog(session).jurisdiction())
        histogram = Period(session, first, last, [], zone).union(
            ReportResolutionDay, resolution_facts
        )
        count = int(session.scalar(select(func.sum(histogram.c.citations))) or 0)
        assert count > 100
        with executed_plans(
            connection, "SET enable_seqscan = off", "SET enable_bitmapscan = off"
        ) as plans:
            figures = resolution_from_histogram(session, histogram, in_period, count)
            # A statement's plan is logged when its portal closes: at the next statement.
            connection.exec_driver_sql("SELECT 1")
        assert figures == resolution_from_rows(session, in_period, count)
    reads = [plan for plan in plans if "floor(" in plan["Query Text"]]
    scans = [node for read in reads for node in nodes(read["Plan"]) if _reads_citations(node)]
    assert len(reads) >= 2 and scans  # the median's and the 90th percentile's reads
    assert {node["Node Type"] for node in scans} == {"Index Only Scan"}
    assert {node["Heap Fetches"] for node in scans} == {0}


def _reads_citations(node: dict[str, Any]) -> bool:
    return str(node.get("Relation Name", "")).startswith("citations")
