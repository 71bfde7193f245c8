"""The pace of sending, on a clock the test moves: no real time passes."""

from __future__ import annotations

import threading

import pytest

from citations.outreach.pacing import Pacer, event_wait


class FakeTime:
    """A monotonic clock that moves only when the pacer waits (or the test says)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []
        self.stop_after: int | None = None

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        if self.stop_after is not None and len(self.waits) >= self.stop_after:
            return True
        self.waits.append(round(seconds, 6))
        self.now += seconds
        return False


def test_messages_are_spaced_evenly_at_the_pace() -> None:
    time = FakeTime()
    pacer = Pacer(120, clock=time.clock, wait=time.wait)  # one every half second
    handed = []
    for _ in range(4):
        assert pacer.wait_turn()
        handed.append(time.now)
        pacer.handed_over()
    assert handed == [1000.0, 1000.5, 1001.0, 1001.5]
    assert time.waits == [0.5, 0.5, 0.5]


def test_time_spent_sending_counts_toward_the_wait() -> None:
    time = FakeTime()
    pacer = Pacer(60, clock=time.clock, wait=time.wait)
    pacer.wait_turn()
    pacer.handed_over()
    time.now += 0.75  # the provider took 0.75 s to answer
    assert pacer.wait_turn()
    assert time.waits == [0.25]
    pacer.handed_over()
    time.now += 3.0  # a slow answer: the next may go at once
    assert pacer.wait_turn()
    assert time.waits == [0.25]


def test_the_channel_ready_first_is_the_one_to_serve() -> None:
    time = FakeTime()
    emails = Pacer(480, clock=time.clock, wait=time.wait)  # every 0.125 s
    texts = Pacer(40, clock=time.clock, wait=time.wait)  # every 1.5 s
    emails.handed_over()
    time.now += 0.0625
    texts.handed_over()
    served = []
    for _ in range(14):
        pacer = min((emails, texts), key=Pacer.ready_at)
        pacer.wait_turn()
        pacer.handed_over()
        served.append("e" if pacer is emails else "t")
    # The emails keep their own pace while the texts wait theirs.
    assert "".join(served) == "e" * 12 + "te"
    assert time.now == 1001.625


def test_a_stop_ends_the_wait() -> None:
    time = FakeTime()
    pacer = Pacer(1, clock=time.clock, wait=time.wait)
    pacer.handed_over()
    time.stop_after = 0
    assert pacer.wait_turn() is False
    assert time.now == 1000.0


def test_the_default_wait_ends_when_the_stop_event_is_set() -> None:
    stop = threading.Event()
    stop.set()
    pacer = Pacer(1, wait=event_wait(stop))  # a minute between messages
    pacer.handed_over()
    assert pacer.wait_turn() is False  # at once, not after a minute


def test_a_pace_below_one_a_minute_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Pacer(0, wait=event_wait())
