"""What the three hearing documents share: template variables and a base layout.

The hearing notice (`notice_pdf`), the docket sheet (`docket_pdf`) and the order (`order_pdf`)
each subclass `HearingDocument`; `citations.hearings.render` is the public entry point. Fonts,
wording, formatting helpers, styles and the footer are the document engine's
(`citations.documents`); local times come from the jurisdiction's clock (`citations.calendar`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer, Table

from citations.documents.fonts import BOLD
from citations.documents.layout import AMENDED, INK, NAVY, Layout
from citations.documents.wording import load_wording

Cell = Flowable | list[Flowable]
"""What a table cell holds: one flowable or a list of them."""


class HearingDocument(Layout, ABC):
    """What the hearing documents add to the shared layout: extra styles, a letter header.

    Each document builds its own `story`; `citations.hearings.render` lays it out.
    """

    def __init__(
        self,
        templates_dir: Path,
        document: str,
        language: str,
        variables: dict[str, object],
        *,
        pagesize: tuple[float, float] = LETTER,
    ) -> None:
        super().__init__(
            load_wording(templates_dir, language, document), variables, pagesize=pagesize
        )
        base = self.styles["body"]

        def derive(name: str, **changes: Any) -> None:
            self.styles[name] = ParagraphStyle(name, parent=base, **changes)

        derive("top", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=3)
        derive("top_more", fontSize=10.5, leading=13.5, alignment=TA_CENTER, spaceAfter=1)
        derive("top_note", alignment=TA_CENTER, spaceAfter=0)
        derive(
            "mark", fontName=BOLD, fontSize=12, leading=15, textColor=AMENDED, alignment=TA_CENTER
        )
        derive("mark_more", alignment=TA_CENTER, textColor=AMENDED, spaceAfter=3)
        derive("warning", fontName=BOLD, fontSize=10.5, leading=13, textColor=AMENDED)
        derive("findings", leftIndent=10, rightIndent=6, fontSize=9.8, leading=13, spaceAfter=4)
        derive("th", fontName=BOLD, fontSize=7.6, leading=9.2, textColor=colors.white, spaceAfter=0)
        derive("td", fontSize=8, leading=10, spaceAfter=0)
        derive("td_right", fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT)
        derive("choices", fontSize=7.4, leading=10.5, spaceAfter=0, textColor=INK)
        derive("cell_right", spaceAfter=0, alignment=TA_RIGHT)
        derive("signature", fontSize=9.2, leading=12, spaceAfter=0)
        derive("subheading", fontName=BOLD, fontSize=9.5, leading=12, textColor=NAVY, spaceAfter=2)

    def letter_header(self, number_line: str, *, qr: str | None = None) -> Table:
        """Jurisdiction, office and title on the left; the citation number on the right, and
        the QR code of `qr` (the person's link) at the right edge."""
        left: list[Flowable] = [
            self.para("jurisdiction", "jurisdiction"),
            self.para("office", "small"),
            Spacer(1, 5),
            self.para("title", "title"),
            self.para("civil", "small"),
        ]
        number_width = 2.1 * inch
        right: list[Flowable] = [
            self.para("citation_number_label", "number_label"),
            self.fitted("citation_number", "number", number_width - 14),
            self.para(number_line, "small"),
        ]
        return self.letterhead(left, right, number_width, qr=qr)

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The document's flowables, top to bottom."""


def where_rows(place: str | None, remote_link: str | None) -> list[tuple[str, str]]:
    """The label rows for the ways to attend that apply: in person, by video, or both.

    >>> where_rows("Room 101", None)
    [('label_place', 'place')]
    """
    rows: list[tuple[str, str]] = []
    if place:
        rows.append(("label_place", "place"))
    if remote_link:
        rows.append(("label_remote", "remote"))
    return rows
