"""Group commit for intake that arrives one message per request (the HTTP API).

Each commit waits for the disk (about 4 ms on SQLite in WAL mode with full durability), so a
server that commits every request on its own cannot issue more than a few hundred citations
a second however fast the rest is. Here requests hand their message to one writer thread,
which takes every message waiting, decides and records them together (`issue_together`),
commits once, and answers each request with its own outcome. Under no load a message is
written at once, alone; under load, the wait for one commit is shared by everyone waiting.
Nothing is answered before it is committed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from sqlalchemy import Engine

from citations.gc_tuning import fewer_collections
from citations.issuing.intake import IntakeMessage
from citations.issuing.pipeline import Issued, Refusal, issue_together
from citations.roles import Actor

MAX_GROUP = 200
"""Messages written together at most (the batch path's chunk)."""

Request = tuple[IntakeMessage, Actor, "Future[Issued | Refusal]"]


class IntakeWriter:
    """One writer thread per application; `submit` blocks until the message is committed."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self._waiting: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, message: IntakeMessage, actor: Actor) -> Issued:
        """Issue `message` for `actor`; raises the refusal `issue` would raise."""
        self._start()
        done: Future[Issued | Refusal] = Future()
        self._waiting.put((message, actor, done))
        outcome = done.result()
        if isinstance(outcome, Issued):
            return outcome
        raise outcome

    def close(self) -> None:
        """Finish what is waiting, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._waiting.put(None)
            thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="citations-intake-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    item = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            self._write(group)
            if stop:
                return

    def _write(self, group: list[Request]) -> None:
        try:
            with fewer_collections():
                outcomes = issue_together(
                    self.engine,
                    [(message, actor) for message, actor, _ in group],
                    now=self.clock(),
                )
        except Exception as exc:  # the database went away: every waiting request learns it
            for _, _, done in group:
                done.set_exception(exc)
            return
        for (_, _, done), outcome in zip(group, outcomes, strict=True):
            done.set_result(outcome)
