"""The files a person sends online (evidence with a review request, a reason to set aside a
default): checked, cleaned and kept for the person and staff only.

What is accepted is decided from the bytes themselves, never from the file's name or the
type the browser declared: JPEG, PNG, HEIC (an ISO-BMFF `ftyp` box of the heic, heix, mif1
or msf1 brands) and PDF. Each image is decoded and written again from its pixels alone, so
nothing else in it survives: no EXIF (the place a photo was taken, the phone), no XMP, no
comments, no colour profile. The photo's orientation is applied first, so it still stands
the right way up. A HEIC photo becomes a JPEG; a PNG stays a PNG.

A PDF is kept exactly as received: it is not rewritten (no PDF library here could rewrite
every PDF faithfully), so its own metadata stays in it. Staff open it as they would a PDF
that came by mail.

How many files and how large is the profile's (`online.upload_max_files`,
`online.upload_max_megabytes`). Each refusal names the file and says why, plainly:

>>> try:
...     check_uploads([Upload("notes.txt", b"hello")], max_files=5, max_megabytes=10)
... except FilesRefused as refused:
...     print(refused.errors[0].message)
notes.txt is not a JPEG, PNG, HEIC or PDF file

Files are kept in the files store (citations.attachments), never in a served folder;
`file_for` gives one back to the person whose citation it belongs to, or to staff.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments import kinds
from citations.attachments.access import download_headers, find_attachment, read_content
from citations.attachments.service import keep_cleaned
from citations.attachments.tables import Attachment, Source
from citations.errors import FieldError, InputRejected
from citations.record.tables import Citation
from citations.roles import Actor
from ordinances.models import Online

PUBLIC_PAGES = "the public pages"


@dataclass(frozen=True)
class Upload:
    """A file as it came from the person's device: its name there and its bytes (the type
    the browser declared is not kept: it decides nothing)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Cleaned:
    """A file ready to keep: re-encoded if an image, as received if a PDF."""

    filename: str
    content_type: str
    content: bytes
    received_sha256: str


REFUSALS = {
    "too_many": "send at most {limit} files; {count} were chosen",
    **kinds.REFUSALS,
}
"""Each refusal in words; the public pages word the same codes in the person's language."""


@dataclass(frozen=True)
class Refusal:
    """Why one file (or the set of files) was refused: a code of REFUSALS and its values."""

    code: str
    values: dict[str, str]

    @property
    def message(self) -> str:
        return REFUSALS[self.code].format(**self.values)


class FilesRefused(InputRejected):
    """One or more files cannot be accepted; each refusal names its file."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(
            [FieldError("files", r.message) for r in refusals], "the files were not accepted"
        )


def _reencode(name: str, kind: str, data: bytes) -> tuple[str, bytes] | Refusal:
    """The image written again from its pixels alone, as (content type, bytes); or why not."""
    try:
        return kinds.reencode(data, kind)
    except kinds.Unreadable as unreadable:
        return Refusal(unreadable.code, {"name": name})


def _clean(upload: Upload, limit: int) -> Cleaned | Refusal:
    name = kinds.shown_name(upload.filename)
    data = upload.data
    try:
        kind = kinds.checked_kind(data, name, limit_megabytes=limit)
    except kinds.Refused as refused:
        return Refusal(refused.code, refused.values)
    received = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        pdf = "application/pdf"
        return Cleaned(kinds.with_extension(name, pdf), pdf, data, received)
    done = _reencode(name, kind, data)
    if isinstance(done, Refusal):
        return done
    content_type, content = done
    return Cleaned(kinds.with_extension(name, content_type), content_type, content, received)


def check_uploads(
    uploads: Sequence[Upload], *, max_files: int, max_megabytes: int
) -> list[Cleaned]:
    """Every file checked and cleaned, or FilesRefused listing each file refused and why."""
    if len(uploads) > max_files:
        values = {"limit": str(max_files), "count": str(len(uploads))}
        raise FilesRefused([Refusal("too_many", values)])
    results = [_clean(upload, max_megabytes) for upload in uploads]
    problems = [r for r in results if isinstance(r, Refusal)]
    if problems:
        raise FilesRefused(problems)
    return [r for r in results if isinstance(r, Cleaned)]


def check_with(uploads: Sequence[Upload], rules: Online) -> list[Cleaned]:
    """`check_uploads` with the profile's limits."""
    return check_uploads(
        uploads, max_files=rules.upload_max_files, max_megabytes=rules.upload_max_megabytes
    )


def keep_files(
    session: Session,
    citation: Citation,
    files: Sequence[Cleaned],
    *,
    purpose: str,
    actor: Actor,
    now: datetime,
    request_id: int | None = None,
    description: str | None = None,
) -> list[Attachment]:
    """Store cleaned files with the citation (each audited as added, in the caller's
    transaction): the clean copy only, in the files store, with the person's `description`
    of them when they gave one."""
    return keep_cleaned(
        session,
        citation,
        [(f.filename, f.content_type, f.content, f.received_sha256) for f in files],
        purpose=purpose,
        actor=actor,
        now=now,
        added_from=PUBLIC_PAGES,
        request_id=request_id,
        description=description,
    )


def file_for(session: Session, key: str, actor: Actor) -> Attachment:
    """A file on a citation, for whoever may see it (citations.attachments.access); NotFound
    for any other, as for a file that does not exist."""
    return find_attachment(session, key, actor)


def files_of(session: Session, citation: Citation) -> list[Attachment]:
    """The files the person sent with a citation (online or by mail), oldest first."""
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.citation_id == citation.id, Attachment.source == Source.PERSON)
            .order_by(Attachment.id)
        )
    )


def download(row: Attachment, actor: Actor) -> tuple[bytes, dict[str, str]]:
    """The file's bytes as the actor may have them, and the headers to send them with."""
    content = read_content(row, actor)
    return content.content, download_headers(row.key, content)
