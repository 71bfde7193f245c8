"""Wrong tries at the same moment cannot pass the limit together (real PostgreSQL).

Each worker has a connection of its own and starts at a barrier; the tries on one number
and from one client take an advisory lock each, so each counts the ones before it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.online.lookup import Answer, NoMatch, Wait, find_by_birth_date
from citations.record.person import LookupTry
from tests.hearing_steps import at, issue_one
from tests.test_citation_races import WORKERS, pg, race

__all__ = ["pg"]  # the PostgreSQL-only fixture


def test_parallel_wrong_tries_stop_at_the_limit(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    now = at("2026-12-04")

    def wrong_try(session: Session) -> Answer:
        profile = PublishedCatalog(session).jurisdiction()
        return find_by_birth_date(
            session, number, date(1990, 1, 1), client="198.51.100.9", now=now, profile=profile
        )

    outcomes = race(database_url, [wrong_try] * (WORKERS + 2))
    answers = [value for kind, value in outcomes if kind == "done"]
    assert len(answers) == WORKERS + 2
    checked = [a for a in answers if isinstance(a, NoMatch)]
    waited = [a for a in answers if isinstance(a, Wait)]
    assert len(checked) == 5  # the profile's lookup_tries: no more were checked
    assert len(waited) == WORKERS + 2 - 5
    with transaction(pg) as session:
        recorded = session.scalar(select(func.count()).select_from(LookupTry))
    assert recorded == 5  # a try that waits checks nothing and is not counted
