"""Adding files to the record, naming them from an intake message, and withdrawing them.

Three ways in, one row each (citations.attachments.tables.Attachment):
- an officer's device uploads a file (`upload`), before or after the intake message that
  names it: the message names it by the id the upload answered or by its SHA-256
  (`name_files`), and whichever comes second joins the two;
- a clerk adds a file to a citation from the pages (`add_file`: a letter that came by mail,
  a provider's hours sheet);
- the person sends files online (citations.online.files, through `keep_cleaned`).

Every file is checked from its bytes (`prepare`), its bytes are put in the files store
before its row is written, and every addition, naming and withdrawal is an audit event in
the same transaction as the row.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citations.attachments import kinds
from citations.attachments.metadata import photo_details
from citations.attachments.store import HASH, FileStore, digest, open_store
from citations.attachments.tables import Attachment, Source
from citations.audit import record
from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, NotFound
from citations.record.lookup import lock_citation
from citations.record.tables import Agency, Citation
from citations.roles import Action, Actor, Role
from citations.settings import get_settings

PURPOSES = (
    "evidence",
    "mail",
    "service_hours",
    "review",
    "hearing",
    "ability_to_pay",
    "set_aside",
    "other",
)
KEY_PREFIX = "att_"


class FileRefused(InputRejected):
    """A file that cannot be kept, and why (its name and the rule it breaks)."""

    def __init__(self, message: str, field_name: str = "file") -> None:
        super().__init__([FieldError(field_name, message)], "the file was not accepted")


@dataclass(frozen=True)
class Prepared:
    """A file checked and its bytes (and its shown copy) in the store."""

    filename: str
    sha256: str
    content_type: str
    size: int
    received_sha256: str
    shown_sha256: str
    shown_content_type: str
    shown_size: int
    details: dict[str, Any] = field(default_factory=dict)


def new_key() -> str:
    """A file's public name: 128 random bits, so no file is reached by guessing.

    >>> len(new_key()), new_key().startswith("att_")
    (30, True)
    """
    return KEY_PREFIX + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def limits() -> tuple[int, int]:
    """The settings' limits in bytes: (per file, per citation)."""
    settings = get_settings()
    return (
        settings.file_max_megabytes * kinds.MEGABYTE,
        settings.citation_files_max_megabytes * kinds.MEGABYTE,
    )


def prepare(
    data: bytes,
    filename: str,
    *,
    declared_type: str | None,
    zone: ZoneInfo,
    store: FileStore,
    keep_original: bool = True,
) -> Prepared:
    """Check the file from its bytes and put it (and its shown copy) in the store; or
    FileRefused saying why. A declared type that is not what the bytes are is refused: a
    device that says image/jpeg and sends something else is not to be trusted on the rest."""
    name = kinds.shown_name(filename)
    try:
        kind = kinds.checked_kind(data, name, limit_megabytes=get_settings().file_max_megabytes)
    except kinds.Refused as refused:
        raise FileRefused(refused.message) from None
    claimed = kinds.declared_kind(declared_type)
    if claimed != "" and claimed != kind:
        raise FileRefused(
            f"{name} was sent as {declared_type} but is a {kind.upper()} file",
            "content_type",
        )
    content_type = kinds.CONTENT_TYPES[kind]
    received = digest(data)
    if kind == "pdf":
        shown_type, shown = content_type, data
        details: dict[str, Any] = {}
    else:
        try:
            shown_type, shown = kinds.reencode(data, kind)
        except kinds.Unreadable as unreadable:
            raise FileRefused(kinds.Refused(unreadable.code, {"name": name}).message) from None
        details = photo_details(data, zone) if keep_original else {}
    shown_sha = store.put(shown)
    if keep_original:
        kept_sha, kept_type, kept_size = store.put(data), content_type, len(data)
    else:
        kept_sha, kept_type, kept_size = shown_sha, shown_type, len(shown)
    return Prepared(
        filename=kinds.with_extension(name, kept_type),
        sha256=kept_sha,
        content_type=kept_type,
        size=kept_size,
        received_sha256=received,
        shown_sha256=shown_sha,
        shown_content_type=shown_type,
        shown_size=len(shown),
        details=details,
    )


def _zone(session: Session) -> ZoneInfo:
    return zone_of(PublishedCatalog(session).jurisdiction())


def _agency_id(session: Session, actor: Actor) -> int | None:
    if actor.role is not Role.OFFICER or actor.agency is None:
        return None
    found = session.scalar(select(Agency.id).where(Agency.code == actor.agency))
    if found is None:
        raise NotFound("agency", actor.agency)
    return found


def _fill(row: Attachment, prepared: Prepared) -> None:
    row.filename = prepared.filename
    row.sha256 = prepared.sha256
    row.content_type = prepared.content_type
    row.size = prepared.size
    row.received_sha256 = prepared.received_sha256
    row.shown_sha256 = prepared.shown_sha256
    row.shown_content_type = prepared.shown_content_type
    row.shown_size = prepared.shown_size
    row.details = prepared.details


def summary(row: Attachment) -> dict[str, Any]:
    """What an audit event records of a file."""
    return {
        "file": row.key,
        "filename": row.filename,
        "sha256": row.sha256,
        "content_type": row.content_type,
        "size": row.size,
        "source": row.source,
        "purpose": row.purpose,
        "from": row.added_from,
    }


def _audit(session: Session, row: Attachment, action: str, actor: Actor, now: datetime) -> None:
    citation = None if row.citation_id is None else session.get_one(Citation, row.citation_id)
    record(
        session,
        at=now,
        actor=actor.name,
        action=action,
        entity_type="citation" if citation is not None else "attachment",
        entity_key=citation.number if citation is not None else row.key,
        after=summary(row),
    )


def _added(
    session: Session, row: Attachment, action: str, actor: Actor, now: datetime
) -> Attachment:
    """The new row written and its audit event recorded, in the caller's transaction."""
    session.add(row)
    session.flush()
    _audit(session, row, action, actor, now)
    return row


def stored_on(session: Session, citation_id: int) -> int:
    """The bytes a citation's files already hold (withdrawn ones count: they stay)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.citation_id == citation_id, Attachment.received_at.is_not(None)
        )
    )
    return int(total or 0)


def _room_for(session: Session, citation: Citation, size: int, name: str) -> None:
    _, per_citation = limits()
    held = stored_on(session, citation.id)
    if held + size > per_citation:
        raise FileRefused(
            f"{name} would bring citation {citation.number}'s files to "
            f"{kinds.megabytes(held + size)} MB; the limit is "
            f"{per_citation // kinds.MEGABYTE} MB a citation"
        )


def _new_row(
    prepared: Prepared | None,
    *,
    citation: Citation | None,
    agency_id: int | None,
    source: str,
    purpose: str,
    actor: Actor,
    now: datetime,
    added_from: str,
    description: str | None = None,
    request_id: int | None = None,
) -> Attachment:
    if purpose not in PURPOSES:
        raise FileRefused(f"{purpose!r} is not one of: {', '.join(PURPOSES)}", "purpose")
    row = Attachment(
        key=new_key(),
        citation_id=None if citation is None else citation.id,
        agency_id=agency_id,
        source=source,
        purpose=purpose,
        request_id=request_id,
        description=description,
        details={},
        received_at=None if prepared is None else now,
        added_by=None if prepared is None else actor.name,
        added_from=None if prepared is None else added_from,
        attached_at=None if citation is None else now,
    )
    if prepared is not None:
        _fill(row, prepared)
    return row


def upload(
    session: Session,
    data: bytes,
    *,
    filename: str,
    declared_type: str | None,
    actor: Actor,
    now: datetime,
    added_from: str,
    citation_number: str | None = None,
    purpose: str = "evidence",
    description: str | None = None,
    store: FileStore | None = None,
) -> Attachment:
    """An officer's (or staff's) upload through the API: onto `citation_number` when given;
    else it completes every file an intake message of the agency named by this hash and has
    been waiting for, or waits itself to be named. The same bytes sent again while still
    unnamed answer the same file (a device retrying after a lost answer)."""
    actor.require(Action.ATTACH_FILES)
    store = store or open_store()
    zone = _zone(session)
    prepared = prepare(data, filename, declared_type=declared_type, zone=zone, store=store)
    agency_id = _agency_id(session, actor)
    source = Source.OFFICER if actor.role is Role.OFFICER else Source.CITY
    new = partial(
        _new_row,
        prepared,
        agency_id=agency_id,
        source=source,
        purpose=purpose,
        actor=actor,
        now=now,
        added_from=added_from,
        description=description,
    )
    if citation_number is not None:
        citation = lock_citation(session, citation_number, actor)
        _room_for(session, citation, prepared.size, prepared.filename)
        return _added(session, new(citation=citation), "attachment.added", actor, now)
    awaited = list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.sha256 == prepared.sha256,
                Attachment.received_at.is_(None),
                Attachment.agency_id == agency_id,
            )
            .order_by(Attachment.id)
        )
    )
    for row in awaited:
        assert row.citation_id is not None
        citation = session.get_one(Citation, row.citation_id)
        lock_citation(session, citation.number, actor)
        _room_for(session, citation, prepared.size, prepared.filename)
        _fill(row, prepared)
        row.received_at = now
        row.added_by = actor.name
        row.added_from = added_from
        if description is not None:
            row.description = description
        session.flush()
        _audit(session, row, "attachment.received", actor, now)
    if awaited:
        return awaited[0]
    same = session.scalar(
        select(Attachment)
        .where(
            Attachment.sha256 == prepared.sha256,
            Attachment.citation_id.is_(None),
            Attachment.agency_id == agency_id,
            Attachment.source == source,
        )
        .order_by(Attachment.id)
        .limit(1)
    )
    if same is not None:
        return same
    return _added(session, new(citation=None), "attachment.uploaded", actor, now)


def is_reference(text: str) -> bool:
    """A file as an intake message names it: an upload's id or a SHA-256.

    >>> is_reference("att_" + "a" * 26), is_reference("0" * 64), is_reference("photo.jpg")
    (True, True, False)
    """
    if text.startswith(KEY_PREFIX):
        return len(text) == 30 and text[4:].isalnum() and text[4:].islower()
    return bool(HASH.match(text))


def name_files(
    session: Session,
    citation: Citation,
    references: Sequence[str],
    *,
    actor: Actor,
    now: datetime,
    named_from: str,
    agency: Agency | None = None,
) -> list[Attachment]:
    """The files a message (or a later request) names joined to the citation: each by an
    upload's id (which must be the agency's own), or by its SHA-256, which joins a file the
    agency already sent with those bytes or waits for one. Naming a file the citation
    already has changes nothing. The caller holds the citation's lock.

    `agency`: whose officers' files these are, when a city-wide actor names them (an
    intake message sent for an agency from a batch file); by default the actor's."""
    actor.require(Action.ATTACH_FILES)
    agency_id = agency.id if agency is not None else _agency_id(session, actor)
    joined: list[Attachment] = []
    for position, reference in enumerate(references):
        where = f"attachments[{position}]"
        if not is_reference(reference):
            raise FileRefused(
                f"{reference!r} is neither an upload's id (att_...) nor a SHA-256", where
            )
        if reference.startswith(KEY_PREFIX):
            found = session.scalar(select(Attachment).where(Attachment.key == reference))
            if found is None or (agency_id is not None and found.agency_id != agency_id):
                raise FileRefused(f"no file {reference} was uploaded by this agency", where)
            sha = found.sha256
        else:
            sha = reference
        joined.append(_join(session, citation, sha, agency_id, actor, now, named_from))
    return joined


def _join(
    session: Session,
    citation: Citation,
    sha: str,
    agency_id: int | None,
    actor: Actor,
    now: datetime,
    named_from: str,
) -> Attachment:
    rows = list(
        session.scalars(
            select(Attachment)
            .where(Attachment.sha256 == sha, Attachment.agency_id == agency_id)
            .order_by(Attachment.id)
        )
    )
    for row in rows:
        if row.citation_id == citation.id:
            return row  # already on this citation (a message sent again)
    unnamed = next((r for r in rows if r.citation_id is None), None)
    if unnamed is not None:
        assert unnamed.size is not None
        _room_for(session, citation, unnamed.size, unnamed.filename)
        unnamed.citation_id = citation.id
        unnamed.attached_at = now
        unnamed.named_at = now
        unnamed.named_by = actor.name
        session.flush()
        _audit(session, unnamed, "attachment.added", actor, now)
        return unnamed
    # An agency's file is its officers' evidence, whoever names it (a batch sent by staff).
    source = Source.OFFICER if agency_id is not None else Source.CITY
    earlier = next((r for r in rows if r.received_at is not None), None)
    row = _new_row(
        None,
        citation=citation,
        agency_id=agency_id,
        source=source,
        purpose="evidence",
        actor=actor,
        now=now,
        added_from=named_from,
    )
    row.sha256 = sha
    row.filename = sha[:12]
    row.named_at = now
    row.named_by = actor.name
    if earlier is not None:
        # The same bytes on another citation: one copy in the store, a row on each.
        assert earlier.size is not None
        _room_for(session, citation, earlier.size, earlier.filename)
        for column in (
            "filename",
            "content_type",
            "size",
            "received_sha256",
            "shown_sha256",
            "shown_content_type",
            "shown_size",
            "details",
            "added_by",
            "added_from",
            "received_at",
        ):
            setattr(row, column, getattr(earlier, column))
    action = "attachment.added" if earlier is not None else "attachment.awaited"
    return _added(session, row, action, actor, now)


def add_file(
    session: Session,
    citation: Citation,
    data: bytes,
    *,
    filename: str,
    source: str,
    purpose: str,
    actor: Actor,
    now: datetime,
    added_from: str,
    description: str | None = None,
    declared_type: str | None = None,
    store: FileStore | None = None,
) -> Attachment:
    """A file a clerk adds to a citation from the pages or the command line: the person's
    (a letter that came by mail) or the city's (a provider's hours sheet). The caller holds
    the citation's lock."""
    actor.require(Action.ATTACH_FILES)
    if source not in (Source.PERSON, Source.CITY, Source.OFFICER):
        raise FileRefused(f"{source!r} is not officer, person or city", "source")
    store = store or open_store()
    prepared = prepare(
        data, filename, declared_type=declared_type, zone=_zone(session), store=store
    )
    _room_for(session, citation, prepared.size, prepared.filename)
    row = _new_row(
        prepared,
        citation=citation,
        agency_id=_agency_id(session, actor),
        source=source,
        purpose=purpose,
        actor=actor,
        now=now,
        added_from=added_from,
        description=description,
    )
    return _added(session, row, "attachment.added", actor, now)


def keep_cleaned(
    session: Session,
    citation: Citation,
    files: Sequence[tuple[str, str, bytes, str]],
    *,
    purpose: str,
    actor: Actor,
    now: datetime,
    added_from: str,
    request_id: int | None = None,
    store: FileStore | None = None,
    description: str | None = None,
) -> list[Attachment]:
    """Files the person sent online, already checked and re-encoded by
    citations.online.files, as (filename, content type, bytes, SHA-256 as received): only
    the clean copy is kept, with the person's `description` when given. Each is audited as
    added."""
    actor.require(Action.ATTACH_FILES)
    store = store or open_store()
    rows = []
    for filename, content_type, content, received in files:
        _room_for(session, citation, len(content), filename)
        sha = store.put(content)
        prepared = Prepared(
            filename=filename,
            sha256=sha,
            content_type=content_type,
            size=len(content),
            received_sha256=received,
            shown_sha256=sha,
            shown_content_type=content_type,
            shown_size=len(content),
        )
        row = _new_row(
            prepared,
            citation=citation,
            agency_id=None,
            source=Source.PERSON,
            purpose=purpose,
            actor=actor,
            now=now,
            added_from=added_from,
            description=description,
            request_id=request_id,
        )
        rows.append(_added(session, row, "attachment.added", actor, now))
    return rows


def withdraw(session: Session, key: str, reason: str, *, actor: Actor, now: datetime) -> Attachment:
    """Withdraw a file added in error: it stays in the record (bytes, hash, who added it),
    marked withdrawn with who, when and why, and is left out of the hearing packet."""
    from citations.attachments.access import find_attachment  # the reading side

    actor.require(Action.WITHDRAW_FILES)
    reason = " ".join(reason.split())
    if not reason:
        raise FileRefused("say why the file is withdrawn", "reason")
    row = find_attachment(session, key, actor)
    if row.citation_id is not None:
        lock_citation(session, session.get_one(Citation, row.citation_id).number, actor)
        session.refresh(row)
    if row.withdrawn_at is not None:
        raise FileRefused(f"{row.key} was already withdrawn ({row.withdrawn_reason})", "file")
    row.withdrawn_at = now
    row.withdrawn_by = actor.name
    row.withdrawn_reason = reason
    session.flush()
    citation = None if row.citation_id is None else session.get_one(Citation, row.citation_id)
    record(
        session,
        at=now,
        actor=actor.name,
        action="attachment.withdrawn",
        entity_type="citation" if citation is not None else "attachment",
        entity_key=citation.number if citation is not None else row.key,
        reason=reason,
        after={"file": row.key, "filename": row.filename, "sha256": row.sha256},
    )
    return row
