"""Database tables of contests, hearing officers, docket sessions, hearings and orders."""

from __future__ import annotations

from datetime import date, datetime, time
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
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base, JSONDocument, RecordKey
from citations.record.staff import StaffUser
from citations.record.tables import Citation


class HearingOfficer(Base):
    """A neutral hearing officer: not employed by the city or any issuing agency."""

    __tablename__ = "hearing_officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    qualification: Mapped[str] = mapped_column(String(40))
    qualification_detail: Mapped[str] = mapped_column(Text)
    independence: Mapped[str] = mapped_column(Text)
    """The recorded statement that the officer is independent of every issuing agency."""
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class Availability(Base):
    """A window in which a hearing officer can sit (in the jurisdiction's local time)."""

    __tablename__ = "hearing_officer_availability"
    __table_args__ = (
        UniqueConstraint("officer_id", "day", "start_time", name="uq_availability_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("hearing_officers.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class Recusal(Base):
    """A hearing officer's conflict with one citation: never scheduled for it."""

    __tablename__ = "recusals"
    __table_args__ = (UniqueConstraint("officer_id", "citation_id", name="uq_recusals_pair"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("hearing_officers.id"))
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))


class DocketSession(Base):
    """A sitting of one hearing officer: a day, a start, a place or link, a capacity."""

    __tablename__ = "docket_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str | None] = mapped_column(Text)
    remote_link: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int] = mapped_column(ForeignKey("hearing_officers.id"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int | None] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer)
    """Hearings scheduled in it; updated under a row lock so it never exceeds capacity."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))

    officer: Mapped[HearingOfficer] = relationship()


class Contest(Base):
    """A person's contest of one citation, through both tiers: review, then hearing."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(32), index=True)
    review_requested_at: Mapped[datetime]
    review_statement: Mapped[str] = mapped_column(Text)
    review_deadline: Mapped[date] = mapped_column(Date)
    review_late_reason: Mapped[str | None] = mapped_column(Text)
    """Why a clerk accepted a request after the deadline (None when on time)."""
    review_decided_at: Mapped[datetime | None]
    hearing_requested_at: Mapped[datetime | None]
    hearing_deadline: Mapped[date | None] = mapped_column(Date)
    hearing_late_reason: Mapped[str | None] = mapped_column(Text)
    interpreter_language: Mapped[str | None] = mapped_column(String(8))
    hearing_mode: Mapped[str | None] = mapped_column(String(16))
    """How the person asked to attend (ordinances.models.HEARING_MODES); None: in person."""
    accommodation: Mapped[str | None] = mapped_column(Text)
    """An accommodation the person asked for at the hearing (a wheelchair, a sign-language
    interpreter, a hearing loop), in their words."""
    deposit_status: Mapped[str | None] = mapped_column(String(20))
    """paid, waiver_requested, waived, waiver_denied, lapsed."""
    deposit_due_on: Mapped[date | None] = mapped_column(Date)
    waiver_declaration: Mapped[str | None] = mapped_column(Text)
    waiver_decided_at: Mapped[datetime | None]
    waiver_decided_by: Mapped[str | None] = mapped_column(String(200))
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    """The staff member the contest's next step is assigned to (the work queues)."""
    assigned_at: Mapped[datetime | None]

    citation: Mapped[Citation] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()


class Hearing(Base):
    """One scheduled hearing; a continuance marks it postponed and creates the next."""

    __tablename__ = "hearings"
    __table_args__ = (Index("ix_hearings_session_status", "session_id", "status"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    contest_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("contests.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("docket_sessions.id"))
    position: Mapped[int] = mapped_column(Integer)
    slot_time: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(20))
    """scheduled, postponed, held, no_show."""
    placed_by_hand: Mapped[bool] = mapped_column(Boolean)
    scheduled_at: Mapped[datetime]
    scheduled_by: Mapped[str] = mapped_column(String(200))
    postponed_at: Mapped[datetime | None]
    postponed_reason: Mapped[str | None] = mapped_column(Text)
    replaced_by_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("hearings.id"))

    session: Mapped[DocketSession] = relationship()
    contest: Mapped[Contest] = relationship()


class Order(Base):
    """A written decision on a review or a hearing, with findings."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    contest_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("contests.id"), index=True)
    hearing_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("hearings.id"))
    tier: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(12))
    findings: Mapped[str] = mapped_column(Text)
    original_cents: Mapped[int] = mapped_column(BigInteger)
    new_cents: Mapped[int] = mapped_column(BigInteger)
    reduction_reason: Mapped[str | None] = mapped_column(Text)
    payment_schedule: Mapped[Any] = mapped_column(JSONDocument)
    refund_cents: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(String(200))
    """Who entered the decision (a token, a clerk, the command line); the audit trail's actor."""
    decision_maker: Mapped[str | None] = mapped_column(String(200))
    """The hearing officer or reviewer who decided, by name, as they sign the order."""
    decision_maker_title: Mapped[str | None] = mapped_column(String(200))
    next_deadline: Mapped[date | None] = mapped_column(Date)
    """The hearing-request deadline (review), the appeal deadline (hearing) or the set-aside
    deadline (default)."""
    set_aside_at: Mapped[datetime | None]
    set_aside_reason: Mapped[str | None] = mapped_column(Text)
