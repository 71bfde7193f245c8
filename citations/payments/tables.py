"""Database tables of payments, plans, ability-to-pay requests, community service,
diversion referrals and collections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base, JSONDocument, RecordKey
from citations.record.tables import Citation


class Payment(Base):
    """Money received (or a receipt's reversal): one ledger entry, one receipt."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_received", "received_on", "method"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    ledger_entry_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("ledger_entries.id"))
    receipt_number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    """payment, deposit, reversal or refund."""
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    received_on: Mapped[date] = mapped_column(Date)
    """The local date it was received: what reconciliation groups by."""
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    """counter, api, or lockbox:<file name>."""
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("payments.id"))
    balance_before_cents: Mapped[int] = mapped_column(BigInteger)
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    status_after: Mapped[str] = mapped_column(String(32))
    drawer_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("drawer_sessions.id"), index=True
    )
    """The cashier's drawer session the money went into (counter payments only)."""

    citation: Mapped[Citation] = relationship()


class PaymentPlan(Base):
    __tablename__ = "payment_plans"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    """active, completed, defaulted."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]

    citation: Mapped[Citation] = relationship()
    installments: Mapped[list[PlanInstallment]] = relationship(
        back_populates="plan", order_by="PlanInstallment.number"
    )


class PlanInstallment(Base):
    __tablename__ = "plan_installments"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    plan_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("payment_plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)

    plan: Mapped[PaymentPlan] = relationship(back_populates="installments")


class AbilityRequest(Base):
    """A request to be judged unable to pay, its declaration and the rule's decision."""

    __tablename__ = "ability_requests"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    declaration: Mapped[Any] = mapped_column(JSONDocument)
    qualifies: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[Any] = mapped_column(JSONDocument)
    rule: Mapped[str | None] = mapped_column(String(32))
    amount_due_cents: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(String(200))


class ServiceAssignment(Base):
    """Community service in place of the fine, with a provider organization."""

    __tablename__ = "service_assignments"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(64))
    rate_cents: Mapped[int] = mapped_column(BigInteger)
    """Dollars per hour credited, from the citation's ordinance version."""
    minutes_required: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    extensions: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    """active, completed, failed."""
    elected_at: Mapped[datetime]
    elected_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]

    citation: Mapped[Citation] = relationship()
    hours: Mapped[list[ServiceHours]] = relationship(
        back_populates="assignment", order_by="ServiceHours.id"
    )


class ServiceHours(Base):
    __tablename__ = "service_hours"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        RecordKey, ForeignKey("service_assignments.id"), index=True
    )
    worked_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    """Kept in whole minutes so hours add up exactly."""
    logged_at: Mapped[datetime]
    logged_by: Mapped[str] = mapped_column(String(200))
    signed_off_by: Mapped[str | None] = mapped_column(String(200))
    """The provider's representative who confirmed the hours."""
    signed_off_at: Mapped[datetime | None]

    assignment: Mapped[ServiceAssignment] = relationship(back_populates="hours")


class DiversionReferral(Base):
    """A referral to a diversion or restorative program, with the obligations agreed."""

    __tablename__ = "diversion_referrals"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    program_id: Mapped[str] = mapped_column(String(64))
    obligations: Mapped[Any] = mapped_column(JSONDocument)
    """[{"kind", "description", "done_on", "recorded_by"}]"""
    deadline: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    """active, completed, failed."""
    referred_at: Mapped[datetime]
    referred_by: Mapped[str] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)

    citation: Mapped[Citation] = relationship()


class CollectionReferral(Base):
    """A delinquent citation sent to the collection agency; a payment or dismissal recalls it."""

    __tablename__ = "collection_referrals"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    referred_on: Mapped[date] = mapped_column(Date, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    recalled_on: Mapped[date | None] = mapped_column(Date, index=True)
    recall_reason: Mapped[str | None] = mapped_column(Text)

    citation: Mapped[Citation] = relationship()


class ProviderPayment(Base):
    """A payment started on the public pages with the city's payment provider: the card is
    taken on the provider's hosted page, never here. Started with our own random reference;
    the provider's signed callback names its payment id, which posts the payment once
    (`payment_id`), however often the callback comes."""

    __tablename__ = "provider_payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_payment_id", name="uq_provider_payments_id"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    provider: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    """Our random reference, sent to the provider and read back from its callback."""
    provider_payment_id: Mapped[str | None] = mapped_column(String(120))
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    """`balance`, `part`, `installment` or `deposit`."""
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    """`started`, then `paid`, `declined`, `cancelled` or `refused` (the provider took money
    the citation could no longer take: a clerk refunds it)."""
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    payment_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("payments.id"))
    callbacks: Mapped[int] = mapped_column(Integer, server_default="0")
    """How many signed callbacks named it (the repeated ones post nothing)."""
    problem: Mapped[str | None] = mapped_column(Text)
    """Why a callback for it could not post (for a clerk to act on)."""
    details: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    """What the payment comes with (a hearing request's choices), applied when it posts."""


class DrawerSession(Base):
    """A cashier's drawer from opening float to close: the payments taken at the counter
    while it is open belong to it, and at close the counted cash and checks are set against
    what the payments say should be there (`citations.payments.drawers`)."""

    __tablename__ = "drawer_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cashier: Mapped[str] = mapped_column(String(200))
    """The cashier's name as the actor gives it."""
    cashier_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    cashier_key: Mapped[str] = mapped_column(String(220), index=True)
    """`user:<id>` for a staff account, else `name:<name>` (signed in with a token)."""
    open_key: Mapped[str | None] = mapped_column(String(220), unique=True)
    """The cashier_key while the drawer is open, NULL once closed: the database itself keeps
    one open drawer per cashier, also for two opens at the same moment."""
    opened_at: Mapped[datetime]
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    """The local day it was opened: the drawers list groups by it."""
    float_cents: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    counted_cash_cents: Mapped[int | None] = mapped_column(BigInteger)
    counted_checks_cents: Mapped[int | None] = mapped_column(BigInteger)
    expected_cash_cents: Mapped[int | None] = mapped_column(BigInteger)
    expected_checks_cents: Mapped[int | None] = mapped_column(BigInteger)
    cash_difference_cents: Mapped[int | None] = mapped_column(BigInteger)
    """Counted less expected: above zero the drawer is over, below it is short."""
    checks_difference_cents: Mapped[int | None] = mapped_column(BigInteger)
    terminal_cents: Mapped[int | None] = mapped_column(BigInteger)
    """Card-terminal payments taken in it: settled by the processor, never counted."""
    note: Mapped[str | None] = mapped_column(Text)
