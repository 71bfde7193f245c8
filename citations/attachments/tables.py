"""The attachments table: every file on the record (its bytes are in the files store).

A row is one file on one citation, or an officer's upload that no citation names yet. It is
never changed once its bytes are in, except to be named by a citation (an upload that came
before its intake message) and to be withdrawn (a file added in error stays, with why).

A row can also come before its bytes: an intake message names a file by its SHA-256 that the
device has not sent yet (it was offline). The row waits (`received_at` is empty) and the file
joins the citation when the bytes with that hash arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citations.orm import Base, JSONDocument, RecordKey


class Source:
    """Whose evidence a file is (not who put it in: a clerk scans the person's letter)."""

    OFFICER = "officer"
    PERSON = "person"
    CITY = "city"
    """The city's own papers (a provider's hours sheet): not evidence for either side."""


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_sha256", "sha256"),
        Index("ix_attachments_citation", "citation_id", "id"),
        Index("ix_attachments_agency_unnamed", "agency_id", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    """The file's public name (`att_` and 26 random letters): what the API answers and every
    address uses, so no file is reached by counting."""
    citation_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("citations.id"))
    """None for an officer's upload that no intake message has named yet."""
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    """The agency whose officer added it (officers see their agency's files); None when
    staff or the person added it."""
    source: Mapped[str] = mapped_column(String(16))
    """`officer`, `person` or `city` (Source)."""
    purpose: Mapped[str] = mapped_column(String(30))
    """What it came with: `evidence`, `mail`, `service_hours`, `review`, `hearing`,
    `ability_to_pay`, `set_aside`, `other`."""
    request_id: Mapped[int | None] = mapped_column(RecordKey, ForeignKey("person_requests.id"))
    description: Mapped[str | None] = mapped_column(Text)
    """What it is, in the words of whoever added it (a clerk: "Letter received by mail")."""
    filename: Mapped[str] = mapped_column(String(200))
    """Its name on the sender's device (shown, never used as a path)."""
    sha256: Mapped[str] = mapped_column(String(64))
    """The kept bytes' SHA-256 (the original; for a file the person sent online, the
    re-encoded copy: their original, with where it was taken, is not kept)."""
    content_type: Mapped[str | None] = mapped_column(String(60))
    """From the bytes: image/jpeg, image/png, image/heic or application/pdf."""
    size: Mapped[int | None] = mapped_column(Integer)
    received_sha256: Mapped[str | None] = mapped_column(String(64))
    """The SHA-256 of the bytes as received (differs from `sha256` only for the person's
    re-encoded files)."""
    shown_sha256: Mapped[str | None] = mapped_column(String(64))
    """The copy shown to the public and printed: a picture re-encoded without metadata; a
    PDF as received."""
    shown_content_type: Mapped[str | None] = mapped_column(String(60))
    shown_size: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[Any] = mapped_column(JSONDocument)
    """From the photo itself (citations.attachments.metadata): taken_at, latitude,
    longitude, camera; `{}` for a PDF or a photo without EXIF."""
    named_at: Mapped[datetime | None]
    """When an intake message named the file by its hash, before its bytes came."""
    named_by: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime | None]
    """When the bytes came; None while a named file is awaited."""
    added_by: Mapped[str | None] = mapped_column(String(200))
    added_from: Mapped[str | None] = mapped_column(String(200))
    """Where from: the API and the client's address, the clerks' pages, the public pages,
    the command line."""
    attached_at: Mapped[datetime | None]
    """When it joined its citation (None while an upload waits for its message)."""
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def awaited(self) -> bool:
        return self.received_at is None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_picture(self) -> bool:
        return (self.shown_content_type or "").startswith("image/")
