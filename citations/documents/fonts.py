"""The documents' embedded fonts, and the font fallback reportlab does not do by itself.

Names and narratives may be written in any script. DejaVu Sans covers Latin (with Vietnamese),
Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters and most symbols; Droid Sans
Fallback covers Chinese, Japanese kana and Korean Hangul; Noto Sans Arabic draws the language
lines in Arabic and Farsi (and its contextual forms), Noto Sans Khmer the Khmer script. All
ship in `fonts/` beside this module (with their licenses), so rendering never downloads
anything and never uses the PDF standard fonts, which only cover Latin-1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from citations.resources import package_path

FONTS_DIR = package_path("citations.documents", "fonts")

REGULAR = "NoticeSans"
BOLD = "NoticeSans-Bold"
FALLBACK = "NoticeCJK"
ARABIC = "NoticeArabic"
KHMER = "NoticeKhmer"
"""Font names as registered with reportlab (and usable in `<font name="...">` markup)."""

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallback.ttf",
    ARABIC: "NotoSansArabic-Regular.ttf",
    KHMER: "NotoSansKhmer-Regular.ttf",
}

SCRIPT_FONTS = (FALLBACK, ARABIC, KHMER)
"""The fonts tried, in this order, for a character the main font does not have."""

# A tag such as <b> or <font name="x">, or an entity such as &amp; or &#39;: both stay whole.
_MARKUP = re.compile(r"(<[^>]*>|&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


@dataclass(frozen=True)
class Coverage:
    """Which characters the main family (in both weights) and the fallback font can draw;
    `fonts` has every registered font's characters by name (the script fonts too)."""

    main: frozenset[int]
    fallback: frozenset[int]
    fonts: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def font_for(self, char: str, prefer: str | None = None) -> str | None:
        """The font to draw `char` in: `prefer` if it has it, else the main font, else the
        first script font that has it; None when no font has it."""
        code = ord(char)
        for name in (prefer, REGULAR, *SCRIPT_FONTS):
            if name is not None and code in self.fonts[name]:
                return name
        return None


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
    for script in SCRIPT_FONTS:
        # One weight only: bold text in these scripts prints regular rather than failing.
        pdfmetrics.registerFontFamily(
            script, normal=script, bold=script, italic=script, boldItalic=script
        )
    main = frozenset(fonts[REGULAR].face.charToGlyph) & frozenset(fonts[BOLD].face.charToGlyph)
    return Coverage(
        main=main,
        fallback=frozenset(fonts[FALLBACK].face.charToGlyph),
        fonts={name: frozenset(font.face.charToGlyph) for name, font in fonts.items()}
        | {REGULAR: main},
    )


def with_fallback(markup: str, prefer: str | None = None) -> str:
    """Wrap the runs of text the main font cannot draw in `<font name="...">` of a font that can.

    `markup` is reportlab paragraph markup whose text is already escaped; tags and entities
    pass through untouched. `prefer` names a font tried before the main one (e.g. Noto Sans
    Arabic for a line in Arabic). Characters no font has stay in the main font (they print as
    a box).

    >>> with_fallback("<b>Name:</b> 李小龍 Lee &amp; Ωμέγα")
    '<b>Name:</b> <font name="NoticeCJK">李小龍</font> Lee &amp; Ωμέγα'
    >>> with_fallback("សួស្តី Ana")
    '<font name="NoticeKhmer">សួស្តី</font> Ana'
    """
    coverage = register_fonts()
    pieces: list[str] = []
    for piece in _MARKUP.split(markup):
        if piece.startswith(("<", "&")) and _MARKUP.fullmatch(piece):
            pieces.append(piece)
        else:
            pieces.extend(
                text if font == REGULAR else f'<font name="{font}">{text}</font>'
                for font, text in font_runs(piece, prefer, coverage)
            )
    return "".join(pieces)


def font_runs(
    text: str, prefer: str | None = None, coverage: Coverage | None = None
) -> list[tuple[str, str]]:
    """`text` cut into runs of one font each, as `with_fallback` chooses them.

    >>> font_runs("Lee 李小龍")
    [('NoticeSans', 'Lee '), ('NoticeCJK', '李小龍')]
    """
    coverage = coverage or register_fonts()
    # For each character, its font; None: it goes with its neighbours.
    fonts: list[str | None] = []
    for char in text:
        if unicodedata.combining(char):
            # An accent stays in its letter's font, if that font has it.
            previous = next((font for font in reversed(fonts) if font is not None), REGULAR)
            fonts.append(previous if ord(char) in coverage.fonts[previous] else REGULAR)
        elif char.isspace():
            fonts.append(None)
        else:
            fonts.append(coverage.font_for(char, prefer) or REGULAR)
    # A space takes its neighbours' font when both have the same, else the main font.
    after: list[str | None] = []
    following: str | None = None
    for font in reversed(fonts):
        following = following if font is None else font
        after.append(following)
    after.reverse()
    before: str | None = None
    for index, font in enumerate(fonts):
        if font is None:
            fonts[index] = before if before is not None and before == after[index] else REGULAR
        else:
            before = font
    runs: list[tuple[str, str]] = []
    for char, font in zip(text, fonts, strict=True):
        assert font is not None
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs
