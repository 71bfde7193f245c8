"""After a review upholds a citation, the person is reminded of the last day to ask for a
hearing: the schedule lists that day from the review's order until a hearing is asked for
(the contest keeps the day only once the request comes), and the reminders follow it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from citations.schedule import schedule_of
from tests.factories import prepare
from tests.hearing_steps import issue_one, to_ready, to_review_upheld
from tests.test_outreach_sync import pending, reach


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def hearing_request_dates(engine: Engine, number: str) -> list[tuple[date, bool]]:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        profile = PublishedCatalog(session).jurisdiction()
        schedule = schedule_of(session, citation, profile)
    return [(d.on, d.open) for d in schedule.dates if d.key == "hearing_request_by"]


def test_an_upheld_review_is_followed_by_a_reminder_to_ask_for_a_hearing(ready: Engine) -> None:
    number = issue_one(ready)
    reach(ready, number)
    to_review_upheld(ready, number)  # decided 2026-12-01

    [(last_day, still_open)] = hearing_request_dates(ready, number)
    assert still_open and last_day > date(2026, 12, 1)
    kinds = [kind for kind, channel, _ in pending(ready, number) if channel == "text"]
    assert "before_hearing_request_by" in kinds


def test_the_reminder_ends_when_the_hearing_is_asked_for(ready: Engine) -> None:
    number = issue_one(ready)
    reach(ready, number)
    to_ready(ready, number)  # the review upheld, then a hearing asked for with its deposit

    assert [still_open for _, still_open in hearing_request_dates(ready, number)] == [False]
    kinds = [kind for kind, _, _ in pending(ready, number)]
    assert "before_hearing_request_by" not in kinds
