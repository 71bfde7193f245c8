"""Run the `citations` command on a pinned clock, for tests that start it as a process.

    python tests/pinned_cli.py 2026-11-29T18:00:00+00:00 issue shift.jsonl --database URL

The process's wall clock starts at the given instant and ticks from there (time-machine), so
a command a test starts, a batch import or `citations serve`, sees the test's day whatever the
real date. Tests build this command with `tests.clock.pinned_command`. Only this launcher
moves the clock: the library reads no test-only setting.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main(argv: list[str]) -> None:
    start, *args = argv
    instant = datetime.fromisoformat(start)
    if instant.utcoffset() is None:
        raise SystemExit(f"pinned_cli: {start!r} has no UTC offset")
    with time_machine.travel(instant, tick=True):
        import cli  # imported on the pinned clock, as the command's own modules are

        sys.argv = ["citations", *args]
        cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
