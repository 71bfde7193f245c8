"""Counting a person's prior citations, through indexed lookups that start from the person.

A prior is an earlier citation of the same person (sharing an identifier, or with exactly the
same first and last name and date of birth) for the same ordinance or category, as the
version says, whose violation date falls within the lookback before this violation.
Voided, dismissed and diverted citations are not priors. Each prior citation counts once,
however many of its violations match.

`PriorIndex` loads, in three queries, everything the people of a whole batch of messages
could have as priors; counting is then done here in Python, by the one rule above, and
citations issued earlier in the same batch are added to the index as they are decided, so a
batch counts exactly as if its messages were issued one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from citations.issuing.intake import Subject
from citations.record.status import NOT_PRIORS
from citations.record.tables import Citation, CitationIdentifier, CitationViolation
from ordinances.resolve import ResolvedVersion

T = TypeVar("T")
NOT_COUNTED = frozenset(status.value for status in NOT_PRIORS)
PARAMETERS_PER_QUERY = 900
"""Keys per lookup, well under every backend's limit on bound parameters."""


@dataclass(frozen=True)
class PriorViolation:
    """One violation of a citation that could be someone's prior."""

    citation_id: int
    ordinance_code: str
    category: str
    violation_date: date
    violation_at: datetime
    status: str


@dataclass
class PriorIndex:
    """The citations of a set of people, found by identifier and by name with date of birth."""

    by_identifier: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[tuple[str, date], set[int]] = field(default_factory=lambda: defaultdict(set))
    violations: dict[int, list[PriorViolation]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, session: Session, subjects: Iterable[Subject]) -> PriorIndex:
        """Everything `subjects` could have as priors, in three indexed lookups."""
        index = cls()
        keys: set[tuple[str, str]] = set()
        names: set[tuple[str, date]] = set()
        for subject in subjects:
            keys.update(identifier.key() for identifier in subject.identifiers)
            if subject.date_of_birth is not None:
                names.add((subject.name_key(), subject.date_of_birth))
        # Pairs are looked up as "first IN (...) AND second IN (...)" and the rows that are not
        # one of the pairs dropped here: SQLite plans a row-value IN list as a full scan.
        for first, second, citation_id in _pairs(
            session,
            CitationIdentifier.id_type,
            CitationIdentifier.id_number,
            CitationIdentifier.citation_id,
            keys,
        ):
            index.by_identifier[(first, second)].add(citation_id)
        for first, second, citation_id in _pairs(
            session, Citation.subject_name_key, Citation.subject_dob, Citation.id, names
        ):
            index.by_name[(first, second)].add(citation_id)
        found = set().union(*index.by_identifier.values(), *index.by_name.values())
        for id_part in _parts(sorted(found)):
            rows = session.execute(
                select(
                    CitationViolation.citation_id,
                    CitationViolation.ordinance_code,
                    CitationViolation.category,
                    CitationViolation.violation_date,
                    Citation.violation_at,
                    Citation.status,
                )
                .join(Citation, Citation.id == CitationViolation.citation_id)
                .where(CitationViolation.citation_id.in_(id_part))
            )
            for citation_id, code, category, day, moment, status in rows:
                index.violations[citation_id].append(
                    PriorViolation(citation_id, code, category, day, moment, status)
                )
        return index

    def citations_of(self, subject: Subject) -> set[int]:
        """The ids of the citations that name this person (none without an identifier or a
        date of birth: no one can be matched safely on a name alone)."""
        ids: set[int] = set()
        for identifier in subject.identifiers:
            ids |= self.by_identifier.get(identifier.key(), set())
        if subject.date_of_birth is not None:
            ids |= self.by_name.get((subject.name_key(), subject.date_of_birth), set())
        return ids

    def count(
        self,
        subject: Subject,
        resolved: ResolvedVersion,
        violation_at: datetime,
        violation_date: date,
        *,
        exclude_citation_id: int | None = None,
    ) -> int:
        """How many countable prior citations `subject` has for `resolved` before
        `violation_at`; the lookback window starts from `violation_date`, the violation's
        date in the jurisdiction's time zone."""
        rules = resolved.version.priors
        if rules is None:
            return 0
        window_start = rules.lookback.window_start(violation_date)
        counted = 0
        for citation_id in self.citations_of(subject) - {exclude_citation_id}:
            counted += any(
                (
                    v.ordinance_code == resolved.code
                    if rules.scope == "ordinance"
                    else v.category == resolved.category
                )
                and v.violation_date >= window_start
                and v.violation_at < violation_at
                and v.status not in NOT_COUNTED
                for v in self.violations.get(citation_id, ())
            )
        return counted

    def add(self, citation_id: int, subject: Subject, violations: Sequence[PriorViolation]) -> None:
        """A citation issued after the index was loaded (earlier in the same batch)."""
        for identifier in subject.identifiers:
            self.by_identifier[identifier.key()].add(citation_id)
        if subject.date_of_birth is not None:
            self.by_name[(subject.name_key(), subject.date_of_birth)].add(citation_id)
        self.violations[citation_id].extend(violations)


def _pairs(
    session: Session,
    first: InstrumentedAttribute[Any],
    second: InstrumentedAttribute[Any],
    citation_id: InstrumentedAttribute[int],
    pairs: set[tuple[Any, Any]],
) -> Iterator[tuple[Any, Any, int]]:
    """(first, second, citation id) of the rows whose two columns are one of `pairs`, through
    the index on the two columns."""
    if session.get_bind().dialect.name == "postgresql":
        yield from _pairs_joined(session, first, second, citation_id, pairs)
        return
    by_first: dict[Any, set[Any]] = defaultdict(set)
    for one, two in pairs:
        by_first[one].add(two)
    for part in _parts(sorted(by_first)):
        seconds = sorted(set().union(*(by_first[one] for one in part)))
        for second_part in _parts(seconds):
            rows = session.execute(
                select(first, second, citation_id).where(first.in_(part), second.in_(second_part))
            )
            for one, two, row_id in rows:
                if two in by_first[one]:
                    yield one, two, row_id


def _pairs_joined(
    session: Session,
    first: InstrumentedAttribute[Any],
    second: InstrumentedAttribute[Any],
    citation_id: InstrumentedAttribute[int],
    pairs: set[tuple[Any, Any]],
) -> Iterator[tuple[Any, Any, int]]:
    """`_pairs` on PostgreSQL: the table joined to the pairs as two arrays unnested, one
    probe of the two-column index per pair. "first IN (...) AND second IN (...)" is costed
    there (before PostgreSQL 17) as a probe per combination, so the planner chose the index
    on the date of birth alone: at a million citations, 200 people's lookup read the 23,000
    citations of their birthdays (150 ms a chunk, issuing at 73% of its empty-database rate);
    joined, 1 ms."""
    ordered = sorted(pairs)
    for part in _parts(ordered):
        wanted = (
            func.unnest(
                bindparam("firsts", [one for one, _ in part], type_=ARRAY(first.type)),
                bindparam("seconds", [two for _, two in part], type_=ARRAY(second.type)),
            )
            .table_valued("one", "two")
            .render_derived(name="wanted")
        )
        rows = session.execute(
            select(first, second, citation_id).join(
                wanted, and_(first == wanted.c.one, second == wanted.c.two)
            )
        )
        yield from ((one, two, row_id) for one, two, row_id in rows)


def _parts(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), PARAMETERS_PER_QUERY):
        yield items[start : start + PARAMETERS_PER_QUERY]


def count_priors(
    session: Session,
    subject: Subject,
    resolved: ResolvedVersion,
    violation_at: datetime,
    violation_date: date,
    *,
    exclude_citation_id: int | None = None,
) -> int:
    """How many countable prior citations `subject` has for `resolved` before `violation_at`
    (one person, one version: an amendment's question)."""
    return PriorIndex.load(session, [subject]).count(
        subject, resolved, violation_at, violation_date, exclude_citation_id=exclude_citation_id
    )
