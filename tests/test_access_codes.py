"""The access code every document prints: a fresh one per document kept, opening that
citation and no other, the same in the printed link and in the QR code; a reprint mints
nothing (both backends; the race on PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import citations.documents.layout
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.documents.access import OnlineAccess, access_for, qr_payload
from citations.documents.qr import QrCode
from citations.hearings.decisions import Outcome
from citations.hearings.kept import hearing_notice_document, order_document
from citations.hearings.scheduling import decide_hearing
from citations.issuing.amend import Amendment
from citations.issuing.intake import Address
from citations.notice.address import change_address
from citations.notice.build import notice_for, printed_notice
from citations.notice.context import NoticeContext
from citations.notice.kept import amend_with_notice, notice_document
from citations.notice.mailing import mail_waiting
from citations.payments.kept import late_notice_document, receipt_document
from citations.payments.processing import process
from citations.payments.tables import Payment
from citations.record.access import AccessCode, citation_id_for_code, code_hash, normalize
from citations.record.lookup import find_citation
from citations.record.returns import record_return
from citations.record.tables import Citation, SentDocument
from tests.browser.html import Page
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import CLERK, ISSUED_AT, at, issue_one, to_review_upheld
from tests.money_steps import ADMIN, CASHIER
from tests.pdfs import pdf_text
from tests.public_steps import door_client
from tests.test_citation_races import WORKERS, race
from tests.test_sent_documents import ADDRESS, OFFICER, english, kept, to_scheduled

SITE = "https://citations.example.gov"
"""The test catalog's `contact.website`."""
PRINTED = re.compile(r"citations\.example\.gov/c/([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})")


@pytest.fixture
def db(engine: Engine) -> Engine:
    prepare(engine)
    return engine


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What every QR code drawn on a document carries, in drawing order."""
    payloads: list[str] = []

    class Recording(QrCode):
        def __init__(self, payload: str, size: float) -> None:
            payloads.append(payload)
            super().__init__(payload, size)

    monkeypatch.setattr(citations.documents.layout, "QrCode", Recording)
    return payloads


def printed_code(pdf: bytes) -> str:
    """The one access code a document prints (in four groups), from its text."""
    codes = PRINTED.findall(pdf_text(pdf))
    assert len(codes) == 1, codes
    code: str = codes[0]
    return code


def codes_minted(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(AccessCode)) or 0


def opens(engine: Engine, code: str) -> str | None:
    """The number of the citation `code` opens, if any."""
    with transaction(engine) as session:
        citation_id = citation_id_for_code(session, code)
        if citation_id is None:
            return None
        citation = session.get(Citation, citation_id)
        return None if citation is None else citation.number


def printed_on(engine: Engine, code: str) -> str:
    with transaction(engine) as session:
        normal = normalize(code)
        assert normal is not None
        row = session.scalars(select(AccessCode).where(AccessCode.code_hash == code_hash(normal)))
        return row.one().printed_on


def check_document(engine: Engine, number: str, document: SentDocument, qr: list[str]) -> str:
    """The code `document` prints opens `number`, was minted for its kind, and is the one its
    QR code carries; returns it."""
    code = printed_code(document.content)
    assert opens(engine, code) == number
    assert printed_on(engine, code) == document.kind
    assert f"{SITE}/c/{code.replace('-', '')}" in qr
    return code


# The printed access, without a database


def test_the_link_carries_the_code_and_prints_it_in_four_groups() -> None:
    access = access_for("7K3MQ9R0PB2X1AQ4", f"{SITE}/", birth_date_on_file=True)
    assert access.link == f"{SITE}/c/7K3MQ9R0PB2X1AQ4"
    assert access.printed_link == "citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4"
    assert access.printed_site == "citations.example.gov"
    assert access.code == "7K3M-Q9R0-PB2X-1AQ4"
    assert qr_payload(access, SITE) == access.link
    assert qr_payload(None, f"{SITE}/") == f"{SITE}/"


# Every document kind


def test_every_document_prints_its_own_code_that_opens_its_citation(
    db: Engine, scanned: list[str]
) -> None:
    """A notice handed over, the review's order, the deposit's receipt, the hearing notice,
    the hearing's order and the refund's receipt: each prints a code of its own, which opens
    this citation (and not the other one), and its QR code carries the same link."""
    number = english(db)
    other = english(db)
    with transaction(db) as session:
        notice_document(session, number, OFFICER, now=at("2026-11-21"))
        notice_document(session, other, OFFICER, now=at("2026-11-21"))
    to_scheduled(db, number)  # the review's order, the deposit's receipt, the hearing notice
    with transaction(db) as session:
        decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The city did not prove it.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    documents = kept(db, number)
    kinds = [d.kind for d in documents]
    assert kinds == [
        "notice",
        "order",
        "receipt",
        "hearing_notice",
        "hearing_packet",
        "receipt",
        "order",
    ]
    # The packet travels in the hearing notice's envelope, and the notice carries the code.
    documents = [d for d in documents if d.kind != "hearing_packet"]
    codes = [check_document(db, number, d, scanned) for d in documents]
    assert len(set(codes)) == len(codes)  # a fresh code on every document
    [other_notice] = kept(db, other)
    other_code = check_document(db, other, other_notice, scanned)
    assert other_code not in codes
    assert codes_minted(db) == len(codes) + 1
    # A wrong code opens nothing; a code read forgivingly opens the same citation.
    assert opens(db, "0000-0000-0000-0000") is None
    assert opens(db, codes[0].lower().replace("-", " ")) == number


def test_the_late_notice_prints_its_code(db: Engine, scanned: list[str]) -> None:
    number = issue_one(db, preferred_language="en", address=ADDRESS)
    with transaction(db) as session:
        process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26", 23))
    [late] = kept(db, number)
    assert late.kind == "late_notice"
    check_document(db, number, late, scanned)


def test_amended_and_mailed_notices_print_new_codes(db: Engine, scanned: list[str]) -> None:
    """An amendment mails the amended notice with a new code; a new address mails the notice
    again with another; every earlier code still opens the citation."""
    number = english(db)
    with transaction(db) as session:
        notice_document(session, number, CLERK, now=at("2026-11-21"))
    change = Amendment(reason="Badge number mistyped", officer={"badge": "4521", "name": "Lee"})
    with transaction(db) as session:
        amend_with_notice(session, number, change, actor=OFFICER, now=at("2026-11-22"))
    new = Address(line1="48 Alvarado St", city="Los Angeles", postal_code="90026")
    with transaction(db) as session:
        change_address(session, number, new, actor=CLERK, now=at("2026-11-23"))
    documents = kept(db, number)
    assert [d.kind for d in documents] == ["notice", "amended_notice", "amended_notice"]
    codes = {check_document(db, number, d, scanned) for d in documents}
    assert len(codes) == 3


def test_the_mail_run_prints_a_code_on_each_notice_it_mails(db: Engine, scanned: list[str]) -> None:
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(preferred_language="en", address=ADDRESS),
        service="mail",
    )
    number = send(db, body, now=ISSUED_AT).result.citation_number
    assert number is not None
    with transaction(db) as session:
        assert mail_waiting(session, actor=ADMIN, now=at("2026-11-21", 2)) == [number]
    [mailed] = kept(db, number)
    assert mailed.delivery == "mailed"
    check_document(db, number, mailed, scanned)


def test_the_link_as_printed_and_as_scanned_opens_the_person_s_page(
    db: Engine, database_url: str, scanned: list[str]
) -> None:
    """The public door opens the citation from the path of the printed link (typed, with its
    dashes) and from the QR code's link, and the person's page lists the notice."""
    number = english(db)
    with transaction(db) as session:
        pdf = notice_document(session, number, CLERK, now=at("2026-11-21")).content
    code = printed_code(pdf)
    [link] = scanned
    with door_client(database_url) as client:
        typed = client.get(f"/c/{code}")
        assert typed.status_code == 303 and typed.headers["location"] == "/citation"
        assert f"Citation {number}" in Page(client.get("/citation").text).words("main")
    with door_client(database_url) as client:
        opened = client.get(link.removeprefix(SITE))
        assert opened.status_code == 303 and opened.headers["location"] == "/citation"


# Reprints


def test_a_reprint_returns_the_kept_bytes_and_mints_nothing(db: Engine) -> None:
    number = english(db)
    with transaction(db) as session:
        notice_document(session, number, CLERK, now=at("2026-11-21"))
    to_scheduled(db, number)
    late = issue_one(db, preferred_language="en", address=ADDRESS)
    with transaction(db) as session:
        process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26", 23))
    minted = codes_minted(db)
    before = {d.id: d.content for d in kept(db, number) + kept(db, late)}
    with transaction(db) as session:
        receipt = session.scalars(select(Payment.receipt_number)).one()
        again = [
            notice_document(session, number, CLERK, now=at("2026-12-20")),
            hearing_notice_document(session, number, CLERK, now=at("2026-12-20")),
            order_document(session, number, CLERK, now=at("2026-12-20")),
            receipt_document(session, receipt, CASHIER, now=at("2026-12-20")),
            late_notice_document(session, late, CLERK),
        ]
        assert all(before[d.id] == d.content for d in again)
    assert codes_minted(db) == minted


def test_a_returned_letter_mailed_again_as_sent_mints_nothing(db: Engine) -> None:
    """Past the notice, a new address gets the letter that came back, the same bytes: the
    code it printed still opens the citation, and no new one is minted."""
    number = english(db)
    to_review_upheld(db, number)
    [order] = kept(db, number)
    with transaction(db) as session:
        record_return(
            session,
            number,
            order.id,
            returned_on=date(2026, 12, 9),
            reason="Moved",
            actor=CLERK,
            now=at("2026-12-10"),
        )
    minted = codes_minted(db)
    new = Address(line1="48 Alvarado St", city="Los Angeles", postal_code="90026")
    with transaction(db) as session:
        again = change_address(session, number, new, actor=CLERK, now=at("2026-12-11"))
        assert again.content == order.content
    assert codes_minted(db) == minted
    assert opens(db, printed_code(order.content)) == number


def test_ten_first_prints_at_once_mint_one_code(db: Engine, database_url: str) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("the races are proven on PostgreSQL; SQLite serializes writers itself")
    number = english(db)
    printed = race(
        database_url,
        [lambda s: notice_document(s, number, CLERK, now=at("2026-11-21")).content] * WORKERS,
    )
    assert {kind for kind, _ in printed} == {"done"}
    assert len({content for _, content in printed}) == 1
    assert codes_minted(db) == 1


# The notice's context


def context_of(session: Session, number: str) -> NoticeContext:
    """The notice of `number` as made now to be kept, with the code minted for it."""
    citation = find_citation(session, number, CLERK)
    profile = PublishedCatalog(session).jurisdiction()
    return printed_notice(session, citation, profile, kind="notice", now=at("2026-11-21"))


def test_the_notice_s_qr_payload_is_the_link_with_its_code(db: Engine) -> None:
    number = english(db)
    with transaction(db) as session:
        context = context_of(session, number)
        access = context.access
        assert isinstance(access, OnlineAccess)
        code = access.link.removeprefix(f"{SITE}/c/")
        assert context.qr_payload == f"{SITE}/c/{code}"
        assert access.code == "-".join(code[i : i + 4] for i in range(0, 16, 4))
        citation = find_citation(session, number, CLERK)
        assert citation_id_for_code(session, code) == citation.id
        assert "payment" not in context.qr_payload and number not in context.qr_payload


def test_a_notice_drawn_without_keeping_it_mints_nothing(db: Engine) -> None:
    """A preview (`notice_for`) has no code: its QR code opens the site's lookup page."""
    number = english(db)
    with transaction(db) as session:
        context = notice_for(session, number, CLERK)
    assert context.access is None and context.qr_payload == f"{SITE}/"
    assert codes_minted(db) == 0


# Wording


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            "See and answer this citation online: citations.example.gov/c/{code} — or go to "
            "citations.example.gov and enter your citation number and date of birth.",
        ),
        (
            "es",
            "Vea y responda su citación en línea: citations.example.gov/c/{code} — o vaya a "
            "citations.example.gov e ingrese su número de citación y su fecha de nacimiento.",
        ),
    ],
)
def test_the_block_is_in_the_document_s_language(db: Engine, language: str, words: str) -> None:
    number = issue_one(db, preferred_language=language)
    with transaction(db) as session:
        pdf = notice_document(session, number, CLERK, now=at("2026-11-21")).content
    assert words.format(code=printed_code(pdf)) in pdf_text(pdf)


def test_without_a_date_of_birth_the_code_is_the_way_in(db: Engine) -> None:
    number = issue_one(db, preferred_language="en", date_of_birth=None)
    with transaction(db) as session:
        pdf = notice_document(session, number, CLERK, now=at("2026-11-21")).content
    text = pdf_text(pdf)
    code = printed_code(pdf)
    assert f"See and answer this citation online: citations.example.gov/c/{code}." in text
    assert "date of birth" not in text
    with transaction(db) as session:
        minted = session.scalars(select(AccessCode)).one()
    assert minted.printed_on == "notice" and minted.revoked_at is None
