"""Text inside the report's charts: plain strings in the embedded fonts, never the PDF standard
fonts, switching to the CJK font mid-label (an officer's name in Chinese) as paragraphs do,
and names cut to the room a chart has for them without two names ending up alike.

Chart labels are drawn as reportlab `String`s, which take no markup and one font each, so the
font switching that `with_fallback` does for paragraphs is done here run by run.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from citations.documents.fonts import BOLD, FALLBACK, REGULAR, register_fonts
from citations.documents.layout import INK
from citations.documents.wording import clean

LABEL_SIZE = 7.5
"""The size of names and legends in a chart (axis numbers are smaller)."""


def one_line(text: str) -> str:
    """Text from the records as one clean line for a chart (no markup: drawn as written).

    >>> one_line("referred to outreach\\n  for  shelter")
    'referred to outreach for shelter'
    """
    return " ".join(clean(text).split())


def _runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """`text` cut into runs of one font each: the main font, or the fallback for CJK.

    >>> _runs("Hearing: 李明 (2)")
    [('Hearing: ', 'NoticeSans'), ('李明 ', 'NoticeCJK'), ('(2)', 'NoticeSans')]
    """
    coverage = register_fonts()
    main = BOLD if bold else REGULAR
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        if char.isspace() and runs:
            font = runs[-1][1]
        elif code not in coverage.main and code in coverage.fallback:
            font = FALLBACK
        else:
            font = main
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def text_width(text: str, size: float = LABEL_SIZE, bold: bool = False) -> float:
    """How wide `text` is drawn, each run in its own font."""
    return sum(stringWidth(run, font, size) for run, font in _runs(text, bold))


def strings(
    x: float,
    y: float,
    text: str,
    *,
    size: float = LABEL_SIZE,
    colour: colors.Color = INK,
    bold: bool = False,
    anchor: str = "start",
) -> list[String]:
    """`text` drawn from `x` (or ending at `x` when `anchor` is "end"), run by run."""
    if anchor == "end":
        x -= text_width(text, size, bold)
    drawn: list[String] = []
    for run, font in _runs(text, bold):
        drawn.append(String(x, y, run, fontName=font, fontSize=size, fillColor=colour))
        x += stringWidth(run, font, size)
    return drawn


def _fit_end(text: str, width: float, bold: bool = False) -> str:
    """`text` cut to `width` with an ellipsis, at a word's end when that loses little.

    >>> _fit_end("Sitting, lying or sleeping on a public sidewalk", 100)
    'Sitting, lying or sleeping…'
    """
    if not text or text_width(text, bold=bold) <= width:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut].rstrip() + "…", bold=bold) > width:
        cut -= 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > cut * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:-–—(") + "…"


def _fit_middle(text: str, width: float, bold: bool = False) -> str:
    # Only for a text wider than `width`: `fit_all` asks for it after `_fit_end` had to cut.
    start = len(text)
    while start > 0 and text_width(text[start - 1 :], bold=bold) <= width * 0.4:
        start -= 1
    space = text.find(" ", start)
    tail = text[space + 1 :] if 0 <= space < len(text) - 1 else text[start:]
    cut = len(text) - len(tail)
    while cut > 1 and text_width(text[:cut].rstrip() + "… " + tail, bold=bold) > width:
        cut -= 1
    return text[:cut].rstrip(" ,;:-–—(") + "… " + tail


def fit_all(texts: Sequence[str], width: float, bold: Sequence[bool]) -> list[str]:
    """Each text cut to `width` at its end; in the middle, keeping its end (what tells
    similar names apart), where cutting the end would leave two different names alike.

    >>> fit_all(["Neighborhood council district number 12"], 110, [False])
    ['Neighborhood council…']
    >>> fit_all([f"Neighborhood council district number {n}" for n in (11, 12)], 110, [False] * 2)
    ['Neighborhood… number 11', 'Neighborhood… number 12']
    """
    ends = [_fit_end(text, width, bold=b) for text, b in zip(texts, bold, strict=True)]
    clashes = {end for end in ends if ends.count(end) > 1}
    return [
        _fit_middle(text, width, bold=b) if end in clashes and end != text else end
        for text, end, b in zip(texts, ends, bold, strict=True)
    ]
