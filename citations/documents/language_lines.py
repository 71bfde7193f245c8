"""The language block: a short line in each language the city serves, each in its own script,
on every document a person gets, the person's own language first.

The lines come from the jurisdiction profile (`language_lines`, with `{phone}` for the office's
phone number). Each is drawn in a font that has its letters (`citations.documents.fonts`):
Chinese, Japanese and Korean in Droid Sans Fallback, Arabic and Farsi in Noto Sans Arabic,
Khmer in Noto Sans Khmer (shaped by HarfBuzz, through reportlab), the rest in DejaVu Sans.
Arabic and Farsi lines run right to left: their letters are joined (arabic-reshaper), each
printed line is put in visual order by the Unicode bidirectional algorithm (python-bidi) and
aligned right. Lines whose glyphs are not the letters themselves carry their text as written
(PDF ActualText), for copying and for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence

import arabic_reshaper
from bidi import get_base_level, get_display
from markupsafe import escape
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from citations.documents.contact import LanguageLine
from citations.documents.fonts import ARABIC, KHMER, font_runs, with_fallback
from ordinances.models import PHONE, Jurisdiction

# Isolates and embeddings: python-bidi applies them and leaves them in its output.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "km"})
"""Languages written without spaces between words: a line may break between any letters."""


def primary(language: str) -> str:
    """The language of a tag without its script: `zh-Hant` is Chinese.

    >>> primary("zh-Hant"), primary("es")
    ('zh', 'es')
    """
    return language.split("-", 1)[0].lower()


def lines_for(profile: Jurisdiction, person_language: str | None) -> tuple[LanguageLine, ...]:
    """The profile's language lines with the office's phone number, the person's own first.

    `person_language` is the person's preferred language, else the notice's language.

    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> [line.language for line in lines_for(profile, "zh")][:4]
    ['zh-Hant', 'zh-Hans', 'es', 'ko']
    """
    # A phone number never breaks across lines.
    phone = profile.contact.phone.replace(" ", "\N{NO-BREAK SPACE}")
    lines = [
        LanguageLine(
            language=line.language,
            text=line.text.replace(PHONE, _isolated(phone, line.text)),
            own=person_language is not None and primary(line.language) == person_language,
        )
        for line in profile.language_lines
    ]
    return tuple(sorted(lines, key=lambda line: not line.own))


def _isolated(phone: str, text: str) -> str:
    """The phone number kept whole, left to right, inside a right-to-left line."""
    return f"\u2066{phone}\u2069" if right_to_left(text) else phone


def right_to_left(text: str) -> bool:
    """Whether a line runs right to left: its first strong letter is Arabic, Hebrew...

    >>> right_to_left("اتصل على الرقم 555"), right_to_left("Call 555")
    (True, False)
    """
    return bool(get_base_level(text))


def lines_to_print(
    lines: Sequence[LanguageLine], document_language: str
) -> tuple[list[LanguageLine], list[LanguageLine]]:
    """The lines under the top box (the person's own, unless the document is in it) and the
    lines of the block (all but the document's own language, which the document already is)."""
    block = [line for line in lines if primary(line.language) != primary(document_language)]
    return [line for line in block if line.own], block


def line_flowable(line: LanguageLine, style: ParagraphStyle) -> Flowable:
    """One language line as a flowable in the fonts and direction its script needs."""
    language = primary(line.language)
    if right_to_left(line.text):
        return RightToLeft(line.text, style, prefer=ARABIC)
    shaped = language == "km" or any(font == KHMER for font, _ in font_runs(line.text))
    own = ParagraphStyle(
        f"{style.name}-{line.language}",
        parent=style,
        alignment=TA_LEFT,
        shaping=1 if shaped else 0,
        wordWrap="CJK" if language in _NO_SPACE_LANGUAGES and not shaped else None,
    )
    paragraph = Paragraph(with_fallback(str(escape(line.text))), own)
    return ActualText(paragraph, line.text) if shaped else paragraph


class ActualText(Flowable):
    """A flowable whose drawn glyphs read, when copied or read aloud, as `text`: for shaped
    or reordered lines, whose glyphs are not the letters in their written order."""

    def __init__(self, inner: Flowable, text: str) -> None:
        super().__init__()
        self.inner = inner
        self.text = text

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        code = ("FEFF" + self.text.encode("utf-16-be").hex()).upper()
        self.canv.addLiteral(f"/Span <</ActualText <{code}>>> BDC")
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.addLiteral("EMC")


class RightToLeft(Flowable):
    """A right-to-left line (Arabic, Farsi), broken into lines in its own order, then each line
    joined, put in visual order and aligned right."""

    def __init__(self, text: str, style: ParagraphStyle, *, prefer: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        self.prefer = prefer
        self.lines: list[ActualText] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.lines = []
        for logical in self._broken(availWidth):
            visual = get_display(arabic_reshaper.reshape(logical), base_dir="R")
            markup = with_fallback(str(escape(visual.translate(_BIDI_CONTROLS))), self.prefer)
            line = ActualText(Paragraph(markup, self.style), logical)
            line.wrap(availWidth, availHeight)
            self.lines.append(line)
        self.width = availWidth
        self.height = sum(line.height for line in self.lines)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for line in self.lines:
            y -= line.height
            line.drawOn(self.canv, 0, y)

    def _broken(self, width: float) -> list[str]:
        """The text cut at spaces into lines that fit `width` once joined (logical order)."""
        lines: list[str] = []
        current = ""
        for word in self.text.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and self._width(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        return [*lines, current] if current else lines

    def _width(self, logical: str) -> float:
        shaped = arabic_reshaper.reshape(logical).translate(_BIDI_CONTROLS)
        size = self.style.fontSize
        return sum(stringWidth(run, font, size) for font, run in font_runs(shaped, self.prefer))
