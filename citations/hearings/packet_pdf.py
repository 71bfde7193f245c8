"""Lay out the hearing packet as one PDF: the citation, the narrative, every photo with when,
where and its hash, the person's statement and files, the review decision and the history.

The facts come from `citations.hearings.packet.PacketContext`; the words from
`templates/hearing-packet/<language>.yaml`. Pictures are drawn from their shown copy (no
metadata), scaled down first (`shrink`: at most `LONG_SIDE` pixels on the long side, JPEG
quality `QUALITY`), so a packet of twenty phone photos stays a few megabytes. A PDF the officer
or the person sent is appended at the end as its own pages (pypdf), each after a page that
introduces it; the footer numbers every page, the appended ones too.

>>> # Path("packet.pdf").write_bytes(render_packet(context))
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from PIL import Image as Picture
from PIL import ImageOps
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab import rl_config
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from citations.documents.fonts import REGULAR
from citations.documents.layout import FOOTER_Y, MARGIN, context_variables, section
from citations.documents.templates import TEMPLATES_DIR
from citations.hearings.packet import PacketContext, PacketFile
from citations.hearings.pdf_layout import HearingDocument

HEARING_PACKET = "hearing-packet"
"""The wording folder under the templates folder."""
LONG_SIDE = 1600
"""A picture's long side in the packet, in pixels: about 220 dpi across the page."""
QUALITY = 80
PHOTO_HEIGHT = 3.9 * inch
"""The tallest a photo is drawn: two photos and their captions fit on a page."""


def shrink(
    data: bytes, long_side: int = LONG_SIDE, quality: int = QUALITY
) -> tuple[bytes, int, int]:
    """A picture as a JPEG at most `long_side` pixels on its long side: (bytes, width, height).

    A JPEG is decoded at a reduced scale straight away (its DCT allows halves, quarters and
    eighths), which is what keeps twenty 12-megapixel photos fast.
    """
    with Picture.open(BytesIO(data)) as opened:
        if opened.format == "JPEG":
            # The target's own shape: Pillow picks the scale from the tighter side, so a
            # square target would decode a landscape photo whole.
            ratio = long_side / max(opened.size)
            if ratio < 1:
                opened.draft("RGB", (int(opened.width * ratio), int(opened.height * ratio)))
        image = ImageOps.exif_transpose(opened)
        # Bilinear is enough after the decoder's own reduction, and several times faster.
        image.thumbnail((long_side, long_side), Picture.Resampling.BILINEAR)
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            image = Picture.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = BytesIO()
        image.save(out, "JPEG", quality=quality)
        return out.getvalue(), image.width, image.height


@dataclass
class Appendix:
    """A PDF appended after the packet's own pages, and where its caption page fell."""

    file: PacketFile
    reader: PdfReader | None
    """None when the file cannot be read as a PDF (it is named, not appended)."""
    caption_page: int = 0
    """The packet's own page (1-based) that introduces it; set while the packet is drawn."""
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = 0 if self.reader is None else len(self.reader.pages)


def _reader(content: bytes) -> PdfReader | None:
    try:
        reader = PdfReader(BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        if len(reader.pages) == 0:
            return None
        return reader
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None


class _JpegReader(ImageReader):
    """A JPEG for reportlab, known by its SHA-256: reportlab names an image by a digest of
    its decoded pixels, which would decode every photo once more just to name it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(BytesIO(data))
        self._name = hashlib.sha256(data).digest()
        self._dataA = None  # a JPEG has no alpha channel

    def getRGBData(self) -> bytes:
        return self._name


class Photo(Flowable):
    """A JPEG drawn `width` x `height` points, its bytes written into the PDF as they are."""

    def __init__(self, data: bytes, width: float, height: float) -> None:
        super().__init__()
        self.reader = _JpegReader(data)
        self.width, self.height = width, height
        self.hAlign = "LEFT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


class PageMark(Flowable):
    """Draws nothing; records the page it lands on (an appendix's caption page)."""

    def __init__(self, appendix: Appendix) -> None:
        super().__init__()
        self.appendix = appendix
        self.width = self.height = 0

    def draw(self) -> None:
        self.appendix.caption_page = self.canv.getPageNumber()


class PacketLayout(HearingDocument):
    """The hearing packet, US Letter portrait."""

    def __init__(
        self, context: PacketContext, templates_dir: Path, appendices: list[Appendix]
    ) -> None:
        variables = context_variables(context, context.contact)
        variables["officer_files"] = sum(f.source == "officer" for f in context.files)
        variables["person_files"] = sum(f.source == "person" for f in context.files)
        variables["appended"] = bool(appendices)
        super().__init__(templates_dir, HEARING_PACKET, context.language, variables)
        self.context = context
        self.appendices = appendices
        self.derive_styles()

    def derive_styles(self) -> None:
        from reportlab.lib.styles import ParagraphStyle

        base = self.styles["small"]
        self.styles["photo_caption"] = ParagraphStyle("photo_caption", parent=base, spaceAfter=1)
        self.styles["hash"] = ParagraphStyle(
            "hash", parent=base, fontSize=7, leading=8.5, spaceAfter=0
        )

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [
            self.letter_header("printed"),
            Spacer(1, 8),
            self.top_box([self.para("hearing", "top"), self.para("hearing_more", "top_more")]),
            Spacer(1, 4),
            self.para("contents", "small"),
        ]
        story += self.citation()
        story += self.narrative()
        story += self.files("officer", "heading_officer_files", "no_officer_files")
        story += self.person()
        story += self.withdrawn_and_awaited()
        story += self.review()
        story += self.history()
        for appendix in self.appendices:
            story += self.appendix_page(appendix)
        return story

    def citation(self) -> list[Flowable]:
        rows = [
            ("label_person", "person"),
            ("label_when", "when"),
            ("label_where", "where"),
            ("label_officer", "officer"),
            ("label_issued", "issued"),
            ("label_total", "total"),
        ]
        items: list[Flowable] = [
            *self.heading("heading_citation"),
            self.label_table(rows, 1.7 * inch),
        ]
        for violation in self.context.violations:
            items += [
                Spacer(1, 4),
                self.para("violation", "cell", extra={"violation": violation}),
                self.para("violation_more", "indented_small", extra={"violation": violation}),
            ]
        return section(items)

    def narrative(self) -> list[Flowable]:
        items: list[Flowable] = list(self.heading("heading_narrative"))
        several = len(self.context.violations) > 1
        for violation in self.context.violations:
            if several:
                items.append(self.para("narrative_of", "cell", extra={"violation": violation}))
            items.append(self.para("narrative", "indented", extra={"violation": violation}))
        return section(items)

    def files(self, source: str, heading: str, none: str) -> list[Flowable]:
        chosen = [f for f in self.context.files if f.source == source]
        items: list[Flowable] = list(self.heading(heading))
        if source == "person":
            items += [
                self.para("statement_intro", "cell"),
                self.para("statement", "indented"),
            ]
        if not chosen:
            items.append(self.para(none))
        for file in chosen:
            items.append(self.photo(file) if file.kind == "picture" else self.appended_line(file))
        return section(items)

    def person(self) -> list[Flowable]:
        return self.files("person", "heading_person", "no_person_files")

    def photo(self, file: PacketFile) -> Flowable:
        data, width, height = shrink(file.content)
        scale = min(self.width / width, PHOTO_HEIGHT / height)
        picture = Photo(data, width * scale, height * scale)
        extra = {"file": file}
        return KeepTogether(
            [
                Spacer(1, 6),
                picture,
                Spacer(1, 3),
                self.para("file_title", "photo_caption", extra=extra),
                self.para("file_taken", "photo_caption", extra=extra),
                self.para("file_added", "photo_caption", extra=extra),
                self.para("file_hash", "hash", extra=extra),
            ]
        )

    def appended_line(self, file: PacketFile) -> Flowable:
        extra = {"file": file}
        return KeepTogether(
            [
                Spacer(1, 6),
                self.para("file_appended", "photo_caption", extra=extra),
                self.para("file_added", "photo_caption", extra=extra),
                self.para("file_hash", "hash", extra=extra),
            ]
        )

    def withdrawn_and_awaited(self) -> list[Flowable]:
        ctx = self.context
        items: list[Flowable] = []
        if ctx.withdrawn:
            items += section(
                [
                    *self.heading("heading_withdrawn"),
                    *(
                        self.para("withdrawn", "bullet", bullet=True, extra={"file": f})
                        for f in ctx.withdrawn
                    ),
                ]
            )
        if ctx.awaited:
            items += section(
                [
                    *self.heading("heading_awaited"),
                    *(
                        self.para("awaited", "bullet", bullet=True, extra={"file": f})
                        for f in ctx.awaited
                    ),
                ]
            )
        return items

    def review(self) -> list[Flowable]:
        if self.context.review is None:
            return section([*self.heading("heading_review"), self.para("no_review")])
        return section(
            [
                *self.heading("heading_review"),
                self.para("review"),
                self.para("findings", "findings"),
            ]
        )

    def history(self) -> list[Flowable]:
        rows = [
            [
                self.para("history_when", "td", extra={"line": line}),
                self.para("history_who", "td", extra={"line": line}),
                self.para("history_what", "td", extra={"line": line}),
            ]
            for line in self.context.history
        ]
        when, who = 1.5 * inch, 1.8 * inch
        grid = self.grid(
            ["th_when", "th_who", "th_what"], rows, [when, who, self.width - when - who]
        )
        return [
            *section([*self.heading("heading_history"), self.para("history_intro", "small")]),
            grid,
        ]

    def appendix_page(self, appendix: Appendix) -> list[Flowable]:
        extra = {"file": appendix.file, "pages": appendix.pages}
        text = "appendix" if appendix.reader is not None else "appendix_unreadable"
        return [
            PageBreak(),
            PageMark(appendix),
            self.para("appendix_title", "title", extra=extra),
            Spacer(1, 6),
            self.para(text, extra=extra),
            self.para("file_added", "photo_caption", extra=extra),
            self.para("file_hash", "hash", extra=extra),
        ]

    # Page numbers count the appended pages too.

    def appended_before(self, page: int) -> int:
        return sum(a.pages for a in self.appendices if 0 < a.caption_page < page)

    def draw_footer(self, canvas: Canvas, page: int, pages: int) -> None:
        total = pages + sum(a.pages for a in self.appendices)
        super().draw_footer(canvas, page + self.appended_before(page), total)


_A85 = threading.Lock()


@contextmanager
def binary_streams() -> Iterator[None]:
    """reportlab writes streams as ASCII85 text by default (a quarter larger, and slow to
    encode in Python): the photos are written as they are. The switch is reportlab's global
    one; another document drawn at the same moment only comes out a little larger."""
    with _A85:
        before = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = before


def render_packet(context: PacketContext, templates_dir: Path | None = None) -> bytes:
    """Render the hearing packet as PDF bytes, US Letter portrait, PDFs appended at the end.

    Example::

        Path("packet.pdf").write_bytes(render_packet(context))
    """
    appendices = [Appendix(f, _reader(f.content)) for f in context.files if f.kind == "pdf"]
    layout = PacketLayout(
        context, TEMPLATES_DIR if templates_dir is None else templates_dir, appendices
    )
    with binary_streams():
        own = layout.build(
            layout.story(), author=context.jurisdiction_name, language=context.language
        )
    placed = [a for a in appendices if a.reader is not None and a.caption_page]
    if not placed:
        return own
    return _append(own, placed, layout)


def _append(own: bytes, appendices: list[Appendix], layout: PacketLayout) -> bytes:
    """The packet's own pages with each appendix's pages after its caption page, each
    appended page stamped with the packet's footer line."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(own)))
    total = len(writer.pages) + sum(a.pages for a in appendices)
    # From the last caption page back, so earlier insert positions stay where they were.
    for appendix in sorted(appendices, key=lambda a: a.caption_page, reverse=True):
        assert appendix.reader is not None
        first = appendix.caption_page + layout.appended_before(appendix.caption_page) + 1
        for offset, page in enumerate(appendix.reader.pages):
            number = appendix.caption_page + offset
            writer.insert_page(page, number)
            stamped = writer.pages[number]
            box = stamped.mediabox
            footer = layout.text("footer", page=first + offset, pages=total)
            stamped.merge_page(_stamp(footer, float(box.width), float(box.height)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(line: str, width: float, height: float) -> PageObject:
    """A page as wide and tall as an appended page, with the footer line at its very bottom
    (drawn over the page, never hiding anything of it: the file is evidence as received)."""
    from citations.documents.wording import plain_text

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setFont(REGULAR, 7)
    text = plain_text(line)
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    canvas.drawString(MARGIN, FOOTER_Y / 2, text)
    canvas.save()
    return PdfReader(BytesIO(buffer.getvalue())).pages[0]
