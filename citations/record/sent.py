"""The documents given to people, kept as sent, and the mailing log.

A document is kept the moment it is first given (handed over, mailed, emailed, shown online):
its PDF's bytes, their SHA-256, its language and date, how it went out and to which address.
Every later request for it returns those bytes; a changed situation (an amendment, a new
address, a new hearing) makes a new document under a new `about` key, never a rewritten one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from citations.audit import record
from citations.errors import NotFound
from citations.record.lookup import find_citation
from citations.record.tables import Citation, Mailing, SentDocument
from citations.roles import PERMISSIONS, Action, Actor, Role


class Delivery(StrEnum):
    HANDED_OVER = "handed_over"
    """Given to the person by hand: at the scene, at the counter, or kept at the office for
    them when there is no address to mail it to."""
    MAILED = "mailed"
    EMAILED = "emailed"
    ONLINE = "online"


class Kind(StrEnum):
    """What a kept document is; with its `about` key it names one document."""

    NOTICE = "notice"
    """The citation's notice (`about`: `revision:N`)."""
    AMENDED_NOTICE = "amended_notice"
    """The notice of an amended citation (`about`: `revision:N`, N > 1)."""
    HEARING_NOTICE = "hearing_notice"
    """`about`: `hearing:ID`; a continuance's new hearing has its own."""
    HEARING_PACKET = "hearing_packet"
    """The evidence for one hearing, sent with its notice (`about`: `hearing:ID`); it travels
    in the notice's envelope, so the mailing log has one entry, the notice's."""
    ORDER = "order"
    """`about`: `order:ID`."""
    RECEIPT = "receipt"
    """`about`: `receipt:R-0000012`."""
    LATE_NOTICE = "late_notice"
    """`about`: `late:YYYY-MM-DD`, the processing day that made the citation delinquent."""
    REMINDER_LETTER = "reminder_letter"
    """A reminder posted by a mail house (`citations.outreach.channels.letters`); `about`:
    `message:ID`, the outbox message it carries."""


NOTICES = (Kind.NOTICE, Kind.AMENDED_NOTICE)

READ_ALSO: dict[Kind, Action] = {
    Kind.RECEIPT: Action.RECORD_PAYMENT,
    Kind.LATE_NOTICE: Action.READ_MONEY_REPORTS,
}
"""Reading a kept document needs `read_citation` and, for these kinds, what printing them
needed before they were kept (a receipt was the cashier's; a late notice, money reports')."""


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


def latest_document(
    session: Session, citation: Citation, kinds: Collection[Kind]
) -> SentDocument | None:
    """The newest document of these kinds kept for the citation, if any."""
    return session.scalars(
        select(SentDocument)
        .where(
            SentDocument.citation_id == citation.id,
            SentDocument.kind.in_([k.value for k in kinds]),
        )
        .order_by(SentDocument.id.desc())
        .limit(1)
    ).first()


def postal_address(citation: Citation) -> dict[str, Any] | None:
    """The subject's postal address as recorded (line1, line2, city, state, postal_code), or
    None when none is on file: many people cited have none."""
    address = citation.subject.get("address")
    if not isinstance(address, dict) or not address.get("line1"):
        return None
    return dict(address)


def send_document(
    session: Session,
    citation: Citation,
    *,
    kind: Kind,
    about: str,
    language: str,
    issued_on: date,
    content: bytes,
    mailed_on: date,
    actor: str,
    now: datetime,
) -> SentDocument:
    """Keep a document the city sends the person: mailed to the subject's postal address and
    entered in the mailing log, or, with no address on file, kept as handed over (it waits
    at the office and is given when the person comes or calls). The caller holds the
    citation's lock."""
    address = postal_address(citation)
    document = keep_document(
        session,
        citation,
        kind=kind.value,
        about=about,
        language=language,
        issued_on=issued_on,
        delivery=Delivery.MAILED if address else Delivery.HANDED_OVER,
        address=address,
        content=content,
        actor=actor,
        now=now,
    )
    if address is not None:
        log_mailing(session, document, mailed_on=mailed_on, address=address, actor=actor, now=now)
    return document


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


def mailed_again_about(session: Session, citation: Citation, about: str) -> str:
    """The `about` of a document mailed once more (to a new address, after a return): its
    first `about`, numbered by the citation's mailings so far, so each mailing is its own."""
    mailings = session.scalar(
        select(func.count()).select_from(Mailing).where(Mailing.citation_id == citation.id)
    )
    return f"{about.split('/mailing:')[0]}/mailing:{(mailings or 0) + 1}"


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


class MailingPublic(BaseModel):
    """A mailed document's entry in the mailing log."""

    mailed_on: date
    address: dict[str, Any]
    returned_on: date | None
    """The day the letter came back undeliverable, if it did."""
    return_reason: str | None
    return_recorded_at: datetime | None
    return_recorded_by: str | None


class DocumentPublic(BaseModel):
    """A document as it was given to the person: what, when, how, and its fingerprint."""

    id: int
    kind: str
    about: str
    language: str
    issued_on: date
    """The date the document bears."""
    kept_at: datetime
    kept_by: str
    delivery: str
    address: dict[str, Any] | None
    sha256: str
    size: int
    mailing: MailingPublic | None


def may_read(actor: Actor, kind: str) -> bool:
    """Whether the actor may read a kept document of this kind (beyond reading the citation)."""
    if actor.role is Role.PERSON:  # every document sent to the person is theirs to read
        return True
    extra = READ_ALSO.get(Kind(kind))
    return extra is None or actor.role in PERMISSIONS[extra]


def to_document_public(document: SentDocument, mailing: Mailing | None) -> DocumentPublic:
    return DocumentPublic(
        id=document.id,
        kind=document.kind,
        about=document.about,
        language=document.language,
        issued_on=document.issued_on,
        kept_at=document.created_at,
        kept_by=document.created_by,
        delivery=document.delivery,
        address=document.address,
        sha256=document.sha256,
        size=document.size,
        mailing=None
        if mailing is None
        else MailingPublic(
            mailed_on=mailing.mailed_on,
            address=mailing.address,
            returned_on=mailing.returned_on,
            return_reason=mailing.return_reason,
            return_recorded_at=mailing.return_recorded_at,
            return_recorded_by=mailing.return_recorded_by,
        ),
    )


def describe(session: Session, document: SentDocument) -> DocumentPublic:
    """One kept document as the list shows it, with its mailing log entry."""
    mailing = session.scalar(select(Mailing).where(Mailing.document_id == document.id))
    return to_document_public(document, mailing)


def sent_documents(session: Session, citation: Citation, actor: Actor) -> list[DocumentPublic]:
    """Every document kept for the citation that the actor may read, oldest first, each with
    its mailing log entry. The caller has found the citation for the actor."""
    rows = session.execute(
        select(SentDocument, Mailing)
        .outerjoin(Mailing, Mailing.document_id == SentDocument.id)
        .where(SentDocument.citation_id == citation.id)
        .order_by(SentDocument.id)
        .options(defer(SentDocument.content))
    ).all()
    return [
        to_document_public(document, mailing)
        for document, mailing in rows
        if may_read(actor, document.kind)
    ]


def documents_of(session: Session, number: str, actor: Actor) -> list[DocumentPublic]:
    """Every document sent on a citation, as `sent_documents` lists them.

    >>> # documents_of(session, "DCPD-2026-000001-5", clerk)[0].kind
    >>> # 'notice'
    """
    return sent_documents(session, find_citation(session, number, actor), actor)


def stored_document(session: Session, number: str, document_id: int, actor: Actor) -> SentDocument:
    """One kept document of the citation, bytes and all, if the actor may read it: NotFound
    for another citation's document (or none), PermissionDenied for a kind the actor may not
    print (a receipt for an officer)."""
    citation = find_citation(session, number, actor)
    document = session.get(SentDocument, document_id)
    if document is None or document.citation_id != citation.id:
        raise NotFound("document", f"{citation.number}/{document_id}")
    require_reading(actor, document.kind)
    return document


def require_reading(actor: Actor, kind: str) -> None:
    """PermissionDenied unless the actor may read a kept document of this kind."""
    actor.require(Action.READ_CITATION)
    extra = READ_ALSO.get(Kind(kind))
    if extra is not None:
        actor.require(extra)


def one_line(address: dict[str, Any] | None) -> str:
    """An address on one line, as the mailing log and the pages show it.

    >>> one_line({"line1": "12 Main St", "line2": None, "city": "Demo City", "state": "CA",
    ...           "postal_code": "90012"})
    '12 Main St, Demo City CA 90012'
    """
    if not address:
        return ""
    city = " ".join(
        p for p in (address.get("city"), address.get("state"), address.get("postal_code")) if p
    )
    return ", ".join(p for p in (address.get("line1"), address.get("line2"), city) if p)
