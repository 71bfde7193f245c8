"""Each citation's next citation day for the same person, kept as citations are written.

The program report's repeat-citation rate asks, for each citation, whether the person was
cited again within 6 and 12 months. Answering that from scratch needs a window over every
person's citation days (13 s at a million citations on PostgreSQL); keeping the answer on
the citation turns it into one scan of the report's period. A person is matched as in the
report: exact name and date of birth (people without a date of birth are never matched). A
voided citation was issued in error: it is nobody's next citation (voiding refreshes them).

A window of N months ends on the same day N months later, or on that month's last day when
it has no such day (`add_months`), on every backend.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Update, bindparam, cast, func, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from citations.record.status import CitationStatus
from citations.record.tables import Citation


def next_day_update() -> Update:
    """Set `next_citation_date` from the person's later citations (add a WHERE to narrow)."""
    later = aliased(Citation)
    soonest = (
        select(func.min(later.violation_date))
        .where(
            later.subject_name_key == Citation.subject_name_key,
            later.subject_dob == Citation.subject_dob,
            later.violation_date > Citation.violation_date,
            later.status != CitationStatus.VOIDED.value,
        )
        .scalar_subquery()
    )
    return (
        update(Citation)
        .values(next_citation_date=soonest)
        .where(Citation.subject_dob.is_not(None))
        .execution_options(synchronize_session=False)
    )


PERSON_UPDATE = next_day_update().where(
    Citation.subject_name_key == bindparam("name_key"),
    Citation.subject_dob == bindparam("born"),
)
"""Built once: composing the statement cost more than running it, per citation issued."""


def refresh_next_days(session: Session, people: Iterable[tuple[str, date | None]]) -> None:
    """Recompute the next citation day of every citation of these people (name key, date of
    birth), after citations of theirs were issued, amended or imported."""
    keys = sorted({(name, born) for name, born in people if born is not None})
    if not keys:
        return
    session.flush()
    people_keys = [{"name_key": name, "born": born} for name, born in keys]
    session.connection().execute(PERSON_UPDATE, people_keys)  # one executemany


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (as PostgreSQL adds an
    interval): the end of a repeat window.

    >>> add_months(date(2025, 8, 31), 6), add_months(date(2023, 8, 31), 6)
    (datetime.date(2026, 2, 28), datetime.date(2024, 2, 29))
    >>> add_months(date(2024, 2, 29), 12), add_months(date(2025, 1, 15), 6)
    (datetime.date(2025, 2, 28), datetime.date(2025, 7, 15))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_later(column: Any, months: int, dialect: str) -> Any:
    """`column` plus `months` in SQL, as `add_months` adds them. SQLite's own
    `date(x, '+6 months')` overflows instead of clamping (31 August + 6 months is 3 March
    there, 28 February in PostgreSQL), so it is built from the first of the month: the same
    day in the target month, or that month's last day, whichever comes first."""
    if dialect == "postgresql":
        return cast(column + func.make_interval(0, months), Date())
    same_day = func.date(
        func.julianday(column, "start of month", f"+{months} months")
        + cast(func.strftime("%d", column), Integer())
        - 1
    )
    last_day = func.date(column, "start of month", f"+{months + 1} months", "-1 day")
    return type_coerce(func.min(same_day, last_day), Date())
