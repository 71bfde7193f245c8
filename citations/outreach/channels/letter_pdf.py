"""Lay out a printed reminder letter as a PDF page for a #10 window envelope.

The letter is folded in three (a US Letter sheet, 8.5 by 11 inches, makes panels 3⅔ inches
tall) and slid into a #10 envelope (4⅛ by 9½ inches) whose window is 4½ by 1⅛ inches, ⅞ inch
from its left edge and ½ inch from its bottom. Resting at the bottom of the envelope, the
window shows the sheet from 2.04 to 3.17 inches below its top; anywhere from the left to the
right of the envelope (an inch of play), from ⅞ to 4½ inches from its left. So the person's
name and address go in a box ⅞ inch from the left and 2⅛ inches from the top, 3⅛ by ⅞ inches
(every line still in the window if the sheet rides up a little), and nothing else is printed
where the window may fall; the city's return address sits ½ inch from the top, where the
upper window of a double-window envelope shows it. The date, the citation number and the QR
code stand to the right of the window, and the letter's words start under the first fold.

The rest is the document family's (`citations.documents.layout`): fonts that cover any script
(a name written in Chinese or Arabic prints in its letters, Arabic joined and in its visual
order), paragraph styles, the footer, and the language block at the end. The words are the
reminder's (`citations.outreach.render`): any list of paragraphs lays out, onto a second page
if it must. The page's own words (title, labels, footer) are in `templates/reminder-letter/`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from markupsafe import escape
from pydantic import BaseModel, ConfigDict
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
)

from citations.documents.access import OnlineAccess
from citations.documents.contact import OfficeContact
from citations.documents.fonts import (
    ARABIC,
    BOLD,
    REGULAR,
    font_runs,
    register_fonts,
    with_fallback,
)
from citations.documents.language_lines import ActualText
from citations.documents.layout import (
    BOTTOM_MARGIN,
    FRAME_PADDING,
    MARGIN,
    NAVY,
    TOP_MARGIN,
    Layout,
    context_variables,
    document_options,
)
from citations.documents.qr import QR_SIZE, QrCode
from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import load_wording

DOCUMENT = "reminder-letter"
"""The wording folder of the page around the letter's words."""

PAGE_WIDTH, PAGE_HEIGHT = LETTER

WINDOW = (0.875 * inch, 2.125 * inch, 3.125 * inch, 0.875 * inch)
"""The address box: left, top (from the sheet's top), width, height, in points."""
RETURN = (0.875 * inch, 0.5 * inch, 3.125 * inch, 0.75 * inch)
"""The return address box, where a double-window envelope's upper window shows it."""
SIDE = (5.5 * inch, 0.5 * inch, PAGE_WIDTH - MARGIN - 5.5 * inch, 3.05 * inch)
"""The block right of the window: who writes, the date, the citation number, the QR code."""
BODY_TOP = 3.75 * inch
"""The letter's words start under the first fold (3⅔ inches), out of the window's reach."""

ADDRESS_SIZE = 10.0
MIN_ADDRESS_SIZE = 8.0
"""Postal readers want 8 to 12 point type in the address; a long line shrinks to fit on one
line, down to 8 points."""


class LetterContext(BaseModel):
    """Everything one reminder letter prints, gathered so the layout only lays out."""

    model_config = ConfigDict(frozen=True)

    language: str
    """The wording's language (`templates/reminder-letter/<language>.yaml`)."""
    locale: str
    currency: str
    jurisdiction_name: str
    citation_number: str
    letter_date: date
    """The day the batch was made, in the jurisdiction."""
    return_lines: tuple[str, ...]
    """The city's return address, a line each."""
    recipient_lines: tuple[str, ...]
    """The person's name, then the postal address, a line each, as the window shows them."""
    paragraphs: tuple[str, ...]
    """The letter's words, plain text, a paragraph each."""
    access: OnlineAccess | None
    qr_payload: str
    """What the QR code carries: the person's link with this letter's access code."""
    contact: OfficeContact


def render_letter(context: LetterContext, templates_dir: Path | None = None) -> bytes:
    """The reminder letter as PDF bytes: US Letter, usually one page. The same context gives
    the same bytes.

    Example::

        Path("letter.pdf").write_bytes(render_letter(context))
    """
    register_fonts()
    layout = LetterLayout(context, TEMPLATES_DIR if templates_dir is None else templates_dir)
    return layout.build(layout.story(), author=context.jurisdiction_name, language=context.language)


class LetterLayout(Layout):
    """One letter: the blocks placed for the envelope on its first page, then its words."""

    def __init__(self, context: LetterContext, templates_dir: Path) -> None:
        variables = context_variables(context, context.contact)
        super().__init__(load_wording(templates_dir, context.language, DOCUMENT), variables)
        self.context = context
        body = self.styles["body"]
        self.styles["letter"] = ParagraphStyle(
            "letter", parent=body, fontSize=10, leading=13, spaceAfter=5
        )
        self.styles["address"] = ParagraphStyle(
            "address",
            parent=body,
            fontName=REGULAR,  # postal readers want no bold in the address
            fontSize=ADDRESS_SIZE,
            leading=ADDRESS_SIZE * 1.2,
            spaceAfter=0,
        )
        self.styles["return"] = ParagraphStyle(
            "return", parent=body, fontSize=8.5, leading=10.2, spaceAfter=0
        )
        self.styles["return_from"] = ParagraphStyle(
            "return_from", parent=self.styles["return"], fontName=BOLD
        )
        # A letter is one sheet when it can be (the mail house is paid by the sheet): the
        # language block a little tighter than on the notices.
        self.styles["language_line"] = ParagraphStyle(
            "language_line-letter", parent=self.styles["language_line"], fontSize=7.6, leading=10
        )
        self.styles["side_title"] = ParagraphStyle(
            "side_title", parent=body, fontName=BOLD, fontSize=14, leading=17, textColor=NAVY
        )

    def story(self) -> list[Flowable]:
        words: list[Flowable] = [
            plain_paragraph(text, self.styles["letter"]) for text in self.context.paragraphs
        ]
        # The person's own language line, if any, goes first (after the page template's
        # switch, above this space); the block of every line at the end.
        story: list[Flowable] = [NextPageTemplate("later"), Spacer(1, 8), *words]
        return self.with_language_lines(story, self.context.contact)

    # The blocks of the first page, placed for the envelope

    def return_block(self) -> list[Flowable]:
        return [
            self.para("return_from", "return_from"),
            *(plain_paragraph(line, self.styles["return"]) for line in self.context.return_lines),
        ]

    def address_block(self) -> list[Flowable]:
        """The name and address, a line each, each on one line: all smaller if one must be."""
        base = self.styles["address"]
        width = WINDOW[2] - 2  # a hair's room: a line that fits exactly never wraps
        widest = max(
            (_width(line, base.fontSize) for line in self.context.recipient_lines),
            default=0.0,
        )
        style = base
        if widest > width:
            size = max(MIN_ADDRESS_SIZE, base.fontSize * width / widest)
            style = ParagraphStyle("address-fitted", parent=base, fontSize=size, leading=size * 1.2)
        return [plain_paragraph(line, style) for line in self.context.recipient_lines]

    def side_block(self) -> list[Flowable]:
        width = SIDE[2]
        return [
            self.para("jurisdiction", "jurisdiction"),
            self.para("office", "small"),
            Spacer(1, 6),
            self.para("title", "side_title"),
            self.para("civil", "small"),
            Spacer(1, 4),
            self.para("dated", "cell"),
            Spacer(1, 4),
            self.para("citation_number_label", "number_label"),
            self.fitted("citation_number", "number", width - 4),
            Spacer(1, 2),
            QrCode(self.context.qr_payload, QR_SIZE),
            self.para("qr_caption", "small"),
        ]

    def first_page(self, canvas: Canvas, _document: BaseDocTemplate) -> None:
        """Draw the blocks of the first page where the envelope wants them."""
        for flowables, (left, top, width, height) in (
            (self.return_block(), RETURN),
            (self.address_block(), WINDOW),
            (self.side_block(), SIDE),
        ):
            # Shrunk, never moved, when what it holds is too tall: the box is the window.
            box = KeepInFrame(width, height, flowables, mode="shrink")
            _, used = box.wrapOn(canvas, width, height)
            box.drawOn(canvas, left, PAGE_HEIGHT - top - used)

    # The PDF

    def build(self, story: list[Flowable], *, author: str, language: str) -> bytes:
        buffer = BytesIO()
        title = self.title()
        left = MARGIN
        width = PAGE_WIDTH - 2 * MARGIN
        first = Frame(
            left,
            BOTTOM_MARGIN,
            width,
            PAGE_HEIGHT - BODY_TOP - BOTTOM_MARGIN + FRAME_PADDING,
            id="first",
        )
        later = Frame(
            left, BOTTOM_MARGIN, width, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, id="later"
        )
        document = BaseDocTemplate(
            buffer,
            pagesize=LETTER,
            **document_options(title=title, author=author, language=language),
            pageTemplates=[
                PageTemplate(id="first", frames=[first], onPage=self.first_page),
                PageTemplate(id="later", frames=[later]),
            ],
        )
        document.build(story, canvasmaker=self.canvas_maker())
        return buffer.getvalue()


def plain_paragraph(text: str, style: ParagraphStyle) -> Flowable:
    """Plain text (a name, an address line, a paragraph of the reminder) as a paragraph in
    the fonts its letters need. Text with right-to-left letters (an Arabic name) is joined and
    put in visual order first, and reads as written when copied or read aloud."""
    if not _has_right_to_left(text):
        return Paragraph(with_fallback(str(escape(text))), style)
    visual = get_display(arabic_reshaper.reshape(text), base_dir="L")
    paragraph = Paragraph(with_fallback(str(escape(visual)), prefer=ARABIC), style)
    line = ActualText(paragraph, text)
    line.spaceBefore, line.spaceAfter = style.spaceBefore, style.spaceAfter
    return line


def _width(text: str, size: float) -> float:
    """The printed width of plain text, each run in the font that draws it."""
    return sum(stringWidth(run, font, size) for font, run in font_runs(text))


def _has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def postal_lines(address: str) -> tuple[str, ...]:
    """A one-line postal address as a profile writes it, in the lines an envelope wants: each
    part on its line, the city with its state and postal code.

    >>> postal_lines("Administrative Citation Office, P.O. Box 30249, Demo City, CA 90030")
    ('Administrative Citation Office', 'P.O. Box 30249', 'Demo City, CA 90030')
    >>> postal_lines("Rathaus, Marktplatz 1")
    ('Rathaus', 'Marktplatz 1')
    """
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if len(parts) >= 3 and _state_and_code(parts[-1]):
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    return tuple(parts)


def _state_and_code(part: str) -> bool:
    """`CA 90030` or `CA 90030-1234`: a state's two letters and a ZIP code."""
    state, _, code = part.partition(" ")
    digits = code.replace("-", "")
    return len(state) == 2 and state.isalpha() and state.isupper() and digits.isdigit()


def address_lines(name: str, address: dict[str, str | None]) -> tuple[str, ...]:
    """The name and a recorded postal address, a line each, as the window shows them.

    >>> address_lines("Ana Reyes", {"line1": "48 Alvarado St", "line2": "Apt 3",
    ...                             "city": "Demo City", "state": "CA", "postal_code": "90012"})
    ('Ana Reyes', '48 Alvarado St', 'Apt 3', 'Demo City CA 90012')
    """
    city = " ".join(
        part
        for part in (address.get("city"), address.get("state"), address.get("postal_code"))
        if part
    )
    lines: Sequence[str | None] = (name, address.get("line1"), address.get("line2"), city)
    return tuple(line for line in lines if line)
