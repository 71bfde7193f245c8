"""For the document tests: reading the PDFs the renderers make, and a city contact block."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

import yaml
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from citations.documents.contact import OfficeContact
from citations.documents.templates import TEMPLATES_DIR


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


def make_contact(language: str = "en") -> OfficeContact:
    spanish = language == "es"
    return OfficeContact(
        office_name=(
            "Oficina de Citaciones Administrativas" if spanish else "Administrative Citation Office"
        ),
        phone="(555) 010-2400",
        website="https://citations.example.gov",
        payment_url="https://citations.example.gov/pay",
        mailing_address="Administrative Citation Office, P.O. Box 1000, Test City, CA 90000",
        office_address="200 N. Main Street, Room 101, Test City, CA 90012",
        office_hours=(
            "De lunes a viernes, de 8:00 a.m. a 5:00 p.m."
            if spanish
            else "Monday to Friday, 8:00 a.m. to 5:00 p.m."
        ),
    )


def wording(document: str, language: str) -> dict[str, str]:
    """A document's wording file (templates/DOCUMENT/LANGUAGE.yaml) as it is shipped."""
    loaded = yaml.safe_load((TEMPLATES_DIR / document / f"{language}.yaml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def copy_templates(folder: Path, documents: Iterable[str]) -> Path:
    """A copy of the real templates folders of `documents` in `folder`, to break."""
    for document in documents:
        shutil.copytree(TEMPLATES_DIR / document, folder / document)
    return folder


def replace_key(templates: Path, document: str, key: str, value: str) -> Path:
    """Set one key of the English wording in a copied templates folder; returns the file."""
    path = templates / document / "en.yaml"
    values = wording(document, "en")
    values[key] = value
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path
