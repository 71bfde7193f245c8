"""What the rules decide for a seeded violation, in memory: the version in force on the
violation date, the priors it counts, whether the person is eligible for a civil citation,
and the snapshot the violation keeps. The same rules `issue` applies, without a query each."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from citations.catalog.store import PublishedCatalog
from citations.catalog.tables import OrdinanceRow
from citations.database import transaction
from citations.issuing.decision import age_on
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.errors import NotInEffect
from ordinances.models import Disposition
from ordinances.resolve import ResolvedVersion

from .people import Person


class Rules:
    """The published demo catalog, loaded once, resolved per ordinance and day with a cache."""

    def __init__(self, engine: Engine) -> None:
        with transaction(engine) as session:
            published = PublishedCatalog(session)
            self.ordinances = {
                o.code: published.history(o.code)[0] for o in load_catalog(DEMO_CATALOG).ordinances
            }
            self.version_ids = {
                (row.code, v.effective_from): v.id
                for row in session.scalars(select(OrdinanceRow))
                for v in row.versions
                if v.withdrawn_by_id is None
            }
        self.cache: dict[tuple[str, date], ResolvedVersion | None] = {}

    def resolve(self, code: str, on: date) -> ResolvedVersion | None:
        """The version of `code` in force `on` that day, or None if none was."""
        key = (code, on)
        if key not in self.cache:
            try:
                self.cache[key] = ResolvedVersion.of(self.ordinances[code], on)
            except NotInEffect:
                self.cache[key] = None
        return self.cache[key]

    def version_id(self, resolved: ResolvedVersion) -> int:
        """The stored row of a resolved version, for the violation's reference to it."""
        return self.version_ids[(resolved.code, resolved.effective_from)]


_SNAPSHOTS: dict[tuple[str, date], dict[str, Any]] = {}


def snapshot(resolved: ResolvedVersion) -> dict[str, Any]:
    """The version as the violation keeps it, dumped once per version, not per citation."""
    key = (resolved.code, resolved.effective_from)
    if key not in _SNAPSHOTS:
        _SNAPSHOTS[key] = resolved.model_dump(mode="json")
    return _SNAPSHOTS[key]


def count_priors(person: Person, resolved: ResolvedVersion, day: date) -> int:
    """The person's earlier citations that count, in the version's lookback and scope."""
    rules = resolved.version.priors
    if rules is None:
        return 0
    start = rules.lookback.window_start(day)
    history = person.history
    first = bisect_left(history, (start, "", ""))
    if rules.scope == "ordinance":
        return sum(1 for d, c, _ in history[first:] if c == resolved.code and d <= day)
    return sum(1 for d, _, cat in history[first:] if cat == resolved.category and d <= day)


def ineligible(
    person: Person, resolved: ResolvedVersion, priors: int, day: date, rng: random.Random
) -> list[str]:
    """Why the person may not be given a civil citation (empty if they may)."""
    version = resolved.version
    if version.disposition is Disposition.NOT_MAPPABLE:
        return [f"{resolved.code} is criminal only: no civil citation may be issued"]
    rules = version.eligibility
    if rules is None:
        return []
    reasons = []
    age = age_on(person.dob, day)
    if rules.min_age is not None and age < rules.min_age:
        reasons.append(
            f"the subject is {age}, under the minimum age of {rules.min_age} for {resolved.code}"
        )
    if rules.max_priors is not None and priors > rules.max_priors:
        reasons.append(
            f"{priors} prior citations within the lookback exceed the limit of "
            f"{rules.max_priors} for {resolved.code}"
        )
    if rules.questions and rng.random() < 0.03:
        question = rules.questions[0]
        answer = "yes" if not question.eligible_answer else "no"
        reasons.append(f"{resolved.code}: {question.text['en']} The officer answered {answer}.")
    return reasons
