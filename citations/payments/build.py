"""Gathering the receipt and the late notice from the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import collections_on, local_date
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess
from citations.documents.templates import TEMPLATES_DIR
from citations.errors import NotFound
from citations.money import from_cents
from citations.notice.build import build_notice, locale_for
from citations.payments.ability import remedy_of
from citations.payments.documents import LateNoticeContext, LateNoticeLine, ReceiptContext
from citations.payments.posting import active_plan
from citations.payments.receipts import build_receipt
from citations.payments.service import offer_of
from citations.payments.tables import Payment
from citations.record.ledger import EntryKind, entries, signed_amount
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import Action, Actor

LEDGER_WORDS = TEMPLATES_DIR / "ledger-words.yaml"
"""How ledger entries are named on statements, per language (city staff edit it)."""


@lru_cache(maxsize=1)
def ledger_words() -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = yaml.safe_load(LEDGER_WORDS.read_text(encoding="utf-8"))
    return words


def describe_entry(kind: str, language: str, default: str) -> str:
    words = ledger_words()
    return words.get(language, {}).get(kind) or words.get(default, {}).get(kind) or kind


def receipt_for(session: Session, receipt_number: str, actor: Actor) -> ReceiptContext:
    """A receipt as it would be drawn today (the receipt given is kept when the money is
    posted: `citations.payments.receipts`)."""
    actor.require(Action.RECORD_PAYMENT)
    payment = session.scalar(select(Payment).where(Payment.receipt_number == receipt_number))
    if payment is None:
        raise NotFound("receipt", receipt_number)
    plan = active_plan(session, payment.citation)
    return build_receipt(payment, plan, PublishedCatalog(session).jurisdiction())


def late_notice_for(
    session: Session, number: str, actor: Actor, *, notice_date: date
) -> LateNoticeContext:
    citation = find_citation(session, number, actor)
    return build_late_notice(session, citation, notice_date=notice_date)


def build_late_notice(
    session: Session,
    citation: Citation,
    *,
    notice_date: date,
    access: OnlineAccess | None = None,
) -> LateNoticeContext:
    """The late notice dated `notice_date`, printing `access` (the code minted for it where
    it is kept: `citations.payments.kept`)."""
    profile = PublishedCatalog(session).jurisdiction()
    language = citation.notice_language
    notice = build_notice(citation, profile)
    ledger = entries(session, citation)
    lines = [
        LateNoticeLine(
            posted_on=local_date(e.created_at, profile),
            description=describe_entry(e.kind, language, profile.notice_languages[0]),
            amount=signed_amount(e),
        )
        for e in ledger
    ]
    penalty = next((e for e in reversed(ledger) if e.kind == EntryKind.LATE_PENALTY.value), None)
    owed = sum((line.amount for line in lines), Decimal("0.00"))
    due = citation.due_on or notice.pay_by
    fees = notice.late_penalty is not None
    service = offer_of(citation)
    # The last day to pay before referral: the day before processing refers it.
    pay_by = collections_on(due, profile) - timedelta(days=1)
    return LateNoticeContext(
        language=language,
        locale=locale_for(language, profile),
        jurisdiction_name=profile.name,
        currency=profile.currency,
        citation_number=citation.number,
        subject_name=notice.subject_name,
        subject_address=notice.subject_address,
        notice_date=notice_date,
        original_due_on=due,
        penalty_added=from_cents(penalty.amount_cents) if penalty else None,
        balance=owed,
        pay_by=pay_by,
        collection_fee=profile.collection_fee.amount if fees else None,
        lines=lines,
        ability_to_pay_offered=remedy_of(citation) is not None,
        community_service_rate=service.dollars_per_hour if service else None,
        community_service_max_hours=service.max_hours if service else None,
        payment_plan_offered=True,
        contact=notice.contact,
        access=access,
    )


__all__ = ["build_late_notice", "late_notice_for", "receipt_for"]
