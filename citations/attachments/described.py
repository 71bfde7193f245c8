"""Files as the API and the command line show them, and what they ask by citation number.

The schemas are a family (`AttachmentPublic`, `AttachmentDetails`, `AttachmentWithdrawal`,
`AttachmentNaming`); the functions check who asks, lock what they change and call
citations.attachments.service, so the API and the CLI do the same thing.

>>> AttachmentDetails.model_validate({"camera": "Apple"}).camera
'Apple'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from citations.attachments.access import attachments_on
from citations.attachments.references import MAX_ATTACHMENTS, FileReference
from citations.attachments.tables import Attachment
from citations.record.lookup import find_citation, lock_citation
from citations.record.tables import Agency, Citation
from citations.roles import Action, Actor

State = Literal["uploaded", "awaited", "attached"]
"""`uploaded`: its bytes are here and no citation names it yet; `awaited`: a citation names
it by its hash and its bytes have not come; `attached`: on a citation, bytes and all."""


class AttachmentDetails(BaseModel):
    """What the photo itself says (EXIF), as far as it says it."""

    taken_at: datetime | None = None
    taken_at_zone: Literal["camera", "assumed"] | None = None
    """`camera` when the camera wrote its offset; `assumed` when read in the city's zone."""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    camera: str | None = None


class AttachmentWithdrawal(BaseModel):
    at: datetime
    by: str
    reason: str


class AttachmentPublic(BaseModel):
    """One file on the record (or an upload waiting for its message)."""

    model_config = ConfigDict(frozen=True)

    id: str
    """`att_...`: the file's public name, in every address."""
    citation: str | None
    """The citation's number; None for an upload no message has named yet."""
    state: State
    source: str
    """Whose evidence: `officer`, `person` or `city`."""
    purpose: str
    description: str | None
    filename: str
    content_type: str | None
    size: int | None
    sha256: str
    """The kept bytes' SHA-256."""
    received_sha256: str | None
    shown_content_type: str | None
    """The copy shown to the public and printed (`?copy=shown`)."""
    shown_sha256: str | None
    details: AttachmentDetails
    agency: str | None
    added_by: str | None
    added_from: str | None
    received_at: datetime | None
    named_at: datetime | None
    named_by: str | None
    attached_at: datetime | None
    withdrawn: AttachmentWithdrawal | None


class AttachmentNaming(BaseModel):
    """Files to join to an existing citation: upload ids or SHA-256 hashes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attachments: Annotated[list[FileReference], Field(min_length=1, max_length=MAX_ATTACHMENTS)]


def state_of(row: Attachment) -> State:
    if row.received_at is None:
        return "awaited"
    return "uploaded" if row.citation_id is None else "attached"


def describe(session: Session, row: Attachment) -> AttachmentPublic:
    """The file as the API answers it and `citations files list --json` prints it."""
    citation = None if row.citation_id is None else session.get_one(Citation, row.citation_id)
    agency = None if row.agency_id is None else session.get_one(Agency, row.agency_id)
    withdrawn = None
    if row.withdrawn_at is not None:
        withdrawn = AttachmentWithdrawal(
            at=row.withdrawn_at, by=row.withdrawn_by or "", reason=row.withdrawn_reason or ""
        )
    details: dict[str, Any] = row.details or {}
    return AttachmentPublic(
        id=row.key,
        citation=None if citation is None else citation.number,
        state=state_of(row),
        source=row.source,
        purpose=row.purpose,
        description=row.description,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        received_sha256=row.received_sha256,
        shown_content_type=row.shown_content_type,
        shown_sha256=row.shown_sha256,
        details=AttachmentDetails.model_validate(details),
        agency=None if agency is None else agency.code,
        added_by=row.added_by,
        added_from=row.added_from,
        received_at=row.received_at,
        named_at=row.named_at,
        named_by=row.named_by,
        attached_at=row.attached_at,
        withdrawn=withdrawn,
    )


def files_of(session: Session, number: str, actor: Actor) -> list[AttachmentPublic]:
    """The files on a citation the actor may see, oldest first, withdrawn ones included
    (NotFound for a citation the actor may not see: another agency's)."""
    citation = find_citation(session, number, actor)
    return [describe(session, row) for row in attachments_on(session, citation, actor)]


def name_on(
    session: Session,
    number: str,
    references: Sequence[str],
    *,
    actor: Actor,
    now: datetime,
    named_from: str,
) -> list[AttachmentPublic]:
    """Join uploads (by id or hash) to an existing citation, under its lock; a hash not
    uploaded yet waits for its bytes. Naming a file the citation has changes nothing."""
    from citations.attachments.service import name_files

    actor.require(Action.ATTACH_FILES)  # before the citation is looked for: a 403, not a 404
    citation = lock_citation(session, number, actor)
    rows = name_files(session, citation, references, actor=actor, now=now, named_from=named_from)
    return [describe(session, row) for row in rows]


def add_to(
    session: Session,
    number: str,
    data: bytes,
    *,
    filename: str,
    source: str,
    purpose: str,
    actor: Actor,
    now: datetime,
    added_from: str,
    description: str | None = None,
) -> AttachmentPublic:
    """A clerk's file (a letter that came by mail, a provider's hours sheet) added to a
    citation, under its lock."""
    from citations.attachments.service import add_file

    actor.require(Action.ATTACH_FILES)
    citation = lock_citation(session, number, actor)
    row = add_file(
        session,
        citation,
        data,
        filename=filename,
        source=source,
        purpose=purpose,
        actor=actor,
        now=now,
        added_from=added_from,
        description=description,
    )
    return describe(session, row)
