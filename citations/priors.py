"""Counting a person's prior citations, in SQL, through indexed lookups.

A prior is an earlier citation of the same person (sharing an identifier, or with exactly the
same first and last name and date of birth) for the same ordinance or category, as the
version says, whose violation date falls within the lookback before this violation.
Voided and dismissed citations are not priors. Each prior citation counts once, however many
of its violations match.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, tuple_, union
from sqlalchemy.orm import Session

from citations.intake import Subject
from citations.status import NOT_PRIORS
from citations.tables import Citation, CitationIdentifier, CitationViolation
from ordinances.resolve import ResolvedVersion


def count_priors(
    session: Session,
    subject: Subject,
    resolved: ResolvedVersion,
    violation_at: datetime,
    violation_date: date,
    *,
    exclude_citation_id: int | None = None,
) -> int:
    """How many countable prior citations `subject` has for `resolved` before `violation_at`.

    `violation_date` is the violation's date in the jurisdiction's time zone; the lookback
    window starts from it.
    """
    rules = resolved.version.priors
    if rules is None:
        return 0
    window_start = rules.lookback.window_start(violation_date)
    # Start from the person (a few citations, found through the identifier and name
    # indexes), not from the ordinance (thousands of citations in a busy lookback window).
    sources = []
    keys = [identifier.key() for identifier in subject.identifiers]
    if keys:
        sources.append(
            select(CitationIdentifier.citation_id.label("id")).where(
                tuple_(CitationIdentifier.id_type, CitationIdentifier.id_number).in_(keys)
            )
        )
    if subject.date_of_birth is not None:
        sources.append(
            select(Citation.id.label("id")).where(
                Citation.subject_name_key == subject.name_key(),
                Citation.subject_dob == subject.date_of_birth,
            )
        )
    if not sources:
        return 0  # neither an identifier nor a date of birth: no one can be matched safely
    # Two indexed steps, so no planner can start from the ordinance's side: the person's
    # citations first (usually a handful), then their violations in scope and window.
    found = union(*sources) if len(sources) > 1 else sources[0]
    ids = [i for i in session.scalars(found) if i != exclude_citation_id]
    if not ids:
        return 0
    scope = (
        CitationViolation.ordinance_code == resolved.code
        if rules.scope == "ordinance"
        else CitationViolation.category == resolved.category
    )
    query = (
        select(func.count(func.distinct(Citation.id)))
        .select_from(CitationViolation)
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(
            CitationViolation.citation_id.in_(ids),
            scope,
            CitationViolation.violation_date >= window_start,
            Citation.violation_at < violation_at,
            Citation.status.not_in([s.value for s in NOT_PRIORS]),
        )
    )
    return session.scalar(query) or 0
