"""Which version of an ordinance is in force on a date: the one rule, used by the catalog folder
and by the published store alike.

Versions hold over half-open intervals [effective, next effective). A `repealed` version is
an explicit end: on and after its date nothing is in force until a later version re-enacts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from ordinances.errors import NotInEffect
from ordinances.models import Disposition, Ordinance, Translated, Version


@dataclass(frozen=True)
class Interval:
    version: Version
    start: date
    end: date | None
    """Exclusive; None while no later version is known."""

    def holds(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


def intervals(versions: Sequence[Version]) -> list[Interval]:
    """The versions with their half-open intervals, oldest first (input must be sorted)."""
    ends: list[date | None] = [v.effective for v in versions[1:]]
    ends.append(None)
    return [Interval(v, v.effective, end) for v, end in zip(versions, ends, strict=True)]


def pick(code: str, versions: Sequence[Version], on: date) -> Interval:
    """The interval in force on `on`; NotInEffect when none is (or the ordinance is repealed).

    >>> from ordinances.models import Version
    >>> v1 = Version(effective=date(2020, 1, 1), disposition="warning_only", source="s")
    >>> pick("X", [v1], date(2021, 5, 1)).start
    datetime.date(2020, 1, 1)
    """
    found = next((i for i in reversed(intervals(versions)) if i.start <= on), None)
    if found is None:
        first = versions[0].effective.isoformat() if versions else "never"
        raise NotInEffect(code, on, f"its first version takes effect on {first}")
    if found.version.disposition is Disposition.REPEALED:
        raise NotInEffect(
            code, on, f"repealed effective {found.start.isoformat()} ({found.version.source})"
        )
    return found


class PublicationInfo(BaseModel):
    """Who made a published version law in the system, and why."""

    model_config = ConfigDict(frozen=True)

    id: int
    published_at: datetime
    author: str
    approved_by: str
    reason: str


class ResolvedVersion(BaseModel):
    """An ordinance with the version in force on a date: what an officer's decision rests on."""

    model_config = ConfigDict(frozen=True)

    code: str
    title: Translated
    description: Translated
    category: str
    legal_reference: str
    effective_from: date
    effective_to: date | None
    """Exclusive end: the date the next version (or a repeal) takes effect, if known."""
    version: Version
    publication: PublicationInfo | None = None

    @classmethod
    def of(
        cls, ordinance: Ordinance, on: date, publication: PublicationInfo | None = None
    ) -> ResolvedVersion:
        interval = pick(ordinance.code, ordinance.versions, on)
        return cls(
            code=ordinance.code,
            title=ordinance.title,
            description=ordinance.description,
            category=ordinance.category,
            legal_reference=ordinance.legal_reference,
            effective_from=interval.start,
            effective_to=interval.end,
            version=interval.version,
            publication=publication,
        )
