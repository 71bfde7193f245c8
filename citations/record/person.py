"""Tables of the cited person's own pages: tries to find a citation, the person's sessions,
and what they asked for online that staff answer (the files they send are attachments:
citations.attachments).

The library functions that use them are in citations.online (the public door's library) and
in the features they touch (contests, payments); these are only the rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base, JSONDocument, RecordKey
from citations.record.staff import StaffUser
from citations.record.tables import Citation


class LookupTry(Base):
    """One try to find a citation by number and date of birth (or an access code), kept to
    limit wrong tries per number and per client address."""

    __tablename__ = "lookup_tries"
    __table_args__ = (
        Index("ix_lookup_tries_number", "number", "at"),
        Index("ix_lookup_tries_client", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    number: Mapped[str] = mapped_column(String(40))
    """The number as typed, upper-cased (an access code's try records `code`)."""
    client: Mapped[str] = mapped_column(String(64))
    """The client's address (as the server saw it)."""
    succeeded: Mapped[bool] = mapped_column(Boolean)


class PersonSession(Base):
    """A cited person's session on the public pages; only its key's SHA-256 is stored."""

    __tablename__ = "person_sessions"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    how: Mapped[str] = mapped_column(String(20))
    """How the person found the citation: `birth_date` or `access_code`."""
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class PersonRequest(Base):
    """Something a person asked for online that a rule does not decide at once: it waits
    in the clerks' queue until staff answer it (ability to pay beyond the plain cases,
    setting a default aside, a payment plan outside the rules)."""

    __tablename__ = "person_requests"
    __table_args__ = (Index("ix_person_requests_waiting", "status", "received_at"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    """`ability_to_pay`, `set_aside`, `move_hearing`, `payment_plan`."""
    received_at: Mapped[datetime]
    statement: Mapped[str] = mapped_column(Text)
    details: Mapped[Any] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(16))
    """`waiting`, then `granted`, `denied` or `withdrawn`."""
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(Text)
    """The answer, in words the person reads."""
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    """The staff member who is to answer it (the work queues; set-aside requests)."""
    assigned_at: Mapped[datetime | None]

    citation: Mapped[Citation] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()
