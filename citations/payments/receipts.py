"""Receipts, kept as given at the moment the money is posted.

A receipt's content is not a function of the payment alone: it names the next installment
of the plan as it stands after the payment, the person's name and language on the citation,
and the office's contact from the profile, all of which change later. So each step that
posts money (a payment, a reversal, a deposit, a refund ordered by a decision) renders and
keeps its receipts before its transaction ends (`keep_receipts`), and every print of a
receipt returns those bytes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_date, local_time
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess, mint_online_access
from citations.issuing.intake import Subject
from citations.money import from_cents
from citations.notice.build import build_notice, locale_for
from citations.payments.documents import ReceiptContext
from citations.payments.render import render_receipt
from citations.payments.tables import Payment, PaymentPlan
from citations.record.sent import Delivery, Kind, keep_document
from citations.record.tables import Citation, SentDocument
from citations.roles import CITED_PERSON_ONLINE, Actor
from ordinances.models import Jurisdiction


def next_installment(plan: PaymentPlan | None) -> tuple[date, Decimal] | None:
    if plan is None:
        return None
    for installment in plan.installments:
        if installment.paid_cents < installment.amount_cents:
            return installment.due_on, from_cents(installment.amount_cents - installment.paid_cents)
    return None


def receipt_about(payment: Payment) -> str:
    return f"receipt:{payment.receipt_number}"


def build_receipt(
    payment: Payment,
    plan: PaymentPlan | None,
    profile: Jurisdiction,
    access: OnlineAccess | None = None,
) -> ReceiptContext:
    """The receipt of a payment, with `plan` the citation's active plan (or None), printing
    `access` (the code minted for it where it is kept: `keep_receipt`)."""
    citation = payment.citation
    language = citation.notice_language
    upcoming = next_installment(plan)
    return ReceiptContext(
        language=language,
        locale=locale_for(language, profile),
        jurisdiction_name=profile.name,
        currency=profile.currency,
        receipt_number=payment.receipt_number,
        citation_number=citation.number,
        subject_name=Subject.model_validate(citation.subject).full_name(),
        kind=payment.kind,
        amount=from_cents(payment.amount_cents),
        method=payment.method,
        reference=payment.reference,
        received_at=local_time(payment.received_at, profile),
        recorded_by=payment.recorded_by,
        recorded_online=payment.recorded_by == CITED_PERSON_ONLINE,
        balance_before=from_cents(payment.balance_before_cents),
        balance_after=from_cents(payment.balance_after_cents),
        status_after=payment.status_after,
        next_installment_due=upcoming[0] if upcoming else None,
        next_installment_amount=upcoming[1] if upcoming else None,
        contact=build_notice(citation, profile).contact,
        access=access,
    )


def keep_receipt(
    session: Session,
    payment: Payment,
    *,
    plan: PaymentPlan | None,
    profile: Jurisdiction,
    actor: Actor,
    now: datetime,
) -> SentDocument:
    """Render one receipt and keep it as handed over (given at the counter, or kept at the
    office for the payer); the caller holds the citation's lock."""
    access = mint_online_access(
        session,
        payment.citation,
        printed_on=Kind.RECEIPT.value,
        website=profile.contact.website,
        now=now,
    )
    context = build_receipt(payment, plan, profile, access)
    return keep_document(
        session,
        payment.citation,
        kind=Kind.RECEIPT.value,
        about=receipt_about(payment),
        language=context.language,
        issued_on=local_date(payment.received_at, profile),
        delivery=Delivery.HANDED_OVER,
        address=None,
        content=render_receipt(context),
        actor=actor.name,
        now=now,
    )


def keep_receipts(
    session: Session,
    citation: Citation,
    *,
    plan: PaymentPlan | None,
    actor: Actor,
    now: datetime,
) -> list[SentDocument]:
    """Keep the receipt of every payment this step posted on the citation (those recorded at
    `now`, the step's moment), as the step leaves things: call it last, once the status and
    the plan are final. `plan` is the citation's active plan, if any."""
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.citation_id == citation.id, Payment.recorded_at == now)
            .order_by(Payment.id)
        )
    )
    if not payments:
        return []
    kept = set(
        session.scalars(
            select(SentDocument.about).where(
                SentDocument.citation_id == citation.id,
                SentDocument.kind == Kind.RECEIPT.value,
                SentDocument.about.in_([receipt_about(p) for p in payments]),
            )
        )
    )
    profile = PublishedCatalog(session).jurisdiction()
    return [
        keep_receipt(session, p, plan=plan, profile=profile, actor=actor, now=now)
        for p in payments
        if receipt_about(p) not in kept
    ]
