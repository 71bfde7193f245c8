"""What a file is, decided from its bytes, and the copy of a picture that may be shown.

Never from the file's name or the type its sender declared: JPEG, PNG, HEIC (an ISO-BMFF
`ftyp` box of the heic, heix, mif1 or msf1 brands) and PDF are accepted, nothing else.

A picture's shown copy is decoded and written again from its pixels alone, so nothing else
in it survives: no EXIF (the place a photo was taken, the phone), no XMP, no comments, no
colour profile. The photo's orientation is applied first, so it still stands the right way
up. A HEIC photo becomes a JPEG; a PNG stays a PNG. A PDF is not rewritten (no PDF library
here could rewrite every PDF faithfully).

>>> sniff(b"%PDF-1.7 ..."), sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"MZ...")
('pdf', 'png', None)
"""

from __future__ import annotations

import math
import re
import warnings
from io import BytesIO

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MEGABYTE = 1024 * 1024
HEIF_BRANDS = frozenset({b"heic", b"heix", b"mif1", b"msf1"})
KINDS = "a JPEG, PNG, HEIC or PDF file"
JPEG_QUALITY = 90
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
    "pdf": "application/pdf",
}
"""Each kind's own content type (a HEIC original keeps image/heic; its shown copy is JPEG)."""
DECLARED = {
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/png": "png",
    "image/heic": "heic",
    "image/heif": "heic",
    "image/heic-sequence": "heic",
    "application/pdf": "pdf",
}
"""The types a sender may declare for each kind; `application/octet-stream` declares nothing."""


REFUSALS = {
    "empty": "{name} is empty",
    "too_large": "{name} is {size} MB; the limit is {limit} MB",
    "not_allowed": "{name} is not " + KINDS,
    "damaged": "{name} is damaged: it says it is a picture but cannot be opened",
    "too_many_pixels": "{name} is too large a picture to open (too many pixels)",
}
"""Why a file is refused, in words, by code; the public pages word the same codes in the
person's language."""


class Refused(Exception):
    """A file that cannot be kept: a code of REFUSALS and the values its words need."""

    def __init__(self, code: str, values: dict[str, str]) -> None:
        self.code = code
        self.values = values
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return REFUSALS[self.code].format(**self.values)


def checked_kind(data: bytes, name: str, *, limit_megabytes: int) -> str:
    """What the file is (`sniff`), once it is neither empty nor over the limit; else Refused.

    >>> checked_kind(b"MZ...", "tool.exe", limit_megabytes=10)
    Traceback (most recent call last):
    ...
    citations.attachments.kinds.Refused: tool.exe is not a JPEG, PNG, HEIC or PDF file
    """
    if not data:
        raise Refused("empty", {"name": name})
    if len(data) > limit_megabytes * MEGABYTE:
        values = {"name": name, "size": megabytes(len(data)), "limit": str(limit_megabytes)}
        raise Refused("too_large", values)
    kind = sniff(data)
    if kind is None:
        raise Refused("not_allowed", {"name": name})
    return kind


class Unreadable(Exception):
    """A picture that cannot be opened: `damaged`, or `too_many_pixels` (a decompression
    bomb)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def sniff(data: bytes) -> str | None:
    """What the bytes are: `jpeg`, `png`, `heic`, `pdf`, or None."""
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


def declared_kind(content_type: str | None) -> str | None:
    """The kind a declared content type claims, `""` for no claim (absent, octet-stream), or
    None for a type that is none of ours (`text/plain`: a claim that is false).

    >>> declared_kind("image/JPEG; charset=x"), declared_kind(None), declared_kind("text/plain")
    ('jpeg', '', None)
    """
    if content_type is None:
        return ""
    bare = content_type.split(";", 1)[0].strip().lower()
    if bare in ("", "application/octet-stream"):
        return ""
    return DECLARED.get(bare)


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
    "image/heic": (".heic", ".heif"),
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


def open_picture(data: bytes, kind: str) -> Image.Image:
    """The picture decoded, turned the way its orientation says; Unreadable if it is not
    whole, is not what its first bytes say, or is a decompression bomb."""
    try:
        with warnings.catch_warnings():
            # Past Pillow's pixel limit an image is a decompression bomb: refuse, do not warn.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as opened:
                found = {"JPEG": "jpeg", "PNG": "png", "HEIF": "heic"}.get(opened.format or "")
                if found != kind:
                    raise Unreadable("damaged")
                opened.load()
                turned = ImageOps.exif_transpose(opened)
                return turned if turned is not opened else opened.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Unreadable("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Unreadable("damaged") from None


def reencode(data: bytes, kind: str) -> tuple[str, bytes]:
    """The picture written again from its pixels alone, as (content type, bytes)."""
    image = open_picture(data, kind)
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
