"""The hearing documents as given: each hearing notice and each order is rendered and kept
in the transaction of the step that makes it, and every print returns those bytes.

- A hearing notice when the hearing is scheduled, one per hearing (`about`: `hearing:ID`):
  a continuance's new hearing gets its own, and the old one stays printable, whatever has
  happened to the hearing since.
- The hearing packet with each hearing notice (`hearing_packet`, `about`: `hearing:ID`): every
  piece of evidence as it stood when the notice went out, in the same envelope (the current
  packet prints at any time: `citations.hearings.packet.current_packet`).
- An order when the review or hearing is decided, or a no-show recorded (`order:ID`), with
  the receipt of any refund it orders.

Both are mailed to the person's address and entered in the mailing log or, with no address
on file, kept as handed over (given at the hearing or the counter). A hearing notice or an
order made before documents were kept (schema revision 0010), or by the seed's bulk path, is
kept the first time it is printed.

Each one made to be kept prints an access code minted for it in the same transaction
(`citations.documents.access`); a reprint returns the kept bytes and mints nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments.store import FileStore
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess, mint_online_access
from citations.errors import FieldError, InputRejected
from citations.hearings.build import build_hearing_notice, build_order, latest_order
from citations.hearings.packet import build_packet, latest_hearing
from citations.hearings.packet_pdf import render_packet
from citations.hearings.render import render_hearing_notice, render_order
from citations.hearings.tables import Contest, Hearing, Order
from citations.payments.posting import active_plan
from citations.payments.receipts import keep_receipts
from citations.record.lookup import find_citation, lock_citation
from citations.record.sent import Delivery, Kind, keep_document, latest_document, send_document
from citations.record.tables import Citation, SentDocument
from citations.roles import Actor
from ordinances.models import Jurisdiction


def keep_hearing_notice(
    session: Session, citation: Citation, hearing: Hearing, *, actor: Actor, now: datetime
) -> SentDocument:
    """Render the notice of `hearing` as of today and send it (mailed, or handed over), with
    the hearing packet in the same envelope."""
    profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)
    access = _access(session, citation, Kind.HEARING_NOTICE, profile, now)
    context = build_hearing_notice(
        session, citation, hearing, profile, sent_on=today, access=access
    )
    notice = send_document(
        session,
        citation,
        kind=Kind.HEARING_NOTICE,
        about=f"hearing:{hearing.id}",
        language=context.language,
        issued_on=today,
        content=render_hearing_notice(context),
        mailed_on=today,
        actor=actor.name,
        now=now,
    )
    keep_hearing_packet(session, citation, hearing, notice, profile, actor=actor, now=now)
    return notice


def keep_hearing_packet(
    session: Session,
    citation: Citation,
    hearing: Hearing,
    notice: SentDocument,
    profile: Jurisdiction,
    *,
    actor: Actor,
    now: datetime,
) -> SentDocument:
    """Keep the packet of `hearing` as sent with its `notice`: delivered as the notice was,
    to the same address; the notice's mailing log entry is the envelope's."""
    context = build_packet(session, citation, hearing, profile, now=now)
    return keep_document(
        session,
        citation,
        kind=Kind.HEARING_PACKET.value,
        about=f"hearing:{hearing.id}",
        language=context.language,
        issued_on=notice.issued_on,
        delivery=Delivery(notice.delivery),
        address=notice.address,
        content=render_packet(context),
        actor=actor.name,
        now=now,
    )


def keep_order(
    session: Session, citation: Citation, order: Order, *, actor: Actor, now: datetime
) -> SentDocument:
    """Render the order as the decision leaves things and send it, with the receipt of any
    refund it ordered. Call it last in the deciding step, once status, plan and due date are
    set."""
    keep_receipts(session, citation, plan=active_plan(session, citation), actor=actor, now=now)
    profile = PublishedCatalog(session).jurisdiction()
    access = _access(session, citation, Kind.ORDER, profile, now)
    context = build_order(session, citation, order, profile, access)
    return send_document(
        session,
        citation,
        kind=Kind.ORDER,
        about=f"order:{order.id}",
        language=context.language,
        issued_on=context.decided_on,
        content=render_order(context),
        mailed_on=local_date(now, profile),
        actor=actor.name,
        now=now,
    )


def hearing_notice_document(
    session: Session, number: str, actor: Actor, *, now: datetime
) -> SentDocument:
    """The latest hearing notice sent on the citation, as it was sent (also once the hearing
    was held, decided or postponed). Every earlier one is in `citations.record.sent`'s list."""
    citation = find_citation(session, number, actor)
    kept = latest_document(session, citation, [Kind.HEARING_NOTICE])
    if kept is not None:
        return kept
    citation = lock_citation(session, number, actor)
    kept = latest_document(session, citation, [Kind.HEARING_NOTICE])
    if kept is not None:  # printed by another request while this one waited for the lock
        return kept
    hearing = session.scalars(
        select(Hearing)
        .join(Contest, Contest.id == Hearing.contest_id)
        .where(Contest.citation_id == citation.id)
        .order_by(Hearing.id.desc())
    ).first()
    if hearing is None:
        raise InputRejected([FieldError("number", f"{citation.number} has no hearing notice")])
    return _first_print(session, citation, hearing, actor=actor, now=now)


def _first_print(
    session: Session, citation: Citation, hearing: Hearing, *, actor: Actor, now: datetime
) -> SentDocument:
    """A hearing from before notices were kept: its notice, kept as printed now."""
    profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)
    access = _access(session, citation, Kind.HEARING_NOTICE, profile, now)
    context = build_hearing_notice(
        session, citation, hearing, profile, sent_on=today, access=access
    )
    return keep_document(
        session,
        citation,
        kind=Kind.HEARING_NOTICE.value,
        about=f"hearing:{hearing.id}",
        language=context.language,
        issued_on=today,
        delivery=Delivery.HANDED_OVER,
        address=None,
        content=render_hearing_notice(context),
        actor=actor.name,
        now=now,
    )


def order_document(session: Session, number: str, actor: Actor, *, now: datetime) -> SentDocument:
    """The latest order on the citation, as it was sent."""
    citation = find_citation(session, number, actor)
    kept = latest_document(session, citation, [Kind.ORDER])
    if kept is not None:
        return kept
    citation = lock_citation(session, number, actor)
    kept = latest_document(session, citation, [Kind.ORDER])
    if kept is not None:  # printed by another request while this one waited for the lock
        return kept
    order = latest_order(session, citation)  # InputRejected when there is none
    profile = PublishedCatalog(session).jurisdiction()
    access = _access(session, citation, Kind.ORDER, profile, now)
    context = build_order(session, citation, order, profile, access)
    return keep_document(
        session,
        citation,
        kind=Kind.ORDER.value,
        about=f"order:{order.id}",
        language=context.language,
        issued_on=context.decided_on,
        delivery=Delivery.HANDED_OVER,
        address=None,
        content=render_order(context),
        actor=actor.name,
        now=now,
    )


def current_packet(
    session: Session, number: str, actor: Actor, *, now: datetime, store: FileStore | None = None
) -> tuple[str, bytes]:
    """The packet of the citation's newest hearing as it stands now: (citation number, PDF).
    Every packet sent is kept with its hearing notice (`citations.record.sent`)."""
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    hearing = latest_hearing(session, citation)
    context = build_packet(session, citation, hearing, profile, now=now, store=store)
    return citation.number, render_packet(context)


def _access(
    session: Session, citation: Citation, kind: Kind, profile: Jurisdiction, now: datetime
) -> OnlineAccess:
    """A fresh access code for the document of `kind` kept now, as it prints it."""
    return mint_online_access(
        session, citation, printed_on=kind.value, website=profile.contact.website, now=now
    )
