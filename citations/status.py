"""A citation's status and the steps between statuses: one explicit state machine.

Every change of status goes through `move`, which refuses a step the current status does not
allow with an error naming the status. Payments, plans, service and diversion join it later.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from citations.errors import IllegalTransition

if TYPE_CHECKING:
    from citations.tables import Citation


class CitationStatus(StrEnum):
    ISSUED = "issued"
    IN_REVIEW = "in_review"
    """The person asked for the initial written review."""
    REVIEW_UPHELD = "review_upheld"
    """The review upheld (or reduced) it; the person may still ask for a hearing."""
    HEARING_REQUESTED = "hearing_requested"
    """Waiting for the deposit, a waiver decision, or a place on a docket."""
    HEARING_SCHEDULED = "hearing_scheduled"
    UPHELD = "upheld"
    """Decided against the person (by a hearing, a default, or a lapsed request)."""
    DISMISSED = "dismissed"
    VOIDED = "voided"
    """Withdrawn by the issuer before any payment or hearing: as if never issued."""


S = CitationStatus
STEPS: dict[CitationStatus, frozenset[CitationStatus]] = {
    S.ISSUED: frozenset({S.IN_REVIEW, S.VOIDED}),
    S.IN_REVIEW: frozenset({S.REVIEW_UPHELD, S.DISMISSED}),
    S.REVIEW_UPHELD: frozenset({S.HEARING_REQUESTED}),
    S.HEARING_REQUESTED: frozenset({S.HEARING_SCHEDULED, S.UPHELD}),
    S.HEARING_SCHEDULED: frozenset({S.HEARING_SCHEDULED, S.UPHELD, S.DISMISSED}),
    S.UPHELD: frozenset({S.HEARING_REQUESTED}),  # a default set aside for good cause
    S.DISMISSED: frozenset(),
    S.VOIDED: frozenset(),
}

NOT_PRIORS = frozenset({S.VOIDED, S.DISMISSED})
"""Statuses whose citations never count as priors."""


def move(citation: Citation, to: CitationStatus, action: str) -> None:
    """Change the citation's status, or raise IllegalTransition naming where it stands."""
    current = CitationStatus(citation.status)
    if to not in STEPS[current]:
        raise IllegalTransition(citation.number, current.value.replace("_", " "), action)
    citation.status = to.value


def require(
    citation: Citation, allowed: set[CitationStatus], action: str, advice: str = ""
) -> None:
    """Refuse `action` unless the citation is in one of `allowed`."""
    if CitationStatus(citation.status) not in allowed:
        raise IllegalTransition(citation.number, citation.status.replace("_", " "), action, advice)
