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

Files are rows (`PersonFile`), never written to a served folder; `file_for` gives one back
to the person whose citation it belongs to, or to staff.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.errors import FieldError, InputRejected, NotFound
from citations.record.lookup import find_citation
from citations.record.person import PersonFile
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Online

pillow_heif.register_heif_opener()

MEGABYTE = 1024 * 1024
HEIF_BRANDS = frozenset({b"heic", b"heix", b"mif1", b"msf1"})
KINDS = "a JPEG, PNG, HEIC or PDF file"
JPEG_QUALITY = 90


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
    "empty": "{name} is empty",
    "too_large": "{name} is {size} MB; the limit is {limit} MB",
    "not_allowed": "{name} is not " + KINDS,
    "damaged": "{name} is damaged: it says it is a picture but cannot be opened",
    "too_many_pixels": "{name} is too large a picture to open (too many pixels)",
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


def sniff(data: bytes) -> str | None:
    """What the bytes are: `jpeg`, `png`, `heic`, `pdf`, or None.

    >>> sniff(b"%PDF-1.7 ..."), sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"MZ...")
    ('pdf', 'png', None)
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        size = int.from_bytes(data[0:4], "big")
        box = data[8 : min(max(size, 12), 256)]
        # The major brand, then the compatible brands (the minor version sits between them).
        brands = [box[0:4]] + [box[i : i + 4] for i in range(8, len(box) - 3, 4)]
        if any(brand in HEIF_BRANDS for brand in brands):
            return "heic"
    return None


def shown_name(filename: str) -> str:
    """The name to show: the last part of what the device sent, without control characters,
    at most 200 characters (it is never used as a path).

    >>> shown_name("C:\\\\Users\\\\me\\\\photo 1.jpg"), shown_name("")
    ('photo 1.jpg', 'file')
    """
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-200:] or "file"


def megabytes(size: int) -> str:
    """A size in MB, rounded up to a tenth so a file just over the limit never reads as the
    limit itself.

    >>> megabytes(13_000_000), megabytes(10 * MEGABYTE + 1)
    ('12.4', '10.1')
    """
    return f"{math.ceil(size * 10 / MEGABYTE) / 10:.1f}"


EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
}


def with_extension(name: str, content_type: str) -> str:
    """The name with the extension of what the file is (a HEIC photo kept as a JPEG, a PNG
    that was named .jpg), so it opens as what it is.

    >>> with_extension("IMG_0042.HEIC", "image/jpeg"), with_extension("a.JPEG", "image/jpeg")
    ('IMG_0042.jpg', 'a.JPEG')
    """
    kept = EXTENSIONS[content_type]
    if name.lower().endswith(kept):
        return name
    stem = re.sub(r"\.(jpe?g|jpe|png|heic|heif|pdf)$", "", name, flags=re.IGNORECASE)
    return stem + kept[0]


def _reencode(name: str, kind: str, data: bytes) -> tuple[str, bytes] | Refusal:
    """The image written again from its pixels alone, as (content type, bytes); or why not."""
    try:
        with warnings.catch_warnings():
            # Past Pillow's pixel limit an image is a decompression bomb: refuse, do not warn.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as opened:
                found = {"JPEG": "jpeg", "PNG": "png", "HEIF": "heic"}.get(opened.format or "")
                if found != kind:
                    return Refusal("damaged", {"name": name})
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Refusal("too_many_pixels", {"name": name})
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return Refusal("damaged", {"name": name})
    as_png = kind == "png"
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if not as_png and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if as_png and image.mode not in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
        image = image.convert("RGBA")
    # A new image from the pixels alone: nothing of the original's info comes along.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = BytesIO()
    if as_png:
        bare.save(out, format="PNG", optimize=True)
        return "image/png", out.getvalue()
    bare.save(out, format="JPEG", quality=JPEG_QUALITY)
    return "image/jpeg", out.getvalue()


def _clean(upload: Upload, limit: int) -> Cleaned | Refusal:
    name = shown_name(upload.filename)
    data = upload.data
    if not data:
        return Refusal("empty", {"name": name})
    if len(data) > limit * MEGABYTE:
        values = {"name": name, "size": megabytes(len(data)), "limit": str(limit)}
        return Refusal("too_large", values)
    kind = sniff(data)
    if kind is None:
        return Refusal("not_allowed", {"name": name})
    received = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return Cleaned(with_extension(name, "application/pdf"), "application/pdf", data, received)
    done = _reencode(name, kind, data)
    if isinstance(done, Refusal):
        return done
    content_type, content = done
    return Cleaned(with_extension(name, content_type), content_type, content, received)


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
) -> list[PersonFile]:
    """Store cleaned files with the citation (the caller's step audits them with its own
    event, in the same transaction)."""
    rows = [
        PersonFile(
            citation_id=citation.id,
            purpose=purpose,
            request_id=request_id,
            filename=f.filename,
            content_type=f.content_type,
            size=len(f.content),
            sha256=hashlib.sha256(f.content).hexdigest(),
            received_sha256=f.received_sha256,
            content=f.content,
            added_at=now,
            added_by=actor.name,
        )
        for f in files
    ]
    session.add_all(rows)
    session.flush()
    return rows


def file_for(session: Session, file_id: int, actor: Actor) -> PersonFile:
    """A file a person sent, for that person (their own citation's only) or for staff who may
    read the citation; NotFound for any other, as for a file that does not exist."""
    actor.require(Action.READ_CITATION)
    row = session.get(PersonFile, file_id)
    if row is None:
        raise NotFound("file", str(file_id))
    number = session.get_one(Citation, row.citation_id).number
    try:
        find_citation(session, number, actor)
    except NotFound:
        raise NotFound("file", str(file_id)) from None
    return row


def files_of(session: Session, citation: Citation) -> list[PersonFile]:
    """The files sent with a citation, oldest first."""
    return list(
        session.scalars(
            select(PersonFile).where(PersonFile.citation_id == citation.id).order_by(PersonFile.id)
        )
    )


def download_headers(row: PersonFile) -> dict[str, str]:
    """The headers a person's file is sent with, to the person or to staff: its own type
    (never guessed by the browser), kept by no cache, a picture shown and a PDF downloaded,
    and nothing in it allowed to run (a PDF is kept as received)."""
    shown = "inline" if row.content_type.startswith("image/") else "attachment"
    return {
        "Content-Type": row.content_type,
        "Content-Disposition": f'{shown}; filename="{download_name(row)}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    }


def download_name(row: PersonFile) -> str:
    """A safe name for Content-Disposition: ASCII letters, digits, dot, dash, underscore.

    >>> download_name(PersonFile(id=7, filename="fotó del sitio.jpg"))
    '7-fot_del_sitio.jpg'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", row.filename.encode("ascii", "ignore").decode())
    return f"{row.id}-{safe.strip('._') or 'file'}"
