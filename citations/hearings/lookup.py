"""Finding a citation's contest (one per citation)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.errors import FieldError, InputRejected
from citations.hearings.tables import Contest
from citations.record.tables import Citation


def contest_of(session: Session, citation: Citation) -> Contest:
    """The citation's contest; InputRejected if it has not been contested."""
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    if contest is None:
        raise InputRejected([FieldError("number", f"{citation.number} has not been contested")])
    return contest
