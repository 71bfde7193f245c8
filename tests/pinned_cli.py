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
    with time_machine.travel(instant, tick=True):
        import cli  # imported on the pinned clock, as the command's own modules are

        sys.argv = ["citations", *args]
        cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
