"""The pace of sending on one channel: no faster than the provider's limit allows.

SMTP servers and text providers take so many messages a minute from one sender (Twilio
queues, then drops, texts beyond about one a second per long-code number); going faster
only buys refusals. A `Pacer` spaces hand-overs evenly, `60 / per_minute` seconds apart, and
tells the sender when its channel may go next, so one thread can serve several channels,
each at its own pace, by always serving the channel that is ready first.

The clock and the wait are given, so the pacing is tested without real time. The default
wait is a timed wait on an Event, not `time.sleep` (which libfaketime, used by CI's second
run, breaks), and a stop Event ends it at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic clock."""
Wait = Callable[[float], bool]
"""Wait up to this many seconds; True when told to stop meanwhile (an Event's `wait`)."""


def event_wait(stop: threading.Event | None = None) -> Wait:
    """A wait that ends early, answering True, when `stop` is set."""
    event = stop if stop is not None else threading.Event()
    return event.wait


class Pacer:
    """Hand-overs at most `per_minute` a minute, evenly spaced.

    >>> now = [100.0]
    >>> pacer = Pacer(120, clock=lambda: now[0], wait=lambda s: False)
    >>> pacer.ready_at()  # never used: ready at once
    100.0
    >>> pacer.handed_over(); pacer.ready_at()
    100.5
    """

    def __init__(self, per_minute: int, *, clock: Clock = time.monotonic, wait: Wait) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.interval = 60.0 / per_minute
        self._clock = clock
        self._wait = wait
        self._last: float | None = None

    def ready_at(self) -> float:
        """When the next message may go, on the pacer's clock."""
        if self._last is None:
            return self._clock()
        return self._last + self.interval

    def wait_turn(self) -> bool:
        """Wait until the next message may go; False when told to stop while waiting."""
        while True:
            left = self.ready_at() - self._clock()
            if left <= 0:
                return True
            if self._wait(left):
                return False

    def handed_over(self) -> None:
        """A message was just handed to the provider (a refusal counts: it was a call)."""
        self._last = self._clock()
