"""A reminder letter's page (no database): any list of paragraphs lays out, onto a second
page if it must; names in any script print in their letters; a long address shrinks to stay
in the window, never below 8 points; both languages' wording has the same keys."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from citations.documents.access import access_for
from citations.documents.templates import TEMPLATES_DIR
from citations.outreach.channels.letter_pdf import (
    PAGE_HEIGHT,
    WINDOW,
    LetterContext,
    address_lines,
    postal_lines,
    render_letter,
)
from tests.pdfs import font_names, make_contact, pdf_text
from tests.test_outreach_letters import positions

ACCESS = access_for("7K3MQ9R0PB2X1AQ4", "https://citations.example.gov", birth_date_on_file=True)
RETURN = "Administrative Citation Office, P.O. Box 1000, Test City, CA 90000"
ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}


def letter(
    name: str = "Ana Reyes",
    address: dict[str, Any] = ADDRESS,
    paragraphs: tuple[str, ...] = ("Dear Ana,", "Pay by December 10, 2026."),
    language: str = "en",
) -> bytes:
    return render_letter(
        LetterContext(
            language=language,
            locale="en_US" if language == "en" else "es_US",
            currency="USD",
            jurisdiction_name="Test City",
            citation_number="DCPD-2026-000001-5",
            letter_date=date(2026, 12, 4),
            return_lines=postal_lines(RETURN),
            recipient_lines=address_lines(name, address),
            paragraphs=paragraphs,
            access=ACCESS,
            qr_payload=ACCESS.link,
            contact=make_contact(language),
        )
    )  # fmt: skip


def test_the_page_prints_the_return_address_date_number_and_words() -> None:
    text = pdf_text(letter())
    assert text.startswith(
        "Test City Administrative Citation Office P.O. Box 1000 Test City, CA 90000 "
        "Ana Reyes 1200 W 7th St Los Angeles CA 90017 "
        "Test City Administrative Citation Office REMINDER About your civil citation. "
        "December 4, 2026 Citation number DCPD-2026-000001-5 Scan to see your citation online "
        "Dear Ana, Pay by December 10, 2026."
    )
    assert text.endswith("Reminder · Citation DCPD-2026-000001-5 · Page 1 of 1 · Test City")


def test_the_same_letter_is_the_same_bytes() -> None:
    assert letter() == letter()


def test_many_paragraphs_go_on_to_a_second_page() -> None:
    words = tuple(f"Paragraph {n}: " + "what is due and when. " * 12 for n in range(1, 15))
    pdf = letter(paragraphs=words)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = pdf_text(pdf)
    assert all(f"Paragraph {n}:" in text for n in range(1, 15))
    assert "Page 2 of 2" in text
    # The address is on the first page only: the second starts with the words.
    second = " ".join(reader.pages[1].extract_text().split())
    assert "Ana Reyes" not in second and "1200 W 7th St" not in second


@pytest.mark.parametrize(
    ("name", "font"),
    [("李小龍 (Siu Lung Lee)", "DroidSansFallback"), ("محمد علي (Mohammed Ali)", "NotoSansArabic")],
)
def test_a_name_in_another_script_prints_in_its_letters(name: str, font: str) -> None:
    pdf = letter(name=name)
    assert any(font in found for found in font_names(pdf))
    # (The Arabic letters are drawn joined, in their visual order; a reader of the PDF
    # gets them as written from the line's ActualText, which pypdf does not read.)
    assert name.split("(")[1].rstrip(")") in pdf_text(pdf)
    if name.startswith("李"):
        assert name in pdf_text(pdf)


def test_a_long_address_shrinks_to_stay_in_the_window() -> None:
    long = {
        "line1": "12345 North Very Long Boulevard Name Extension Road",
        "line2": "Apartment 4B, Building C, Rear Entrance",
        "city": "Rancho Palos Verdes",
        "state": "CA",
        "postal_code": "90275-1234",
    }
    placed = positions(letter(address=long))
    left, top, _, height = WINDOW
    lines = [
        text
        for text in placed
        if text.startswith(("Ana Reyes", "12345", "Road", "Apartment", "Rancho"))
    ]
    assert len(lines) == 5  # the first street line wraps, at 8 points
    for text in lines:
        x, y, size = placed[text]
        assert size >= 8, text
        assert left <= x and PAGE_HEIGHT - top - height <= y <= PAGE_HEIGHT - top, text


def test_english_and_spanish_have_the_same_keys() -> None:
    keys = {
        language: set(
            yaml.safe_load((TEMPLATES_DIR / "reminder-letter" / f"{language}.yaml").read_text())
        )
        for language in ("en", "es")
    }
    assert keys["en"] == keys["es"]
    assert "RECORDATORIO" in pdf_text(letter(language="es"))
