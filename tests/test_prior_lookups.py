"""A batch's people are looked up by the index on (name key, date of birth), one probe per
person, on PostgreSQL.

The lookup was "name_key IN (...) AND dob IN (...)". PostgreSQL (before 17) costs two lists
on a two-column index as a probe per combination (200 x 200), so it chose the index on the
date of birth alone, and read every citation of those 200 birthdays: 23,000 at a million
citations, 150 ms per chunk of 200, and issuing ran at 73% of its empty-database rate. Now the
pairs are joined as arrays unnested (`citations.issuing.priors`).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from citations.issuing.intake import Subject
from citations.issuing.priors import PriorIndex
from citations.record.tables import Citation
from citations.seed.program import seed
from tests.conftest import NOW
from tests.plans import executed_plans, nodes


def test_people_are_found_through_the_name_and_birth_index_one_probe_each(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's; SQLite's lookup is tested with it")
    seed(engine, 300, seed=7, now=NOW)
    with engine.begin() as connection:
        # Everyone born on one of three days: the index on the date alone now finds a hundred
        # citations per probe, the one on name and date one.
        connection.execute(
            text("UPDATE citations SET subject_dob = DATE '1980-01-01' + CAST(id % 3 AS INTEGER)")
        )
        connection.execute(text("ANALYZE citations"))
        populated = set(
            connection.scalars(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' "
                    "AND relname LIKE 'citations\\_%' AND reltuples > 0"
                )
            )
        )
    with Session(engine) as session:
        citations = session.execute(
            select(Citation.id, Citation.subject_name_key, Citation.subject_dob)
            .where(Citation.subject_dob.is_not(None))
            .order_by(Citation.id)
            .limit(40)
        ).all()
    people = {(key, born) for _, key, born in citations}
    # A Subject whose name key is one of the seeded ones: "first last", lower case.
    subjects = [
        Subject(first_name=key.split(" ", 1)[0], last_name=key.split(" ", 1)[1], date_of_birth=born)
        for key, born in people
    ]
    assert {(s.name_key(), s.date_of_birth) for s in subjects} == people
    someone_else = Subject(first_name="No", last_name="Body", date_of_birth=date(1970, 1, 1))
    with engine.connect() as connection:
        # With the table this small a scan is cheapest: an index it must be, but which one.
        with executed_plans(connection, "SET enable_seqscan = off") as plans:
            index = PriorIndex.load(Session(connection), [*subjects, someone_else])
        connection.rollback()
    for citation_id, key, born in citations:
        assert born is not None and citation_id in index.by_name[(key, born)]
    assert (someone_else.name_key(), date(1970, 1, 1)) not in index.by_name
    by_name = [plan for plan in plans if "subject_name_key" in plan["Query Text"]]
    assert len(by_name) == 1, [plan["Query Text"] for plan in plans]
    scans = [
        node
        for node in nodes(by_name[0]["Plan"])
        if node.get("Relation Name") in populated  # an empty year's partition is any index's
    ]
    assert {scan["Relation Name"] for scan in scans} == populated
    for scan in scans:
        assert "subject_name_key_subject_dob" in scan.get("Index Name", ""), scan
        # One probe per person, not one pass over their birthdays.
        assert scan["Actual Loops"] == len(people) + 1, scan
