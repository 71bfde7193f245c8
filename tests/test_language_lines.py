"""The language block: every document a person gets carries a help line in each language the
city lists, each in its own script (no missing glyphs), the person's own language first, right
to left where the script is; and text left in the office's language is marked as such."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import arabic_reshaper
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from citations.database import transaction
from citations.documents.contact import OfficeContact
from citations.documents.fonts import ARABIC, font_runs, register_fonts
from citations.documents.language_lines import lines_for, right_to_left
from citations.hearings.render import render_hearing_notice, render_order
from citations.notice.build import build_notice
from citations.notice.context import NoticeContext
from citations.notice.render import render_notice
from citations.payments.render import render_late_notice, render_receipt
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.models import Jurisdiction
from tests.factories import good_catalog, message, prepare, send, subject
from tests.pdfs import font_names, make_contact, pdf_text
from tests.test_hearing_documents import make_hearing_notice, make_order
from tests.test_money_documents import make_late_notice, make_receipt
from tests.test_notice import make_context

PROFILE = load_catalog(DEMO_CATALOG).jurisdiction
PHONE = "(555) 010-2400"

# The start of each demo line, as it reads in its own language (logical order), compared as
# `read` gives the PDF's text (NFKC: the Armenian ligature և reads as ե and ւ).
STARTS = {
    "es": "Este es un aviso importante sobre una citación de la ciudad.",
    "zh-Hant": "這是有關市政府行政罰單的重要通知。",
    "zh-Hans": "这是有关市政府行政罚单的重要通知。",
    "ko": "시 과태료 고지서에 관한 중요한 안내문입니다.",
    "vi": "Đây là thông báo quan trọng về giấy phạt của thành phố.",
    "tl": "Mahalagang abiso ito tungkol sa isang tiket mula sa lungsod.",
    "hy": "Սա կարևոր ծանուցում է քաղաքային տուգանքի մասին։",
    "ru": "Это важное уведомление о городском административном штрафе.",
    "fa": "این یک اطلاعیه مهم درباره جریمه شهرداری است.",
    "ar": "هذا إشعار مهم بشأن مخالفة صادرة عن المدينة.",
    "ja": "これは市が発行した違反通知に関する重要なお知らせです。",
}
STARTS = {language: unicodedata.normalize("NFKC", start) for language, start in STARTS.items()}
"""Khmer is drawn shaped (its vowels before their consonants), so its PDF text is not in
written order for pypdf; its glyphs are checked against the font instead."""


def contact_for(person: str | None, language: str = "en") -> OfficeContact:
    return make_contact(language).model_copy(
        update={"language_lines": lines_for(PROFILE, person), "written_in": "en"}
    )


def read(pdf: bytes) -> str:
    """The PDF's text with Arabic letters' joined forms read as the letters (NFKC)."""
    return unicodedata.normalize("NFKC", pdf_text(pdf))


@dataclass(frozen=True)
class Document:
    make: Callable[..., Any]
    render: Callable[[Any], bytes]


DOCUMENTS = {
    "notice": Document(make_context, render_notice),
    "amended notice": Document(
        lambda language, **changes: make_context(
            language, revision=2, amendment_reason="Wrong street", **changes
        ),
        render_notice,
    ),
    "hearing notice": Document(make_hearing_notice, render_hearing_notice),
    "order": Document(make_order, render_order),
    "receipt": Document(make_receipt, render_receipt),
    "late notice": Document(make_late_notice, render_late_notice),
}


def document_text(name: str, person: str | None, language: str = "en") -> str:
    document = DOCUMENTS[name]
    return read(document.render(document.make(language, contact=contact_for(person, language))))


# The profile


def test_the_demo_city_lists_los_angeles_countys_threshold_languages() -> None:
    assert [line.language for line in PROFILE.language_lines] == [
        "es", "zh-Hant", "zh-Hans", "ko", "vi", "tl", "hy", "ru", "fa", "km", "ar", "ja",
    ]  # fmt: skip
    for line in PROFILE.language_lines:
        assert line.text.count("{phone}") == 1


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([{"language": "es", "text": "Llame para recibir ayuda."}], "{phone} exactly once"),
        ([{"language": "es", "text": "Llame al {phone} o al {phone}."}], "{phone} exactly once"),
        ([{"language": "es", "text": "Llame al {telefono} o {phone}."}], "a brace"),
        ([{"language": "zh-hant", "text": "{phone}"}], "String should match pattern"),
        (
            [{"language": "ko", "text": "{phone}"}, {"language": "ko", "text": "{phone}번"}],
            "two language lines for ko",
        ),
    ],
)
def test_a_bad_language_line_is_refused(lines: list[dict[str, str]], problem: str) -> None:
    profile = PROFILE.model_dump(mode="json") | {"language_lines": lines}
    with pytest.raises(ValidationError, match=problem):
        Jurisdiction.model_validate(profile)


def test_every_character_of_every_line_is_in_the_font_it_is_drawn_in() -> None:
    coverage = register_fonts()
    for line in lines_for(PROFILE, None):
        # A right-to-left line is drawn in its joined forms, in Noto Sans Arabic first.
        drawn, prefer = (
            (arabic_reshaper.reshape(line.text), ARABIC)
            if right_to_left(line.text)
            else (line.text, None)
        )
        for font, run in font_runs(drawn, prefer):
            missing = [
                c
                for c in run
                if unicodedata.category(c) != "Cf" and ord(c) not in coverage.fonts[font]
            ]
            assert not missing, (line.language, font, missing)


def test_hangul_kana_and_both_chinese_scripts_are_in_the_cjk_font() -> None:
    fallback = register_fonts().fallback
    for text in ("한국어 과태료", "ひらがな カタカナ", "罰單 罚单 這 这"):
        assert all(ord(c) in fallback for c in text if not c.isspace()), text


def test_the_persons_own_language_comes_first_with_the_phone() -> None:
    chinese = lines_for(PROFILE, "zh")
    assert [(line.language, line.own) for line in chinese[:3]] == [
        ("zh-Hant", True),
        ("zh-Hans", True),
        ("es", False),
    ]
    assert [line.language for line in lines_for(PROFILE, "ar")][:2] == ["ar", "es"]
    assert lines_for(PROFILE, None)[0].language == "es"
    assert all(PHONE.replace(" ", "\xa0") in line.text for line in chinese)
    # Inside a right-to-left line the number stays whole, left to right.
    [arabic] = [line for line in chinese if line.language == "ar"]
    assert "\u2066(555)\xa0010-2400\u2069" in arabic.text


# Every document a person gets


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_carries_every_line_the_persons_own_first(name: str) -> None:
    text = document_text(name, "zh")
    block = text.index("Free help in your language")
    for language, start in STARTS.items():
        assert start in text[block:], (name, language)
    # Chinese (both scripts) first in the block, then the rest in the city's order.
    places = [text.index(STARTS[language], block) for language in ("zh-Hant", "zh-Hans", "es")]
    assert places == sorted(places)
    # And the person's own language once more near the top, before the document's body.
    assert text.index(STARTS["zh-Hant"]) < block
    assert "¿Necesita ayuda en español?" not in text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_arabic_and_farsi_lines_read_in_their_own_order(name: str) -> None:
    text = document_text(name, "ar")
    for language in ("ar", "fa"):
        assert STARTS[language] in text, (name, language)
    # The Arabic speaker's line is under the top box too, before the document's body.
    assert text.index(STARTS["ar"]) < text.index("Free help in your language")
    assert "للحصول على مساعدة مجانية بلغتك، اتصل على الرقم" in text


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_document_in_spanish_leaves_out_the_spanish_line(name: str) -> None:
    text = document_text(name, "es", "es")
    assert "Ayuda gratuita en su idioma" in text
    assert STARTS["es"] not in text
    assert STARTS["zh-Hant"] in text and STARTS["ar"] in text
    # Nothing under the top box: the document is in the person's language.
    assert text.index(STARTS["zh-Hant"]) > text.index("Ayuda gratuita en su idioma")


def test_a_city_without_language_lines_prints_no_block() -> None:
    text = read(render_notice(make_context("en")))
    assert "Free help in your language" not in text
    assert STARTS["es"] not in text


def test_the_block_is_drawn_right_to_left_and_in_its_fonts() -> None:
    pdf = render_notice(make_context("en", contact=contact_for("ar")))
    fonts = {name.split("+")[-1] for name in font_names(pdf)}
    assert {"NotoSansArabic-Regular", "NotoSansKhmer-Regular", "DroidSansFallback"} <= fonts
    # pypdf reads glyphs in drawing order: the joined forms of the Arabic line are there.
    joined = arabic_reshaper.reshape("اتصل على الرقم")
    assert joined != "اتصل على الرقم"
    assert all(form in pdf_text(pdf) for form in joined.split())


# Text left in the language it was written in


def test_a_spanish_notice_marks_the_officers_report_as_in_english() -> None:
    spanish = read(render_notice(make_context("es", contact=contact_for("es", "es"))))
    assert "Informe del agente (en inglés): Seated on the park bench" in spanish
    english = read(render_notice(make_context("en", contact=contact_for("en"))))
    assert "Officer's report: Seated on the park bench" in english


def test_a_spanish_order_marks_the_findings_as_in_english() -> None:
    context = make_order("es", contact=contact_for("es", "es"))
    text = read(render_order(context))
    assert f"{' '.join(context.findings.split())} (en inglés)" in text
    unmarked = read(render_order(make_order("es")))
    assert "(en inglés)" not in unmarked


# From an issued citation


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def notice_of(engine: Engine, profile: Jurisdiction, **person: Any) -> NoticeContext:
    number = send(engine, message(subject=subject(**person))).result.citation_number
    assert number is not None
    with transaction(engine) as session:
        return build_notice(find_citation(session, number, OPERATOR), profile)


def test_a_chinese_speakers_notice_opens_in_chinese_not_spanish(ready: Engine) -> None:
    profile = good_catalog().jurisdiction.model_copy(
        update={"language_lines": PROFILE.language_lines}
    )
    context = notice_of(
        ready,
        profile,
        first_name="Siu Lung",
        last_name="Lee",
        name_as_written="李小龍",
        preferred_language="zh",
    )
    assert context.language == "en" and context.add_language_line is None
    assert [line.language for line in context.contact.language_lines[:2]] == ["zh-Hant", "zh-Hans"]
    assert context.subject_name == "李小龍 (Siu Lung Lee)"
    text = read(render_notice(context))
    assert text.index(STARTS["zh-Hant"]) < text.index("What happened")
    assert "¿Necesita ayuda en español?" not in text
    assert "李小龍 (Siu Lung Lee)" in text


def test_a_language_the_city_has_no_line_for_keeps_the_spanish_offer(ready: Engine) -> None:
    profile = good_catalog().jurisdiction.model_copy(
        update={"language_lines": PROFILE.language_lines}
    )
    context = notice_of(ready, profile, preferred_language="so")
    assert context.add_language_line == "es"
    assert not any(line.own for line in context.contact.language_lines)
    assert context.contact.language_lines[0].language == "es"
