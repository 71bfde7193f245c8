"""The seed's writing on PostgreSQL (`citations.seed.rows`, `citations.seed.copying`): COPY
writes what INSERT would, column for column; several writer threads committing batches in
any order make the same program as one batch; a writer's failure stops the seed; and the
closing pass gives the same balances and next citation days in chunks as in one pass."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, insert, select, update

from citations.audit import verify
from citations.database import make_engine, transaction
from citations.record.ledger import balance_drift
from citations.record.tables import Citation
from citations.seed import ORDER, seed
from citations.seed.copying import copy_rows
from citations.seed.settle import settle
from tests.conftest import NOW
from tests.databases import BACKENDS, Databases

SIZE = 120
SMALL = 15
"""`BATCH` in the many-batch runs: `BATCH * 4` pending rows make a flush, so a batch is 60
rows, a few citations, instead of the whole program."""


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded table's rows, every column, by id: the program to the byte."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(select(table).order_by(*_key(table)))
            ]
            for table in ORDER
        }


def _key(table: Table) -> list[Any]:
    return [table.c.id] if "id" in table.c else list(table.primary_key.columns)


@pytest.fixture
def seeded_at(databases: Databases, tmp_path: Path) -> Any:
    """Seeds the program into a new PostgreSQL database; its rows, once the seed is done."""

    def at() -> dict[str, list[tuple[Any, ...]]]:
        with databases.migrated("postgresql", tmp_path) as url:
            engine = make_engine(url)
            try:
                seed(engine, SIZE, seed=5, now=NOW)
                with transaction(engine) as session:
                    checked = verify(session)
                assert checked.intact, checked.problem
                return every_row(engine)
            finally:
                engine.dispose()

    return at


def test_many_batches_in_flight_make_the_same_program_as_one(
    seeded_at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = seeded_at()
    assert sum(len(rows) for rows in whole.values()) > 1000  # the program is not empty
    monkeypatch.setattr("citations.seed.rows.BATCH", SMALL)
    written: list[int] = []
    copy = copy_rows

    def counted(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        written.append(len(rows))
        copy(connection, table, rows)

    monkeypatch.setattr("citations.seed.rows.copy_rows", counted)
    assert seeded_at() == whole
    assert len(written) > 3 * len(ORDER)  # many batches, not one


def test_copy_writes_what_insert_would(seeded_at: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every column's value through COPY (JSON, enums, UTC times, Python defaults) is the
    one SQLAlchemy's INSERT stores."""
    copied = seeded_at()

    def inserted(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        connection.execute(insert(table), rows)

    monkeypatch.setattr("citations.seed.rows.copy_rows", inserted)
    assert seeded_at() == copied


def test_a_writer_that_fails_stops_the_seed(
    seeded_at: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("citations.seed.rows.BATCH", SMALL)
    calls: list[str] = []

    def failing(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        calls.append(table.name)
        if len(calls) == 40:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr("citations.seed.rows.copy_rows", failing)
    with pytest.raises(RuntimeError, match="the disk is full"):
        seeded_at()
    assert len(calls) < 200, "the seed went on writing after a batch failed"
    assert not [t for t in threading.enumerate() if t.name.startswith("seed-writer")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_settling_in_chunks_sets_what_one_pass_sets(
    databases: Databases, tmp_path: Path, backend: str
) -> None:
    """The seed's closing pass, in chunks with a VACUUM between them, gives every citation
    the balance and next citation day that one pass over all of them gives."""
    settled = select(Citation.id, Citation.balance_cents, Citation.next_citation_date)
    with databases.migrated(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            seed(engine, SIZE, seed=5, now=NOW)
            with engine.connect() as connection:
                whole = connection.execute(settled.order_by(Citation.id)).all()
            assert any(balance for _, balance, _ in whole) and any(d for _, _, d in whole)
            with transaction(engine) as session:
                session.execute(update(Citation).values(balance_cents=0, next_citation_date=None))
            assert settle(engine, chunk=7) > len(whole) // 7
            with engine.connect() as connection:
                assert connection.execute(settled.order_by(Citation.id)).all() == whole
            with transaction(engine) as session:
                assert balance_drift(session) == []
        finally:
            engine.dispose()
