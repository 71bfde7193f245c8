"""Voiding a citation issued in error, before any payment or hearing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import FieldError, IllegalTransition, InputRejected
from citations.record.ledger import EntryKind, balance, paid, post
from citations.record.lookup import CitationPublic, lock_citation, to_public
from citations.record.repeats import refresh_next_days
from citations.record.status import CitationStatus, move, require
from citations.roles import Action, Actor


def void_citation(
    session: Session, number: str, reason: str, *, actor: Actor, now: datetime
) -> CitationPublic:
    """Void a citation issued in error: only before any payment or hearing; after that a
    hearing officer can only dismiss it. A voided citation is never a prior."""
    actor.require(Action.VOID_CITATION)  # a wrong role is refused whether or not it exists
    citation = lock_citation(session, number, actor)
    actor.require(Action.VOID_CITATION, citation.agency.code)
    reason = _reason(reason)
    require(
        citation,
        {CitationStatus.ISSUED},
        "void it",
        "only an issued citation without payments or hearings",
    )
    if paid(session, citation) > 0:
        raise IllegalTransition(
            citation.number, "paid in part", "void it", "a hearing officer can only dismiss it now"
        )
    post(
        session,
        citation,
        EntryKind.VOID,
        balance(session, citation),
        actor=actor.name,
        at=now,
        reason=reason,
    )
    before = citation.status
    move(citation, CitationStatus.VOIDED, "void it", at=now)
    refresh_next_days(session, [(citation.subject_name_key, citation.subject_dob)])
    citation.status_reason = reason
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.void",
        entity_type="citation",
        entity_key=citation.number,
        reason=reason,
        before={"status": before},
        after={"status": citation.status},
    )
    return to_public(citation)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 3:
        raise InputRejected([FieldError("reason", "a reason of at least 3 characters is required")])
    return reason
