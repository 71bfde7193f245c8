"""Repeat-citation rates from daily aggregates, equal to the rows' (`compute._repeats`).

The rows' figure counts distinct people per ordinance: those with a citation in the period
whose 6 (12) month window has passed by the report's end, and those of them with such a
citation followed by another within the window. A per-day count of citations cannot give
it: a person cited twice in the period for one ordinance is one person, and whether two
citations share a person depends on the period's start. It can be made exact by counting,
for each person, only their first qualifying citation in the period; which one is first
depends only on the previous qualifying citation of the same person and ordinance, so each
citation carries that previous one's day as a key of the aggregate:

- `prev_day`: the day of the person's previous citation for the ordinance (by violation day,
  then id; voided ones are no one's). A citation is its person's first in a period starting
  on `start` exactly when `prev_day` is None or before `start`.
- `again6` / `again12` (0/1): the person's next citation (`next_citation_date`) falls within
  6 (12) months; `prev6_day` / `prev12_day`: the day of the previous citation with that flag.

A window has passed when `months_later(day, m) <= end`; that holds for every day up to a
cutoff (`matured_until`), because adding months never goes backwards. So

    people_m = SUM(citations) over days in [start, cutoff_m] where prev_day is before start
    again_m  = SUM(citations) over those days where again_m = 1 and prev_m_day is before start

which is exactly the rows' count of distinct people. A report limited to areas reads the
rows instead: the previous citation within a set of areas is not the previous one overall.

The keys change when any citation of the person changes (a new one, a void, an amendment, a
next citation day), so migration 0022's triggers mark every day of that person stale.

>>> from datetime import date
>>> matured_until(date(2026, 2, 28), 6)  # 29, 30 and 31 August + 6 months: 28 February
datetime.date(2025, 8, 31)
>>> matured_until(date(2026, 2, 27), 6), matured_until(date(2026, 11, 30), 12)
(datetime.date(2025, 8, 27), datetime.date(2025, 11, 30))
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.util import ClauseAdapter

from citations.record.repeats import add_months, months_later
from citations.record.status import CitationStatus
from citations.record.tables import Citation, CitationViolation
from citations.reports.model import RepeatRate
from citations.reports.shapes import repeat_rate

VOIDED = CitationStatus.VOIDED.value
WINDOWS = (6, 12)


class MonthsLater(FunctionElement[date]):
    """`months_later(day, months)` compiled for the backend at hand, so the facts' query
    (which takes no dialect) adds months as the rows' report does."""

    type = Date()
    inherit_cache = True
    name = "months_later"

    def __init__(self, day: Any, months: int) -> None:
        self.months = months
        super().__init__(day)


@compiles(MonthsLater)
def _months_later(element: MonthsLater, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = element.clauses
    return compiler.process(months_later(day, element.months, compiler.dialect.name), **kw)


def matured_until(end: date, months: int) -> date:
    """The last day whose window of `months` has passed by `end` (`months_later <= end`)."""
    day = add_months(end, -months)
    while add_months(day + timedelta(days=1), months) <= end:
        day += timedelta(days=1)
    while add_months(day, months) > end:
        day -= timedelta(days=1)
    return day


def _again(citation: Any, months: int) -> ColumnElement[bool]:
    following = citation.next_citation_date
    return and_(following.is_not(None), following <= MonthsLater(citation.violation_date, months))


def _previous(months: int | None) -> Any:
    """The day of the person's previous citation for the ordinance (with the `months` flag,
    when given), as a correlated subquery of the outer citation and violation."""
    earlier, named = aliased(Citation), aliased(CitationViolation)
    conditions = [
        earlier.subject_name_key == Citation.subject_name_key,
        earlier.subject_dob == Citation.subject_dob,
        earlier.status != VOIDED,
        named.ordinance_code == CitationViolation.ordinance_code,
        or_(
            earlier.violation_date < Citation.violation_date,
            and_(earlier.violation_date == Citation.violation_date, earlier.id < Citation.id),
        ),
    ]
    if months is not None:
        conditions.append(_again(earlier, months))
    return (
        select(func.max(earlier.violation_date))
        .join(named, named.citation_id == earlier.id)
        .where(*conditions)
        .correlate(Citation, CitationViolation)
        .scalar_subquery()
    )


def repeat_facts(where: list[ColumnElement[bool]]) -> Any:
    """Citations of people with a date of birth, not voided, by day, area, ordinance and the
    keys above."""
    each = (
        select(
            Citation.violation_date.label("day"),
            Citation.area.label("area"),
            CitationViolation.ordinance_code.label("ordinance_code"),
            _previous(None).label("prev_day"),
            case((_again(Citation, 6), 1), else_=0).label("again6"),
            _previous(6).label("prev6_day"),
            case((_again(Citation, 12), 1), else_=0).label("again12"),
            _previous(12).label("prev12_day"),
        )
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(*where, Citation.subject_dob.is_not(None), Citation.status != VOIDED)
    )
    c = each.subquery("each_violation").c
    keys = [c.day, c.area, c.ordinance_code, c.prev_day, c.again6, c.prev6_day, c.again12]
    keys.append(c.prev12_day)
    return select(*keys, func.count().label("citations")).group_by(*keys)


def repeat_facts_at_once(where: list[ColumnElement[bool]]) -> Any:
    """`repeat_facts` for many days at once (a rebuild), the same rows: the previous
    citations' days come from one window over every person's citations, ordered by
    (violation day, id), whose frame is the groups before the row's own citation, instead of
    three correlated lookups per violation (17 of a rebuild's 23 minutes at ten million,
    reading from disk). The window runs over every day, since a citation's previous one may
    lie before the range; `where` (on `Citation`'s columns) then picks the range."""
    again6, again12 = (case((_again(Citation, m), 1), else_=0) for m in WINDOWS)
    before: dict[str, Any] = {
        "partition_by": [
            Citation.subject_name_key,
            Citation.subject_dob,
            CitationViolation.ordinance_code,
        ],
        "order_by": [Citation.violation_date, Citation.id],
        "groups": (None, -1),  # every earlier citation's rows, none of this citation's
    }
    each = (
        select(
            Citation.violation_date.label("day"),
            Citation.area.label("area"),
            CitationViolation.ordinance_code.label("ordinance_code"),
            func.max(Citation.violation_date).over(**before).label("prev_day"),
            again6.label("again6"),
            func.max(case((again6 == 1, Citation.violation_date)))
            .over(**before)
            .label("prev6_day"),
            again12.label("again12"),
            func.max(case((again12 == 1, Citation.violation_date)))
            .over(**before)
            .label("prev12_day"),
        )
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(Citation.subject_dob.is_not(None), Citation.status != VOIDED)
        .subquery("each_violation")
    )
    adapter = ClauseAdapter(each)
    in_range = [adapter.traverse(condition) for condition in where]
    if any(Citation.__table__ in condition._from_objects for condition in in_range):
        raise ValueError("the range may name only the columns the window selects")
    c = each.c
    keys = [c.day, c.area, c.ordinance_code, c.prev_day, c.again6, c.prev6_day, c.again12]
    keys.append(c.prev12_day)
    return select(*keys, func.count().label("citations")).where(*in_range).group_by(*keys)


def repeat_rates(
    session: Any, days: Any, start: date, end: date, titles: dict[str, str]
) -> list[RepeatRate]:
    """The rates from `days` (a subquery of `repeat_facts`' columns over the period)."""
    d = days.c

    def first(cutoff: date, previous: Any, *more: ColumnElement[bool]) -> Any:
        counted = and_(d.day <= cutoff, or_(previous.is_(None), previous < start), *more)
        return func.sum(case((counted, d.citations), else_=0))

    c6, c12 = matured_until(end, 6), matured_until(end, 12)
    query = (
        select(
            d.ordinance_code,
            first(c6, d.prev_day),
            first(c6, d.prev6_day, d.again6 == 1),
            first(c12, d.prev_day),
            first(c12, d.prev12_day, d.again12 == 1),
        )
        .group_by(d.ordinance_code)
        .order_by(d.ordinance_code)
    )
    rates = [
        repeat_rate(code, titles.get(code, code), figures)
        for code, *figures in session.execute(query)
    ]
    return [found for found in rates if found.people or found.people_12_months]
