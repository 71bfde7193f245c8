"""A new mailing address for the person, recorded by a clerk (after a returned letter, or
when the person tells the office) or by the person online, which mails the notice again to
it, or, once the citation is past the notice, the letter that came back.

A person keeping their address current online mails nothing unless a letter came back (or
the notice still waits for its first mailing): a new notice would start its deadlines again,
and a person who simply moved has nothing to be sent again. Nothing mailed yet past the
notice's stage (a notice handed over at the scene, then contested) records the address for
the next document sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, IllegalTransition, InputRejected
from citations.issuing.intake import Address
from citations.notice.mailing import MAIL, mail_notice
from citations.record.folding import folded_subject
from citations.record.lookup import lock_citation
from citations.record.sent import (
    Delivery,
    keep_document,
    log_mailing,
    mailed_again_about,
    one_line,
)
from citations.record.status import CitationStatus
from citations.record.tables import Citation, Mailing, SentDocument
from citations.roles import Action, Actor, Role


def change_address(
    session: Session, number: str, address: Address, *, actor: Actor, now: datetime
) -> SentDocument:
    """`record_address`, for the clerks' faces that answer with the document mailed: a
    citation with nothing to mail again is refused (and nothing recorded) as before."""
    mailed = record_address(session, number, address, actor=actor, now=now)
    if mailed is None:
        citation = lock_citation(session, number, actor)
        raise IllegalTransition(
            citation.number,
            citation.status,
            "mail a document again",
            "nothing was mailed on it yet; the address is recorded with the next document sent",
        )
    return mailed


def record_address(
    session: Session, number: str, address: Address, *, actor: Actor, now: datetime
) -> SentDocument | None:
    """Record `address` as the person's on the citation (audited), clear the clerk's
    attention flag, and mail to it: the notice, with new deadlines from the new mailing
    (`mail_notice`), while the citation is still issued; past that, the letter that came back,
    as it was sent. Returns the document as mailed, or None when nothing is mailed: the
    person's own change with no letter come back, or nothing mailed yet past the notice.

    >>> # record_address(session, "DCPD-2026-000001-5",
    >>> #                Address(line1="48 Alvarado St", city="Demo City"), actor=clerk, now=now)
    """
    actor.require(Action.CHANGE_CONTACT)
    citation = lock_citation(session, number, actor)
    new = address.model_dump(mode="json")
    old = citation.subject.get("address")
    if old == new:
        raise InputRejected(
            [FieldError("address", f"{one_line(new)} is already the address on file")],
            "the address is unchanged",
        )
    came_back = citation.attention is not None
    waiting = citation.service_method == MAIL and citation.served_on is None
    citation.subject = {**citation.subject, "address": new}
    citation.subject_address_folded = folded_subject(citation.subject)["subject_address_folded"]
    attention = citation.attention
    citation.attention = None
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.address_changed",
        entity_type="citation",
        entity_key=citation.number,
        before={"address": old, "attention": attention},
        after={"address": new, "attention": None},
    )
    if actor.role is Role.PERSON and not came_back and not waiting:
        return None
    if citation.status == CitationStatus.ISSUED.value:
        return mail_notice(session, citation, address=new, actor=actor, now=now)
    return _mail_again(session, citation, new, actor, now)


def _mail_again(
    session: Session, citation: Citation, address: dict[str, Any], actor: Actor, now: datetime
) -> SentDocument | None:
    """Past the notice's stage a new notice would promise time the person no longer has (and
    a rebuilt order would say what is true today, not what was decided): the letter that came
    back (else the last one mailed) goes out again to the new address as it was sent, the
    same bytes, entered in the mailing log as a mailing of its own. None when nothing was
    mailed on the citation yet: the address waits for the next document."""
    mailed = session.execute(
        select(SentDocument, Mailing)
        .join(Mailing, Mailing.document_id == SentDocument.id)
        .where(SentDocument.citation_id == citation.id)
        .order_by(Mailing.returned_on.is_(None), SentDocument.id.desc())
    ).first()
    if mailed is None:
        return None
    document = mailed[0]
    profile = PublishedCatalog(session).jurisdiction()
    again = keep_document(
        session,
        citation,
        kind=document.kind,
        about=mailed_again_about(session, citation, document.about),
        language=document.language,
        issued_on=document.issued_on,
        delivery=Delivery.MAILED,
        address=address,
        content=document.content,
        actor=actor.name,
        now=now,
    )
    log_mailing(
        session,
        again,
        mailed_on=local_date(now, profile),
        address=address,
        actor=actor.name,
        now=now,
    )
    return again
