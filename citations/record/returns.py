"""Returned mail: a clerk records that a mailed document came back undeliverable.

The mailing log keeps the day it came back and why; the citation is flagged for a clerk's
attention (`Citation.attention`, shown on its page and in the clerks' queue) until a new
address is recorded (`citations.notice.address`), which mails the notice again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, NotFound
from citations.inputs import printable
from citations.record.lookup import lock_citation
from citations.record.moments import check_not_after_today
from citations.record.sent import DocumentPublic, one_line, to_document_public
from citations.record.tables import Mailing, SentDocument
from citations.roles import Action, Actor

KIND_WORDS = {
    "notice": "notice",
    "amended_notice": "amended notice",
    "hearing_notice": "hearing notice",
    "hearing_packet": "hearing packet",
    "order": "order",
    "receipt": "receipt",
    "late_notice": "late notice",
    "reminder_letter": "reminder letter",
}


def record_return(
    session: Session,
    number: str,
    document_id: int,
    *,
    returned_on: date,
    reason: str,
    actor: Actor,
    now: datetime,
) -> DocumentPublic:
    """Record that a mailed document came back on `returned_on` (not before it was mailed,
    not after today), with the reason the post gave; flags the citation for attention.

    >>> # record_return(session, "DCPD-2026-000001-5", 7, returned_on=date(2026, 12, 9),
    >>> #               reason="Moved, left no address", actor=clerk, now=now)
    """
    actor.require(Action.RECORD_MAIL)
    citation = lock_citation(session, number, actor)
    document = session.get(SentDocument, document_id)
    if document is None or document.citation_id != citation.id:
        raise NotFound("document", f"{citation.number}/{document_id}")
    mailing = session.scalar(select(Mailing).where(Mailing.document_id == document.id))
    errors = []
    why = reason.strip()
    if len(why) < 3:
        errors.append(FieldError("reason", "say why it came back (as the post marked it)"))
    else:
        try:
            why = printable(why)
        except ValueError as exc:
            errors.append(FieldError("reason", str(exc)))
    if mailing is None:
        errors.append(
            FieldError("document", f"document {document_id} was {document.delivery}, not mailed")
        )
    elif mailing.returned_on is not None:
        errors.append(
            FieldError(
                "document",
                f"document {document_id} was already recorded as returned on "
                f"{mailing.returned_on.isoformat()}",
            )
        )
    elif returned_on < mailing.mailed_on:
        errors.append(
            FieldError(
                "returned_on",
                f"{returned_on.isoformat()} is before it was mailed "
                f"({mailing.mailed_on.isoformat()})",
            )
        )
    if errors:
        raise InputRejected(errors, "the return cannot be recorded")
    assert mailing is not None
    profile = PublishedCatalog(session).jurisdiction()
    check_not_after_today(returned_on, now=now, profile=profile, what="a returned letter")
    mailing.returned_on = returned_on
    mailing.return_reason = why
    mailing.return_recorded_at = now
    mailing.return_recorded_by = actor.name
    before = citation.attention
    citation.attention = (
        f"The {KIND_WORDS.get(document.kind, document.kind)} mailed on "
        f"{mailing.mailed_on.isoformat()} to {one_line(mailing.address)} came back on "
        f"{returned_on.isoformat()}: {why}. Record a new address to mail the notice again."
    )
    record(
        session,
        at=now,
        actor=actor.name,
        action="mail.returned",
        entity_type="citation",
        entity_key=citation.number,
        reason=why,
        before={"attention": before},
        after={
            "document": document.id,
            "kind": document.kind,
            "mailed_on": mailing.mailed_on.isoformat(),
            "returned_on": returned_on.isoformat(),
            "attention": citation.attention,
        },
    )
    return to_document_public(document, mailing)
