"""Repeat-citation rates at their date edges, on both backends.

The rule (citations/reports/compute.py `_repeats`): of the people cited for an ordinance in
the period, how many were cited again, for anything and on a later day, within 6 and within
12 months; only citations whose window has fully passed by the report's end count. A month
is added as PostgreSQL adds it: 31 August + 6 months is 28 (or 29) February.

One database per backend holds every case. Each case has its own person, whose first
citation is in the case's own area; the person's later citations are elsewhere, so a
report limited to the case's area sees only the first citation (and the later ones only
through its next citation day, as a repeat must).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Date, Engine, literal, select

from citations.database import make_engine, transaction
from citations.issuing.amend import Amendment, amend_citation
from citations.issuing.void import void_citation
from citations.record.agencies import allocate_block
from citations.record.numbering import CitationNumber
from citations.record.repeats import add_months, months_later
from citations.record.tables import Citation
from citations.reports.compute import compute_report
from citations.reports.model import RepeatRate
from citations.reports.repeated import repeat_facts, repeat_facts_at_once
from citations.roles import OPERATOR, Actor, Role
from tests.conftest import NOW
from tests.databases import Databases
from tests.factories import message, prepare, send, subject
from tests.permission_world import BACKENDS
from tests.report_program import next_days_from_scratch, stored_next_days

ATTORNEY = Actor("attorney Kim", Role.ATTORNEY)
DRINKING = "TC 41.27(c)"
PARK = "TC 63.44"  # a civil citation from 2022-03-01 until its repeal on 2025-01-01
ELSEWHERE = "Elsewhere"
LAST_DAY = "2026-11-29"


def moment(day: str) -> datetime:
    """10:00 on `day` at a fixed offset of UTC-8: the local date is `day` all year round."""
    return datetime.fromisoformat(f"{day}T10:00:00-08:00")


def cite(
    engine: Engine,
    first_name: str,
    day: str,
    *,
    area: str,
    ordinance: str = DRINKING,
    born: str | None = "1990-04-02",
    arrived: str | None = None,
    **extra: Any,
) -> str:
    """Issue one citation to `first_name` Repeat; `arrived` is when the message came in (by
    default, an hour after the violation)."""
    body = message(
        violation_at=moment(day).isoformat(),
        location={"address": "1 Main St", "area": area},
        subject=subject(
            first_name=first_name, last_name="Repeat", date_of_birth=born, identifiers=[]
        ),
        violations=[{"ordinance": ordinance, "narrative": "Observed by the officer."}],
        **extra,
    )
    now = moment(arrived) if arrived else moment(day) + timedelta(hours=1)
    number = send(engine, body, now=now).result.citation_number
    assert number is not None, f"{first_name} on {day} was not cited"
    return number


def repeat_row(engine: Engine, area: str, end: str) -> RepeatRate | None:
    """The repeat-rate row for TC 41.27(c) in a report limited to `area` (None: no row)."""
    with transaction(engine) as session:
        report = compute_report(
            session,
            date(2020, 1, 1),
            date.fromisoformat(end),
            areas=[area],
            actor=ATTORNEY,
            now=NOW,
        )
    rows = {row.ordinance: row for row in report.repeat_rates}
    assert set(rows) <= {DRINKING}
    return rows.get(DRINKING)


def figures(row: RepeatRate | None) -> tuple[int, int, int, int] | None:
    """(people, again within 6 months, people with 12 months passed, again within 12)."""
    if row is None:
        return None
    return (row.people, row.again_6_months, row.people_12_months, row.again_12_months)


def next_day_of(engine: Engine, number: str) -> date | None:
    with transaction(engine) as session:
        return session.scalar(select(Citation.next_citation_date).where(Citation.number == number))


@dataclass(frozen=True)
class Case:
    id: str
    first: str
    """The day of the person's citation for TC 41.27(c) in the case's area."""
    later: tuple[str, ...] = ()
    """The days of the same person's later citations, elsewhere."""
    expected: tuple[int, int, int, int] | None = None
    end: str = LAST_DAY
    here_too: tuple[str, ...] = ()
    """Further citations of the person in the case's own area."""
    later_ordinance: str = DRINKING
    born: str | None = "1990-04-02"


CASES = [
    Case("exactly-6-months", "2025-01-15", ("2025-07-15",), (1, 1, 1, 1)),
    Case("6-months-and-a-day", "2025-01-15", ("2025-07-16",), (1, 0, 1, 1)),
    Case("exactly-12-months", "2025-01-15", ("2026-01-15",), (1, 0, 1, 1)),
    Case("12-months-and-a-day", "2025-01-15", ("2026-01-16",), (1, 0, 1, 0)),
    Case("same-day-twice", "2025-01-15", ("2025-01-15",), (1, 0, 1, 0)),
    Case("another-ordinance", "2024-07-10", ("2024-09-01",), (1, 1, 1, 1), later_ordinance=PARK),
    Case("window-not-passed", "2026-07-01", ("2026-08-01",), None),
    Case("6-passed-12-not", "2026-03-01", ("2026-05-01",), (1, 1, 0, 0)),
    Case("no-date-of-birth", "2025-01-15", ("2025-02-01",), None, born=None),
    Case("cited-twice-here-counts-once", "2025-01-15", (), (1, 1, 1, 1), here_too=("2025-03-01",)),
    # 31 August + 6 months is the last day of February (SQLite's date() said 3 March).
    Case("aug-31-then-feb-28", "2025-08-31", ("2026-02-28",), (1, 1, 1, 1)),
    Case("aug-31-then-mar-1", "2025-08-31", ("2026-03-01",), (1, 0, 1, 1)),
    Case("aug-31-then-mar-3", "2025-08-31", ("2026-03-03",), (1, 0, 1, 1)),
    Case("aug-31-passed-on-feb-28", "2025-08-31", (), (1, 0, 0, 0), end="2026-02-28"),
    Case("aug-31-not-passed-on-feb-27", "2025-08-31", (), None, end="2026-02-27"),
    Case("leap-aug-31-then-feb-29", "2023-08-31", ("2024-02-29",), (1, 1, 1, 1)),
    Case("leap-aug-31-then-mar-1", "2023-08-31", ("2024-03-01",), (1, 0, 1, 1)),
    Case("feb-29-plus-12-is-feb-28", "2024-02-29", ("2025-02-28",), (1, 0, 1, 1)),
    Case("feb-29-then-mar-1-next-year", "2024-02-29", ("2025-03-01",), (1, 0, 1, 0)),
    Case("mar-31-then-oct-1", "2025-03-31", ("2025-10-01",), (1, 0, 1, 1)),
    Case("dec-31-then-jun-30", "2024-12-31", ("2025-06-30",), (1, 1, 1, 1)),
]


def cite_every_case(engine: Engine) -> None:
    """The catalog, then every case of CASES: its citations in its own area, and its later
    ones elsewhere."""
    prepare(engine)
    for case in CASES:
        for day in (case.first, *case.here_too):
            cite(engine, case.id, day, area=case.id, born=case.born)
        for day in case.later:
            ordinance = case.later_ordinance
            cite(engine, case.id, day, area=ELSEWHERE, ordinance=ordinance, born=case.born)


@dataclass(frozen=True)
class World:
    engine: Engine


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[World]:
    """Every case of CASES issued into one database per backend."""
    assert len({case.id for case in CASES}) == len(CASES), "each case needs its own area"
    folder: Path = tmp_path_factory.mktemp("repeats")
    with databases.migrated(request.param, folder) as url:
        engine = make_engine(url)
        try:
            cite_every_case(engine)
            yield World(engine)
        finally:
            engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_repeat_rates_at_date_edges(world: World, case: Case) -> None:
    row = repeat_row(world.engine, case.id, case.end)
    assert figures(row) == case.expected
    if row is not None:
        assert row.title == "Drinking in public"
        assert row.rate_6_months == Decimal(row.again_6_months)  # one person: 0 or 1
        assert row.rate_12_months == Decimal(row.again_12_months if row.people_12_months else 0)


def test_every_next_citation_day_matches_a_computation_from_scratch(world: World) -> None:
    with transaction(world.engine) as session:
        stored = stored_next_days(session)
        assert stored == next_days_from_scratch(session)
    # The table is not trivially empty: most cases have a next day.
    assert sum(day is not None for day in stored.values()) >= len(CASES) - 4


def test_people_are_counted_once_and_rates_are_shares(world: World) -> None:
    """Every case area at once: the rows add up over people, and the rates are shares."""
    areas = [case.id for case in CASES if case.end == LAST_DAY]
    with transaction(world.engine) as session:
        report = compute_report(
            session, date(2020, 1, 1), date(2026, 11, 29), areas=areas, actor=ATTORNEY, now=NOW
        )
    (row,) = report.repeat_rates
    expected = [case.expected for case in CASES if case.end == LAST_DAY and case.expected]
    assert row.people == len(expected)
    assert row.again_6_months == sum(e[1] for e in expected)
    assert row.people_12_months == sum(e[2] for e in expected)
    assert row.again_12_months == sum(e[3] for e in expected)
    assert row.rate_6_months == (Decimal(row.again_6_months) / Decimal(row.people)).quantize(
        Decimal("0.0001")
    )
    assert row.rate_12_months == (
        Decimal(row.again_12_months) / Decimal(row.people_12_months)
    ).quantize(Decimal("0.0001"))


def test_a_citation_arriving_late_with_an_earlier_date_updates_the_earlier_one(
    world: World,
) -> None:
    """A device offline for months: its citation of April arrives in September, after the
    person's citation of August. The January citation's next day becomes April (a repeat
    within 6 months now), and the April one gets August as its own."""
    engine, area = world.engine, "offline-arrival"
    january = cite(engine, area, "2025-01-01", area=area)
    august = cite(engine, area, "2025-08-01", area=ELSEWHERE)
    assert next_day_of(engine, january) == date(2025, 8, 1)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 0, 1, 1)
    with transaction(engine) as session:
        block = allocate_block(
            session, "DCPD", "unit-7", 1, year=2025, actor=OPERATOR, now=moment("2025-03-01")
        )
    offline = str(CitationNumber("DCPD", 2025, block.first_sequence))
    april = cite(
        engine,
        area,
        "2025-04-01",
        area=ELSEWHERE,
        arrived="2025-09-15",
        citation_number=offline,
        device_id="unit-7",
    )
    assert april == offline
    assert [next_day_of(engine, n) for n in (january, april, august)] == [
        date(2025, 4, 1),
        date(2025, 8, 1),
        None,
    ]
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 1, 1, 1)
    with transaction(engine) as session:
        assert stored_next_days(session) == next_days_from_scratch(session)


def amend(engine: Engine, number: str, when: str, **changes: Any) -> None:
    with transaction(engine) as session:
        amend_citation(
            session,
            number,
            Amendment.model_validate({"reason": "Corrected from the officer's notes", **changes}),
            actor=OPERATOR,
            now=moment(when),
        )


def test_an_amended_date_moves_the_next_day(world: World) -> None:
    engine, area = world.engine, "amended-date"
    january = cite(engine, area, "2025-01-01", area=area)
    september = cite(engine, area, "2025-09-01", area=ELSEWHERE)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 0, 1, 1)
    amend(engine, september, "2025-09-02", violation_at=moment("2025-05-01").isoformat())
    assert next_day_of(engine, january) == date(2025, 5, 1)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 1, 1, 1)
    # And back past the window again: the next day follows the date both ways.
    amend(engine, september, "2025-09-03", violation_at=moment("2025-12-01").isoformat())
    assert next_day_of(engine, january) == date(2025, 12, 1)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 0, 1, 1)
    with transaction(engine) as session:
        assert stored_next_days(session) == next_days_from_scratch(session)


def test_an_amended_person_moves_the_next_day_to_the_right_person(world: World) -> None:
    """The March citation named the wrong person: amended to Quinn, it is no longer Pat's
    repeat, and it becomes the next day of Quinn's February citation."""
    engine, area = world.engine, "amended-person"
    pat = cite(engine, "Pat", "2025-01-01", area=area)
    quinn = cite(engine, "Quinn", "2025-02-01", area=ELSEWHERE)
    march = cite(engine, "Pat", "2025-03-01", area=ELSEWHERE)
    assert (next_day_of(engine, pat), next_day_of(engine, quinn)) == (date(2025, 3, 1), None)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 1, 1, 1)
    quinn_subject = subject(
        first_name="Quinn", last_name="Repeat", date_of_birth="1990-04-02", identifiers=[]
    )
    amend(engine, march, "2025-03-02", subject=quinn_subject)
    assert [next_day_of(engine, n) for n in (pat, quinn, march)] == [None, date(2025, 3, 1), None]
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 0, 1, 0)
    with transaction(engine) as session:
        assert stored_next_days(session) == next_days_from_scratch(session)


def test_a_voided_citation_is_nobodys_repeat(world: World) -> None:
    """Voided as issued in error: the March citation stops being Val's next one, and a
    voided citation is not counted among the people cited."""
    engine, area = world.engine, "voided"
    january = cite(engine, "Val", "2025-01-01", area=area)
    march = cite(engine, "Val", "2025-03-01", area=ELSEWHERE)
    assert next_day_of(engine, january) == date(2025, 3, 1)
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 1, 1, 1)
    with transaction(engine) as session:
        void_citation(session, march, "Wrong person identified", actor=OPERATOR, now=NOW)
    assert next_day_of(engine, january) is None
    assert figures(repeat_row(engine, area, LAST_DAY)) == (1, 0, 1, 0)
    with transaction(engine) as session:
        void_citation(session, january, "Wrong person identified", actor=OPERATOR, now=NOW)
    assert repeat_row(engine, area, LAST_DAY) is None
    with transaction(engine) as session:
        assert stored_next_days(session) == next_days_from_scratch(session)


@pytest.mark.parametrize(
    ("start", "end"), [("2020-01-01", LAST_DAY), ("2025-01-16", "2025-09-30"), (LAST_DAY, LAST_DAY)]
)
def test_a_rebuild_reads_the_repeat_keys_as_the_lookups_do(
    world: World, start: str, end: str
) -> None:
    """The window a rebuild reads the previous citations' days with gives the rows the
    per-violation lookups give: every case (same-day citations, voids, amendments, other
    ordinances), over all days and over ranges whose citations' previous ones lie before
    them."""
    in_range = [
        Citation.violation_date >= date.fromisoformat(start),
        Citation.violation_date <= date.fromisoformat(end),
    ]
    with transaction(world.engine) as session:
        looked_up = sorted(map(tuple, session.execute(repeat_facts(in_range)).all()), key=repr)
        at_once = sorted(
            map(tuple, session.execute(repeat_facts_at_once(in_range)).all()), key=repr
        )
    assert at_once == looked_up
    if end != start:
        assert any(row[3] is not None for row in looked_up)  # some have a previous citation


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_adds_months_as_python_does(
    backend: str, tmp_path: Path, databases: Databases
) -> None:
    """Every day of three years (a leap year among them), plus 1, 6 and 12 months, computed
    by the database on each backend, equals `add_months` (the last day of the month when
    the day does not exist there)."""
    days = every_day(date(2023, 1, 1), date(2025, 12, 31))
    with databases.empty(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            dialect = engine.dialect.name
            with engine.connect() as connection:
                for months in (1, 6, 12):
                    computed: list[date] = []
                    for start in range(0, len(days), 200):
                        chunk = days[start : start + 200]
                        query = select(
                            *[months_later(literal(day, Date()), months, dialect) for day in chunk]
                        )
                        computed += list(connection.execute(query).one())
                    expected = [add_months(day, months) for day in days]
                    wrong = [
                        (day, got, want)
                        for day, got, want in zip(days, computed, expected, strict=True)
                        if got != want
                    ]
                    assert wrong == [], f"+{months} months: {wrong[:5]}"
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2025-08-31", 6, "2026-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2025-03-31", 6, "2025-09-30"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-01-15", 6, "2025-07-15"),
        ("2025-07-31", 6, "2026-01-31"),
        ("2025-12-15", 12, "2026-12-15"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day: str, months: int, expected: str) -> None:
    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)
