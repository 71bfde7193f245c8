"""A small picture of a file's shown copy, for the lists of files on the pages.

A list of twenty photos straight from a phone would be tens of megabytes on a clerk's screen
and on the person's phone; each line shows a thumbnail instead, and the link opens the
whole picture. It is made from the shown copy (already without metadata), each time it is
asked for: it is not evidence, so it is never stored.

>>> from io import BytesIO
>>> from PIL import Image
>>> big = BytesIO()
>>> Image.new("RGB", (1200, 900), (10, 120, 40)).save(big, "PNG")
>>> small = thumbnail(big.getvalue(), "image/png")
>>> Image.open(BytesIO(small)).size
(240, 180)
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from citations.attachments.kinds import DECLARED, JPEG_QUALITY, open_picture

EDGE = 240
"""The longest side of a thumbnail, in pixels (twice the size it is shown, for sharp
screens)."""


def thumbnail(shown: bytes, content_type: str, edge: int = EDGE) -> bytes:
    """The picture scaled to fit `edge` x `edge` (never enlarged), as a JPEG without
    metadata; kinds.Unreadable if it cannot be opened."""
    image = open_picture(shown, DECLARED.get(content_type, "jpeg"))
    if image.mode not in ("RGB", "L"):
        # Transparency over white, as the pages' background.
        flat = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image.thumbnail((edge, edge))
    out = BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
