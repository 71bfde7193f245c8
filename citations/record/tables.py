"""Database tables of agencies, numbers, tokens, intake records and citations."""

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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base, JSONDocument, RecordKey


class Agency(Base):
    """An issuing agency; its code is the prefix of its citation numbers."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sequence_digits: Mapped[int] = mapped_column(Integer, server_default=text("6"), default=6)
    """How wide the numbers it draws from now on are (6 to 9); it only ever grows."""


class NumberSequence(Base):
    """The next unused sequence number of an agency in a year (blocks and online issuing)."""

    __tablename__ = "number_sequences"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_sequence: Mapped[int] = mapped_column(Integer)


class NumberBlock(Base):
    """A range of numbers reserved for one device, for citations written offline."""

    __tablename__ = "number_blocks"
    __table_args__ = (Index("ix_number_blocks_device", "agency_id", "device_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    device_id: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    first_sequence: Mapped[int] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer)
    digits: Mapped[int] = mapped_column(Integer, server_default=text("6"), default=6)
    """The width its numbers are written in: the agency's when the block was drawn."""
    allocated_at: Mapped[datetime]
    allocated_by: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    """An API token; only its SHA-256 is stored, the secret is shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()


class IntakeRecord(Base):
    """Every accepted intake message and its outcome: the idempotency record, and the
    register of referrals and declined cases that equity reviews read."""

    __tablename__ = "intake_records"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[Any] = mapped_column(JSONDocument)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    reasons: Mapped[Any] = mapped_column(JSONDocument)
    violation_at: Mapped[datetime] = mapped_column(index=True)
    """Indexed for the report's intake figures, read a local day at a time."""
    area: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    response: Mapped[Any] = mapped_column(JSONDocument)
    """The result as first returned; a replay of the same message returns exactly this."""


class Citation(Base):
    __tablename__ = "citations"
    __table_args__ = (
        Index("ix_citations_subject", "subject_name_key", "subject_dob"),
        # Daily processing asks "which citations in this status are past this date?"
        Index("ix_citations_status_due", "status", "due_on"),
        # A STOP reply, an unsubscribe or a provider's report names a phone or an email:
        # every citation with it is found at once.
        Index("ix_citations_phone", "phone"),
        Index("ix_citations_email", "email"),
        # The clerks' search (citations.record.search): a last name's prefix, a date of
        # birth, part of a number or an address; and the list's sorts and filters.
        Index(
            "ix_citations_last_prefix",
            "subject_last_folded",
            postgresql_ops={"subject_last_folded": "varchar_pattern_ops"},
            # The issue moment beside each name: newest first without reading the rows.
            postgresql_include=["issued_at"],
        ),
        Index("ix_citations_name_order", "subject_last_folded", "subject_first_folded", "id"),
        Index("ix_citations_dob", "subject_dob"),
        # With the id: the list's area filter, joined to an ordinance's citations, is read
        # from the index alone (an area's citations lie on as many pages as there are).
        Index("ix_citations_area", "area", "id"),
        Index("ix_citations_issued", "issued_at", "id"),
        Index("ix_citations_balance", "balance_cents", "id"),
        # PostgreSQL: trigram indexes (pg_trgm) answer `LIKE '%part%'`; SQLite: a plain one.
        # A part of a number is found through migration 0024's trigram index on
        # upper(number), an expression no model declares: on the column itself the planner
        # took it for `number IN (...)` too, at a thousand times the unique index's cost.
        Index(
            "ix_citations_address_trgm",
            "subject_address_folded",
            postgresql_using="gin",
            postgresql_ops={"subject_address_folded": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(100))
    intake_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("intake_records.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    violation_at: Mapped[datetime]
    violation_date: Mapped[date] = mapped_column(Date, index=True)
    """The violation's calendar date in the jurisdiction's time zone."""
    location: Mapped[Any] = mapped_column(JSONDocument)
    area: Mapped[str | None] = mapped_column(String(200))
    officer_badge: Mapped[str] = mapped_column(String(40))
    officer_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[Any] = mapped_column(JSONDocument)
    subject_name_key: Mapped[str] = mapped_column(String(400))
    subject_dob: Mapped[date | None] = mapped_column(Date)
    subject_last_folded: Mapped[str] = mapped_column(String(200), server_default="")
    """The last name folded for searching (citations.record.folding: accents, case and
    punctuation ignored), kept with `subject`."""
    subject_first_folded: Mapped[str] = mapped_column(String(200), server_default="")
    subject_address_folded: Mapped[str] = mapped_column(String(400), server_default="")
    """The person's address on one line, folded, for finding them by part of it."""
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    notice_language: Mapped[str] = mapped_column(String(8))
    total_fine_cents: Mapped[int] = mapped_column(BigInteger)
    """The fine as it stands (after any reduction); the ledger holds every change."""
    balance_cents: Mapped[int] = mapped_column(BigInteger, server_default="0", default=0)
    """What is owed now: the ledger's sum, kept by every writer of ledger entries in the same
    transaction (citations.record.ledger), so lists filter and sort by it at a million rows.
    `ledger.balance` still computes it from the entries; the two are checked equal."""
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    """When what is owed must be paid: the notice's deadline, then the one each decision,
    plan or failed alternative sets. Late penalties count from it."""
    issued_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    """When it reached a closed status (paid, served, waived, diverted, dismissed, voided)."""
    officer_notes: Mapped[str | None] = mapped_column(Text)
    """Internal; never printed on a notice."""
    next_citation_date: Mapped[date | None] = mapped_column(Date)
    """The same person's next later citation day, if any (kept by citations.record.repeats for the
    report's repeat-citation rate)."""
    service_method: Mapped[str] = mapped_column(String(16), server_default="personal")
    """How the notice reaches the person: `personal` (handed over at the scene by the officer's
    device) or `mail` (mailed by the city)."""
    served_on: Mapped[date | None] = mapped_column(Date)
    """The day service is complete, from which the notice's deadlines count: the violation
    date when handed over; the mailing date plus the profile's days for mail service when
    mailed; None while a notice waits to be mailed (nothing can be late before then)."""
    attention: Mapped[str | None] = mapped_column(Text)
    """Why a clerk must look at it (a returned letter), until a clerk acts; None otherwise."""
    phone: Mapped[str | None] = mapped_column(String(40))
    """The person's phone, as they or a clerk last gave it (the public pages, the counter)."""
    email: Mapped[str | None] = mapped_column(String(254))
    """The person's email, as they or a clerk last gave it."""
    texts_consent: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    """The person agreed to reminders by text at `phone`."""
    emails_consent: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    """The person agreed to reminders by email at `email`."""
    consent: Mapped[Any | None] = mapped_column(JSONDocument)
    """Every record of consent given or withdrawn, oldest first: channel, given, at, by
    whom, how (`device`, `online`, `clerk`) and the device's own record of it."""
    phone_problem: Mapped[str | None] = mapped_column(Text)
    """Why texts to `phone` stopped (a number the provider refused), for a clerk to fix."""
    email_problem: Mapped[str | None] = mapped_column(Text)
    """Why emails to `email` stopped (an address the mail server refused)."""
    experiment: Mapped[str | None] = mapped_column(String(40))
    """The reminders experiment running when it was issued (`reminders.experiment.id`)."""
    arm: Mapped[str | None] = mapped_column(String(40))
    """Its arm of that experiment, drawn at issuance from the seed and the number."""

    agency: Mapped[Agency] = relationship()
    intake: Mapped[IntakeRecord] = relationship()
    violations: Mapped[list[CitationViolation]] = relationship(
        back_populates="citation", order_by="CitationViolation.position"
    )
    identifiers: Mapped[list[CitationIdentifier]] = relationship(back_populates="citation")
    revisions: Mapped[list[CitationRevision]] = relationship(
        back_populates="citation", order_by="CitationRevision.revision"
    )


class CitationIdentifier(Base):
    """A subject identifier (e.g. a driver license number), normalized for matching priors."""

    __tablename__ = "citation_identifiers"
    __table_args__ = (
        Index("ix_citation_identifiers_key", "id_type", "id_number"),
        # The clerks' search finds a number whatever its type (citations.record.search).
        Index("ix_citation_identifiers_number", "id_number"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    id_type: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str] = mapped_column(String(60))

    citation: Mapped[Citation] = relationship(back_populates="identifiers")


class CitationViolation(Base):
    """One violation on a citation, with the ordinance version it was judged by (snapshot)."""

    __tablename__ = "citation_violations"
    __table_args__ = (
        UniqueConstraint("citation_id", "position", name="uq_citation_violations_position"),
        Index("ix_citation_violations_ordinance", "ordinance_code", "violation_date"),
        Index("ix_citation_violations_category", "category", "violation_date"),
        # The citations list's ordinance filter: an ordinance's citations from the index alone.
        Index("ix_citation_violations_citation_by_ordinance", "ordinance_code", "citation_id"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"))
    position: Mapped[int] = mapped_column(Integer)
    ordinance_code: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(64))
    violation_date: Mapped[date] = mapped_column(Date)
    ordinance_version_id: Mapped[int] = mapped_column(
        ForeignKey("ordinance_versions.id"), index=True
    )
    disposition: Mapped[str] = mapped_column(String(32))
    prior_count: Mapped[int] = mapped_column(Integer)
    offense_count: Mapped[int] = mapped_column(Integer)
    fine_cents: Mapped[int] = mapped_column(BigInteger)
    narrative: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[Any] = mapped_column(JSONDocument)
    """The resolved ordinance version as it stood at issuance; later catalog changes never
    alter an issued citation."""

    citation: Mapped[Citation] = relationship(back_populates="violations")


class CitationRevision(Base):
    """A version of a citation: 1 at issuance, one more for each amendment."""

    __tablename__ = "citation_revisions"
    __table_args__ = (
        UniqueConstraint("citation_id", "revision", name="uq_citation_revisions_revision"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"))
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    message: Mapped[Any] = mapped_column(JSONDocument)
    """The intake message as amended: what this revision was decided from."""
    decision: Mapped[Any] = mapped_column(JSONDocument)

    citation: Mapped[Citation] = relationship(back_populates="revisions")


class SentDocument(Base):
    """A document as it was given to the person: the PDF's bytes, kept so that a reprint is
    exactly what was sent. A changed situation makes a new document, never a rewritten one."""

    __tablename__ = "sent_documents"
    __table_args__ = (
        UniqueConstraint("citation_id", "kind", "about", name="uq_sent_documents_about"),
    )

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    """notice, amended_notice, hearing_notice, hearing_packet, order, receipt, late_notice."""
    about: Mapped[str] = mapped_column(String(64))
    """What it is the document of, e.g. `revision:2`, `hearing:7`, `order:3`, `payment:12`."""
    language: Mapped[str] = mapped_column(String(8))
    issued_on: Mapped[date] = mapped_column(Date)
    """The date the document bears."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[str] = mapped_column(String(16))
    """handed_over, mailed, emailed, online."""
    address: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    """Where it went: the postal address mailed to, an email address, or None."""
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    citation: Mapped[Citation] = relationship()


class Mailing(Base):
    """The mailing log: one document put in the mail, and whether it came back."""

    __tablename__ = "mailings"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        RecordKey, ForeignKey("sent_documents.id"), unique=True
    )
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    mailed_on: Mapped[date] = mapped_column(Date)
    address: Mapped[Any] = mapped_column(JSONDocument)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)
    return_recorded_at: Mapped[datetime | None]
    return_recorded_by: Mapped[str | None] = mapped_column(String(200))

    document: Mapped[SentDocument] = relationship()
