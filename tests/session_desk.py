"""A session with four hearings, for the tests of recording a whole session's outcomes in
one pass (TestClient and chromium): the clerk's desk (tests/browser/desk.py), its session of
Monday 2026-12-14 before Ada Ruiz filled to its capacity of four, and a later session (before
Ben Ode, Tuesday 2027-01-05) for continuances.

Positions 1 to 4 in the session, at 09:00, 09:20, 09:40 and 10:00: Maria Lopez (needs a
Spanish interpreter), Sam Okafor, Kai Moreno and Rosa Diaz.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from citations.database import transaction
from citations.hearings.scheduling import schedule_hearing
from tests.browser.desk import CLOCK, Desk, person, set_desk
from tests.hearing_steps import CLERK, issue_one, officer_with_session, to_ready

LATER_DAY = date(2027, 1, 5)
DECIDING = datetime(2026, 12, 14, 20, 0, tzinfo=UTC)
"""Noon on the hearing day in Los Angeles: every hearing of the session has begun."""


@dataclass
class SessionDesk:
    desk: Desk
    later_session: int
    numbers: list[str] = field(default_factory=list)
    """The session's citations in docket order (positions 1 to 4)."""


def set_session_desk(engine: Engine) -> SessionDesk:
    desk = set_desk(engine)
    numbers = [desk.numbers["on_docket"], desk.numbers["to_schedule"]]
    with transaction(engine) as session:
        schedule_hearing(session, numbers[1], actor=CLERK, now=CLOCK)
    for n, first, last in ((6, "Kai", "Moreno"), (7, "Rosa", "Diaz")):
        number = issue_one(engine, **person(n, first, last))
        to_ready(engine, number)
        with transaction(engine) as session:
            schedule_hearing(session, number, actor=CLERK, now=CLOCK, session_id=desk.session_id)
        numbers.append(number)
    _, later = officer_with_session(engine, "Ben Ode", LATER_DAY, capacity=10)
    return SessionDesk(desk, later, numbers)
