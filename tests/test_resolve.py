"""What is in force on a date: table tests at every effective-date and lookback edge, and
a property over random version histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordinances import NotInEffect, Version, load_catalog
from ordinances.models import FineSchedule, Lookback
from ordinances.resolve import intervals, pick
from tests.conftest import GOOD_CATALOG

CATALOG = load_catalog(GOOD_CATALOG)

# (code, date, expected version start or the start of the NotInEffect reason)
EDGES = [
    ("TC 41.27(c)", date(2019, 12, 31), "its first version takes effect on 2020-01-01"),
    ("TC 41.27(c)", date(2020, 1, 1), date(2020, 1, 1)),
    ("TC 41.27(c)", date(2024, 6, 30), date(2020, 1, 1)),
    ("TC 41.27(c)", date(2024, 7, 1), date(2024, 7, 1)),
    ("TC 41.27(c)", date(2099, 1, 1), date(2024, 7, 1)),
    ("TC 63.44", date(2022, 2, 28), date(2020, 1, 1)),
    ("TC 63.44", date(2022, 3, 1), date(2022, 3, 1)),
    ("TC 63.44", date(2024, 12, 31), date(2022, 3, 1)),
    ("TC 63.44", date(2025, 1, 1), "repealed effective 2025-01-01 (Ordinance 210,000)"),
    ("TC 63.44", date(2030, 1, 1), "repealed effective 2025-01-01"),
]


@pytest.mark.parametrize(("code", "on", "expected"), EDGES)
def test_resolve_at_effective_date_edges(code: str, on: date, expected: date | str) -> None:
    if isinstance(expected, date):
        assert CATALOG.resolve(code, on).effective_from == expected
    else:
        with pytest.raises(NotInEffect) as raised:
            CATALOG.resolve(code, on)
        assert raised.value.reason.startswith(expected)


def test_resolved_version_carries_its_interval_and_fines() -> None:
    before = CATALOG.resolve("TC 41.27(c)", date(2024, 6, 30))
    after = CATALOG.resolve("TC 41.27(c)", date(2024, 7, 1))
    assert before.effective_to == date(2024, 7, 1)
    assert after.effective_to is None
    assert before.version.fines is not None and after.version.fines is not None
    assert before.version.fines.for_offense(1) == Decimal("250.00")
    assert after.version.fines.for_offense(1) == Decimal("200.00")


@pytest.mark.parametrize(
    ("count", "fine"),
    [(1, "250.00"), (2, "500.00"), (3, "1000.00"), (4, "1000.00"), (40, "1000.00")],
)
def test_fine_by_offense_count(count: int, fine: str) -> None:
    schedule = FineSchedule(first=Decimal(250), second=Decimal(500), third_and_later=Decimal(1000))
    assert schedule.for_offense(count) == Decimal(fine)


def test_offense_count_starts_at_one() -> None:
    schedule = FineSchedule(first=Decimal(1), second=Decimal(2), third_and_later=Decimal(3))
    with pytest.raises(ValueError, match="at least 1"):
        schedule.for_offense(0)


# (lookback, violation date, first day a prior still counts)
LOOKBACK_EDGES = [
    (Lookback(months=12), date(2026, 3, 15), date(2025, 3, 15)),
    (Lookback(months=12), date(2028, 2, 29), date(2027, 2, 28)),  # leap day, clamped
    (Lookback(months=12), date(2029, 2, 28), date(2028, 2, 28)),
    (Lookback(months=12), date(2028, 3, 1), date(2027, 3, 1)),
    (Lookback(months=1), date(2026, 3, 31), date(2026, 2, 28)),
    (Lookback(months=1), date(2024, 3, 31), date(2024, 2, 29)),
    (Lookback(months=24), date(2026, 1, 31), date(2024, 1, 31)),
    (Lookback(months=3), date(2026, 1, 15), date(2025, 10, 15)),  # across a year
    (Lookback(days=365), date(2028, 2, 29), date(2027, 3, 1)),
    (Lookback(days=365), date(2026, 3, 15), date(2025, 3, 15)),
    (Lookback(days=30), date(2026, 3, 1), date(2026, 1, 30)),
]


@pytest.mark.parametrize(("lookback", "violation", "start"), LOOKBACK_EDGES)
def test_lookback_window_start(lookback: Lookback, violation: date, start: date) -> None:
    assert lookback.window_start(violation) == start


def test_lookback_needs_exactly_one_unit() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Lookback()
    with pytest.raises(ValueError, match="exactly one"):
        Lookback(months=1, days=1)


def _version(effective: date, repealed: bool = False) -> Version:
    if repealed:
        return Version(effective=effective, disposition="repealed", source="s")
    return Version(effective=effective, disposition="warning_only", source="s")


histories = st.lists(
    st.tuples(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.booleans()),
    min_size=1,
    max_size=8,
    unique_by=lambda item: item[0],
).map(lambda items: [_version(d, r and i > 0) for i, (d, r) in enumerate(sorted(items))])


@given(versions=histories, on=st.dates(date(1999, 1, 1), date(2041, 12, 31)))
def test_pick_returns_the_version_whose_interval_holds_the_date(
    versions: list[Version], on: date
) -> None:
    spans = intervals(versions)
    holding = [span for span in spans if span.holds(on)]
    assert len(holding) <= 1  # half-open intervals never overlap
    try:
        found = pick("X", versions, on)
    except NotInEffect:
        assert not holding or holding[0].version.disposition == "repealed"
    else:
        assert holding == [found]
        assert found.start <= on and (found.end is None or on < found.end)
        assert found.version.disposition != "repealed"


@given(versions=histories)
def test_intervals_cover_every_day_from_the_first_version(versions: list[Version]) -> None:
    spans = intervals(versions)
    for before, after in pairwise(spans):
        assert before.end == after.start
    assert spans[-1].end is None
    assert spans[0].start == versions[0].effective
    day_before = spans[0].start - timedelta(days=1)
    assert not any(span.holds(day_before) for span in spans)
