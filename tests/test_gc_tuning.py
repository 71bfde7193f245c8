"""The collector's threshold is raised while issuing and restored after, across threads."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from citations.gc_tuning import ALLOCATIONS_PER_COLLECTION, fewer_collections
from cli import cli
from tests.databases import Databases


def test_overlapping_blocks_in_two_threads_restore_the_setting_once_both_leave() -> None:
    before = gc.get_threshold()
    a_inside, b_inside, a_may_leave, a_left = (threading.Event() for _ in range(4))

    def first() -> None:
        with fewer_collections():
            a_inside.set()
            a_may_leave.wait(5)
        a_left.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert a_inside.wait(5)
    with fewer_collections():
        b_inside.set()
        a_may_leave.set()
        assert a_left.wait(5)
        # The first block has ended; this one is still inside: still raised.
        assert gc.get_threshold()[0] == max(before[0], ALLOCATIONS_PER_COLLECTION)
    thread.join(5)
    assert gc.get_threshold() == before


def test_serve_settles_the_collector_before_it_serves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, databases: Databases
) -> None:
    url = databases.sqlite_copy(tmp_path / "serve.db")
    frozen: list[int] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda *args, **kwargs: frozen.append(gc.get_freeze_count())
    )
    try:
        result = CliRunner().invoke(cli, ["serve", "--database", url])
    finally:
        gc.unfreeze()  # give this test process its collector back
    assert result.exit_code == 0, result.output
    assert frozen and frozen[0] > 0
