"""Paying online: the person pays on the city's payment provider's page, and the provider's
signed callback posts the payment through the same library step a clerk's posting uses.

`start_online_payment` checks that the step is open now (by the library's own rules: the
status, the balance, the plan, the deposit's or the hearing request's deadline; see
citations.online.pay_options), asks the
provider for its hosted page and records a ProviderPayment `started`, with our random
reference. `complete_online_payment` takes the provider's verified event: it locks that
ProviderPayment, then the citation, and posts the payment once (`record_payment` with the
key f"{provider}:{provider_payment_id}", or `pay_deposit` / `request_hearing` for a hearing
deposit), as the cited person, however many callbacks come (it counts them). A paid event
that the citation can no longer take (paid meanwhile at the counter, or no longer owed) is
kept as `refused` with the problem, for a clerk to refund: never an error, never lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import CitationsError, NotFound
from citations.hearings.contests import pay_deposit, request_hearing
from citations.money import from_cents, to_cents
from citations.online.pay_options import (
    METHOD,
    MONEY,
    Choice,
    NotOpen,
    PayOptions,
    Purpose,
    check_open,
    hearing_details,
    payment_options,
)
from citations.online.providers.base import CallbackEvent, Checkout, Outcome, Provider
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.receipts import receipt_about
from citations.payments.tables import Payment, ProviderPayment
from citations.record.lookup import find_citation, lock_citation
from citations.record.sent import Kind
from citations.record.tables import Citation, SentDocument
from citations.roles import Action, Actor, cited_person

__all__ = [
    "Choice",
    "Completion",
    "NotOpen",
    "PayOptions",
    "Purpose",
    "Started",
    "complete_online_payment",
    "online_payment",
    "payment_options",
    "provider_payment",
    "receipt_of",
    "receive_callback",
    "refused_online_payments",
    "start_online_payment",
]


@dataclass(frozen=True)
class Started:
    reference: str
    redirect_url: str
    """The provider's hosted page: where the person is sent to pay."""
    amount: Decimal


@dataclass(frozen=True)
class Completion:
    """What a callback did: `posted` (the payment is recorded), `duplicate` (a repeat of a
    callback already acted on), `declined`, `cancelled`, `refused` (money taken that the
    citation could not take: a clerk refunds it), or `ignored` (not one of our payments)."""

    outcome: str
    reference: str
    payment: ProviderPayment | None = None


def start_online_payment(
    session: Session,
    number: str,
    *,
    purpose: Purpose | str,
    amount: Decimal | None = None,
    details: Mapping[str, Any] | None = None,
    actor: Actor,
    now: datetime,
    provider: Provider,
    return_base: str,
) -> Started:
    """Start paying online: check the step is open now, ask the provider for its page, and
    record the ProviderPayment `started` (audited). `return_base` is our public base URL:
    the provider sends the person back to {return_base}/pay/done/{reference}.

    `amount` is for a part payment only; `details` for a hearing request only (the keys
    `hearing_mode`, `interpreter_language`, `accommodation`). Refused with NotOpen (saying
    why) when the step is not open. The provider is called before anything is written, so
    no lock is held while it answers; if it does not (ProviderUnavailable), nothing is kept.
    """
    actor.require(Action.RECORD_PAYMENT)
    purpose = Purpose(purpose)
    if purpose in (Purpose.DEPOSIT, Purpose.HEARING):
        actor.require(Action.RECEIVE_CONTEST)
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    clean = hearing_details(purpose, details)
    total, _ = check_open(
        session,
        citation,
        purpose,
        amount,
        clean,
        profile=profile,
        today=local_date(now, profile),
        minimum_cents=provider.minimum_cents,
    )
    reference = secrets.token_urlsafe(18)  # 144 random bits
    base = return_base.rstrip("/")
    checkout = Checkout(
        reference=reference,
        amount_cents=to_cents(total),
        currency=profile.currency,
        description=f"{profile.name}: citation {citation.number} ({purpose.value})",
        citation_number=citation.number,
        language=citation.notice_language,
        site=base,
        success_url=f"{base}/pay/done/{reference}",
        cancel_url=f"{base}/pay/done/{reference}?back=1",
    )
    url = provider.start_checkout(checkout)
    started = ProviderPayment(
        provider=provider.name,
        reference=reference,
        citation_id=citation.id,
        purpose=purpose.value,
        amount_cents=checkout.amount_cents,
        currency=profile.currency,
        status="started",
        created_at=now,
        callbacks=0,
        details=clean,
    )
    session.add(started)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="online_payment.started",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "provider": provider.name,
            "reference": reference,
            "purpose": purpose.value,
            "amount": str(total),
        }
        | ({"details": clean} if clean else {}),
    )
    return Started(reference=reference, redirect_url=url, amount=total)


def receive_callback(
    session: Session,
    provider: Provider,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
) -> Completion:
    """A provider's callback as received: verified (BadSignature otherwise, before anything
    is read or written), then completed."""
    event = provider.parse_callback(headers, body, now=now)
    if event is None:
        return Completion("ignored", "")
    return complete_online_payment(session, event, now=now)


def complete_online_payment(session: Session, event: CallbackEvent, *, now: datetime) -> Completion:
    """Act on a verified event, once: see the module's docstring."""
    paying = session.scalar(
        select(ProviderPayment)
        .where(
            ProviderPayment.reference == event.reference,
            ProviderPayment.provider == event.provider,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if paying is None:
        return Completion("ignored", event.reference)
    citation = session.get(Citation, paying.citation_id)
    assert citation is not None
    person = cited_person(citation.number)
    # The citation before the audit chain's head, as every step takes them.
    lock_citation(session, citation.number, person)
    paying.callbacks += 1
    final = paying.status in ("paid", "refused")
    if final or (event.outcome is not Outcome.PAID and paying.status != "started"):
        _audit(session, paying, citation, "callback_repeated", now, outcome=event.outcome.value)
        return Completion("duplicate", paying.reference, paying)
    if event.outcome is not Outcome.PAID:
        paying.status = event.outcome.value
        paying.completed_at = now
        _audit(session, paying, citation, event.outcome.value, now)
        return Completion(event.outcome.value, paying.reference, paying)
    taken = _taken_by(session, paying, event.provider_payment_id)
    if taken is None:
        paying.provider_payment_id = event.provider_payment_id
        problem = _mismatch(paying, event)
    else:  # the id is unique: it stays the other payment's
        problem = f"the provider's payment id was already used for the payment {taken}"
    paying.completed_at = now
    payment = None
    if problem is None:
        session.flush()
        savepoint = session.begin_nested()
        try:
            payment = _post(session, paying, citation.number, person, now)
        except CitationsError as exc:
            savepoint.rollback()
            problem = str(exc)
        else:
            savepoint.commit()
    if payment is None:
        paying.status = "refused"
        paying.problem = (
            f"{event.provider} took {from_cents(paying.amount_cents)} (payment "
            f"{event.provider_payment_id}) that the citation could not take: {problem}. "
            "Refund it through the provider, or apply it by hand."
        )
        _audit(session, paying, citation, "refused", now, problem=paying.problem)
        return Completion("refused", paying.reference, paying)
    paying.status = "paid"
    paying.payment_id = payment.id
    _audit(session, paying, citation, "paid", now, receipt=payment.receipt_number)
    return Completion("posted", paying.reference, paying)


def _mismatch(paying: ProviderPayment, event: CallbackEvent) -> str | None:
    if event.amount_cents is not None and event.amount_cents != paying.amount_cents:
        return (
            f"the provider says {from_cents(event.amount_cents)} was paid, "
            f"not the {from_cents(paying.amount_cents)} asked"
        )
    if event.currency is not None and event.currency != paying.currency:
        return f"the provider says it was paid in {event.currency}, not {paying.currency}"
    return None


def _taken_by(session: Session, paying: ProviderPayment, payment_id: str | None) -> str | None:
    """The reference of another of our payments the provider gave this id to, if any."""
    if payment_id is None:
        return None
    return session.scalar(
        select(ProviderPayment.reference).where(
            ProviderPayment.provider == paying.provider,
            ProviderPayment.provider_payment_id == payment_id,
            ProviderPayment.id != paying.id,
        )
    )


def _post(
    session: Session, paying: ProviderPayment, number: str, person: Actor, now: datetime
) -> Payment:
    """Post the money through the clerks' own step; CitationsError when it cannot."""
    amount = from_cents(paying.amount_cents)
    reference = paying.provider_payment_id
    purpose = Purpose(paying.purpose)
    if purpose in MONEY:
        key = f"{paying.provider}:{reference}"
        request = PaymentRequest(amount=amount, method=METHOD, reference=reference)
        record_payment(
            session,
            number,
            request,
            actor=person,
            now=now,
            idempotency_key=key,
            source=f"online:{paying.provider}",
        )
        posted = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    else:
        if purpose is Purpose.DEPOSIT:
            pay_deposit(
                session,
                number,
                amount,
                received_at=paying.created_at,
                actor=person,
                now=now,
                method=METHOD,
                reference=reference,
            )
        else:
            details = paying.details or {}
            request_hearing(
                session,
                number,
                received_at=paying.created_at,
                actor=person,
                now=now,
                deposit=amount,
                deposit_method=METHOD,
                deposit_reference=reference,
                hearing_mode=details.get("hearing_mode"),
                interpreter_language=details.get("interpreter_language"),
                accommodation=details.get("accommodation"),
            )
        posted = session.scalar(
            select(Payment)
            .where(
                Payment.citation_id == paying.citation_id,
                Payment.kind == "deposit",
                Payment.recorded_at == now,
            )
            .order_by(Payment.id.desc())
            .limit(1)
        )
    assert posted is not None, "the step posted no payment"
    return posted


def _audit(
    session: Session,
    paying: ProviderPayment,
    citation: Citation,
    what: str,
    now: datetime,
    **after: Any,
) -> None:
    record(
        session,
        at=now,
        actor=cited_person(citation.number).name,
        action=f"online_payment.{what}",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "provider": paying.provider,
            "reference": paying.reference,
            "provider_payment_id": paying.provider_payment_id,
            "callbacks": paying.callbacks,
        }
        | after,
    )


def provider_payment(session: Session, reference: str) -> tuple[ProviderPayment, Citation]:
    """A payment by our reference, and its citation, as the provider's own page knows it (the
    random reference is what the provider holds); NotFound for a reference never made."""
    paying = session.scalar(
        select(ProviderPayment).where(ProviderPayment.reference == reference[:64])
    )
    citation = session.get(Citation, paying.citation_id) if paying is not None else None
    if paying is None or citation is None:
        raise NotFound("online payment", reference[:8])
    return paying, citation


def online_payment(session: Session, reference: str, *, actor: Actor) -> ProviderPayment:
    """A payment started online, for the person whose citation it is (NotFound otherwise,
    as for a reference that does not exist)."""
    paying, citation = provider_payment(session, reference)
    find_citation(session, citation.number, actor)  # NotFound for anyone else's
    return paying


def receipt_of(session: Session, paying: ProviderPayment) -> SentDocument | None:
    """The receipt kept when the payment posted (the stored copy), if it posted."""
    if paying.payment_id is None:
        return None
    payment = session.get(Payment, paying.payment_id)
    assert payment is not None
    return session.scalar(
        select(SentDocument).where(
            SentDocument.citation_id == paying.citation_id,
            SentDocument.kind == Kind.RECEIPT.value,
            SentDocument.about == receipt_about(payment),
        )
    )


def refused_online_payments(session: Session, *, actor: Actor) -> list[ProviderPayment]:
    """Money a provider took that no citation could take: each waits for a clerk to refund
    it (the problem says why)."""
    actor.require(Action.REFUND)
    return list(
        session.scalars(
            select(ProviderPayment)
            .where(ProviderPayment.status == "refused")
            .order_by(ProviderPayment.completed_at)
        )
    )
