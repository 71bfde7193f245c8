"""`citations serve` as a real process, for tests of what only a real server shows.

The in-process TestClient finishes a request's cleanup (its dependencies' exits, the commit)
before it hands the test the answer, so it cannot see an answer sent before its commit, nor a
session, a header or a kill -9 as a client meets them. `LiveServer` runs the command a user
runs (through `tests.clock.pinned_command`, on the test's clock) on a free port of the
loopback, against the test's database, and can be killed with SIGKILL and started again.

`slow_commit` makes every commit of the server wait that long first (the launcher,
tests/pinned_cli.py, installs the wait; the library knows nothing of it): an answer sent
before its commit is then certain to arrive before the data is there, so a test that reads at
once, or kills the server at once, fails every time instead of now and then.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx2

from tests.clock import pause, pinned_command

SLOW_COMMIT = "CITATIONS_TEST_SLOW_COMMIT"
"""The launcher's setting: seconds every commit of the server waits (tests only)."""

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """One `citations serve` process at a time on `url`; `kill()` is kill -9."""

    def __init__(
        self, database_url: str, log: Path, *, slow_commit: float = 0.0, workers: int = 1
    ) -> None:
        self.database_url = database_url
        self.log = log
        self.slow_commit = slow_commit
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LiveServer:
        """Start the server (on the test's clock as it is now) and wait until it answers."""
        assert self.process is None, "already running"
        command = pinned_command("serve", "--port", str(self.port), "--database", self.database_url)
        if self.workers > 1:  # `--workers 1` is the default: the command as users run it
            command += ["--workers", str(self.workers)]
        environment = dict(os.environ)
        if self.slow_commit:
            environment[SLOW_COMMIT] = str(self.slow_commit)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self.process.poll() is not None:
                raise AssertionError(f"citations serve exited:\n{self.log.read_text()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"citations serve did not start:\n{self.log.read_text()}")
            pause(0.05)
        return self

    def _answers(self) -> bool:
        try:
            with httpx2.Client(timeout=2) as probe:
                return probe.get(f"{self.url}/v1/schemas/intake").status_code == 200
        except httpx2.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, no commit that was still to come. One process
        only: with workers, SIGKILL would leave them serving (use `stop`)."""
        assert self.workers == 1, "kill() stops one process; stop() stops workers too"
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def restart(self) -> LiveServer:
        self.kill()
        return self.start()

    def client(self, token: str | None = None) -> httpx2.Client:
        """A client with a connection of its own (a new client is a new connection)."""
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return httpx2.Client(base_url=self.url, headers=headers, timeout=30)

    def stop(self) -> None:
        """SIGTERM, as an operator stops it; SIGKILL after 10 s (a timer, not `wait(timeout=)`,
        which polls with time.sleep: see `tests.clock.pause`)."""
        if self.process is not None:
            self.process.terminate()
            watchdog = threading.Timer(10, self.process.kill)
            watchdog.start()
            try:
                self.process.wait()
            finally:
                watchdog.cancel()
            self.process = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
