"""Work that only reads does not queue behind a writer (SQLite's write lock)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from citations.database import make_engine, reading, reading_rows, transaction, upgrade


def test_a_read_goes_ahead_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    upgrade(engine)
    seen: list[int] = []

    def read() -> None:
        with reading(engine) as session:
            seen.append(session.execute(text("SELECT count(*) FROM agencies")).scalar_one())

    with transaction(engine) as writer:
        writer.execute(text("SELECT 1"))  # the transaction began: it holds BEGIN IMMEDIATE
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)  # a reader that took BEGIN IMMEDIATE would wait up to 30 s
        assert not reader.is_alive()
    assert seen == [0]
    engine.dispose()


def test_a_bare_read_connection_goes_ahead_of_the_writer_too(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    upgrade(engine)
    seen: list[int] = []

    def read() -> None:
        with reading_rows(engine) as connection:
            seen.append(connection.execute(text("SELECT count(*) FROM agencies")).scalar_one())

    with transaction(engine) as writer:
        writer.execute(text("SELECT 1"))  # the transaction began: it holds BEGIN IMMEDIATE
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)
        assert not reader.is_alive()
    assert seen == [0]
    engine.dispose()
