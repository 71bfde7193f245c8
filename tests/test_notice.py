"""The citation notice PDF: what it says, in English and Spanish, whatever the data contains."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from citations.documents.access import access_for
from citations.documents.contact import OfficeContact
from citations.documents.fonts import with_fallback
from citations.documents.wording import NoticeTemplateError, clean
from citations.errors import CitationsError
from citations.notice.context import NoticeContext, NoticeViolation
from citations.notice.render import render_notice
from citations.record.numbering import CitationNumber
from tests.pdfs import copy_templates, font_names, pdf_text, replace_key, wording

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ACCESS = access_for("7K3MQ9R0PB2X1AQ4", "https://citations.example.gov", birth_date_on_file=True)
"""The access code the documents below print, as a document made to be kept has one."""
NAME_WITH_EVERYTHING = "<b>&amp;</b> <script>alert(1)</script> Ωμέγα Иван 李小龍 Nguyễn\x07Văn"


def make_violation(language: str = "en", **changes: Any) -> NoticeViolation:
    spanish = language == "es"
    values: dict[str, Any] = {
        "code": "TC 41.27(c)",
        "title": "Beber en público" if spanish else "Drinking in public",
        "description": (
            "Beber una bebida alcohólica en la calle, la acera o un parque."
            if spanish
            else "Drinking an alcoholic beverage on a street, sidewalk or park."
        ),
        "legal_reference": "Test City Code 41.27(c)",
        "narrative": "Seated on the park bench holding an open can of beer.",
        "offense_count": 2,
        "prior_count": 1,
        "lookback": "12 meses" if spanish else "12 months",
        "fine": Decimal("250.00"),
        "correction_due": None,
        "community_service_rate": Decimal("20.00"),
        "community_service_max_hours": 50,
        "programs": ["Programa de Justicia Vecinal" if spanish else "Neighborhood Justice Program"],
        "ability_to_pay_rule": "reduced_payment",
        "ability_to_pay_percent": Decimal("20"),
    }
    values.update(changes)
    return NoticeViolation(**values)


def make_context(language: str = "en", **changes: Any) -> NoticeContext:
    """A complete notice context; `changes` replace any field."""
    spanish = language == "es"
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if spanish else "en_US",
        "add_language_line": None,
        "requested_language": None,
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "agency_name": "Test City Police Department",
        "citation_number": "0012345678",
        "qr_payload": ACCESS.link,
        "revision": 1,
        "amendment_reason": None,
        "issued_on": date(2026, 12, 1),
        "mailed_on": None,
        "served_on": date(2026, 12, 1),
        "mail_days": 5,
        "violation_at": datetime(2026, 11, 29, 22, 15, tzinfo=LOS_ANGELES),
        "location": "Pershing Square, 532 S. Olive Street",
        "area": "Downtown",
        "officer_name": "Dana Ortiz",
        "officer_badge": "4471",
        "subject_name": "María José Hernández",
        "subject_address": "1200 W. 7th Street, Apt 5\nTest City, CA 90017",
        "accommodation": None,
        "violations": [make_violation(language)],
        "total_fine": Decimal("250.00"),
        "pay_by": date(2026, 12, 21),
        "contest_by": date(2026, 12, 21),
        "days_to_pay": 20,
        "days_to_contest": 20,
        "late_penalty": Decimal("50.00"),
        "late_penalty_on": date(2027, 1, 5),
        "collection_fee": Decimal("50.00"),
        "collection_on": date(2027, 3, 14),
        "contact": OfficeContact(
            office_name=(
                "Oficina de Citaciones Administrativas"
                if spanish
                else "Administrative Citation Office"
            ),
            phone="(555) 010-2400",
            website="https://citations.example.gov",
            payment_url="https://citations.example.gov/pay",
            mailing_address="Administrative Citation Office, P.O. Box 1000, Test City, CA 90000",
            office_address="200 N. Main Street, Room 101, Test City, CA 90012",
            office_hours=(
                "De lunes a viernes, de 8:00 a. m. a 5:00 p. m."
                if spanish
                else "Monday to Friday, 8:00 a.m. to 5:00 p.m."
            ),
        ),
        "access": ACCESS,
    }
    values.update(changes)
    return NoticeContext(**values)


@pytest.fixture(scope="module")
def english() -> str:
    return pdf_text(render_notice(make_context("en")))


@pytest.fixture(scope="module")
def spanish() -> str:
    return pdf_text(render_notice(make_context("es")))


# What the notice says


def test_the_deadline_sentence_comes_first(english: str, spanish: str) -> None:
    deadline = "Pay $250.00 or contest this citation by December 21, 2026"
    assert english.startswith(deadline)
    assert spanish.startswith(
        "Pague $250.00 o impugne esta citación a más tardar el 21 de diciembre de 2026"
    )


def test_different_pay_and_contest_deadlines_are_both_in_the_deadline_sentence() -> None:
    text = pdf_text(render_notice(make_context(contest_by=date(2026, 12, 28))))
    assert text.startswith(
        "Pay $250.00 by December 21, 2026 or contest this citation by December 28, 2026"
    )


def test_header_says_civil_not_criminal(english: str, spanish: str) -> None:
    assert "City of Test City" in english
    assert "ADMINISTRATIVE CITATION" in english
    assert "It is not a crime and it does not create a criminal record." in english
    assert "CITACIÓN ADMINISTRATIVA" in spanish
    assert "No es un delito y no crea antecedentes penales." in spanish


def test_citation_number_is_printed_with_its_leading_zeros(english: str) -> None:
    assert "Citation number 0012345678" in english


@pytest.mark.parametrize(
    "number",
    [
        CitationNumber("DCPD", 2026, 123),
        CitationNumber("DCPD", 2026, 1_234_567, 7),
        CitationNumber("DCPD", 2026, 14, 9),
        CitationNumber("WWWWWWWW", 2026, 999_999_999, 9),
    ],
    ids=str,
)
def test_a_citation_number_of_any_width_prints_on_one_line(number: CitationNumber) -> None:
    # Fitted exactly to the cell, a nine-digit number once wrapped after its last hyphen.
    text = pdf_text(render_notice(make_context(citation_number=str(number))))
    assert f"Citation number {number} " in text


def test_violation_details(english: str) -> None:
    assert "Sunday, November 29, 2026, at 10:15 PM" in english
    assert "Pershing Square, 532 S. Olive Street (Downtown)" in english
    assert "Dana Ortiz, badge 4471, Test City Police Department" in english
    assert "María José Hernández" in english
    assert "1200 W. 7th Street, Apt 5 Test City, CA 90017" in english
    assert "TC 41.27(c): Drinking in public" in english
    assert "Law: Test City Code 41.27(c)" in english
    assert "Officer's report: Seated on the park bench holding an open can of beer." in english


def test_fine_and_how_it_was_computed(english: str, spanish: str) -> None:
    assert "Fine: $250.00" in english
    assert "2nd offense: 1 prior citation within the last 12 months" in english
    assert "Total fine $250.00" in english
    assert "segunda infracción: 1 citación previa en los últimos 12 meses" in spanish


def test_first_offense_and_correction_order() -> None:
    violation = make_violation(offense_count=1, prior_count=0, correction_due=date(2026, 12, 15))
    text = pdf_text(render_notice(make_context(violations=[violation])))
    assert "How the fine was set: 1st offense" in text
    assert "Order: Correct this violation by December 15, 2026." in text
    assert "Order: Do not repeat this violation." in text


def test_how_where_and_by_when_to_pay(english: str) -> None:
    assert "Pay $250.00 by December 21, 2026." in english
    assert "Online: https://citations.example.gov/pay" in english
    assert "By phone: (555) 010-2400" in english
    assert "By mail: send a check or money order" in english
    assert "P.O. Box 1000" in english
    assert "In person: Administrative Citation Office, 200 N. Main Street" in english
    assert "Monday to Friday, 8:00 a.m. to 5:00 p.m." in english


def test_how_to_contest_and_the_deposit_waiver(english: str, spanish: str) -> None:
    assert "Ask for a review by December 21, 2026." in english
    assert "Step 1, initial written review" in english
    assert "Step 2, hearing" in english
    assert "neutral hearing officer" in english
    assert "advance-deposit hardship waiver" in english
    assert "Pida una revisión a más tardar el 21 de diciembre de 2026." in spanish
    assert "exención del depósito por dificultad económica" in spanish


def test_alternatives_the_violation_offers(english: str, spanish: str) -> None:
    assert "you can pay 20% of the fine ($50.00) in full satisfaction of it" in english
    assert "$20.00 per hour, up to 50 hours" in english
    # $250 at $20 an hour is 12.5 hours (quarter hours, rounded up), not 13 ($260 of work).
    assert "The $250.00 fine equals 12.5 hours of service." in english
    assert "Program instead of paying: Neighborhood Justice Program." in english
    assert "puede pagar el 20% de la multa ($50.00)" in spanish
    assert "$20.00 por hora, hasta un máximo de 50 horas" in spanish
    assert "La multa de $250.00 equivale a 12.5 horas de servicio." in spanish


def test_capped_community_service_says_what_the_hours_cover() -> None:
    violation = make_violation(fine=Decimal("1000.00"), community_service_rate=Decimal("5.00"))
    context = make_context(violations=[violation], total_fine=Decimal("1000.00"))
    text = pdf_text(render_notice(context))
    assert "50 hours cover $250.00 of the $1,000.00 fine." in text


def test_only_offered_alternatives_are_printed() -> None:
    violation = make_violation(
        community_service_rate=None,
        community_service_max_hours=None,
        programs=[],
        ability_to_pay_rule="waiver",
        ability_to_pay_percent=None,
    )
    text = pdf_text(render_notice(make_context(violations=[violation])))
    assert "the fine can be waived" in text
    assert "Reduced payment" not in text
    assert "Community service" not in text
    assert "Program instead of paying" not in text

    nothing = violation.model_copy(update={"ability_to_pay_rule": None})
    text = pdf_text(render_notice(make_context(violations=[nothing])))
    assert "If you cannot afford to pay" not in text


def test_late_penalty_and_collection_dates(english: str, spanish: str) -> None:
    assert "A late penalty of $50.00 will be added on January 5, 2027." in english
    assert "A collection fee of $50.00 will be added on March 14, 2027" in english
    assert "Paying the fine does not excuse you from correcting the violation" in english
    assert "Se agregará un recargo por pago tardío de $50.00 el 5 de enero de 2027." in spanish


def test_no_late_fee_lines_where_the_law_bars_them() -> None:
    context = make_context(late_penalty=None, late_penalty_on=None)
    text = pdf_text(render_notice(context))
    assert "late penalty of" not in text
    assert "collection fee of" not in text  # even though the context has one
    assert "No late penalty and no collection fee will be added to this citation." in text


def test_interpretation_line(english: str, spanish: str) -> None:
    assert "Free interpretation: call (555) 010-2400." in english
    assert "Interpretación gratuita: llame al (555) 010-2400." in spanish


def test_a_second_language_line_and_the_requested_language() -> None:
    context = make_context(add_language_line="es", requested_language="vi")
    text = pdf_text(render_notice(context))
    assert "¿Necesita ayuda en español? Llame al (555) 010-2400." in text
    assert "You told us your preferred language is Vietnamese." in text
    assert "ask for an interpreter in Vietnamese" in text


def test_accommodation_on_file() -> None:
    text = pdf_text(render_notice(make_context(accommodation="Large print; an ASL interpreter")))
    assert "Your accommodation request is on file" in text
    assert "Large print; an ASL interpreter" in text
    assert "accommodation request is on file" not in pdf_text(render_notice(make_context()))


def test_amended_notice_is_marked_with_its_reason() -> None:
    context = make_context(revision=2, amendment_reason="Corrected the location")
    text = pdf_text(render_notice(context))
    assert "AMENDED NOTICE (revision 2)" in text
    assert "Reason for the change: Corrected the location" in text
    spanish = pdf_text(render_notice(make_context("es", revision=3, amendment_reason="Error")))
    assert "AVISO MODIFICADO (versión 3)" in spanish


def test_the_way_online_with_this_notice_s_code(english: str, spanish: str) -> None:
    assert (
        "See and answer this citation online: citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — "
        "or go to citations.example.gov and enter your citation number and date of birth."
    ) in english
    assert (
        "Vea y responda su citación en línea: citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — "
        "o vaya a citations.example.gov e ingrese su número de citación y su fecha de "
        "nacimiento."
    ) in spanish
    assert "Scan to pay or respond online" in english


def test_without_a_date_of_birth_the_link_is_the_way_in() -> None:
    access = ACCESS.model_copy(update={"birth_date_on_file": False})
    text = pdf_text(render_notice(make_context(access=access)))
    assert "online: citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4. What happened" in text
    assert "date of birth" not in text


def test_a_notice_drawn_without_a_code_sends_the_person_to_the_site() -> None:
    context = make_context(access=None, qr_payload="https://citations.example.gov/")
    text = pdf_text(render_notice(context))
    assert (
        "See and answer this citation online: go to https://citations.example.gov and enter "
        "your citation number and date of birth."
    ) in text
    assert "/c/" not in text


def test_an_original_notice_has_no_amended_mark(english: str) -> None:
    assert "AMENDED" not in english


def test_every_page_has_the_footer() -> None:
    reader = PdfReader(BytesIO(render_notice(make_context())))
    pages = len(reader.pages)
    assert pages in (1, 2)
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Citation 0012345678 · Page {number} of {pages} · City of Test City" in text


def test_several_violations_fit_on_two_pages_and_list_each_offer() -> None:
    second = make_violation(code="TC 63.44", title="Park after hours", fine=Decimal("100.00"))
    context = make_context(
        violations=[make_violation(), second],
        total_fine=Decimal("350.00"),
        revision=2,
        amendment_reason="Added a violation",
        add_language_line="es",
        requested_language="vi",
        accommodation="Large print",
    )
    pdf = render_notice(context)
    assert len(PdfReader(BytesIO(pdf)).pages) == 2
    text = pdf_text(pdf)
    assert "Violations" in text
    assert "For TC 41.27(c), Drinking in public:" in text
    assert "For TC 63.44, Park after hours:" in text
    assert "Total fine $350.00" in text


# Whatever the data contains


def test_markup_and_any_script_in_data_print_literally() -> None:
    context = make_context(
        subject_name=NAME_WITH_EVERYTHING,
        violations=[make_violation(narrative="Said: <i>no</i> & left\nSecond line 한국어")],
    )
    pdf = render_notice(context)
    text = pdf_text(pdf)
    assert "<b>&amp;</b> <script>alert(1)</script> Ωμέγα Иван" in text
    assert "NguyễnVăn" in text  # the control character is dropped, nothing else
    assert "\x07" not in text
    assert "Said: <i>no</i> & left" in text
    # The Chinese and Korean runs are drawn with the embedded CJK font.
    assert any(name.endswith("+DroidSansFallback") for name in font_names(pdf))
    assert "李小龍" in text
    assert "한국어" in text


def test_a_narrative_longer_than_a_page_continues_on_the_next_page() -> None:
    narrative = " ".join(f"Sentence {n} of the officer's long report." for n in range(600))
    pdf = render_notice(make_context(violations=[make_violation(narrative=narrative)]))
    text = pdf_text(pdf)
    assert "Sentence 0 of the officer's long report." in text
    assert "Sentence 599 of the officer's long report." in text
    assert "How the fine was set: 2nd offense" in text


def test_only_embedded_truetype_fonts_are_used() -> None:
    pdf = render_notice(make_context(subject_name=NAME_WITH_EVERYTHING))
    names = font_names(pdf)
    # Subset fonts are named "ABCDEF+Name"; the standard 14 fonts have bare names.
    assert names
    assert all(re.fullmatch(r"/[A-Z]{6}\+[\w-]+", name) for name in names), names


def test_same_context_same_bytes() -> None:
    assert render_notice(make_context()) == render_notice(make_context())


def test_pdf_metadata() -> None:
    reader = PdfReader(BytesIO(render_notice(make_context("es"))))
    assert reader.metadata is not None
    assert reader.metadata.title == "Citación administrativa 0012345678"
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    assert str(catalog["/Lang"]) == "es"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("plain", "plain"),
        ("李小龍", '<font name="NoticeCJK">李小龍</font>'),
        ("<b>李</b> x", '<b><font name="NoticeCJK">李</font></b> x'),
        ("&lt;李&gt;", '&lt;<font name="NoticeCJK">李</font>&gt;'),
        ("李 王 x", '<font name="NoticeCJK">李 王</font> x'),
        ("Ωμέγα Иван Nguyễn", "Ωμέγα Иван Nguyễn"),
    ],
)
def test_font_fallback_runs(markup: str, expected: str) -> None:
    assert with_fallback(markup) == expected


@pytest.mark.parametrize(
    ("raw", "printed"),
    [
        ("a\x00b", "ab"),
        ("a\x0bb\x0cc", "a b c"),  # controls that act as whitespace become a space
        ("a\x7fb\x9bc", "abc"),  # DEL and C1 controls
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("e\u0301", "é"),  # NFC
        ("\ud800", "\ufffd"),
    ],
)
def test_clean(raw: str, printed: str) -> None:
    assert clean(raw) == printed


# Wording files


def test_english_and_spanish_have_the_same_keys() -> None:
    assert wording("notice", "en").keys() == wording("notice", "es").keys()


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real templates folder to break."""
    return copy_templates(tmp_path, ["notice"])


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("deadline", "Pay by {{ long_date(pay_by) ", "template syntax error"),
        ("pay_intro", "{% if pay_by %}unclosed", "template syntax error"),
        ("pay_phone", "Call {{ contact.fax }}", "undefined variable"),
        ("contest_intro", "By {{ contest_byy }}", "undefined variable"),
        ("civil", "<b>unclosed bold", "bad paragraph markup"),
        ("issued", "{{ long_date(late_penalty_on) }}", "cannot render"),
    ],
)
def test_broken_template_names_file_and_key(
    templates: Path, key: str, value: str, problem: str
) -> None:
    path = replace_key(templates, "notice", key, value)
    context = make_context(late_penalty_on=None)
    with pytest.raises(NoticeTemplateError) as raised:
        render_notice(context, templates)
    message = str(raised.value)
    assert str(path) in message
    assert repr(key) in message
    assert problem in message
    assert raised.value.key == key
    assert isinstance(raised.value, CitationsError)


def test_missing_key_names_file_and_key(templates: Path) -> None:
    values = wording("notice", "en")
    del values["late_penalty"]
    path = templates / "notice" / "en.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match="key 'late_penalty': this key is missing"):
        render_notice(make_context(), templates)


def test_missing_language_file_names_the_file(templates: Path) -> None:
    with pytest.raises(NoticeTemplateError, match=r"fr\.yaml: no wording file for this language"):
        render_notice(make_context(language="fr"), templates)
    with pytest.raises(NoticeTemplateError, match=r"vi\.yaml: no wording file"):
        render_notice(make_context(add_language_line="vi"), templates)


def test_repeated_key_and_bad_yaml_name_the_line(templates: Path) -> None:
    path = templates / "notice" / "en.yaml"
    path.write_text('title: "A"\ncivil: "B"\ntitle: "C"\n', encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match=r"en\.yaml, line 3, key 'title': repeats"):
        render_notice(make_context(), templates)
    path.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match=r"en\.yaml, line 2: not valid YAML"):
        render_notice(make_context(), templates)


def test_templates_cannot_reach_python_internals(templates: Path) -> None:
    replace_key(templates, "notice", "title", "{{ citation_number.__class__.__mro__ }}")
    with pytest.raises(NoticeTemplateError, match="key 'title'"):
        render_notice(make_context(), templates)
