"""`LocalDate` (the local date of a stored instant, in SQL) gives Python's date on both
backends, around every kind of offset change: Los Angeles' spring and autumn changes at
02:00, London's at 01:00, Lord Howe Island's half hour, and an instant on each side of
local midnight, as the experiment's deadlines ask (`citations.reports.experiment_days`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, literal, select

from citations.orm import UTCDateTime
from citations.reports.local_dates import LocalDate

ZONES = ["America/Los_Angeles", "Europe/London", "Australia/Lord_Howe"]


def instants(zone: ZoneInfo) -> list[datetime]:
    """Each second either side of every offset change of 2026 and of every local midnight
    next to one, and 10:00 of a few ordinary days."""
    found = [datetime(2026, 6, 1, 17, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, tzinfo=UTC)]
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year == 2026:
        later = moment + timedelta(minutes=30)
        if moment.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            local = later.astimezone(zone)
            midnights = [
                datetime.combine(local.date() + timedelta(days=n), datetime.min.time(), zone)
                for n in (0, 1)
            ]
            for edge in (later, *midnights):
                found += [edge - timedelta(seconds=1), edge, edge + timedelta(seconds=1)]
        moment = later
    return found


@pytest.mark.parametrize("name", ZONES)
def test_the_local_date_in_sql_is_pythons(engine: Engine, name: str) -> None:
    zone = ZoneInfo(name)
    moments = instants(zone)
    assert len(moments) > 10  # the zone's changes were found
    rows = [select(literal(m, UTCDateTime()).label("at")) for m in moments]
    stored = rows[0].union_all(*rows[1:]).subquery("stored")
    query = select(stored.c.at, LocalDate(stored.c.at, name))
    with engine.connect() as connection:
        found: dict[datetime, date] = dict(connection.execute(query).all())
    expected: dict[datetime, date] = {m: m.astimezone(zone).date() for m in moments}
    assert {m.astimezone(UTC): d for m, d in found.items()} == {
        m.astimezone(UTC): d for m, d in expected.items()
    }
