"""The documents given to people, kept as sent, and the mailing log.

A document is kept the moment it is first given (handed over, mailed, emailed, shown online):
its PDF's bytes, their SHA-256, its language and date, how it went out and to which address.
Every later request for it returns those bytes; a changed situation (an amendment, a new
address, a new hearing) makes a new document under a new `about` key, never a rewritten one.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.record.tables import Citation, Mailing, SentDocument


class Delivery(StrEnum):
    HANDED_OVER = "handed_over"
    MAILED = "mailed"
    EMAILED = "emailed"
    ONLINE = "online"


def kept_document(
    session: Session, citation: Citation, kind: str, about: str
) -> SentDocument | None:
    """The document of this kind about this thing, as it was sent, if it was."""
    return session.scalar(
        select(SentDocument).where(
            SentDocument.citation_id == citation.id,
            SentDocument.kind == kind,
            SentDocument.about == about,
        )
    )


def keep_document(
    session: Session,
    citation: Citation,
    *,
    kind: str,
    about: str,
    language: str,
    issued_on: date,
    delivery: Delivery,
    address: dict[str, Any] | None,
    content: bytes,
    actor: str,
    now: datetime,
) -> SentDocument:
    """Keep a document as it is given to the person, audited in the same transaction.

    The caller holds the citation's lock (`lock_citation`), so two requests cannot both keep
    a first copy; the unique key (citation, kind, about) makes sure of it.
    """
    digest = hashlib.sha256(content).hexdigest()
    document = SentDocument(
        citation_id=citation.id,
        kind=kind,
        about=about,
        language=language,
        issued_on=issued_on,
        created_at=now,
        created_by=actor,
        delivery=delivery.value,
        address=address,
        sha256=digest,
        size=len(content),
        content=content,
    )
    session.add(document)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="document.sent",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "document": document.id,
            "kind": kind,
            "about": about,
            "language": language,
            "issued_on": issued_on.isoformat(),
            "delivery": delivery.value,
            "sha256": digest,
        },
    )
    return document


def log_mailing(
    session: Session,
    document: SentDocument,
    *,
    mailed_on: date,
    address: dict[str, Any],
    actor: str,
    now: datetime,
) -> Mailing:
    """Enter a mailed document in the mailing log, audited."""
    mailing = Mailing(
        document_id=document.id,
        citation_id=document.citation_id,
        mailed_on=mailed_on,
        address=address,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(mailing)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="document.mailed",
        entity_type="citation",
        entity_key=document.citation.number,
        after={"document": document.id, "mailed_on": mailed_on.isoformat(), "address": address},
    )
    return mailing
