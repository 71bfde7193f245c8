"""Every test runs on a pinned clock, so no test depends on the day or the hour it runs.

A pytest plugin (tests/conftest.py loads it). The library takes `now` arguments, but its faces
read the wall clock: the CLI's commands, the API's routes, the clerks' pages and the tokens
they check all act "now". So each test's wall clock (`datetime.now`, `date.today`,
`time.time`, ... in this process and the server threads it starts) starts at `NOW`, 10:00 on
Sunday 2026-11-29 in Los Angeles, and ticks from there, by time-machine. A module or a test
that needs another day says so with a mark, and a test can move its clock on through the
`pinned_clock` fixture:

    pytestmark = pytest.mark.clock(datetime(2026, 12, 4, 18, 0, tzinfo=UTC))

    def test_an_hour_later(pinned_clock: time_machine.Traveller) -> None:
        pinned_clock.shift(timedelta(hours=1))

The pin starts with each test, after fixtures of a wider scope (module, session) are made:
those pass `now` to the library explicitly. A process a test starts runs on the same clock
when started with `pinned_command` (through tests/pinned_cli.py), since a pinned clock does not
cross a process boundary.

What the pin cannot reach (another process, the database server's clock, SQLite's own
`date('now')` in C) is what CI's second run checks: .ci/run runs the suite again with faketime
more than a year ahead, and a test that still reads the real date fails there.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.conftest import NOW

LAUNCHER = Path(__file__).with_name("pinned_cli.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "clock(instant): the aware datetime this test's clock starts at (NOW without the mark)",
    )


def start_of(item: pytest.Item) -> datetime:
    """The instant `item`'s clock starts at: its `clock` mark's, or NOW."""
    marker = item.get_closest_marker("clock")
    if marker is None:
        return NOW
    (instant,) = marker.args
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise TypeError(f"clock mark on {item.nodeid}: {instant!r} is not an aware datetime")
    return instant


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """This test's wall clock: at `start_of(test)`, ticking (sleeps and timeouts still work)."""
    with time_machine.travel(start_of(request.node), tick=True) as traveller:
        yield traveller


def pinned_command(*args: str) -> list[str]:
    """`citations ARGS` as a process of its own whose clock starts where this test's clock is
    now (so it sees the test's day, whatever the real date).

    >>> pinned_command("issue", "shift.jsonl")[-3:]
    ['2026-11-29T18:00:00+00:00', 'issue', 'shift.jsonl']
    """
    instant = datetime.now(UTC).replace(microsecond=0).isoformat()  # to the second: readable
    return [sys.executable, str(LAUNCHER), instant, *args]


def pause(seconds: float) -> None:
    """Wait `seconds` in a polling loop: `time.sleep` for tests.

    Not `time.sleep` itself, because CI's second run goes under Debian's faketime (libfaketime
    0.9.10), which breaks Python 3.11's `time.sleep` (it fails with EINVAL: libfaketime
    shifts the monotonic deadline given to clock_nanosleep; wolfcw/libfaketime#426), while a
    timed wait on a lock works.
    """
    threading.Event().wait(seconds)


def run_to_the_end(command: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, capture_output=True, text=True, timeout=timeout)`, whose
    wait for the exit polls with `time.sleep` when given a timeout (see `pause`): here a timer
    kills the process instead, and the wait blocks.

    >>> run_to_the_end([sys.executable, "-c", "print('done')"], timeout=60).stdout
    'done\\n'
    """
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            stdout, stderr = process.communicate()
        finally:
            watchdog.cancel()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def wait_for_exit(process: subprocess.Popen[str], *, timeout: float) -> int:
    """`process.wait(timeout=timeout)`, which polls with `time.sleep` (see `pause`): here a
    timer kills the process if it has not ended by then, and the wait blocks. Returns its
    exit code (negative: the signal that ended it)."""
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        return process.wait()
    finally:
        watchdog.cancel()
