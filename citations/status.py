"""A citation's status. The full lifecycle (contest, hearing, payment, service...) grows from
here; for now a citation is issued, then possibly voided or dismissed."""

from __future__ import annotations

from enum import StrEnum


class CitationStatus(StrEnum):
    ISSUED = "issued"
    VOIDED = "voided"
    """Withdrawn by the issuer before any payment or hearing: as if never issued."""
    DISMISSED = "dismissed"


NOT_PRIORS = frozenset({CitationStatus.VOIDED, CitationStatus.DISMISSED})
"""Statuses whose citations never count as priors."""
