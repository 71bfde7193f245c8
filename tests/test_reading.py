"""Work that only reads does not queue behind a writer (SQLite's write lock)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from citations.database import make_engine, reading, reading_rows, transaction
from tests.databases import Databases

Reader = Callable[[Engine], AbstractContextManager[Any]]


@pytest.mark.parametrize("open_reader", [reading, reading_rows], ids=["session", "connection"])
def test_a_read_goes_ahead_while_a_writer_holds_the_lock(
    tmp_path: Path, open_reader: Reader, databases: Databases
) -> None:
    engine = make_engine(databases.sqlite_copy(tmp_path / "lock.db"))
    seen: list[int] = []

    def read() -> None:
        with open_reader(engine) as reader:
            seen.append(reader.execute(text("SELECT count(*) FROM agencies")).scalar_one())

    with transaction(engine) as writer:
        writer.execute(text("SELECT 1"))  # the transaction began: it holds BEGIN IMMEDIATE
        thread = threading.Thread(target=read)
        thread.start()
        thread.join(5)  # a reader that took BEGIN IMMEDIATE would wait up to 30 s
        assert not thread.is_alive()
    assert seen == [0]
    engine.dispose()
