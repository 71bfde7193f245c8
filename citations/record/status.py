"""A citation's status and the steps between statuses: one explicit state machine.

Every change of status goes through `move`, which refuses a step the current status does not
allow with an error naming the status. Issuance, contest, hearing, payment, plans, service,
diversion, delinquency and closing all meet here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from citations.errors import IllegalTransition

if TYPE_CHECKING:
    from citations.record.tables import Citation


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
    """Decided against the person (by a hearing, a default, a lapsed request, or a failed
    alternative): the balance is owed."""
    ON_PLAN = "on_plan"
    IN_SERVICE = "in_service"
    IN_DIVERSION = "in_diversion"
    DELINQUENT = "delinquent"
    """Unpaid past its due date (and late penalty, where the law allows one)."""
    IN_COLLECTIONS = "in_collections"
    PAID = "paid"
    SERVED = "served"
    """Satisfied by community service."""
    WAIVED = "waived"
    """Waived on proof of inability to pay."""
    DIVERTED = "diverted"
    """Dismissed on completing a diversion or restorative program."""
    DISMISSED = "dismissed"
    VOIDED = "voided"
    """Withdrawn by the issuer before any payment or hearing: as if never issued."""


S = CitationStatus

OWED = frozenset({S.ISSUED, S.REVIEW_UPHELD, S.UPHELD, S.ON_PLAN, S.DELINQUENT, S.IN_COLLECTIONS})
"""Statuses in which the person owes the balance and may pay it, or choose an alternative."""

CLOSED = frozenset({S.PAID, S.SERVED, S.WAIVED, S.DIVERTED, S.DISMISSED, S.VOIDED})

_SETTLE = frozenset({S.PAID, S.ON_PLAN, S.IN_SERVICE, S.IN_DIVERSION, S.WAIVED, S.DELINQUENT})

STEPS: dict[CitationStatus, frozenset[CitationStatus]] = {
    S.ISSUED: frozenset({S.IN_REVIEW, S.VOIDED}) | _SETTLE,
    S.IN_REVIEW: frozenset({S.REVIEW_UPHELD, S.DISMISSED}),
    S.REVIEW_UPHELD: frozenset({S.HEARING_REQUESTED}) | _SETTLE,
    S.HEARING_REQUESTED: frozenset({S.HEARING_SCHEDULED, S.UPHELD}),
    S.HEARING_SCHEDULED: frozenset({S.HEARING_SCHEDULED, S.UPHELD, S.DISMISSED, S.ON_PLAN, S.PAID}),
    S.UPHELD: frozenset({S.HEARING_REQUESTED}) | _SETTLE,  # a default set aside, or settled
    S.ON_PLAN: frozenset({S.PAID, S.DELINQUENT, S.WAIVED, S.IN_SERVICE}),
    S.IN_SERVICE: frozenset({S.SERVED, S.UPHELD, S.PAID}),
    S.IN_DIVERSION: frozenset({S.DIVERTED, S.UPHELD}),
    S.DELINQUENT: frozenset({S.IN_COLLECTIONS}) | _SETTLE - {S.DELINQUENT},
    S.IN_COLLECTIONS: frozenset({S.PAID, S.ON_PLAN, S.WAIVED, S.IN_SERVICE}),
    # A returned payment reopens a paid citation; a default paid by the deposit can still
    # be set aside for good cause.
    S.PAID: frozenset({S.UPHELD, S.DELINQUENT, S.HEARING_REQUESTED}),
    S.SERVED: frozenset(),
    S.WAIVED: frozenset(),
    S.DIVERTED: frozenset(),
    S.DISMISSED: frozenset(),
    S.VOIDED: frozenset(),
}

NOT_PRIORS = frozenset({S.VOIDED, S.DISMISSED, S.DIVERTED})
"""Statuses whose citations never count as priors."""


def move(citation: Citation, to: CitationStatus, action: str, at: datetime | None = None) -> None:
    """Change the citation's status, or raise IllegalTransition naming where it stands.

    Moving to a closed status records when (`at`), for time-to-resolution reports; a citation
    reopened (a returned payment, a default set aside) is no longer closed.
    """
    current = CitationStatus(citation.status)
    if to not in STEPS[current]:
        raise IllegalTransition(citation.number, current.value.replace("_", " "), action)
    citation.status = to.value
    if to in CLOSED:
        citation.closed_at = at or datetime.now(UTC)
    else:
        citation.closed_at = None


def require(
    citation: Citation,
    allowed: set[CitationStatus] | frozenset[CitationStatus],
    action: str,
    advice: str = "",
) -> None:
    """Refuse `action` unless the citation is in one of `allowed`."""
    if CitationStatus(citation.status) not in allowed:
        raise IllegalTransition(citation.number, citation.status.replace("_", " "), action, advice)
