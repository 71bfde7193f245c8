"""The money documents as given: receipts and late notices, printed from what was kept.

Receipts are kept when the money is posted (`citations.payments.receipts`); a late notice
when daily processing marks the citation delinquent (`keep_late_notice`), mailed to the
person's address and entered in the mailing log, or, with no address on file, kept as
handed over: it waits at the office, and the clerk gives it when the person comes or calls.
A receipt or a late notice made before documents were kept (schema revision 0010) or by the
seed's bulk path is kept the first time it is printed.

Each one made to be kept prints an access code minted for it in the same transaction
(`citations.documents.access`); a reprint returns the kept bytes and mints nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.documents.access import mint_online_access
from citations.errors import FieldError, InputRejected, NotFound
from citations.payments.build import build_late_notice
from citations.payments.posting import active_plan
from citations.payments.receipts import keep_receipt, receipt_about
from citations.payments.render import render_late_notice
from citations.payments.tables import Payment
from citations.record.lookup import find_citation, lock_citation
from citations.record.sent import Kind, kept_document, latest_document, send_document
from citations.record.tables import Citation, SentDocument
from citations.roles import Action, Actor


def late_about(notice_date: date) -> str:
    return f"late:{notice_date.isoformat()}"


def keep_late_notice(
    session: Session, citation: Citation, *, notice_date: date, actor: Actor, now: datetime
) -> SentDocument:
    """Render the late notice dated `notice_date` and send it: mailed (and logged) to the
    subject's address, or kept as handed over when there is none. The caller holds the
    citation's lock (daily processing's `skip_locked` selection)."""
    existing = kept_document(session, citation, Kind.LATE_NOTICE.value, late_about(notice_date))
    if existing is not None:
        return existing
    profile = PublishedCatalog(session).jurisdiction()
    access = mint_online_access(
        session,
        citation,
        printed_on=Kind.LATE_NOTICE.value,
        website=profile.contact.website,
        now=now,
    )
    context = build_late_notice(session, citation, notice_date=notice_date, access=access)
    return send_document(
        session,
        citation,
        kind=Kind.LATE_NOTICE,
        about=late_about(notice_date),
        language=context.language,
        issued_on=notice_date,
        content=render_late_notice(context),
        mailed_on=local_date(now, profile),
        actor=actor.name,
        now=now,
    )


def late_notice_document(session: Session, number: str, actor: Actor) -> SentDocument:
    """The latest late notice sent on the citation, as it was sent."""
    actor.require(Action.READ_MONEY_REPORTS)
    citation = find_citation(session, number, actor)
    kept = latest_document(session, citation, [Kind.LATE_NOTICE])
    if kept is None:
        raise InputRejected(
            [
                FieldError(
                    "number",
                    f"{citation.number} has no late notice: one is sent when daily "
                    "processing marks the citation delinquent",
                )
            ]
        )
    return kept


def receipt_document(
    session: Session, receipt_number: str, actor: Actor, *, now: datetime
) -> SentDocument:
    """A receipt as it was given. One posted before receipts were kept is kept now, the
    first time it is printed, under the citation's lock (two first prints keep one)."""
    actor.require(Action.RECORD_PAYMENT)
    payment = session.scalar(select(Payment).where(Payment.receipt_number == receipt_number))
    if payment is None:
        raise NotFound("receipt", receipt_number)
    citation = payment.citation
    about = receipt_about(payment)
    kept = kept_document(session, citation, Kind.RECEIPT.value, about)
    if kept is not None:
        return kept
    citation = lock_citation(session, citation.number, actor)
    kept = kept_document(session, citation, Kind.RECEIPT.value, about)
    if kept is not None:  # printed by another request while this one waited for the lock
        return kept
    profile = PublishedCatalog(session).jurisdiction()
    plan = active_plan(session, citation)
    return keep_receipt(session, payment, plan=plan, profile=profile, actor=actor, now=now)
