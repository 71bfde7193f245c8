"""Serving a notice by mail: the notice is made, kept as sent, entered in the mailing log,
and its deadlines start from the mailing date plus the profile's days for mail service.

Daily processing mails the notices that wait to be mailed (the sender asked the city to mail
it, or the record arrived too late to keep the deadlines of the notice handed over at the
scene); a clerk who records a new address after a returned letter mails it again, with new
deadlines. Callers check the actor's permission; this only does the serving.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date, mail_served_on, pay_deadline
from citations.catalog.store import PublishedCatalog
from citations.errors import IllegalTransition
from citations.notice.build import printed_notice
from citations.notice.render import render_notice
from citations.record.chunks import Window, read_chunk
from citations.record.sent import (
    Delivery,
    keep_document,
    kept_document,
    log_mailing,
    mailed_again_about,
)
from citations.record.status import CitationStatus
from citations.record.tables import Citation, SentDocument
from citations.roles import Actor

MAIL = "mail"


def notice_kind(citation: Citation) -> str:
    """`notice` for the first revision, `amended_notice` after an amendment."""
    return "notice" if citation.revision == 1 else "amended_notice"


def mail_notice(
    session: Session,
    citation: Citation,
    *,
    address: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> SentDocument:
    """Mail the citation's notice to `address` today; its deadlines start again from today.

    The caller holds the citation's lock. Only a citation still open to pay or contest as
    the notice says (issued) is served: once it is contested, paid or late, its deadlines
    are those of the step it is at, and a new notice would promise time it does not have.
    """
    if citation.status != CitationStatus.ISSUED.value:
        raise IllegalTransition(
            citation.number,
            citation.status,
            "serve its notice again by mail",
            "only an issued citation, not yet contested, paid or late, is served again",
        )
    profile = PublishedCatalog(session).jurisdiction()
    mailed_on = local_date(now, profile)
    before = {
        "service_method": citation.service_method,
        "served_on": citation.served_on.isoformat() if citation.served_on else None,
        "due_on": citation.due_on.isoformat() if citation.due_on else None,
    }
    citation.service_method = MAIL
    citation.served_on = mail_served_on(mailed_on, profile)
    citation.due_on = pay_deadline(citation.served_on, profile)
    citation.attention = None
    kind = notice_kind(citation)
    context = printed_notice(session, citation, profile, kind=kind, now=now)
    about = f"revision:{citation.revision}"
    if kept_document(session, citation, kind, about) is not None:
        about = mailed_again_about(session, citation, about)
    document = keep_document(
        session,
        citation,
        kind=kind,
        about=about,
        language=context.language,
        issued_on=mailed_on,
        delivery=Delivery.MAILED,
        address=address,
        content=render_notice(context),
        actor=actor.name,
        now=now,
    )
    log_mailing(session, document, mailed_on=mailed_on, address=address, actor=actor.name, now=now)
    record(
        session,
        at=now,
        actor=actor.name,
        action="citation.served",
        entity_type="citation",
        entity_key=citation.number,
        before=before,
        after={
            "service_method": MAIL,
            "mailed_on": mailed_on.isoformat(),
            "served_on": citation.served_on.isoformat(),
            "due_on": citation.due_on.isoformat(),
        },
    )
    return document


def mail_waiting(
    session: Session, *, actor: Actor, now: datetime, window: Window | None = None
) -> list[str]:
    """The mail run: mail today every notice that waits to be mailed (whatever day daily
    processing runs for: mail is never backdated). One with no address stays for a clerk
    (`Citation.attention` says why); one a clerk is changing waits for the next run. With a
    `window`, only its next chunk (`citations.record.chunks`)."""
    numbers = []
    for citation in _waiting(session, window):
        address = citation.subject.get("address")
        if address is None:
            continue
        mail_notice(session, citation, address=address, actor=actor, now=now)
        numbers.append(citation.number)
    return numbers


def _waiting(session: Session, window: Window | None) -> list[Citation]:
    """Issued citations whose notice waits to be mailed, locked (one a clerk is changing
    waits for the next run)."""
    query = (
        select(Citation)
        .where(
            Citation.service_method == MAIL,
            Citation.served_on.is_(None),
            Citation.status == CitationStatus.ISSUED.value,
        )
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return read_chunk(session, query, Citation.id, window)
