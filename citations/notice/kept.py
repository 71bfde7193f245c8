"""The citation's notice as given: kept the first time it is produced, and at amendment.

A notice handed over at the scene (`service_method` personal) is printed by the officer's
device; the city's copy is kept the first time the system produces it (printed, downloaded or
shown), not at issue: issuing runs at thousands of citations a second and a notice renders at
about 40 a second. That copy is what was handed over, because the notice's content depends
only on the citation's revision and the day it was served, which do not change; a new
revision (an amendment) or a new address makes a new document, never a rewritten one.
The citation's row lock orders two first prints, so they keep one document.

An amendment sends the amended notice in its own transaction (`amend_with_notice`): mailed to
the person's address and logged, or, with none on file, kept as handed over. A notice to be
served by mail is made and kept by the mailing step (`citations.notice.mailing`).

Each notice made to be kept prints an access code minted for it in the same transaction
(`citations.notice.build.printed_notice`); a reprint returns the kept bytes and mints nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.issuing.amend import Amendment, amend_citation
from citations.notice.build import printed_notice
from citations.notice.render import render_notice
from citations.record.lookup import CitationPublic, find_citation, lock_citation
from citations.record.sent import (
    NOTICES,
    Delivery,
    Kind,
    keep_document,
    latest_document,
    send_document,
)
from citations.record.tables import Citation, SentDocument
from citations.roles import Actor


def notice_kind(citation: Citation) -> Kind:
    return Kind.NOTICE if citation.revision == 1 else Kind.AMENDED_NOTICE


def waits_for_mail(citation: Citation) -> bool:
    """A notice to be served by mail that has not been mailed yet: nothing was given."""
    return citation.service_method == "mail" and citation.served_on is None


def notice_document(session: Session, number: str, actor: Actor, *, now: datetime) -> SentDocument:
    """The citation's notice as given: the latest kept (first, amended, or mailed again to a
    new address), or, the first time a notice handed over at the scene is produced, that
    notice, kept now. Refused for a notice that waits to be mailed.

    >>> # pdf = notice_document(session, "DCPD-2026-000001-5", clerk, now=now).content
    """
    citation = find_citation(session, number, actor)
    kept = latest_document(session, citation, NOTICES)
    if kept is not None:
        return kept
    citation = lock_citation(session, number, actor)
    kept = latest_document(session, citation, NOTICES)
    if kept is not None:  # printed by another request while this one waited for the lock
        return kept
    if waits_for_mail(citation):
        raise InputRejected(
            [
                FieldError(
                    "number",
                    f"the notice of {citation.number} waits to be mailed; it is kept and "
                    "can be printed once it is",
                )
            ]
        )
    kind = notice_kind(citation).value
    profile = PublishedCatalog(session).jurisdiction()
    context = printed_notice(session, citation, profile, kind=kind, now=now)
    return keep_document(
        session,
        citation,
        kind=kind,
        about=f"revision:{citation.revision}",
        language=context.language,
        issued_on=context.issued_on,
        delivery=Delivery.HANDED_OVER,
        address=None,
        content=render_notice(context),
        actor=actor.name,
        now=now,
    )


def send_amended_notice(
    session: Session, citation: Citation, *, actor: Actor, now: datetime
) -> SentDocument | None:
    """Send the notice of the citation's current revision (after an amendment): mailed and
    logged, or kept as handed over without an address; None for a notice still waiting to
    be mailed (the mailing step mails the current revision). The caller holds the lock."""
    if waits_for_mail(citation):
        return None
    profile = PublishedCatalog(session).jurisdiction()
    kind = notice_kind(citation)
    context = printed_notice(session, citation, profile, kind=kind.value, now=now)
    return send_document(
        session,
        citation,
        kind=kind,
        about=f"revision:{citation.revision}",
        language=context.language,
        issued_on=context.issued_on,
        content=render_notice(context),
        mailed_on=local_date(now, profile),
        actor=actor.name,
        now=now,
    )


def amend_with_notice(
    session: Session, number: str, amendment: Amendment, *, actor: Actor, now: datetime
) -> CitationPublic:
    """Amend the citation (`citations.issuing.amend.amend_citation`) and send the amended
    notice in the same transaction."""
    public = amend_citation(session, number, amendment, actor=actor, now=now)
    citation = find_citation(session, public.number, actor)  # locked by the amendment
    send_amended_notice(session, citation, actor=actor, now=now)
    return public
