"""A new mailing address for the person, recorded by a clerk (after a returned letter, or
when the person tells the office), which mails the notice again to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import FieldError, InputRejected
from citations.issuing.intake import Address
from citations.notice.mailing import mail_notice
from citations.record.lookup import lock_citation
from citations.record.sent import one_line
from citations.record.tables import SentDocument
from citations.roles import Action, Actor


def change_address(
    session: Session, number: str, address: Address, *, actor: Actor, now: datetime
) -> SentDocument:
    """Record `address` as the person's on the citation (audited), clear the clerk's
    attention flag, and mail the notice to it (`mail_notice`: new deadlines from the new
    mailing); returns the notice as mailed.

    >>> # change_address(session, "DCPD-2026-000001-5",
    >>> #                Address(line1="48 Alvarado St", city="Demo City"), actor=clerk, now=now)
    """
    actor.require(Action.RECORD_MAIL)
    citation = lock_citation(session, number, actor)
    new = address.model_dump(mode="json")
    old = citation.subject.get("address")
    if old == new:
        raise InputRejected(
            [FieldError("address", f"{one_line(new)} is already the address on file")],
            "the address is unchanged",
        )
    citation.subject = {**citation.subject, "address": new}
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
    return mail_notice(session, citation, address=new, actor=actor, now=now)
