"""Who sees which file, and the file's bytes as sent to them.

- Staff (every city role) see every file, original and shown copy.
- An officer sees the files their agency added, and no other: another agency's file is not
  found (404), exactly as a file that does not exist.
- The cited person sees, on their own citation, the officer's evidence and their own files,
  only as the shown copy (a picture re-encoded without where it was taken), and a withdrawn
  file only as a line saying it was withdrawn.

A file is reached only by its key (128 random bits), never by a path or a counted number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments.kinds import with_extension
from citations.attachments.store import FileStore, open_store
from citations.attachments.tables import Attachment, Source
from citations.errors import NotFound
from citations.record.tables import Agency, Citation
from citations.roles import Action, Actor, Role

Copy = Literal["original", "shown"]


def may_see(row: Attachment, actor: Actor, citation: Citation | None, agency: str | None) -> bool:
    """Whether the actor may know of the file (`agency`: the code of the agency that added
    it; `citation`: the citation it is on)."""
    if actor.role is Role.PERSON:
        return (
            citation is not None
            and citation.number == actor.citation
            and row.source in (Source.OFFICER, Source.PERSON)
            and not row.awaited
        )
    if actor.role is Role.OFFICER:
        return agency is not None and agency == actor.agency
    return True


def _context(session: Session, row: Attachment) -> tuple[Citation | None, str | None]:
    citation = None if row.citation_id is None else session.get_one(Citation, row.citation_id)
    agency = None if row.agency_id is None else session.get_one(Agency, row.agency_id).code
    return citation, agency


def find_attachment(session: Session, key: str, actor: Actor) -> Attachment:
    """The file with this key, if the actor may see it; NotFound otherwise."""
    actor.require(Action.READ_CITATION)
    row = session.scalar(select(Attachment).where(Attachment.key == key))
    if row is None:
        raise NotFound("file", key)
    citation, agency = _context(session, row)
    if not may_see(row, actor, citation, agency):
        raise NotFound("file", key)
    return row


def attachments_on(session: Session, citation: Citation, actor: Actor) -> list[Attachment]:
    """The files on a citation that the actor may see, oldest first (withdrawn ones too)."""
    actor.require(Action.READ_CITATION)
    rows = session.scalars(
        select(Attachment).where(Attachment.citation_id == citation.id).order_by(Attachment.id)
    ).all()
    codes: dict[int, str] = {
        row.id: row.code for row in session.execute(select(Agency.id, Agency.code))
    }
    return [
        row
        for row in rows
        if may_see(row, actor, citation, None if row.agency_id is None else codes[row.agency_id])
    ]


def copy_for(actor: Actor, wanted: Copy = "original") -> Copy:
    """The copy the actor gets: the person only ever the shown one."""
    return "shown" if actor.role is Role.PERSON else wanted


@dataclass(frozen=True)
class FileContent:
    content: bytes
    content_type: str
    filename: str


def read_content(
    row: Attachment, actor: Actor, wanted: Copy = "original", store: FileStore | None = None
) -> FileContent:
    """The file's bytes as the actor may have them; NotFound while a named file's bytes
    have not come, and for the person once it is withdrawn."""
    if row.awaited or (actor.role is Role.PERSON and row.withdrawn):
        raise NotFound("file", row.key)
    store = store or open_store()
    if copy_for(actor, wanted) == "shown":
        assert row.shown_sha256 is not None and row.shown_content_type is not None
        return FileContent(
            store.get(row.shown_sha256),
            row.shown_content_type,
            with_extension(row.filename, row.shown_content_type),
        )
    assert row.content_type is not None
    return FileContent(store.get(row.sha256), row.content_type, row.filename)


def download_name(key: str, filename: str) -> str:
    """A safe name for Content-Disposition: ASCII letters, digits, dot, dash, underscore.

    >>> download_name("att_x", "fotó del sitio.jpg")
    'att_x-fot_del_sitio.jpg'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename.encode("ascii", "ignore").decode())
    return f"{key}-{safe.strip('._') or 'file'}"


def download_headers(key: str, content: FileContent) -> dict[str, str]:
    """The headers a file is sent with: its own type (never guessed by the browser), kept by
    no cache, a picture shown and anything else downloaded, nothing in it allowed to run (a
    PDF is kept as received)."""
    shown = "inline" if content.content_type.startswith("image/") else "attachment"
    return {
        "Content-Type": content.content_type,
        "Content-Disposition": f'{shown}; filename="{download_name(key, content.filename)}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    }
