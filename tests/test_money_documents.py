"""The money documents as PDFs: the payment receipt and the late notice, in English and
Spanish, whatever the data contains."""

from __future__ import annotations

import re
from collections.abc import Callable
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
from citations.errors import CitationsError
from citations.payments.documents import LateNoticeContext, LateNoticeLine, ReceiptContext
from citations.payments.render import (
    NoticeTemplateError,
    render_late_notice,
    render_receipt,
)
from citations.roles import CITED_PERSON_ONLINE
from tests.pdfs import copy_templates, font_names, make_contact, pdf_text, replace_key, wording

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ACCESS = access_for("7K3MQ9R0PB2X1AQ4", "https://citations.example.gov", birth_date_on_file=True)
"""The access code the documents below print, as a document made to be kept has one."""
LANGUAGES = ("en", "es")
# Words a money document must never use: nonpayment of a civil citation is not a crime.
FORBIDDEN = {
    "en": ("jail", "arrest", "criminal", "prison", "warrant"),
    "es": ("cárcel", "arrest", "detenci", "penal", "prisión", "orden de captura"),
}


# Factories


def make_receipt(language: str = "en", **changes: Any) -> ReceiptContext:
    """A card payment that pays the citation in full; `changes` replace any field."""
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if language == "es" else "en_US",
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "receipt_number": "R-000123",
        "citation_number": "0012345678",
        "subject_name": "María José Hernández",
        "kind": "payment",
        "amount": Decimal("250.00"),
        "method": "card",
        "reference": "AUTH 4F7Q2",
        "received_at": datetime(2027, 3, 2, 14, 15, tzinfo=LOS_ANGELES),
        "recorded_by": "Dana Park, cashier",
        "balance_before": Decimal("250.00"),
        "balance_after": Decimal("0.00"),
        "status_after": "paid",
        "next_installment_due": None,
        "next_installment_amount": None,
        "contact": make_contact(language),
        "access": ACCESS,
    }
    values.update(changes)
    return ReceiptContext(**values)


def make_plan_receipt(language: str = "en", **changes: Any) -> ReceiptContext:
    """An installment on a payment plan, with the next one due."""
    values: dict[str, Any] = {
        "amount": Decimal("50.00"),
        "method": "cash",
        "reference": None,
        "balance_before": Decimal("300.00"),
        "balance_after": Decimal("250.00"),
        "status_after": "on_plan",
        "next_installment_due": date(2027, 4, 1),
        "next_installment_amount": Decimal("50.00"),
    }
    values.update(changes)
    return make_receipt(language, **values)


def make_reversal(language: str = "en", **changes: Any) -> ReceiptContext:
    """A check that came back: the payment is taken off and the balance is owed again."""
    values: dict[str, Any] = {
        "receipt_number": "R-000140",
        "kind": "reversal",
        "method": "check",
        "reference": "Check 1042",
        "received_at": datetime(2027, 3, 9, 10, 0, tzinfo=LOS_ANGELES),
        "balance_before": Decimal("0.00"),
        "balance_after": Decimal("250.00"),
        "status_after": "upheld",
    }
    values.update(changes)
    return make_receipt(language, **values)


def make_line(day: date, description: str, amount: str) -> LateNoticeLine:
    return LateNoticeLine(posted_on=day, description=description, amount=Decimal(amount))


def make_lines(language: str = "en") -> list[LateNoticeLine]:
    if language == "es":
        return [
            make_line(date(2027, 1, 20), "Multa (TC 41.27(c), segunda infracción)", "250.00"),
            make_line(date(2027, 2, 1), "Pago (tarjeta)", "-100.00"),
            make_line(date(2027, 3, 6), "Recargo por pago tardío", "50.00"),
        ]
    return [
        make_line(date(2027, 1, 20), "Fine (TC 41.27(c), 2nd offense)", "250.00"),
        make_line(date(2027, 2, 1), "Payment (card)", "-100.00"),
        make_line(date(2027, 3, 6), "Late penalty", "50.00"),
    ]


def make_late_notice(language: str = "en", **changes: Any) -> LateNoticeContext:
    """A late notice with a penalty, a collection fee, and every option offered."""
    values: dict[str, Any] = {
        "language": language,
        "locale": "es_US" if language == "es" else "en_US",
        "jurisdiction_name": "City of Test City",
        "currency": "USD",
        "citation_number": "0012345678",
        "subject_name": "María José Hernández",
        "subject_address": "1200 W. 7th Street, Apt 5\nTest City, CA 90017",
        "notice_date": date(2027, 3, 6),
        "original_due_on": date(2027, 2, 19),
        "penalty_added": Decimal("50.00"),
        "balance": Decimal("200.00"),
        "pay_by": date(2027, 4, 5),
        "collection_fee": Decimal("50.00"),
        "lines": make_lines(language),
        "ability_to_pay_offered": True,
        "community_service_rate": Decimal("20.00"),
        "community_service_max_hours": 50,
        "payment_plan_offered": True,
        "contact": make_contact(language),
        "access": ACCESS,
    }
    values.update(changes)
    return LateNoticeContext(**values)


def make_vending_late_notice(language: str = "en", **changes: Any) -> LateNoticeContext:
    """Sidewalk vending: the law bars late fees and collection fees; no option but a call."""
    fine = "Multa (TC 42.00(b), venta ambulante)" if language == "es" else "Fine (TC 42.00(b))"
    values: dict[str, Any] = {
        "penalty_added": None,
        "collection_fee": None,
        "balance": Decimal("250.00"),
        "lines": [make_line(date(2027, 1, 20), fine, "250.00")],
        "ability_to_pay_offered": False,
        "community_service_rate": None,
        "community_service_max_hours": None,
        "payment_plan_offered": False,
    }
    values.update(changes)
    return make_late_notice(language, **values)


# Reading the PDFs


def page_count(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def receipt_text(context: ReceiptContext) -> str:
    return pdf_text(render_receipt(context))


def late_text(context: LateNoticeContext) -> str:
    return pdf_text(render_late_notice(context))


@pytest.fixture(scope="module")
def receipt_en() -> str:
    return receipt_text(make_receipt("en"))


@pytest.fixture(scope="module")
def receipt_es() -> str:
    return receipt_text(make_receipt("es"))


@pytest.fixture(scope="module")
def late_en() -> str:
    return late_text(make_late_notice("en"))


@pytest.fixture(scope="module")
def late_es() -> str:
    return late_text(make_late_notice("es"))


# The receipt


def test_receipt_number_and_title_come_first(receipt_en: str, receipt_es: str) -> None:
    assert receipt_en.startswith("City of Test City Administrative Citation Office")
    assert "PAYMENT RECEIPT" in receipt_en
    assert "Receipt number R-000123 March 2, 2027" in receipt_en
    assert "RECIBO DE PAGO" in receipt_es
    assert "Número de recibo R-000123 2 de marzo de 2027" in receipt_es


def test_receipt_number_is_printed_large() -> None:
    pdf = render_receipt(make_receipt())
    sizes: dict[str, float] = {}

    def visitor(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = max(size * tm[0], sizes.get(text.strip(), 0))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visitor)
    assert sizes["R-000123"] >= 20
    assert sizes["R-000123"] == max(sizes.values())


def test_paid_in_full_closes_the_citation(receipt_en: str, receipt_es: str) -> None:
    assert "We received your payment of $250.00 Paid in full — this citation is closed." in (
        receipt_en
    )
    assert "You do not need to do anything else. This receipt is your proof of payment." in (
        receipt_en
    )
    assert "Recibimos su pago de $250.00 Pagado en su totalidad — esta citación está cerrada." in (
        receipt_es
    )
    assert "Este recibo es su comprobante de pago." in receipt_es


def test_receipt_details(receipt_en: str, receipt_es: str) -> None:
    assert "Citation number 0012345678" in receipt_en
    assert "Name María José Hernández" in receipt_en
    assert "What this is A payment on the citation" in receipt_en
    assert "Amount received $250.00" in receipt_en
    assert "Paid by Credit or debit card" in receipt_en
    assert "Reference AUTH 4F7Q2" in receipt_en
    assert "Received on Tuesday, March 2, 2027, 2:15 PM (Pacific Standard Time)" in receipt_en
    assert "Recorded by Dana Park, cashier" in receipt_en
    assert "Número de citación 0012345678" in receipt_es
    assert "Monto recibido $250.00" in receipt_es
    assert "Forma de pago Tarjeta de crédito o débito" in receipt_es
    assert (
        "Recibido el martes, 2 de marzo de 2027, 2:15 p.m. (hora estándar del Pacífico)"
        in receipt_es
    )
    assert "Registrado por Dana Park, cashier" in receipt_es


def test_receipt_balance_before_and_after(receipt_en: str, receipt_es: str) -> None:
    assert "Balance before $250.00 This payment -$250.00 Balance after $0.00" in receipt_en
    assert "Saldo anterior $250.00 Este pago -$250.00 Saldo nuevo $0.00" in receipt_es


def test_receipt_time_is_local_with_its_zone() -> None:
    summer = make_receipt(received_at=datetime(2027, 7, 13, 21, 5, tzinfo=ZoneInfo("UTC")))
    assert "Received on Tuesday, July 13, 2027, 9:05 PM (Coordinated Universal Time)" in (
        receipt_text(summer)
    )
    local = make_receipt(received_at=datetime(2027, 7, 13, 14, 5, tzinfo=LOS_ANGELES))
    assert "2:05 PM (Pacific Daylight Time)" in receipt_text(local)
    naive = make_receipt(received_at=datetime(2027, 7, 13, 14, 5, tzinfo=LOS_ANGELES))
    naive = naive.model_copy(update={"received_at": naive.received_at.replace(tzinfo=None)})
    with pytest.raises(ValueError, match="R-000123: received_at must carry its time zone"):
        render_receipt(naive)


def test_receipt_on_a_payment_plan() -> None:
    text = receipt_text(make_plan_receipt())
    assert (
        "We received your payment of $50.00 On a payment plan: next installment $50.00 due "
        "April 1, 2027. Balance remaining $250.00."
    ) in text
    assert "Balance before $300.00 This payment -$50.00 Balance after $250.00" in text
    assert "Paid by Cash" in text
    assert "Reference" not in text  # no reference: no row
    assert "Pay each installment by its due date" in text
    assert "Paid in full" not in text
    spanish = receipt_text(make_plan_receipt("es"))
    assert (
        "Plan de pagos: el próximo pago, de $50.00, vence el 1 de abril de 2027. Saldo "
        "pendiente: $250.00."
    ) in spanish
    assert "Forma de pago Efectivo" in spanish


def test_receipt_with_a_balance_remaining() -> None:
    context = make_plan_receipt(
        status_after="upheld", next_installment_due=None, next_installment_amount=None
    )
    text = receipt_text(context)
    assert "We received your payment of $50.00 Balance remaining $250.00." in text
    assert "Pay the remaining $250.00 online at https://citations.example.gov/pay" in text
    assert "On a payment plan" not in text
    assert "Saldo pendiente: $250.00." in receipt_text(
        make_plan_receipt(
            "es", status_after="upheld", next_installment_due=None, next_installment_amount=None
        )
    )


def test_a_returned_payment_says_so_and_reopens_the_balance() -> None:
    text = receipt_text(make_reversal())
    assert "RETURNED PAYMENT" in text
    assert (
        "PAYMENT RETURNED: YOUR BALANCE IS OPEN AGAIN Your payment of $250.00 was returned "
        "Your bank returned the check, so it no longer counts toward your citation. The "
        "$250.00 is owed again. Balance remaining $250.00."
    ) in text
    assert "What this is A returned payment (returned check or chargeback)" in text
    assert "Amount returned $250.00" in text
    assert "It had been paid by Check" in text
    assert "Reference Check 1042" in text
    assert "Recorded on Tuesday, March 9, 2027, 10:00 AM" in text
    assert (
        "Balance before $0.00 Returned payment, owed again +$250.00 Balance after $250.00" in text
    )
    assert "Please pay the $250.00 again with another method" in text
    assert "Pay the remaining" not in text  # said once
    assert "Paid in full" not in text
    assert "We received" not in text
    spanish = receipt_text(make_reversal("es"))
    assert "AVISO DE PAGO DEVUELTO" in spanish
    assert (
        "PAGO DEVUELTO: SU SALDO VUELVE A ESTAR PENDIENTE Su pago de $250.00 fue devuelto "
        "Su banco devolvió el cheque, así que ya no se aplica a su citación."
    ) in spanish
    assert "Pago devuelto, que se vuelve a deber +$250.00 Saldo nuevo $250.00" in spanish


def test_a_chargeback_names_the_card_company() -> None:
    text = receipt_text(make_reversal(method="card", reference=None))
    assert "Your card company reversed the charge (a chargeback)" in text
    assert "La compañía de su tarjeta anuló el cargo (un contracargo)" in receipt_text(
        make_reversal("es", method="card")
    )


def test_a_deposit_is_held_until_the_hearing() -> None:
    context = make_receipt(kind="deposit", status_after="hearing_requested")
    text = receipt_text(context)
    assert "DEPOSIT RECEIPT" in text
    assert (
        "We received your deposit of $250.00 Nothing more is owed for now. Your deposit is "
        "held until your hearing is decided."
    ) in text
    assert "A deposit for a hearing (refunded if the citation is dismissed)" in text
    assert "If the citation is dismissed, the $250.00 will be refunded to you." in text
    assert "Paid in full" not in text
    spanish = receipt_text(make_receipt("es", kind="deposit", status_after="hearing_scheduled"))
    assert "Su depósito se guarda hasta que se decida su audiencia." in spanish


def test_a_refund_after_a_dismissal() -> None:
    context = make_receipt(
        kind="refund",
        method="check",
        reference="Check 88812",
        balance_before=Decimal("-250.00"),
        balance_after=Decimal("0.00"),
        status_after="dismissed",
    )
    text = receipt_text(context)
    assert "REFUND RECEIPT" in text
    assert "We refunded $250.00 to you Nothing is owed — this citation is closed." in text
    assert "Refunded by Check" in text
    assert "Balance before -$250.00 This refund +$250.00 Balance after $0.00" in text
    same = context.model_dump(exclude={"language", "locale", "contact"})
    spanish = receipt_text(make_receipt("es", **same))
    assert "Le reembolsamos $250.00 No se debe nada — esta citación está cerrada." in spanish


def test_an_overpayment_is_a_credit() -> None:
    context = make_receipt(amount=Decimal("300.00"), balance_after=Decimal("-50.00"))
    text = receipt_text(context)
    assert "You have paid $50.00 more than you owe. It will be refunded to you." in text
    assert "Balance after -$50.00 (credit to you)" in text


def test_an_unknown_method_or_kind_prints_as_given() -> None:
    text = receipt_text(make_receipt(method="wire <transfer>", kind="adjustment"))
    assert "Paid by wire <transfer>" in text
    assert "What this is adjustment" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_receipt_is_one_page(language: str) -> None:
    long_name = "María José Hernández de la Santísima Trinidad " * 4
    for context in (
        make_receipt(language, subject_name=long_name),
        make_plan_receipt(language),
        make_reversal(language, subject_name=long_name),
    ):
        pdf = render_receipt(context)
        assert page_count(pdf) == 1
        page = PdfReader(BytesIO(pdf)).pages[0]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


# The late notice


def test_pay_by_sentence_comes_first(late_en: str, late_es: str) -> None:
    assert late_en.startswith(
        "Your citation is past due. Pay $200.00 by April 5, 2027 to avoid referral to "
        "collections. It was due February 19, 2027."
    )
    assert late_es.startswith(
        "El pago de su citación está vencido. Pague $200.00 a más tardar el 5 de abril de 2027 "
        "para evitar que se envíe a una agencia de cobranza. Vencía el 19 de febrero de 2027."
    )


def test_late_notice_header_and_account(late_en: str, late_es: str) -> None:
    assert "LATE NOTICE" in late_en
    assert "Citation number 0012345678 Sent March 6, 2027" in late_en
    assert "Person María José Hernández" in late_en
    assert "Address 1200 W. 7th Street, Apt 5 Test City, CA 90017" in late_en
    assert "You owe now $200.00" in late_en
    assert "Pay by Monday, April 5, 2027" in late_en
    assert "AVISO DE PAGO VENCIDO" in late_es
    assert "Pague a más tardar el lunes, 5 de abril de 2027" in late_es


def test_the_late_penalty_added(late_en: str, late_es: str) -> None:
    assert (
        "A late penalty of $50.00 was added because the citation was not paid by February 19, 2027."
    ) in late_en
    assert "Se agregó un recargo por pago tardío de $50.00" in late_es


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_late_fees_when_the_law_bars_them(language: str) -> None:
    text = late_text(make_vending_late_notice(language))
    expected = {
        "en": "No late fees are added to this citation: the law does not allow them.",
        "es": "No se agregan recargos por pago tardío a esta citación: la ley no los permite.",
    }
    assert expected[language] in text
    assert "$50.00" not in text
    no_fee = {"en": "No collection fee will be added.", "es": "No se agregará ningún cargo"}
    assert no_fee[language] in text


def test_a_zero_penalty_is_not_called_barred() -> None:
    text = late_text(make_late_notice(penalty_added=Decimal("0.00")))
    assert "No late penalty was added this time." in text
    assert "does not allow" not in text


def test_account_statement(late_en: str, late_es: str) -> None:
    assert "Account statement" in late_en
    assert "Date Description Amount" in late_en
    assert "Jan 20, 2027 Fine (TC 41.27(c), 2nd offense) $250.00" in late_en
    assert "Feb 1, 2027 Payment (card) -$100.00" in late_en
    assert "Mar 6, 2027 Late penalty $50.00" in late_en
    assert "Balance due $200.00" in late_en
    assert "Fecha Descripción Monto" in late_es
    assert "1 feb 2027 Pago (tarjeta) -$100.00" in late_es
    assert "Saldo a pagar $200.00" in late_es


def test_every_option_offered_is_shown(late_en: str, late_es: str) -> None:
    assert "If you cannot pay, you have options" in late_en
    assert "These options are open to you. Ask before April 5, 2027:" in late_en
    assert "Ability-to-pay review. If paying would be a hardship" in late_en
    assert (
        "Community service instead of paying. Each hour of approved community service takes "
        "$20.00 off what you owe, up to 50 hours. You can pay off your whole balance with 10 "
        "hours of service."
    ) in late_en
    assert "Payment plan. Pay what you owe in smaller monthly payments." in late_en
    assert "To ask for any of these, call (555) 010-2400" in late_en
    assert "Si no puede pagar, tiene opciones" in late_es
    assert "Revisión de su capacidad de pago." in late_es
    assert "Puede saldar todo lo que debe con 10 horas de servicio." in late_es
    assert "Plan de pagos. Pague lo que debe en pagos mensuales más pequeños." in late_es


OPTION_WORDS = {
    "ability_to_pay_offered": ("Ability-to-pay review", "capacidad de pago"),
    "community_service_rate": ("Community service", "Servicio comunitario"),
    "payment_plan_offered": ("Payment plan", "Plan de pagos"),
}


@pytest.mark.parametrize("offered", sorted(OPTION_WORDS))
def test_only_the_options_offered_are_shown(offered: str) -> None:
    changes: dict[str, Any] = {
        "ability_to_pay_offered": False,
        "community_service_rate": None,
        "payment_plan_offered": False,
    }
    changes[offered] = Decimal("15.00") if offered == "community_service_rate" else True
    for index, language in enumerate(LANGUAGES):
        text = late_text(make_late_notice(language, **changes))
        for option, words in OPTION_WORDS.items():
            assert (words[index] in text) == (option == offered), (language, option)


def test_no_options_offered_says_to_call() -> None:
    text = late_text(make_vending_late_notice())
    assert "If you cannot pay Call us at" in text
    assert "you have options" not in text
    assert "Call us at (555) 010-2400 before April 5, 2027 to talk about what you can do." in text
    for english, _ in OPTION_WORDS.values():
        assert english not in text
    assert "arranged one of the options above" not in text
    spanish = late_text(make_vending_late_notice("es"))
    assert "Llámenos al (555) 010-2400 antes del 5 de abril de 2027" in spanish


def test_community_service_up_to_the_maximum_hours() -> None:
    context = make_late_notice(
        community_service_rate=Decimal("5.00"), community_service_max_hours=10
    )
    text = late_text(context)
    assert "takes $5.00 off what you owe, up to 10 hours." in text
    assert "The most you can do, 10 hours, takes $50.00 off your balance." in text
    unlimited = late_text(make_late_notice(community_service_max_hours=None))
    assert "takes $20.00 off what you owe. You can pay off your whole balance with 10" in unlimited
    one_hour = late_text(make_late_notice(balance=Decimal("20.00")))
    assert "with 1 hour of service." in one_hour
    # Quarter hours, rounded up: $15.00 at $20.00 an hour is 0.75 hours, not a whole hour.
    quarters = late_text(make_late_notice(balance=Decimal("15.00")))
    assert "with 0.75 hours of service." in quarters


def test_what_happens_next(late_en: str, late_es: str) -> None:
    assert (
        "If you have not paid $200.00 by April 5, 2027 or arranged one of the options above, "
        "your citation will be referred to a collection agency on April 6, 2027, and a "
        "collection fee of $50.00 will be added to what you owe."
    ) in late_en
    assert "This is a civil debt, not a crime." in late_en
    assert "se enviará a una agencia de cobranza el 6 de abril de 2027" in late_es
    assert "cargo por cobranza de $50.00" in late_es
    assert "Esta es una deuda civil, no un delito." in late_es


def test_how_to_pay_and_help(late_en: str, late_es: str) -> None:
    assert "Online: https://citations.example.gov/pay" in late_en
    assert "By mail: send a check or money order" in late_en
    assert "Free interpretation: call (555) 010-2400." in late_en
    assert "Interpretación gratuita: llame al (555) 010-2400." in late_es


@pytest.mark.parametrize("language", LANGUAGES)
def test_never_jail_arrest_or_criminal(language: str) -> None:
    texts = [
        late_text(make_late_notice(language)),
        late_text(make_vending_late_notice(language)),
        receipt_text(make_receipt(language)),
        receipt_text(make_reversal(language)),
        receipt_text(make_plan_receipt(language)),
    ]
    for text in texts:
        lowered = text.lower()
        for word in FORBIDDEN[language]:
            assert word not in lowered, word


@pytest.mark.parametrize("language", LANGUAGES)
def test_late_notice_fits_two_pages_with_a_footer_on_each(language: str) -> None:
    for context in (make_late_notice(language), make_vending_late_notice(language)):
        reader = PdfReader(BytesIO(render_late_notice(context)))
        pages = len(reader.pages)
        assert pages in (1, 2)
        footer = {"en": "Late notice · Citation", "es": "Aviso de pago vencido · Citación"}
        for number, page in enumerate(reader.pages, start=1):
            text = " ".join(page.extract_text().split())
            assert footer[language] in text
            of = "of" if language == "en" else "de"
            assert f" {number} {of} {pages} " in text


def test_a_long_statement_continues_with_its_header() -> None:
    lines = [make_line(date(2026, 1, 1 + n % 28), f"Installment {n}", "-10.00") for n in range(90)]
    pdf = render_late_notice(make_late_notice(lines=lines))
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert "If you cannot pay, you have options" in first  # never pushed off the first page
    assert "Date Description Amount" in " ".join(reader.pages[1].extract_text().split())
    text = pdf_text(pdf)
    assert "Installment 0 " in text
    assert "Installment 89 -$10.00 Balance due $200.00" in text


def test_an_empty_statement_still_shows_the_balance() -> None:
    text = late_text(make_late_notice(lines=[]))
    assert "No charges or payments are recorded yet. Balance due $200.00" in text


# Both documents


def all_documents(language: str) -> dict[str, bytes]:
    return {
        "receipt": render_receipt(make_receipt(language)),
        "plan receipt": render_receipt(make_plan_receipt(language)),
        "reversal": render_receipt(make_reversal(language)),
        "late notice": render_late_notice(make_late_notice(language)),
        "vending late notice": render_late_notice(make_vending_late_notice(language)),
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
    titles = {
        "en": ("Payment receipt R-000123, citation 0012345678", "Late notice, citation 0012345678"),
        "es": (
            "Recibo de pago R-000123, citación 0012345678",
            "Aviso de pago vencido, citación 0012345678",
        ),
    }
    receipt = render_receipt(make_receipt(language))
    late = render_late_notice(make_late_notice(language))
    assert receipt == render_receipt(make_receipt(language))
    assert late == render_late_notice(make_late_notice(language))
    for pdf, title in zip((receipt, late), titles[language], strict=True):
        reader = PdfReader(BytesIO(pdf))
        assert reader.metadata is not None
        assert reader.metadata.title == title
        catalog = reader.trailer["/Root"].get_object()
        assert isinstance(catalog, DictionaryObject)
        assert str(catalog["/Lang"]) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_names_with_markup_and_any_script_print_literally(language: str) -> None:
    name = "李小龍 <i>&amp;</i> Иван\x07"
    receipt = render_receipt(make_receipt(language, subject_name=name, recorded_by="<b>Ana</b>"))
    line = make_line(date(2027, 1, 20), "<b>Fine</b> & more 罰款", "250.00")
    late = render_late_notice(make_late_notice(language, subject_name=name, lines=[line]))
    for pdf in (receipt, late):
        text = pdf_text(pdf)
        assert "李小龍 <i>&amp;</i> Иван" in text
        assert "\x07" not in text
        assert any(font.endswith("+DroidSansFallback") for font in font_names(pdf))
    assert "<b>Ana</b>" in pdf_text(receipt)
    assert "<b>Fine</b> & more 罰款" in pdf_text(late)


@pytest.mark.parametrize("document", ["receipt", "late notice"])
def test_the_way_online_with_the_document_s_code(document: str) -> None:
    """Under the letterhead, beside the QR code: the link with this document's access code,
    in the document's language; drawn without a code, the site to look the citation up."""
    render: Callable[[Any], bytes] = render_receipt if document == "receipt" else render_late_notice
    make: Callable[..., Any] = make_receipt if document == "receipt" else make_late_notice
    words = {
        "receipt": ("See this citation online:", "Vea su citación en línea:"),
        "late notice": (
            "See and answer this citation online:",
            "Vea y responda su citación en línea:",
        ),
    }[document]
    english = pdf_text(render(make("en")))
    spanish = pdf_text(render(make("es")))
    assert (
        f"{words[0]} citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — or go to "
        "citations.example.gov and enter your citation number and date of birth."
    ) in english
    assert (
        f"{words[1]} citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4 — o vaya a "
        "citations.example.gov e ingrese su número de citación y su fecha de nacimiento."
    ) in spanish
    preview = pdf_text(render(make("en", access=None)))
    assert "online: go to https://citations.example.gov and enter your citation" in preview
    assert "/c/" not in preview


# Wording files

DOCUMENTS = ("receipt", "late-notice")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_english_and_spanish_have_the_same_keys(document: str) -> None:
    assert list(wording(document, "en")) == list(wording(document, "es"))


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real templates folders to break."""
    return copy_templates(tmp_path, DOCUMENTS)


RENDERERS: dict[str, Callable[[Path, str], bytes]] = {
    "receipt": lambda folder, language: render_receipt(make_reversal(language), folder),
    "late-notice": lambda folder, language: render_late_notice(make_late_notice(language), folder),
}


@pytest.mark.parametrize(
    ("document", "key", "value", "problem"),
    [
        ("receipt", "headline", "We received {{ money(amount) ", "template syntax error"),
        ("receipt", "status_balance", "{{ balance_remaining }}", "undefined variable"),
        ("receipt", "reversal_mark", "<b>unclosed", "bad paragraph markup"),
        ("receipt", "status_balance", "{{ long_date(next_installment_due) }}", "cannot render"),
        ("late-notice", "added", "{% if penalty_added %}unclosed", "template syntax error"),
        ("late-notice", "line_amount", "{{ line.total }}", "undefined variable"),
        ("late-notice", "next_referral", "{{ money(collection_fee) }}", "cannot render"),
    ],
)
def test_broken_template_names_file_and_key(
    templates: Path, document: str, key: str, value: str, problem: str
) -> None:
    path = replace_key(templates, document, key, value)
    if key == "next_referral":
        context = make_late_notice(collection_fee=None)
        with pytest.raises(NoticeTemplateError) as raised:
            render_late_notice(context, templates)
    else:
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


def test_every_ledger_kind_has_words_in_every_language() -> None:
    from citations.payments.build import ledger_words
    from citations.record.ledger import EntryKind

    words = ledger_words()
    for language in ("en", "es"):
        assert set(words[language]) == {k.value for k in EntryKind}, language


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Recorded by you, online"), ("es", "Registrado por usted, en línea")],
)
def test_a_receipt_of_a_payment_made_online_says_so_in_its_language(
    language: str, words: str
) -> None:
    """The audit trail names "the cited person, online"; the receipt says it in its language."""
    receipt = make_receipt(
        language, recorded_by=CITED_PERSON_ONLINE, recorded_online=True, method="online"
    )
    text = receipt_text(receipt)
    assert words in text and CITED_PERSON_ONLINE not in text
