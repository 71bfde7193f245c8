"""Run the `citations` command on a pinned clock, for tests that start it as a process.

    python tests/pinned_cli.py 2026-11-29T18:00:00+00:00 issue shift.jsonl --database URL

The process's wall clock starts at the given instant and ticks from there (time-machine), so
a command a test starts, a batch import or `citations serve`, sees the test's day whatever the
real date. Tests build this command with `tests.clock.pinned_command`. Only this launcher
moves the clock: the library reads no test-only setting.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import time_machine

SLOW_COMMIT = "CITATIONS_TEST_SLOW_COMMIT"
"""Seconds every commit waits before it is made (tests/live_server.py: `slow_commit`)."""
PINNED_AT = "CITATIONS_TEST_PINNED_AT"
"""The instant the launcher's clock started at, for the worker processes of `citations serve
--workers N`: multiprocessing starts them fresh (spawn), running this file as `__mp_main__`
first, which puts them on the same clock (see the end of the file)."""


def slow_commits(seconds: float) -> None:
    """Make every commit of this process wait first: an answer a server sends before its
    commit then always arrives before the data is there (a timed wait on an Event, not
    time.sleep, which libfaketime breaks)."""
    import threading

    from sqlalchemy import Engine, event

    def wait(_connection: object) -> None:
        threading.Event().wait(seconds)

    event.listen(Engine, "commit", wait)


def main(argv: list[str]) -> None:
    start, *args = argv
    if os.environ.get(SLOW_COMMIT):
        slow_commits(float(os.environ[SLOW_COMMIT]))
    instant = datetime.fromisoformat(start)
    if instant.utcoffset() is None:
        raise SystemExit(f"pinned_cli: {start!r} has no UTC offset")
    os.environ[PINNED_AT] = start
    with time_machine.travel(instant, tick=True):
        import cli  # imported on the pinned clock, as the command's own modules are

        sys.argv = ["citations", *args]
        cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
elif __name__ == "__mp_main__" and os.environ.get(PINNED_AT):
    # A worker process the launched command spawned: the same clock, the same slow commits.
    if os.environ.get(SLOW_COMMIT):
        slow_commits(float(os.environ[SLOW_COMMIT]))
    time_machine.travel(datetime.fromisoformat(os.environ[PINNED_AT]), tick=True).start()
