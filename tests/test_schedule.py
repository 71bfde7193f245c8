"""One schedule per citation: every printed date is the first day its action happens.

The walk issues a citation, reads the dates its notice prints, then runs daily processing one
day at a time through the citation's life and checks that the late penalty and the referral
to collections first happen on exactly the days printed, and that a review request is on time
on the printed day and late the day after: for a calendar-day and a business-day profile,
across Thanksgiving (and California's day after it) and a month end.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from citations.calendar import (
    collections_cutoff,
    collections_on,
    late_penalty_cutoff,
    late_penalty_on,
)
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.hearings.contests import DeadlineMissed, request_review
from citations.notice.build import notice_for
from citations.payments.build import late_notice_for
from citations.payments.processing import process
from citations.record.ledger import EntryKind, LedgerEntry
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from citations.schedule import schedule_of
from ordinances import load_catalog
from tests.conftest import GOOD_CATALOG, edit
from tests.factories import message, prepare, send
from tests.hearing_steps import CLERK

LA = ZoneInfo("America/Los_Angeles")
PROFILE = load_catalog(GOOD_CATALOG).jurisdiction


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LA)


@given(st.dates(date(2020, 1, 1), date(2040, 1, 1)), st.integers(-400, 400))
def test_processing_cutoffs_are_the_printed_days_turned_around(due: date, offset: int) -> None:
    as_of = due + timedelta(days=offset)
    assert (due < late_penalty_cutoff(as_of, PROFILE)) == (as_of >= late_penalty_on(due, PROFILE))
    assert (due < collections_cutoff(as_of, PROFILE)) == (as_of >= collections_on(due, PROFILE))


VIOLATION = date(2026, 11, 6)
"""20 calendar days on is Thanksgiving, Thursday 26 November 2026; the day after is a
California state holiday, then a weekend: the deadline moves to Monday 30 November."""

EXPECTED = {
    # counting: (pay by, contest by, late penalty on, collections on)
    "calendar_days": (
        date(2026, 11, 30),
        date(2026, 11, 30),
        date(2026, 12, 16),
        date(2027, 3, 14),
    ),
    # 20 business days from 6 Nov skip Veterans Day (11 Nov), Thanksgiving and the day after.
    # The penalty's days are calendar days after the due date, as the profile says.
    "business_days": (
        date(2026, 12, 9),
        date(2026, 12, 9),
        date(2026, 12, 25),
        date(2027, 3, 23),
    ),
}


@pytest.fixture(params=sorted(EXPECTED))
def counted(
    request: pytest.FixtureRequest, engine: Engine, catalog_dir: Path
) -> tuple[str, Engine]:
    counting = request.param
    if counting == "business_days":
        edit(
            catalog_dir / "jurisdiction.yaml", "counting: calendar_days", "counting: business_days"
        )
    prepare(engine, catalog_dir)
    return counting, engine


def _issue(engine: Engine) -> str:
    body = message(violation_at=f"{VIOLATION.isoformat()}T10:00:00-08:00")
    issued = send(engine, body, now=noon(VIOLATION))
    number = issued.result.citation_number
    assert number is not None
    return number


def _first_day(engine: Engine, number: str, last: date) -> tuple[date | None, date | None]:
    """Run daily processing each day from the violation to `last`: the first days the late
    penalty was posted and the citation was referred to collections."""
    late = referred = None
    day = VIOLATION
    while day <= last:
        with transaction(engine) as session:
            report = process(session, as_of=day, actor=OPERATOR, now=noon(day))
        if number in report.delinquent:
            assert late is None
            late = day
            with transaction(engine) as session:
                penalty = session.scalar(
                    select(LedgerEntry).where(LedgerEntry.kind == EntryKind.LATE_PENALTY.value)
                )
                assert penalty is not None
                letter = late_notice_for(session, number, OPERATOR, notice_date=day)
            # The late notice's last day to pay is the day before the referral.
            assert letter.pay_by + timedelta(days=1) == collections_on(
                letter.original_due_on, PROFILE
            )
        if number in report.referred:
            assert referred is None
            referred = day
        day += timedelta(days=1)
    return late, referred


def test_walking_day_by_day_each_printed_date_is_the_day_it_happens(
    counted: tuple[str, Engine],
) -> None:
    counting, engine = counted
    number = _issue(engine)
    with transaction(engine) as session:
        notice = notice_for(session, number, OPERATOR)
        citation = find_citation(session, number, OPERATOR)
        profile = PublishedCatalog(session).jurisdiction()
        schedule = {d.key: d.on for d in schedule_of(session, citation, profile).dates}
    printed = (notice.pay_by, notice.contest_by, notice.late_penalty_on, notice.collection_on)
    assert printed == EXPECTED[counting]
    assert (schedule["pay_by"], schedule["review_by"]) == (notice.pay_by, notice.contest_by)
    assert schedule["late_penalty"] == notice.late_penalty_on
    assert schedule["collections"] == notice.collection_on
    assert notice.collection_on is not None
    late, referred = _first_day(engine, number, notice.collection_on + timedelta(days=2))
    assert (late, referred) == (notice.late_penalty_on, notice.collection_on)


@pytest.mark.parametrize("days_after", [0, 1])
def test_a_review_request_is_on_time_on_the_printed_day_and_late_the_next(
    counted: tuple[str, Engine], days_after: int
) -> None:
    _counting, engine = counted
    number = _issue(engine)
    with transaction(engine) as session:
        contest_by = notice_for(session, number, OPERATOR).contest_by
    received = datetime.combine(contest_by + timedelta(days=days_after), time(16, 59), LA)
    with transaction(engine) as session:
        if days_after == 0:
            request_review(
                session, number, "Not me.", received_at=received, actor=CLERK, now=received
            )
        else:
            with pytest.raises(DeadlineMissed):
                request_review(
                    session, number, "Not me.", received_at=received, actor=CLERK, now=received
                )


@pytest.mark.clock(datetime(2026, 11, 29, 18, 0, tzinfo=LA))
def test_the_api_gives_the_schedule_and_the_next_date(engine: Engine) -> None:
    from fastapi.testclient import TestClient

    from citations.app import create_app
    from citations.record.tokens import create_token
    from tests.conftest import NOW

    prepare(engine)
    number = _issue(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="clerk", actor=OPERATOR, now=NOW
        )
    url = engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        response = client.get(
            f"/v1/citations/{number}/schedule", headers={"Authorization": f"Bearer {secret}"}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    dates = {d["key"]: d["on"] for d in body["dates"]}
    assert (dates["pay_by"], dates["late_penalty"]) == ("2026-11-30", "2026-12-16")
    assert body["next"]["key"] in {"pay_by", "review_by"} and body["next"]["on"] == "2026-11-30"
    assert body["service_method"] == "personal" and body["served_on"] == "2026-11-06"
