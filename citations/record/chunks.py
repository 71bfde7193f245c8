"""Batch steps in chunks: each transaction takes the next few candidates, and commits.

Daily processing once ran every step in one transaction. From its first audit event on a
citation it held that event's lane of the audit chain, and soon every lane: every other writer
in the city (a payment at the counter, an officer's citation, a clerk's note) waited for the
whole run, and each candidate it locked stayed locked until the end. Taken a chunk at a time,
a writer waits at most one chunk.

A step given a `Window` reads only the candidates after the last one the window saw, in key
order, at most `size`; the candidates it skips (locked by someone else, nothing owed, no
address) are therefore not read again in the same run, and the next run, which changes only
what is still due, takes them. A step given no window takes every candidate at once, in the
caller's transaction, as before: the library's `process(session, ...)` still does that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from citations.database import transaction

CHUNK: Final = 10
"""Candidates per transaction. Making a citation late costs about 110 ms on the 2-core
development machine (its penalty, its late notice rendered and kept, its access code), so ten
make a chunk of about a second; a commit costs a few milliseconds. Measured with
`bench/processing_chunks.py` (1,000 late, two payers paying all along): with chunks of 50,
payments took 6.7 s at the 99th percentile and 12.2 s at most; with chunks of 10, 1.6 s and
2.2 s; in one transaction, every payment waited for the whole run, 114 s."""


@dataclass
class Window:
    """Where a step in chunks has got to: the key of the last candidate read."""

    size: int = CHUNK
    after: int = 0
    done: bool = False

    def saw(self, keys: Sequence[int]) -> None:
        """The keys of the candidates this chunk read (skipped ones too)."""
        if keys:
            self.after = max(keys)
        self.done = len(keys) < self.size


def read_chunk(
    session: Session, query: Select[Any], key: InstrumentedAttribute[int], window: Window | None
) -> list[Any]:
    """`query`'s entities in key order: the window's next chunk of them, the window moved past
    every one (every entity without a window)."""
    query = query.order_by(key)
    if window is None:
        return list(session.scalars(query))
    found = list(session.scalars(query.where(key > window.after).limit(window.size)))
    window.saw([getattr(entity, key.key) for entity in found])
    return found


def in_chunks(
    engine: Engine, step: Callable[[Session, Window], list[str]], size: int = CHUNK
) -> list[str]:
    """Run `step` a chunk per transaction until it has read every candidate; what each chunk
    returned (the citation numbers it changed), in order."""
    window = Window(size)
    changed: list[str] = []
    while not window.done:
        before = window.after
        with transaction(engine) as session:
            changed.extend(step(session, window))
        if not window.done and window.after <= before:
            raise RuntimeError(f"{step.__name__} read a chunk without moving its window")
    return changed
