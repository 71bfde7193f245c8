"""Citations looked up by whole numbers take the unique index, never the trigram one.

Every commit that changes citations looks them up by number (`citations.outreach.sync`,
`number IN (...)`). While pg_trgm's index was on the column itself, PostgreSQL (pg_trgm 1.6
answers `=` too) chose it for that lookup once the table had statistics, and each number,
sharing most trigrams with every other, read much of the index: 1.2 s for 150 numbers with
3,000 citations stored. Migration 0024 moved the trigrams onto upper(number), which the
search by part uses (`citations.record.search`) and equality cannot.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select, text

from citations.database import transaction
from citations.record.search import search_citations
from citations.record.tables import Citation
from citations.roles import OPERATOR
from citations.seed.program import seed
from tests.conftest import NOW


def plan_of(engine: Engine, statement: str) -> str:
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # an index, but which one
        return json.dumps(connection.scalar(text(f"EXPLAIN (FORMAT JSON) {statement}")))


def test_numbers_are_looked_up_by_the_unique_index_and_found_in_part_by_trigrams(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm's trigram indexes are PostgreSQL's")
    seed(engine, 300, seed=3, now=NOW)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE citations"))
    with transaction(engine) as session:
        numbers = list(session.scalars(select(Citation.number).order_by(Citation.id).limit(150)))
        lookup = select(Citation.id).where(Citation.number.in_(numbers))
        sql = str(lookup.compile(engine, compile_kwargs={"literal_binds": True}))
    plan = plan_of(engine, sql)
    assert "uq_citations_number" in plan
    assert "number_part" not in plan and "trgm" not in plan
    with engine.connect() as connection:
        trigram_indexes = connection.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid::regclass::text LIKE 'citations%'"
                " AND pg_get_indexdef(indexrelid) LIKE '%(number%'"
                " AND pg_get_indexdef(indexrelid) LIKE '%gin_trgm_ops%'"
            )
        ).all()
    # On the parent and on every year's partition, on the expression only.
    assert len(trigram_indexes) >= 4
    assert all("upper((number)::text)" in definition for _, definition in trigram_indexes)
    # The search by part of a number still finds it, by the trigrams when they are cheaper.
    part = "-".join(numbers[0].split("-")[1:3])  # the year and the sequence: "2025-000001"
    part_plan = plan_of(engine, f"SELECT id FROM citations WHERE upper(number) LIKE '%{part}%'")
    assert "Index Cond" in part_plan and "upper((number)::text) ~~" in part_plan
    with transaction(engine) as session:
        found = search_citations(session, part.lower(), actor=OPERATOR)
    assert [hit.number for hit in found.hits] == [numbers[0]]
    assert found.hits[0].matched == ["number"]
