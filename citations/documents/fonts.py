"""The documents' embedded fonts, and the font fallback reportlab does not do by itself.

Names and narratives may be written in any script. DejaVu Sans covers Latin (with Vietnamese),
Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters and most symbols; Droid Sans
Fallback covers Chinese, Japanese kana and Korean Hangul. Both ship in `fonts/` beside this
module (with their licenses), so rendering never downloads anything and never uses the PDF
standard fonts, which only cover Latin-1.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from citations.resources import package_path

FONTS_DIR = package_path("citations.documents", "fonts")

REGULAR = "NoticeSans"
BOLD = "NoticeSans-Bold"
FALLBACK = "NoticeCJK"
"""Font names as registered with reportlab (and usable in `<font name="...">` markup)."""

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallback.ttf",
}

# A tag such as <b> or <font name="x">, or an entity such as &amp; or &#39;: both stay whole.
_MARKUP = re.compile(r"(<[^>]*>|&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


@dataclass(frozen=True)
class Coverage:
    """Which characters the main family (in both weights) and the fallback font can draw."""

    main: frozenset[int]
    fallback: frozenset[int]


@cache
def register_fonts() -> Coverage:
    """Register the notice fonts with reportlab once per process and return their coverage.

    >>> coverage = register_fonts()
    >>> ord("Ж") in coverage.main, ord("李") in coverage.fallback
    (True, True)
    """
    fonts = {name: TTFont(name, str(FONTS_DIR / file)) for name, file in _FILES.items()}
    for font in fonts.values():
        pdfmetrics.registerFont(font)
    # <b> and <i> inside a paragraph pick the face through these families; there is no
    # italic face, so italics print upright rather than failing.
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    pdfmetrics.registerFontFamily(
        FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK, boldItalic=FALLBACK
    )
    main = frozenset(fonts[REGULAR].face.charToGlyph) & frozenset(fonts[BOLD].face.charToGlyph)
    return Coverage(main=main, fallback=frozenset(fonts[FALLBACK].face.charToGlyph))


def with_fallback(markup: str) -> str:
    """Wrap the runs of text the main font cannot draw in `<font name="NoticeCJK">`.

    `markup` is reportlab paragraph markup whose text is already escaped; tags and entities
    pass through untouched. Characters no font has stay in the main font (they print as a box).

    >>> with_fallback("<b>Name:</b> 李小龍 Lee &amp; Ωμέγα")
    '<b>Name:</b> <font name="NoticeCJK">李小龍</font> Lee &amp; Ωμέγα'
    """
    coverage = register_fonts()
    pieces: list[str] = []
    for piece in _MARKUP.split(markup):
        if piece.startswith(("<", "&")) and _MARKUP.fullmatch(piece):
            pieces.append(piece)
        else:
            pieces.append(_wrap_runs(piece, coverage))
    return "".join(pieces)


def _wrap_runs(text: str, coverage: Coverage) -> str:
    # For each character: does it need the fallback font? None: it goes with its neighbours.
    needs: list[bool | None] = []
    for char in text:
        if unicodedata.combining(char):
            # An accent stays in its letter's font, if that font has it.
            previous = bool(needs and needs[-1])
            needs.append(previous and ord(char) in coverage.fallback)
        elif char.isspace():
            needs.append(None)
        else:
            code = ord(char)
            needs.append(code not in coverage.main and code in coverage.fallback)
    # A space is drawn in the fallback font only between two fallback characters.
    after: list[bool] = []
    following = False
    for need in reversed(needs):
        following = following if need is None else need
        after.append(following)
    after.reverse()
    before = False
    for index, need in enumerate(needs):
        if need is None:
            needs[index] = before and after[index]
        else:
            before = need
    pieces: list[str] = []
    for index, char in enumerate(text):
        if needs[index] and (index == 0 or not needs[index - 1]):
            pieces.append(f'<font name="{FALLBACK}">')
        pieces.append(char)
        if needs[index] and (index == len(text) - 1 or not needs[index + 1]):
            pieces.append("</font>")
    return "".join(pieces)
