"""The hearing documents as PDFs: hearing notice, docket sheet and decision order, in English
and Spanish, whatever the data contains."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
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
from citations.errors import CitationsError
from citations.hearings.documents import (
    DocketEntry,
    DocketSheetContext,
    HearingNoticeContext,
    OrderContext,
    PaymentInstallment,
)
from citations.hearings.render import (
    NoticeTemplateError,
    render_docket_sheet,
    render_hearing_notice,
    render_order,
)
from tests.pdfs import copy_templates, font_names, make_contact, pdf_text, replace_key, wording

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ACCESS = access_for("7K3MQ9R0PB2X1AQ4", "https://citations.example.gov", birth_date_on_file=True)
"""The access code the documents below print, as a document made to be kept has one."""
LANGUAGES = ("en", "es")
# A stored moment without a zone is taken as the jurisdiction's local time.
NAIVE_ONE_PM = datetime(2027, 1, 5, 13, 0, tzinfo=LOS_ANGELES).replace(tzinfo=None)
FINDINGS_WITH_EVERYTHING = (
    "The officer's photo shows <b>&amp;</b> an open can & a bottle <script>x</script>.\n"
    "Witness 李小龍 confirmed it; Ωμέγα Иван Nguyễn did not."
)


# Factories


def make_hearing_notice(language: str = "en", **changes: Any) -> HearingNoticeContext:
    """A hearing notice for an in-person hearing with a video option; `changes` replace fields."""
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if language == "es" else "en_US",
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "citation_number": "0012345678",
        "subject_name": "María José Hernández",
        "subject_address": "1200 W. 7th Street, Apt 5\nTest City, CA 90017",
        "hearing_date": date(2027, 1, 12),
        "start_time": time(9, 30),
        "time_zone": "America/Los_Angeles",
        "place": "Hearing Room B, City Hall East, 200 N. Main Street, Test City, CA 90012",
        "remote_link": "https://meet.example.gov/hearings/7F3K-22",
        "hearing_officer_name": "Jordan Lee",
        "interpreter_language": "es",
        "rescheduled_from": None,
        "sent_on": date(2026, 12, 22),
        "amount_at_issue": Decimal("250.00"),
        "deposit_paid": None,
        "deposit_waived": True,
        "contact": make_contact(language),
        "access": ACCESS,
    }
    values.update(changes)
    return HearingNoticeContext(**values)


def make_entry(position: int, **changes: Any) -> DocketEntry:
    values: dict[str, Any] = {
        "position": position,
        "slot_time": time(9, 0 + 15 * ((position - 1) % 4)),
        "citation_number": f"00123456{70 + position}",
        "subject_name": f"Person {position}",
        "ordinances": ["TC 41.27(c) Drinking alcohol in public"],
        "amount_at_issue": Decimal("250.00"),
        "interpreter_language": None,
        "deposit": "paid",
        "rescheduled": False,
        "status": "scheduled",
    }
    values.update(changes)
    return DocketEntry(**values)


def make_entries() -> list[DocketEntry]:
    return [
        make_entry(1, subject_name="María José Hernández", interpreter_language="es"),
        make_entry(
            2,
            subject_name="李小龍 (Lee Siu-lung)",
            ordinances=[
                "TC 41.18(d) Obstructing a sidewalk",
                "TC 42.00(b) Sidewalk vending without a permit",
            ],
            amount_at_issue=Decimal("500.00"),
            interpreter_language="zh",
            deposit="waived",
            rescheduled=True,
        ),
        make_entry(3, subject_name="Nguyễn Văn An", interpreter_language="vi", status="no_show"),
        make_entry(4, subject_name="John <b>&</b> Smith", status="held"),
        make_entry(5, slot_time=None, interpreter_language="es", status="postponed"),
    ]


def make_docket(language: str = "en", **changes: Any) -> DocketSheetContext:
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if language == "es" else "en_US",
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "session_date": date(2027, 1, 12),
        "start_time": time(9, 0),
        "time_zone": "America/Los_Angeles",
        "place": "Hearing Room B, City Hall East, 200 N. Main Street",
        "remote_link": "https://meet.example.gov/hearings/7F3K-22",
        "hearing_officer_name": "Jordan Lee",
        "capacity": 8,
        "entries": make_entries(),
        "interpreters_needed": {"es": 2, "zh": 1, "vi": 1},
        "printed_at": datetime(2027, 1, 11, 16, 5, tzinfo=LOS_ANGELES),
    }
    values.update(changes)
    return DocketSheetContext(**values)


def make_order(language: str = "en", **changes: Any) -> OrderContext:
    """A hearing decision that upholds the citation; `changes` replace any field."""
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if language == "es" else "en_US",
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "citation_number": "0012345678",
        "subject_name": "María José Hernández",
        "subject_address": "1200 W. 7th Street, Apt 5\nTest City, CA 90017",
        "tier": "hearing",
        "outcome": "upheld",
        "decided_on": date(2027, 1, 20),
        "decided_by": "Jordan Lee",
        "findings": FINDINGS_WITH_EVERYTHING,
        "original_amount": Decimal("250.00"),
        "new_amount": Decimal("250.00"),
        "reduction_reason": None,
        "amount_paid": Decimal("0.00"),
        "amount_due": Decimal("250.00"),
        "pay_by": date(2027, 2, 19),
        "payment_schedule": [],
        "refund": None,
        "hearing_request_by": None,
        "appeal_by": date(2027, 2, 9),
        "court_name": "Superior Court of California, County of Test",
        "court_address": "111 N. Hill Street, Test City, CA 90012",
        "court_filing_fee": Decimal("25.00"),
        "set_aside_by": None,
        "contact": make_contact(language),
        "access": ACCESS,
    }
    values.update(changes)
    return OrderContext(**values)


def make_review_order(language: str = "en", **changes: Any) -> OrderContext:
    """An initial review that reduces the fine, with a payment plan."""
    values: dict[str, Any] = {
        "tier": "review",
        "outcome": "reduced",
        "decided_by": "Sam Rivera",
        "findings": "The photos show the can was closed.",
        "new_amount": Decimal("100.00"),
        "reduction_reason": "First violation; the person corrected it the same day.",
        "amount_due": Decimal("100.00"),
        "pay_by": None,
        "payment_schedule": [
            PaymentInstallment(due_on=date(2027, 2, 19), amount=Decimal("40.00")),
            PaymentInstallment(due_on=date(2027, 3, 19), amount=Decimal("30.00")),
            PaymentInstallment(due_on=date(2027, 4, 19), amount=Decimal("30.00")),
        ],
        "hearing_request_by": date(2027, 2, 4),
        "appeal_by": None,
        "court_name": None,
        "court_address": None,
        "court_filing_fee": None,
    }
    values.update(changes)
    return make_order(language, **values)


def make_default_order(language: str = "en", **changes: Any) -> OrderContext:
    values: dict[str, Any] = {
        "outcome": "default",
        "findings": "The person did not appear and did not ask for a new date.",
        "appeal_by": None,
        "set_aside_by": date(2027, 2, 10),
    }
    values.update(changes)
    return make_order(language, **values)


def make_dismissed_order(language: str = "en", **changes: Any) -> OrderContext:
    values: dict[str, Any] = {
        "outcome": "dismissed",
        "findings": "The city did not show that the violation happened.",
        "new_amount": Decimal("0.00"),
        "amount_paid": Decimal("250.00"),
        "amount_due": Decimal("0.00"),
        "pay_by": None,
        "refund": Decimal("250.00"),
        "appeal_by": None,
    }
    values.update(changes)
    return make_order(language, **values)


# Reading the PDFs


@pytest.fixture(scope="module")
def notice_en() -> str:
    return pdf_text(render_hearing_notice(make_hearing_notice("en")))


@pytest.fixture(scope="module")
def notice_es() -> str:
    return pdf_text(render_hearing_notice(make_hearing_notice("es")))


@pytest.fixture(scope="module")
def docket_en() -> str:
    return pdf_text(render_docket_sheet(make_docket("en")))


@pytest.fixture(scope="module")
def docket_es() -> str:
    return pdf_text(render_docket_sheet(make_docket("es")))


@pytest.fixture(scope="module")
def order_en() -> str:
    return pdf_text(render_order(make_order("en")))


@pytest.fixture(scope="module")
def order_es() -> str:
    return pdf_text(render_order(make_order("es")))


# The hearing notice


def test_hearing_date_and_time_come_first(notice_en: str, notice_es: str) -> None:
    assert notice_en.startswith(
        "Your hearing is on Tuesday, January 12, 2027, at 9:30 AM (Pacific Standard Time)"
    )
    assert notice_es.startswith(
        "Su audiencia es el martes, 12 de enero de 2027, a las 9:30 a.m. "
        "(hora estándar del Pacífico)"
    )


def test_hearing_place_link_and_officer(notice_en: str, notice_es: str) -> None:
    assert "In person: Hearing Room B, City Hall East, 200 N. Main Street" in notice_en
    assert "By video: https://meet.example.gov/hearings/7F3K-22" in notice_en
    assert "Jordan Lee, a neutral hearing officer who is not a city employee" in notice_en
    assert "NOTICE OF ADMINISTRATIVE HEARING" in notice_en
    assert "Citation number 0012345678" in notice_en
    assert "Sent December 22, 2026" in notice_en
    assert "En persona: Hearing Room B" in notice_es
    assert "Por video: https://meet.example.gov/hearings/7F3K-22" in notice_es
    assert "AVISO DE AUDIENCIA ADMINISTRATIVA" in notice_es


def test_daylight_time_in_summer_and_one_oclock_in_spanish() -> None:
    context = make_hearing_notice("es", hearing_date=date(2027, 7, 13), start_time=time(13, 0))
    text = pdf_text(render_hearing_notice(context))
    assert text.startswith(
        "Su audiencia es el martes, 13 de julio de 2027, a la 1:00 p.m. "
        "(hora de verano del Pacífico)"
    )


def test_only_the_ways_to_attend_that_apply() -> None:
    text = pdf_text(render_hearing_notice(make_hearing_notice(remote_link=None)))
    assert "In person: Hearing Room B" in text
    assert "By video" not in text
    assert "Joining by video?" not in text
    text = pdf_text(render_hearing_notice(make_hearing_notice(place=None)))
    assert "By video: https://meet.example.gov" in text
    assert "In person" not in text
    assert "Joining by video? Send copies" in text


def test_what_to_bring(notice_en: str, notice_es: str) -> None:
    assert "This notice and your citation (number 0012345678)." in notice_en
    assert "Your evidence: photos, videos, documents, receipts" in notice_en
    assert "Witnesses who saw what happened." in notice_en
    assert "A photo ID," in notice_en
    assert "Sus pruebas: fotos, videos, documentos" in notice_es
    assert "Una identificación con foto" in notice_es


def test_interpreter_provided_free_of_charge(notice_en: str, notice_es: str) -> None:
    assert "an interpreter in Spanish will be at your hearing, free of charge" in notice_en
    assert "habrá un intérprete de español en su audiencia, sin costo para usted" in notice_es
    text = pdf_text(render_hearing_notice(make_hearing_notice(interpreter_language="vi")))
    assert "an interpreter in Vietnamese will be at your hearing" in text


def test_how_to_ask_for_an_interpreter_when_none_is_set() -> None:
    text = pdf_text(render_hearing_notice(make_hearing_notice(interpreter_language=None)))
    assert "Need an interpreter? We provide one free of charge, in your language." in text
    assert "will be at your hearing" not in text


def test_accommodation_and_reschedule(notice_en: str, notice_es: str) -> None:
    assert "Disability accommodations:" in notice_en
    assert "Accommodations are free." in notice_en
    assert "Ask for a new date as soon as you know, before the hearing" in notice_en
    assert "Adaptaciones por discapacidad:" in notice_es
    assert "Pida una nueva fecha en cuanto lo sepa" in notice_es


def test_amount_at_issue_and_deposit(notice_en: str, notice_es: str) -> None:
    assert "Amount at issue $250.00" in notice_en
    assert "Deposit Waived. You do not have to pay anything before the hearing." in notice_en
    assert "Depósito No tiene que pagarlo: se le concedió la exención." in notice_es
    paid = make_hearing_notice(deposit_waived=False, deposit_paid=Decimal("250.00"))
    text = pdf_text(render_hearing_notice(paid))
    assert "Paid: $250.00. It will be refunded if the citation is dismissed" in text
    assert "(your deposit is applied to it)" in text


def test_what_happens_if_the_person_does_not_come(notice_en: str, notice_es: str) -> None:
    assert "If you do not come to your hearing" in notice_en
    assert "the hearing officer will decide without you" in notice_en
    assert "This is called a default: the citation is upheld and the full amount" in notice_en
    assert "you can ask to set the default aside" in notice_en
    assert "decisión por incomparecencia" in notice_es
    assert "se confirma la citación" in notice_es
    assert "deje sin efecto la decisión por incomparecencia" in notice_es


def test_rescheduled_mark_with_the_earlier_date() -> None:
    moved = make_hearing_notice(
        rescheduled_from=datetime(2027, 1, 5, 18, 0, tzinfo=ZoneInfo("UTC"))
    )
    text = pdf_text(render_hearing_notice(moved))
    assert text.startswith("RESCHEDULED: THIS IS YOUR NEW HEARING DATE")
    # Shown in the hearing's time zone (18:00 UTC is 10:00 in Los Angeles in January).
    assert "The earlier date, Tuesday, January 5, 2027, at 10:00 AM, no longer applies." in text
    spanish = pdf_text(
        render_hearing_notice(make_hearing_notice("es", rescheduled_from=NAIVE_ONE_PM))
    )
    assert spanish.startswith("AUDIENCIA REPROGRAMADA: ESTA ES SU NUEVA FECHA")
    assert "La fecha anterior, el martes, 5 de enero de 2027, a la 1:00 p.m., ya no es" in spanish


def test_a_first_notice_has_no_rescheduled_mark(notice_en: str, notice_es: str) -> None:
    assert "RESCHEDULED" not in notice_en
    assert "REPROGRAMADA" not in notice_es


def test_hearing_notice_footer_on_every_page() -> None:
    reader = PdfReader(BytesIO(render_hearing_notice(make_hearing_notice())))
    pages = len(reader.pages)
    assert pages in (1, 2)
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Hearing notice · Citation 0012345678 · Page {number} of {pages}" in text


# The docket sheet


def test_docket_header(docket_en: str, docket_es: str) -> None:
    assert "HEARING DOCKET" in docket_en
    assert "Session Tuesday, January 12, 2027" in docket_en
    assert "Starts 9:00 AM (Pacific Standard Time)" in docket_en
    assert "Hearing officer Jordan Lee" in docket_en
    assert "Scheduled 5 of 8 places; $1,500.00 at issue in all" in docket_en
    assert "LISTA DE AUDIENCIAS" in docket_es
    assert "Sesión martes, 12 de enero de 2027" in docket_es
    assert "Programadas 5 de 8 cupos" in docket_es


def test_docket_rows(docket_en: str) -> None:
    assert "Outcome and notes (hearing officer)" in docket_en
    assert (
        "1 9:00 AM 0012345671 María José Hernández TC 41.27(c) Drinking alcohol in public"
        in docket_en
    )
    assert "$250.00 Spanish Paid" in docket_en
    assert "2 9:15 AM 0012345672 李小龍 (Lee Siu-lung)" in docket_en
    assert (
        "TC 41.18(d) Obstructing a sidewalk TC 42.00(b) Sidewalk vending without a permit"
        in docket_en
    )
    assert "$500.00 Chinese Waived Yes Scheduled" in docket_en
    assert "Vietnamese Paid — No-show" in docket_en
    assert "John <b>&</b> Smith" in docket_en
    assert "Held" in docket_en
    assert "5 — 0012345675" in docket_en  # no slot time
    assert "Postponed" in docket_en
    # The hearing officer ticks an outcome in every row.
    assert docket_en.count("☐ Upheld") == 5


def test_docket_interpreter_summary(docket_en: str, docket_es: str) -> None:
    assert "Interpreters needed" in docket_en
    assert "Spanish 2 1, 5" in docket_en
    assert "Chinese 1 2" in docket_en
    assert "Vietnamese 1 3" in docket_en
    assert "Intérpretes necesarios" in docket_es
    assert "Español 2 1, 5" in docket_es


def test_docket_in_spanish(docket_es: str) -> None:
    assert "$500.00 Chino Exento Sí Programada" in docket_es
    assert "No se presentó" in docket_es
    assert "☐ Confirmada" in docket_es


def test_docket_without_interpreters_or_hearings() -> None:
    text = pdf_text(render_docket_sheet(make_docket(entries=[], interpreters_needed={})))
    assert "No hearings are scheduled for this session." in text
    assert "No interpreters are needed for this session." in text
    assert "Scheduled 0 of 8 places" in text


def test_docket_is_landscape_and_a_long_docket_repeats_its_header() -> None:
    entries = [make_entry(n) for n in range(1, 31)]
    pdf = render_docket_sheet(make_docket(entries=entries, capacity=30, interpreters_needed={}))
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        assert page.mediabox.width > page.mediabox.height
        text = " ".join(page.extract_text().split())
        assert "Outcome and notes (hearing officer)" in text
        assert f"Page {number} of {len(reader.pages)}" in text
        assert "Printed Jan 11, 2027 4:05 PM" in text
    assert "Person 30" in pdf_text(pdf)


# The decision order


def test_order_outcome_and_next_deadline_come_first(order_en: str, order_es: str) -> None:
    assert order_en.startswith(
        "Your citation has been upheld You owe $250.00. Pay by February 19, 2027. If you "
        "disagree, you can appeal to Superior Court of California, County of Test by "
        "February 9, 2027."
    )
    assert order_es.startswith(
        "Su citación ha sido confirmada Usted debe $250.00. Pague a más tardar el 19 de "
        "febrero de 2027."
    )


def test_order_decision_details(order_en: str, order_es: str) -> None:
    assert "DECISION AFTER ADMINISTRATIVE HEARING" in order_en
    assert "Upheld: the citation stands." in order_en
    assert "Date of decision January 20, 2027" in order_en
    assert "Decided by Jordan Lee, hearing officer" in order_en
    assert "DECISIÓN TRAS LA AUDIENCIA ADMINISTRATIVA" in order_es
    assert "Confirmada: la citación se mantiene." in order_es


def test_findings_print_literally(order_en: str) -> None:
    assert "The hearing officer found:" in order_en
    assert (
        "The officer's photo shows <b>&amp;</b> an open can & a bottle <script>x</script>."
        in order_en
    )
    assert "Witness 李小龍 confirmed it; Ωμέγα Иван Nguyễn did not." in order_en
    pdf = render_order(make_order())
    assert any(name.endswith("+DroidSansFallback") for name in font_names(pdf))


def test_order_amounts(order_en: str) -> None:
    assert "Original fine $250.00" in order_en
    assert "Fine after this decision $250.00" in order_en
    assert "Already paid or deposited $0.00" in order_en
    assert "Amount due now $250.00" in order_en
    assert "Pay by February 19, 2027" in order_en
    assert "Online: https://citations.example.gov/pay" in order_en
    assert "Refund" not in order_en


def test_appeal_to_the_court(order_en: str, order_es: str) -> None:
    assert "Appeal to the court: this decision is final at the city." in order_en
    assert "Superior Court of California, County of Test, 111 N. Hill Street" in order_en
    assert "File your appeal with the court by February 9, 2027." in order_en
    assert "(a new trial)" in order_en
    assert "filing fee of $25.00" in order_en
    assert "Apelar ante el tribunal:" in order_es
    assert "a más tardar el 9 de febrero de 2027" in order_es
    assert "un nuevo juicio" in order_es
    assert "cuota de presentación de $25.00" in order_es


def test_review_that_reduces_with_a_payment_plan() -> None:
    text = pdf_text(render_order(make_review_order()))
    assert text.startswith(
        "Your fine has been reduced from $250.00 to $100.00 You owe $100.00, in 3 payments; "
        "the first is due February 19, 2027. If you disagree, you can ask for an "
        "administrative hearing by February 4, 2027."
    )
    assert "DECISION AFTER INITIAL REVIEW" in text
    assert "Reason for the reduction First violation; the person corrected it the same day." in text
    assert "Payment plan" in text
    assert "1 Friday, February 19, 2027 $40.00" in text
    assert "2 Friday, March 19, 2027 $30.00" in text
    assert "3 Monday, April 19, 2027 $30.00" in text
    assert "Total $100.00" in text
    assert "Your request must arrive by February 4, 2027." in text
    assert "Appeal to the court" not in text
    spanish = pdf_text(render_order(make_review_order("es")))
    assert spanish.startswith("Su multa se redujo de $250.00 a $100.00")
    assert "1 viernes, 19 de febrero de 2027 $40.00" in spanish
    assert (
        "puede pedir una audiencia administrativa a más tardar el 4 de febrero de 2027" in spanish
    )


def test_default_order_gives_the_set_aside_deadline() -> None:
    text = pdf_text(render_order(make_default_order()))
    assert text.startswith(
        "You did not come to your hearing: the citation is upheld You owe $250.00."
    )
    assert "ask us to set this decision aside by February 10, 2027." in text
    assert "Upheld by default: you did not appear at the hearing." in text
    assert "Ask to set aside the default:" in text
    assert "Your request must arrive by February 10, 2027." in text
    assert "Appeal to the court" not in text
    spanish = pdf_text(render_order(make_default_order("es")))
    assert "dejemos sin efecto esta decisión a más tardar el 10 de febrero de 2027" in spanish
    with_appeal = pdf_text(render_order(make_default_order(appeal_by=date(2027, 2, 9))))
    assert "Ask to set aside the default:" in with_appeal
    assert "File your appeal with the court by February 9, 2027." in with_appeal


def test_dismissed_order_with_refund() -> None:
    text = pdf_text(render_order(make_dismissed_order()))
    assert text.startswith(
        "Your citation has been dismissed You owe nothing, and you will receive a refund of "
        "$250.00. This citation is closed."
    )
    assert "Refund to you $250.00" in text
    assert "Refund: $250.00 will be refunded to you." in text
    assert "How to pay" not in text
    assert "Appeal to the court" not in text
    spanish = pdf_text(render_order(make_dismissed_order("es")))
    assert "Reembolso: se le devolverán $250.00." in spanish
    assert "Esta citación está cerrada." in spanish


def test_missing_deadline_says_to_call_rather_than_printing_nothing() -> None:
    text = pdf_text(render_order(make_order(appeal_by=None)))
    assert "Call (555) 010-2400 to learn the deadline." in text


def test_very_long_findings_continue_on_the_next_page() -> None:
    findings = " ".join(f"Finding {n} of the hearing officer." for n in range(500))
    pdf = render_order(make_order(findings=findings))
    assert len(PdfReader(BytesIO(pdf)).pages) > 2
    text = pdf_text(pdf)
    assert "Finding 0 of the hearing officer." in text
    assert "Finding 499 of the hearing officer." in text


# All three documents


def all_documents(language: str) -> dict[str, bytes]:
    return {
        "hearing notice": render_hearing_notice(
            make_hearing_notice(
                language,
                subject_name="李小龍 <i>&</i>",
                rescheduled_from=datetime(2027, 1, 5, 10, 0, tzinfo=LOS_ANGELES),
            )
        ),
        "docket": render_docket_sheet(make_docket(language)),
        "order": render_order(make_order(language)),
        "review order": render_order(make_review_order(language)),
        "default order": render_order(make_default_order(language)),
        "dismissed order": render_order(make_dismissed_order(language)),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_embedded_truetype_fonts(language: str) -> None:
    for name, pdf in all_documents(language).items():
        names = font_names(pdf)
        # Subset fonts are named "ABCDEF+Name"; the standard 14 fonts have bare names.
        assert names, name
        assert all(re.fullmatch(r"/[A-Z]{6}\+[\w-]+", font) for font in names), (name, names)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_metadata_and_same_bytes(language: str) -> None:
    pdf = render_order(make_order(language))
    assert pdf == render_order(make_order(language))
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata is not None
    expected = {
        "en": "Decision after administrative hearing, citation 0012345678",
        "es": "Decisión tras la audiencia administrativa, citación 0012345678",
    }
    assert reader.metadata.title == expected[language]
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    assert str(catalog["/Lang"]) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_names_with_markup_and_any_script_print_literally(language: str) -> None:
    name = "李小龍 <i>&amp;</i> Иван\x07"
    notice = pdf_text(render_hearing_notice(make_hearing_notice(language, subject_name=name)))
    order = pdf_text(render_order(make_order(language, subject_name=name)))
    entry = make_entry(1, subject_name=name, ordinances=["<b>TC 1</b> & more"])
    docket = pdf_text(render_docket_sheet(make_docket(language, entries=[entry])))
    for text in (notice, order, docket):
        assert "李小龍 <i>&amp;</i> Иван" in text
        assert "\x07" not in text
    assert "<b>TC 1</b> & more" in docket


def test_an_unknown_status_prints_as_given() -> None:
    entry = make_entry(1, status="continued <to March>")
    text = pdf_text(render_docket_sheet(make_docket(entries=[entry])))
    assert "continued <to March>" in text


def test_an_unknown_time_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        render_hearing_notice(make_hearing_notice(time_zone="Mars/Olympus"))


@pytest.mark.parametrize("document", ["hearing notice", "order"])
def test_the_way_online_with_the_document_s_code(document: str) -> None:
    """Under the letterhead, beside the QR code: the link with this document's access code,
    in the document's language; drawn without a code, the site to look the citation up."""
    render: Callable[[Any], bytes] = (
        render_hearing_notice if document == "hearing notice" else render_order
    )
    make: Callable[..., Any] = make_hearing_notice if document == "hearing notice" else make_order
    english = pdf_text(render(make("en")))
    spanish = pdf_text(render(make("es")))
    assert (
        "See and answer this citation online: citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — "
        "or go to citations.example.gov and enter your citation number and date of birth."
    ) in english
    assert (
        "Vea y responda su citación en línea: citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — "
        "o vaya a citations.example.gov e ingrese su número de citación y su fecha de "
        "nacimiento."
    ) in spanish
    assert "Scan to see and answer online" in english
    assert "Escanee para ver y responder en línea" in spanish
    preview = pdf_text(render(make("en", access=None)))
    assert "online: go to https://citations.example.gov and enter your citation" in preview
    assert "/c/" not in preview


# Wording files

DOCUMENTS = ("hearing-notice", "docket", "order")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_english_and_spanish_have_the_same_keys(document: str) -> None:
    assert wording(document, "en").keys() == wording(document, "es").keys()


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real templates folders to break."""
    return copy_templates(tmp_path, DOCUMENTS)


RENDERERS: dict[str, Callable[[Path, str], bytes]] = {
    "hearing-notice": lambda folder, language: render_hearing_notice(
        make_hearing_notice(language), folder
    ),
    "docket": lambda folder, language: render_docket_sheet(make_docket(language), folder),
    "order": lambda folder, language: render_order(make_order(language), folder),
}


@pytest.mark.parametrize(
    ("document", "key", "value", "problem"),
    [
        ("hearing-notice", "when", "On {{ weekday_date(hearing_at) ", "template syntax error"),
        ("hearing-notice", "deposit", "{{ deposit_refund }}", "undefined variable"),
        ("docket", "cell_person", "{{ entry.name }}", "undefined variable"),
        ("docket", "title", "<b>unclosed", "bad paragraph markup"),
        ("order", "findings", "{% if findings %}unclosed", "template syntax error"),
        ("order", "next_appeal", "{{ long_date(set_aside_by) }}", "cannot render"),
    ],
)
def test_broken_template_names_file_and_key(
    templates: Path, document: str, key: str, value: str, problem: str
) -> None:
    path = replace_key(templates, document, key, value)
    with pytest.raises(NoticeTemplateError) as raised:
        RENDERERS[document](templates, "en")
    message = str(raised.value)
    assert str(path) in message
    assert repr(key) in message
    assert problem in message
    assert raised.value.key == key
    assert isinstance(raised.value, CitationsError)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_missing_key_and_missing_language_name_the_file(templates: Path, document: str) -> None:
    values = wording(document, "en")
    del values["footer"]
    path = templates / document / "en.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    with pytest.raises(NoticeTemplateError, match="key 'footer': this key is missing"):
        RENDERERS[document](templates, "en")
    (templates / document / "es.yaml").unlink()
    with pytest.raises(NoticeTemplateError, match=rf"{document}/es\.yaml: no wording file"):
        RENDERERS[document](templates, "es")
