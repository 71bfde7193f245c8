"""The layout every printed document shares: page, colours and paragraph styles (from
`citations.documents.styles`), tables, boxes, paragraphs from wording keys, the letterhead
with the way online, and a "page X of Y" footer.

The citation notice (`citations.notice.render`), the hearing documents
(`citations.hearings.render`) and the money documents (`citations.payments.render`) are built
from these pieces, so they look like one family of
documents and print text the same way: escaped, cleaned, in the embedded fonts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO
from typing import Any

from pydantic import BaseModel
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from citations.documents.contact import LanguageLine, OfficeContact
from citations.documents.fonts import REGULAR, register_fonts, with_fallback
from citations.documents.formats import helpers
from citations.documents.language_lines import line_flowable, lines_to_print
from citations.documents.qr import QR_SIZE, QrCode
from citations.documents.styles import AMENDED as AMENDED
from citations.documents.styles import AMENDED_FILL as AMENDED_FILL
from citations.documents.styles import DEADLINE_FILL as DEADLINE_FILL
from citations.documents.styles import INK as INK
from citations.documents.styles import NAVY as NAVY
from citations.documents.styles import ONLINE_FILL as ONLINE_FILL
from citations.documents.styles import RULE as RULE
from citations.documents.styles import SHADE as SHADE
from citations.documents.styles import paragraph_styles as paragraph_styles
from citations.documents.wording import NoticeTemplateError, Wording, load_wording, plain_text

MARGIN = 0.6 * inch
TOP_MARGIN = 0.5 * inch
BOTTOM_MARGIN = 0.7 * inch
FOOTER_Y = 0.35 * inch
FRAME_PADDING = 6  # platypus frames pad their content by 6 points on each side


def frame_width(pagesize: tuple[float, float]) -> float:
    """The width flowables get on a page of this size (less margins and frame padding)."""
    return pagesize[0] - 2 * MARGIN - 2 * FRAME_PADDING


WIDTH = frame_width(LETTER)
"""The content width of a portrait US Letter page."""


Cell = Flowable | list[Flowable]
"""What a table cell holds: one flowable or a list of them."""

LANGUAGE_LINES = "language-lines"
"""The wording folder of the words around the language block."""


def context_variables(
    context: BaseModel, contact: OfficeContact | None = None
) -> dict[str, object]:
    """A document context's fields as wording variables, with the formatting helpers.

    The context needs `language`, `locale` and `currency` fields; `contact`, if given, is
    added with its phone number unbroken (a phone number never breaks across lines).
    """
    variables: dict[str, object] = {
        name: getattr(context, name) for name in type(context).model_fields
    }
    if contact is not None:
        variables["contact"] = contact.model_copy(
            update={"phone": contact.phone.replace(" ", "\N{NO-BREAK SPACE}")}
        )
    language, locale, currency = (
        getattr(context, name) for name in ("language", "locale", "currency")
    )
    variables.update(helpers(language, locale, currency))
    return variables


def section(flowables: list[Flowable]) -> list[Flowable]:
    """A section that may run onto the next page, but never leaves its heading behind."""
    # The heading, its rule and the first paragraph stay together; each later paragraph is
    # kept whole (moved to the next page rather than cut), and the section flows.
    # (A KeepTogether inside another one misplaces its content, so groups stay as they are.)
    return [
        KeepTogether(flowables[:3]),
        *(
            item if isinstance(item, KeepTogether) else KeepTogether([item])
            for item in flowables[3:]
        ),
    ]


def table(
    rows: Any,
    col_widths: Sequence[float],
    commands: list[Any],
    *,
    repeat_rows: int = 0,
    split_in_row: bool = True,
) -> Table:
    """A table in our font (never Helvetica); a row taller than a page may split, unless
    `split_in_row` is False (then rows stay whole and `NOSPLIT` commands hold)."""
    result = Table(
        rows, colWidths=list(col_widths), splitInRow=int(split_in_row), repeatRows=repeat_rows
    )
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands]))
    return result


def box(
    cell: Sequence[Flowable],
    *,
    border: colors.Color,
    fill: colors.Color,
    width: float,
    padding: float,
    box_width: float = WIDTH,
) -> Table:
    """A one-cell table with a border and a fill: the deadline box, the amended mark..."""
    return table(
        [[list(cell)]],
        [box_width],
        [
            ("BOX", (0, 0), (-1, -1), width, border),
            ("BACKGROUND", (0, 0), (-1, -1), fill),
            ("TOPPADDING", (0, 0), (-1, -1), padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ("LEFTPADDING", (0, 0), (-1, -1), padding + 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), padding + 2),
        ],
    )


_CELL_PADDING = 6
"""reportlab's padding on each side of a table cell, unless told otherwise."""

_LETTERHEAD = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (0, 0), 0),
    ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
    ("LINEBEFORE", (1, 0), (1, 0), 0.6, RULE),
    ("LEFTPADDING", (1, 0), (1, 0), 8),
]
"""The letterhead's rule between the office and the number, and its paddings."""


def _height(flowables: Sequence[Flowable], width: float) -> float:
    """The height a column of flowables takes in a table cell `width` wide."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(width, 10_000)[1] + flowable.getSpaceBefore()
        total += flowable.getSpaceAfter()
    return total


class Layout:
    """Builds flowables from one document's wording and variables, and stamps its footer.

    A document's renderer subclasses this with its own sections; `para("key")` renders the
    wording key with the document's variables into a paragraph in the embedded fonts.
    """

    def __init__(
        self,
        wording: Wording,
        variables: dict[str, object],
        *,
        pagesize: tuple[float, float] = LETTER,
    ) -> None:
        self.wording = wording
        self.variables = variables
        self.pagesize = pagesize
        self.width = frame_width(pagesize)
        self.styles = paragraph_styles()
        contact = variables.get("contact")
        if "written_in" not in variables:
            # Wording may print `{{ written_in }}` after an officer's report or findings.
            variables["written_in"] = (
                self.written_in(contact) if isinstance(contact, OfficeContact) else ""
            )

    def text(self, key: str, **extra: object) -> str:
        return self.wording.render(key, {**self.variables, **extra})

    def para(
        self,
        key: str,
        style: str = "body",
        *,
        wording: Wording | None = None,
        variables: Mapping[str, object] | None = None,
        bullet: bool = False,
        extra: Mapping[str, object] | None = None,
    ) -> Paragraph:
        """The paragraph for one wording key; `extra` adds variables (e.g. `violation`)."""
        source = self.wording if wording is None else wording
        markup = source.render(key, {**(variables or self.variables), **(extra or {})})
        try:
            return Paragraph(
                with_fallback(markup), self.styles[style], bulletText="•" if bullet else None
            )
        except ValueError as error:
            # reportlab rejects malformed paragraph markup written into a template.
            raise NoticeTemplateError(
                source.path, key, f"bad paragraph markup: {error}", source.lines.get(key)
            ) from error

    def fitted(self, key: str, style: str, width: float) -> Paragraph:
        """A one-line paragraph in a smaller size if needed, so a long number never wraps."""
        base = self.styles[style]
        natural = stringWidth(plain_text(self.text(key)), base.fontName, base.fontSize)
        if natural > width:
            # Half a point short of the width, in tenths of a point: fitted exactly, the line
            # wrapped at a hyphen in the table cell, whose width differs in the last bit.
            size = max(8.0, math.floor(base.fontSize * (width - 0.5) / natural * 10) / 10)
            self.styles[f"{style}-fitted"] = ParagraphStyle(
                f"{style}-fitted", parent=base, fontSize=size, leading=size * 1.2
            )
            style = f"{style}-fitted"
        return self.para(key, style)

    def letterhead(
        self,
        left: list[Flowable],
        right: list[Flowable],
        right_width: float,
        *,
        qr: str | None = None,
    ) -> Table:
        """The office and title on the left, the number block on the right behind a rule (every
        document's first lines). With `qr` (the person's link), the way online: the QR code
        of that link at the right edge (wording key `qr_caption` under it) and, beside it
        under the two blocks, the line that prints the link (`online_access`)."""
        if qr is None:
            return table(
                [[left, right]],
                [self.width - right_width, right_width],
                _LETTERHEAD,
            )
        column = QR_SIZE + 12
        widths = [self.width - right_width - column, right_width, column]
        code: list[Flowable] = [QrCode(qr, QR_SIZE), self.para("qr_caption", "caption")]
        # The line goes across the office and the number blocks, or, when that makes the
        # letterhead shorter (a notice served by mail says so at length beside the title),
        # under the office and title only.
        inside = widths[0] - _CELL_PADDING
        narrow = self.online_access(inside)
        online = self.online_access(widths[0] + widths[1] - _CELL_PADDING)
        left_height = _height(left, inside)
        right_height = _height(right, right_width - 8 - _CELL_PADDING)
        code_height = _height(code, QR_SIZE)
        under = left_height + 2 + narrow.wrap(inside, self.pagesize[1])[1]
        across = max(left_height, right_height) + 3 + online.wrap(self.width, self.pagesize[1])[1]
        if max(under, right_height, code_height) < max(across, code_height):
            return table([[[*left, Spacer(1, 2), narrow], right, code]], widths, _LETTERHEAD)
        return table(
            [[left, right, code], [online, "", ""]],
            widths,
            [
                *_LETTERHEAD,
                ("SPAN", (0, 1), (1, 1)),
                ("SPAN", (2, 0), (2, 1)),
                ("LEFTPADDING", (0, 1), (0, 1), 0),
                ("TOPPADDING", (0, 1), (1, 1), 3),
                ("BOTTOMPADDING", (0, 1), (1, 1), 0),
            ],
        )

    def online_access(self, width: float | None = None) -> Table:
        """The line that opens the person's own page online: the link with this document's
        access code (wording key `online_access`, which has `access`: an `OnlineAccess`, or
        none on a document built without a code), boxed, `width` wide (the page's)."""
        return table(
            [[self.para("online_access", "online")]],
            [self.width if width is None else width],
            [
                ("BOX", (0, 0), (-1, -1), 0.8, NAVY),
                ("BACKGROUND", (0, 0), (-1, -1), ONLINE_FILL),
                # Tight, so the link and its code fit on the line after the words before it.
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ],
        )

    def heading(self, key: str) -> list[Flowable]:
        return [
            self.para(key, "heading"),
            HRFlowable(width="100%", thickness=0.8, color=NAVY, spaceBefore=1, spaceAfter=3),
        ]

    def label_table(self, rows: Sequence[tuple[str, str]], label_width: float) -> Table:
        """Label and value pairs (wording keys), one a row, with a rule under each."""
        return table(
            [[self.para(label, "label"), self.para(value, "cell")] for label, value in rows],
            [label_width, self.width - label_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ],
        )

    def bullets(self, keys: Sequence[str]) -> list[Flowable]:
        """One bulleted paragraph per wording key."""
        return [self.para(key, "bullet", bullet=True) for key in keys]

    def top_box(self, cell: Sequence[Flowable]) -> Table:
        """The box at the top of a letter: what matters most, in large type."""
        return box(
            cell, border=colors.black, fill=DEADLINE_FILL, width=2, padding=9, box_width=self.width
        )

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        extra: Sequence[Any] = (),
        *,
        closing: Flowable | None = None,
    ) -> Table:
        """A ruled table with a navy header row (wording keys) that repeats on every page.

        `closing` (e.g. a signature line) goes under the last row, unruled, and never on a
        page of its own: it moves to the next page together with the last row.
        """
        head = [self.para(key, "th") for key in header]
        body: list[Sequence[Cell]] = [head, *rows]
        last = -1
        closing_commands: list[Any] = []
        if closing is not None:
            body.append([closing] + [Spacer(0, 0)] * (len(widths) - 1))
            last = -2
            closing_commands = [
                ("SPAN", (0, -1), (-1, -1)),
                ("TOPPADDING", (0, -1), (-1, -1), 24),
                ("LEFTPADDING", (0, -1), (-1, -1), 0),
                ("NOSPLIT", (0, -2), (-1, -1)),
            ]
        return table(
            body,
            widths,
            [
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, last), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                *extra,
                *closing_commands,
            ],
            repeat_rows=1,
            # Rows are short; splitting inside one would also break NOSPLIT.
            split_in_row=False,
        )

    def title(self) -> str:
        return plain_text(self.text("pdf_title"))

    # The language block

    def with_language_lines(self, story: list[Flowable], contact: OfficeContact) -> list[Flowable]:
        """`story` with the language lines of `contact`: the person's own language under the
        first flowable (the box at the top) unless the document is in it, and the block of
        every line, their own first, at the end. The one call each document's layout makes.
        """
        own, block = lines_to_print(contact.language_lines, self.wording.language)
        if not block:
            return story
        story = list(story)
        if own:
            story[1:1] = [Spacer(1, 6), self._own_language(own)]
        heading = self.para(
            "heading",
            "language_heading",
            wording=self._language_wording(),
            variables=self.variables,
        )
        lines = [line_flowable(line, self.styles["language_line"]) for line in block]
        # The box may continue on the next page (a receipt stays on one page when it fits).
        return [*story, Spacer(1, 10), self._language_box([heading, *lines])]

    def _own_language(self, lines: Sequence[LanguageLine]) -> Table:
        return self._language_box(
            [line_flowable(line, self.styles["language_own"]) for line in lines]
        )

    def _language_box(self, cell: Sequence[Flowable]) -> Table:
        return box(cell, border=RULE, fill=SHADE, width=0.8, padding=5, box_width=self.width)

    def _language_wording(self) -> Wording:
        return load_wording(self.wording.path.parents[1], self.wording.language, LANGUAGE_LINES)

    def written_in(self, contact: OfficeContact) -> str:
        """ " (in English)" after text left in the office's language, on a document in another
        language; "" otherwise. Documents pass it to their wording as `written_in`."""
        original = contact.written_in
        if original is None or original == self.wording.language:
            return ""
        note = self._language_wording().render(
            "written_in", {**self.variables, "original": original}
        )
        return f" {note}"

    # Footer on every page, once the page count is known

    def canvas_maker(self) -> Callable[..., Canvas]:
        layout = self

        class FooterCanvas(Canvas):
            """Holds each page back until the end, then stamps "page X of Y" on all of them."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._pages: list[dict[str, Any]] = []

            def showPage(self) -> None:
                self._pages.append(dict(self.__dict__))
                self._startPage()  # type: ignore[attr-defined]  # not in the stubs

            def save(self) -> None:
                for number, state in enumerate(self._pages, start=1):
                    self.__dict__.update(state)
                    layout.draw_footer(self, number, len(self._pages))
                    super().showPage()
                super().save()

        return FooterCanvas

    def draw_footer(self, canvas: Canvas, page: int, pages: int) -> None:
        footer = self.para("footer", "footer", extra={"page": page, "pages": pages})
        _, height = footer.wrap(self.width, MARGIN)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = FOOTER_Y + height + 3
        left = MARGIN + FRAME_PADDING
        canvas.line(left, top, left + self.width, top)
        footer.drawOn(canvas, left, FOOTER_Y)

    # The PDF

    def build(self, story: list[Flowable], *, author: str, language: str) -> bytes:
        """Lay `story` out on pages of this layout's size and return the PDF bytes."""
        register_fonts()
        buffer = BytesIO()
        title = self.title()
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            **document_options(title=title, author=author, language=language),
        )
        document.build(story, canvasmaker=self.canvas_maker())
        return buffer.getvalue()


def document_options(*, title: str, author: str, language: str) -> dict[str, Any]:
    """What every document's PDF says of itself, and its margins: the keyword arguments of
    reportlab's doc templates, for the documents here and the reminder letters."""
    return {
        "leftMargin": MARGIN,
        "rightMargin": MARGIN,
        "topMargin": TOP_MARGIN,
        "bottomMargin": BOTTOM_MARGIN,
        "title": title,
        "author": author,
        "subject": title,
        "creator": "citations",
        "lang": language,
        "displayDocTitle": True,
        "initialFontName": REGULAR,
        # Same context, same bytes: no clock time or random document id in the file.
        "invariant": True,
    }
