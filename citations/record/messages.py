"""Tables of the reminders (`citations.outreach`): the outbox of texts, emails and letters,
the addresses that asked for no more, and the batches of letters handed to a mail house.

A message is written in the same transaction as the change that causes it (the commit
brings a citation's pending reminders up to date with its schedule), then a sender delivers
what is due. Rows are never deleted: a message no longer wanted is `cancelled`, one sent is
kept with the words as sent, so the record says what the person was told and when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citations.orm import Base, JSONDocument, RecordKey


class Channel(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    LETTER = "letter"


class MessageStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its time (or for its next try after a passing failure)."""
    SENDING = "sending"
    """Claimed by a sender, which commits this before it hands the message over; a row
    left here by a sender that died is in doubt and is settled by the next run."""
    SENT = "sent"
    FAILED = "failed"
    """Given up: a permanent refusal (a bad number, a refused address) or too many tries."""
    CANCELLED = "cancelled"
    """No longer wanted: the date moved or passed, the step was taken, the citation closed,
    or the person asked for no more."""


OPEN_STATUSES = (MessageStatus.PENDING.value, MessageStatus.SENDING.value)


class OutboxMessage(Base):
    """One message to one person on one channel."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("citation_id", "key"),
        # The sender asks "what is due now?"
        Index("ix_outbox_messages_due", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    """What makes it this message and not another: the kind, the date it is about, the
    offset and the channel (`pay_by|2026-12-20|-7|text`); a date that moves makes a new key,
    so the old message is cancelled and a new one written."""
    kind: Mapped[str] = mapped_column(String(40))
    """before_pay_by, before_hearing, hearing_today, missed_pay_by, hearing_set, ..."""
    about: Mapped[str] = mapped_column(String(40))
    """The schedule's date key it is about (pay_by, hearing, installment, ...) or the event."""
    due_on: Mapped[datetime | None]
    """The moment the date falls (a deadline's end of day, a hearing's start)."""
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    wording: Mapped[str] = mapped_column(String(40))
    """Which wording of the templates (an experiment may compare two)."""
    send_at: Mapped[datetime]
    """When it is meant to go (already out of the quiet hours)."""
    next_try_at: Mapped[datetime]
    """When a sender may take it next: `send_at`, then later after a passing failure."""
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    facts: Mapped[Any] = mapped_column(JSONDocument)
    """What the words need that the schedule gave when it was written (the date, the hour,
    the place, the installment's number); amounts are read again when it is sent."""
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    """Where it went: the phone number, the email address, or the postal address."""
    provider_id: Mapped[str | None] = mapped_column(String(200), index=True)
    """The provider's id (a text's SID, the email's Message-ID, the letter batch)."""
    body: Mapped[str | None] = mapped_column(Text)
    """The words as sent (the access code in its link shortened to its last characters)."""
    error: Mapped[str | None] = mapped_column(Text)
    """The last failure, as the provider said it."""
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("letter_batches.id"), index=True)


class OptOut(Base):
    """A phone number or email address that asked for no more messages (a STOP reply, an
    unsubscribe link, a clerk at the person's request); `ended_at` when it asked again."""

    __tablename__ = "opt_outs"
    __table_args__ = (Index("ix_opt_outs_address", "channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    """E.164 for a phone (+15105550123), lower case for an email."""
    at: Mapped[datetime]
    how: Mapped[str] = mapped_column(String(40))
    """stop_reply, unsubscribe_link, clerk, person."""
    ended_at: Mapped[datetime | None]
    ended_how: Mapped[str | None] = mapped_column(String(40))


class LetterBatch(Base):
    """Letters handed to a mail house together: one PDF and one CSV, rebuilt from these rows
    whenever asked, so a batch written once is never lost nor printed twice."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    letters: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
