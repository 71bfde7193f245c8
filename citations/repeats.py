"""Each citation's next citation day for the same person, kept as citations are written.

The program report's repeat-citation rate asks, for each citation, whether the person was
cited again within 6 and 12 months. Answering that from scratch needs a window over every
person's citation days (13 s at a million citations on PostgreSQL); keeping the answer on
the citation turns it into one scan of the report's period. A person is matched as in the
report: exact name and date of birth (people without a date of birth are never matched).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Update, bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from citations.tables import Citation


def next_day_update() -> Update:
    """Set `next_citation_date` from the person's later citations (add a WHERE to narrow)."""
    later = aliased(Citation)
    soonest = (
        select(func.min(later.violation_date))
        .where(
            later.subject_name_key == Citation.subject_name_key,
            later.subject_dob == Citation.subject_dob,
            later.violation_date > Citation.violation_date,
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
