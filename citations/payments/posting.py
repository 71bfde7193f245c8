"""Receiving money: payments, deposits, reversals and refunds, each a ledger entry and a receipt
(kept as given: `citations.payments.receipts`).

A payment takes a row lock on its citation (`lock_citation`), so payments posted at the same
moment on one citation are applied one after another and can never take the balance below
zero. With an idempotency key, the same key and body return the first result, also to a
request sent while the first was still being recorded (it waits for the lock, then finds the
first payment); another body is a conflict.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.publishing import digest
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, IdempotencyConflict, InputRejected, NotFound
from citations.inputs import InputModel, Moment, PositiveAmount
from citations.money import from_cents, to_cents
from citations.payments.receipts import keep_receipts
from citations.payments.tables import CollectionReferral, Payment, PaymentPlan
from citations.record.ledger import EntryKind, balance, post
from citations.record.lookup import lock_citation
from citations.record.moments import check_received
from citations.record.status import CLOSED, OWED, CitationStatus, move, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

S = CitationStatus


class PaymentRequest(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: PositiveAmount
    method: Annotated[str, Field(min_length=1, max_length=32)]
    reference: Annotated[str, Field(max_length=200)] | None = None
    received_at: Moment | None = None
    """When the money arrived (default: now); reconciliation groups by it."""


class PaymentResult(BaseModel):
    """What the payer is told, and what a replay of the same request returns."""

    receipt_number: str
    citation_number: str
    kind: str
    amount: Decimal
    method: str
    reference: str | None
    received_at: datetime
    balance_before: Decimal
    balance_after: Decimal
    status_after: str


def _result(payment: Payment, citation: Citation) -> PaymentResult:
    return PaymentResult(
        receipt_number=payment.receipt_number,
        citation_number=citation.number,
        kind=payment.kind,
        amount=from_cents(payment.amount_cents),
        method=payment.method,
        reference=payment.reference,
        received_at=payment.received_at,
        balance_before=from_cents(payment.balance_before_cents),
        balance_after=from_cents(payment.balance_after_cents),
        status_after=payment.status_after,
    )


def _replay(session: Session, key: str | None, body_hash: str) -> PaymentResult | None:
    """The first result of a payment sent with this key and body; IdempotencyConflict if the
    key came with another body; None if the key is new (or there is no key)."""
    if key is None:
        return None
    earlier = session.scalar(select(Payment).where(Payment.idempotency_key == key))
    if earlier is None:
        return None
    if earlier.body_hash != body_hash:
        raise IdempotencyConflict(key)
    return _result(earlier, earlier.citation)


def receive(
    session: Session,
    citation: Citation,
    kind: EntryKind,
    amount: Decimal,
    *,
    method: str,
    reference: str | None,
    received_at: datetime,
    actor: Actor,
    now: datetime,
    source: str,
    profile: Jurisdiction,
    idempotency_key: str | None = None,
    body_hash: str | None = None,
    reverses: Payment | None = None,
    reason: str | None = None,
) -> Payment:
    """Post money in or out (payment, deposit, reversal, refund) with its receipt row."""
    before = balance(session, citation)
    entry = post(
        session,
        citation,
        kind,
        amount,
        actor=actor.name,
        at=now,
        reason=reason,
        method=method,
        reference=reference,
    )
    assert entry is not None
    payment = Payment(
        citation_id=citation.id,
        ledger_entry_id=entry.id,
        receipt_number=f"R-{entry.id:07d}",
        kind=kind.value if kind is not EntryKind.PAYMENT else "payment",
        amount_cents=to_cents(amount),
        method=method,
        reference=reference,
        received_at=received_at,
        received_on=local_date(received_at, profile),
        recorded_at=now,
        recorded_by=actor.name,
        source=source,
        idempotency_key=idempotency_key,
        body_hash=body_hash,
        reverses_id=reverses.id if reverses else None,
        balance_before_cents=to_cents(before),
        balance_after_cents=to_cents(balance(session, citation)),
        status_after=citation.status,
    )
    session.add(payment)
    try:
        session.flush()
    except IntegrityError as exc:
        # The same key sent at the same moment for another citation (another body: the same
        # body is the same citation, whose lock orders the two): the first one keeps it.
        if idempotency_key is None or "idempotency_key" not in str(exc.orig):
            raise
        raise IdempotencyConflict(idempotency_key) from None
    return payment


def record_payment(
    session: Session,
    number: str,
    request: PaymentRequest,
    *,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
    source: str = "counter",
) -> tuple[PaymentResult, bool]:
    """Post a payment; returns (result, replayed).

    Refused: a payment larger than the balance (the message gives the balance), a method
    the profile does not accept, a citation not in a status that owes money, a `received_at`
    in the future or before the citation existed.
    """
    actor.require(Action.RECORD_PAYMENT)
    body_hash = digest(request.model_dump(mode="json") | {"citation": number.strip().upper()})
    replay = _replay(session, idempotency_key, body_hash)
    if replay is not None:
        return replay, True
    citation = lock_citation(session, number, actor)
    # A request with the same key may have been recorded while this one waited for the lock.
    replay = _replay(session, idempotency_key, body_hash)
    if replay is not None:
        return replay, True
    profile = PublishedCatalog(session).jurisdiction()
    if citation.status not in OWED:
        require(citation, OWED, "take a payment", _why_not_payable(session, citation))
    if request.method not in profile.payments.methods:
        accepted = ", ".join(profile.payments.methods)
        raise InputRejected(
            [FieldError("method", f"{request.method!r} is not accepted (accepted: {accepted})")]
        )
    owed = balance(session, citation)
    if request.amount > owed:
        raise InputRejected(
            [
                FieldError(
                    "amount",
                    f"the balance of {citation.number} is {owed}; "
                    f"a payment of {request.amount} is more than it",
                )
            ],
            "the payment is more than the balance",
        )
    received_at = check_received(request.received_at or now, citation, now=now, profile=profile)
    payment = receive(
        session,
        citation,
        EntryKind.PAYMENT,
        request.amount,
        method=request.method,
        reference=request.reference,
        received_at=received_at,
        actor=actor,
        now=now,
        source=source,
        profile=profile,
        idempotency_key=idempotency_key,
        body_hash=body_hash,
    )
    apply_to_plan(session, citation, request.amount)
    if balance(session, citation) == 0:
        settle(session, citation, S.PAID, "paid in full", now=now, profile=profile)
    payment.status_after = citation.status
    keep_receipts(session, citation, plan=active_plan(session, citation), actor=actor, now=now)
    return _result(payment, citation), False


def _why_not_payable(session: Session, citation: Citation) -> str:
    """What to tell a cashier about a citation that takes no payment now: a paid one is paid
    (its balance is 0.00), a contested one waits for the decision."""
    status = CitationStatus(citation.status)
    owed = balance(session, citation)
    if status in CLOSED:
        closed = "paid in full" if status is S.PAID else "closed"
        due = ": nothing is owed" if owed == 0 else ""
        return f"it is {closed} and its balance is {owed}{due}"
    if status is S.IN_SERVICE:
        return f"its balance of {owed} is being worked off in community service"
    if status is S.IN_DIVERSION:
        return f"it is in a diversion program, which settles its balance of {owed}"
    return "pay once the contest is decided, or pay the hearing deposit"


def apply_to_plan(session: Session, citation: Citation, amount: Decimal) -> None:
    """Apply a payment to the active plan's installments, oldest first."""
    plan = active_plan(session, citation)
    if plan is None:
        return
    left = to_cents(amount)
    for installment in plan.installments:
        if left <= 0:
            break
        take = min(left, installment.amount_cents - installment.paid_cents)
        installment.paid_cents += take
        left -= take


def active_plan(session: Session, citation: Citation) -> PaymentPlan | None:
    return session.scalars(
        select(PaymentPlan).where(
            PaymentPlan.citation_id == citation.id, PaymentPlan.status == "active"
        )
    ).first()


def settle(
    session: Session,
    citation: Citation,
    status: CitationStatus,
    why: str,
    *,
    now: datetime,
    profile: Jurisdiction,
) -> None:
    """Close a citation whose balance is settled: plans complete, collections are recalled."""
    plan = active_plan(session, citation)
    if plan is not None:
        plan.status = "completed"
        plan.ended_at = now
    recall(session, citation, why, local_date(now, profile))
    move(citation, status, why, at=now)


def recall(session: Session, citation: Citation, reason: str, on: date) -> None:
    """Recall an open referral to collections (a later payment or dismissal)."""
    for referral in session.scalars(
        select(CollectionReferral).where(
            CollectionReferral.citation_id == citation.id, CollectionReferral.recalled_on.is_(None)
        )
    ):
        referral.recalled_on = on
        referral.recall_reason = reason


def reverse_payment(
    session: Session, receipt_number: str, reason: str, *, actor: Actor, now: datetime
) -> PaymentResult:
    """A payment came back (returned check, chargeback): the balance reopens."""
    actor.require(Action.RECORD_PAYMENT)
    original = session.scalar(select(Payment).where(Payment.receipt_number == receipt_number))
    if original is None or original.kind != "payment":
        raise NotFound("payment receipt", receipt_number)
    if len(reason.strip()) < 3:
        raise InputRejected([FieldError("reason", "say why the payment came back")])
    citation = lock_citation(session, original.citation.number, actor)
    # Checked under the lock: a reversal of the same receipt may have just been recorded.
    if session.scalar(select(Payment.id).where(Payment.reverses_id == original.id)) is not None:
        raise InputRejected([FieldError("receipt", f"{receipt_number} is already reversed")])
    profile = PublishedCatalog(session).jurisdiction()
    amount = from_cents(original.amount_cents)
    payment = receive(
        session,
        citation,
        EntryKind.REVERSAL,
        amount,
        method=original.method,
        reference=original.reference,
        received_at=now,
        actor=actor,
        now=now,
        source="reversal",
        profile=profile,
        reverses=original,
        reason=reason.strip(),
    )
    plan = active_plan(session, citation)
    if plan is not None:
        _unapply(plan, original.amount_cents)
    if citation.status == S.PAID.value:
        move(citation, _reopened(citation, profile, now), "reopen it after a returned payment")
    payment.status_after = citation.status
    keep_receipts(session, citation, plan=plan, actor=actor, now=now)
    return _result(payment, citation)


def _unapply(plan: PaymentPlan, cents: int) -> None:
    for installment in reversed(plan.installments):
        take = min(cents, installment.paid_cents)
        installment.paid_cents -= take
        cents -= take


def _reopened(citation: Citation, profile: Jurisdiction, now: datetime) -> CitationStatus:
    """Delinquent if past its due date; otherwise owed (paying admitted the violation)."""
    if citation.due_on is not None and local_date(now, profile) > citation.due_on:
        return S.DELINQUENT
    return S.UPHELD


def refund(
    session: Session,
    citation: Citation,
    amount: Decimal,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    method: str = "check",
) -> Payment | None:
    """Return money to the person (after a dismissal, a reduction, or an overpayment)."""
    actor.require(Action.REFUND)
    if amount <= 0:
        return None
    profile = PublishedCatalog(session).jurisdiction()
    return receive(
        session,
        citation,
        EntryKind.REFUND,
        amount,
        method=method,
        reference=None,
        received_at=now,
        actor=actor,
        now=now,
        source="refund",
        profile=profile,
        reason=reason,
    )


def payments_of(session: Session, citation: Citation) -> list[PaymentResult]:
    rows = session.scalars(
        select(Payment).where(Payment.citation_id == citation.id).order_by(Payment.id)
    )
    return [_result(p, citation) for p in rows]
