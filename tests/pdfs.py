"""Reading the PDFs the renderers make: text and embedded font names, for the document tests."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def pdf_text(pdf: bytes) -> str:
    """All pages' text with every run of whitespace (no-break spaces too) as one space."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def font_names(pdf: bytes) -> set[str]:
    """The base font names a PDF's pages use (subset prefixes included)."""
    reader = PdfReader(BytesIO(pdf))
    names: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        fonts = resources["/Font"].get_object()
        assert isinstance(fonts, DictionaryObject)
        for font in fonts.values():
            font_dictionary = font.get_object()
            assert isinstance(font_dictionary, DictionaryObject)
            names.add(str(font_dictionary["/BaseFont"]))
    return names
