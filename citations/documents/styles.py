"""The document family's colours and paragraph styles (`citations.documents.layout` lays
them out)."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from citations.documents.fonts import BOLD, REGULAR

INK = colors.HexColor("#111111")
NAVY = colors.HexColor("#1b365d")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef2f7")
DEADLINE_FILL = colors.HexColor("#fff3c4")
AMENDED = colors.HexColor("#9b1c1c")
AMENDED_FILL = colors.HexColor("#fdecec")
ONLINE_FILL = colors.HexColor("#f3f7fc")


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the document family, by name (a fresh, editable dict)."""
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9.2,
        leading=11.8,
        textColor=INK,
        spaceAfter=2,
        allowWidows=0,  # never a paragraph's last line alone at the top of a page
    )

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **changes)

    return {
        "body": body,
        "small": derive("small", fontSize=8, leading=10, spaceAfter=0),
        "label": derive("label", fontName=BOLD, fontSize=8.5, leading=11, spaceAfter=0),
        "cell": derive("cell", spaceAfter=0),
        "indented": derive("indented", leftIndent=6, rightIndent=6, spaceAfter=3),
        "indented_small": derive(
            "indented_small", leftIndent=6, rightIndent=6, fontSize=8, leading=10, spaceAfter=4
        ),
        "bullet": derive("bullet", leftIndent=13, bulletIndent=3, bulletFontName=REGULAR),
        "heading": derive(
            "heading", fontName=BOLD, fontSize=11, leading=13.5, textColor=NAVY, spaceBefore=7
        ),
        "deadline": derive(
            "deadline", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=4
        ),
        "deadline_more": derive("deadline_more", alignment=TA_CENTER, spaceAfter=0),
        "jurisdiction": derive("jurisdiction", fontName=BOLD, fontSize=12, leading=15),
        "title": derive(
            "title", fontName=BOLD, fontSize=16, leading=20, textColor=NAVY, spaceAfter=2
        ),
        "number_label": derive("number_label", fontSize=8, leading=10, spaceAfter=0),
        "number": derive("number", fontName=BOLD, fontSize=15, leading=18, spaceAfter=2),
        "caption": derive("caption", fontSize=7, leading=8.5, alignment=TA_CENTER),
        "online": derive("online", fontSize=8.4, leading=10, spaceAfter=0),
        "amended": derive(
            "amended", fontName=BOLD, fontSize=12, leading=15, textColor=AMENDED, spaceAfter=1
        ),
        "violation": derive("violation", fontName=BOLD, fontSize=10.5, leading=13, spaceAfter=0),
        "fine": derive(
            "fine", fontName=BOLD, fontSize=10.5, leading=13, alignment=TA_RIGHT, spaceAfter=0
        ),
        "total": derive("total", fontName=BOLD, fontSize=12, leading=15, spaceAfter=0),
        "total_amount": derive(
            "total_amount", fontName=BOLD, fontSize=12, leading=15, alignment=TA_RIGHT
        ),
        "footer": derive("footer", fontSize=7.5, leading=9, alignment=TA_CENTER, spaceAfter=0),
        # The box at the top of a letter, ruled tables and marks (hearing and money documents).
        "top": derive(
            "top", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=3
        ),
        "top_more": derive(
            "top_more", fontSize=10.5, leading=13.5, alignment=TA_CENTER, spaceAfter=1
        ),
        "top_note": derive("top_note", alignment=TA_CENTER, spaceAfter=0),
        "mark": derive(
            "mark", fontName=BOLD, fontSize=12, leading=15, textColor=AMENDED, alignment=TA_CENTER
        ),
        "mark_more": derive("mark_more", alignment=TA_CENTER, textColor=AMENDED, spaceAfter=3),
        "warning": derive("warning", fontName=BOLD, fontSize=10.5, leading=13, textColor=AMENDED),
        "subheading": derive(
            "subheading", fontName=BOLD, fontSize=9.5, leading=12, textColor=NAVY, spaceAfter=2
        ),
        "th": derive(
            "th", fontName=BOLD, fontSize=7.6, leading=9.2, textColor=colors.white, spaceAfter=0
        ),
        "td": derive("td", fontSize=8, leading=10, spaceAfter=0),
        "td_right": derive("td_right", fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT),
        "cell_right": derive("cell_right", spaceAfter=0, alignment=TA_RIGHT),
        # The language block: a line in each language, and the person's own under the top box.
        "language_heading": derive(
            "language_heading", fontName=BOLD, fontSize=8, leading=10, textColor=NAVY
        ),
        "language_line": derive("language_line", fontSize=8, leading=11.5, spaceAfter=1.5),
        "language_own": derive("language_own", fontSize=10.5, leading=15, spaceAfter=0),
    }
