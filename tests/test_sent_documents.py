"""Documents are kept as sent: every print of one returns the bytes given or mailed, also
after the situation changed (a deposit paid, a hearing decided, a plan paid down); a changed
situation makes a new document, never a rewritten one (both backends)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected, NotFound, PermissionDenied, TooEarly
from citations.hearings.build import order_for
from citations.hearings.contests import request_hearing
from citations.hearings.decisions import Outcome
from citations.hearings.kept import hearing_notice_document, order_document
from citations.hearings.render import render_order
from citations.hearings.scheduling import continue_hearing, decide_hearing, schedule_hearing
from citations.hearings.tables import Order
from citations.issuing.amend import Amendment
from citations.issuing.intake import Address
from citations.notice.kept import amend_with_notice, notice_document
from citations.payments.build import receipt_for
from citations.payments.kept import late_notice_document, receipt_document
from citations.payments.plans import Installment, create_plan
from citations.payments.processing import process
from citations.payments.render import render_receipt
from citations.record.lookup import find_citation
from citations.record.returns import record_return
from citations.record.sent import documents_of, stored_document
from citations.record.tables import Mailing, SentDocument
from citations.roles import Actor, Role
from tests.factories import prepare
from tests.hearing_steps import (
    CLERK,
    at,
    issue_one,
    officer_with_session,
    to_review_upheld,
)
from tests.money_steps import ADMIN, CASHIER, pay
from tests.pdfs import pdf_text
from tests.test_citation_races import WORKERS, race

ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}
OFFICER = Actor("officer Diaz", Role.OFFICER, "DCPD")
HEARING_DAY = date(2026, 12, 16)


@pytest.fixture
def db(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def english(engine: Engine, **more: Any) -> str:
    """A citation of a person who reads English, with a postal address unless told."""
    return issue_one(engine, preferred_language="en", **({"address": ADDRESS} | more))


def kept(engine: Engine, number: str) -> list[SentDocument]:
    with transaction(engine) as session:
        citation = find_citation(session, number, CLERK)
        rows = session.scalars(
            select(SentDocument)
            .where(SentDocument.citation_id == citation.id)
            .order_by(SentDocument.id)
        ).all()
        session.expunge_all()
        return list(rows)


def print_order(engine: Engine, number: str, day: str) -> bytes:
    with transaction(engine) as session:
        return order_document(session, number, CLERK, now=at(day)).content


def to_scheduled(engine: Engine, number: str) -> int:
    """Review upheld, deposit paid, hearing scheduled on HEARING_DAY; returns the session."""
    to_review_upheld(engine, number)
    with transaction(engine) as session:
        request_hearing(
            session,
            number,
            received_at=at("2026-12-03"),
            actor=CLERK,
            now=at("2026-12-03"),
            deposit=Decimal("200.00"),
            deposit_method="card",
        )
    _, docket = officer_with_session(engine, "Ada Ruiz", HEARING_DAY)
    with transaction(engine) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=docket)
    return docket


def test_a_review_order_is_the_one_decided_after_the_deposit_is_paid(db: Engine) -> None:
    """Reprinted after the deposit was paid, the order still says what was owed and invites
    the hearing request; drawn again from today's state it would say "You owe nothing"."""
    number = english(db)
    to_review_upheld(db, number)
    first = print_order(db, number, "2026-12-02")
    text = pdf_text(first)
    assert "You owe $200.00. Pay by December 21, 2026." in text
    assert "ask for an administrative hearing by December 16, 2026" in text
    with transaction(db) as session:
        request_hearing(
            session,
            number,
            received_at=at("2026-12-03"),
            actor=CLERK,
            now=at("2026-12-03"),
            deposit=Decimal("200.00"),
            deposit_method="card",
        )
    assert print_order(db, number, "2026-12-05") == first
    with transaction(db) as session:
        today = render_order(order_for(session, number, CLERK))
    assert "You owe nothing" in pdf_text(today)  # what a rebuilt order would have said
    [order] = [d for d in kept(db, number) if d.kind == "order"]
    assert order.content == first and order.sha256 == hashlib.sha256(first).hexdigest()
    with transaction(db) as session:
        [decided] = session.scalars(select(Order.id).where(Order.citation_id == order.citation_id))
    assert (order.about, order.issued_on, order.language) == (
        f"order:{decided}",
        date(2026, 12, 1),
        "en",
    )
    assert order.delivery == "mailed" and order.address == ADDRESS | {"line2": None}


def test_a_dismissal_shows_what_was_paid_beside_the_refund(db: Engine) -> None:
    number = english(db)
    to_scheduled(db, number)
    with transaction(db) as session:
        decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The city did not prove it.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    text = pdf_text(print_order(db, number, "2026-12-17"))
    assert "Already paid or deposited $200.00" in text  # was $0.00, the refund taken off
    assert "Refund to you $200.00" in text
    kinds = [d.kind for d in kept(db, number)]
    # The review order, the deposit's receipt, the hearing notice, the refund's receipt and
    # the hearing's order: every one kept when it was made.
    assert kinds == ["order", "receipt", "hearing_notice", "hearing_packet", "receipt", "order"]


def test_the_hearing_notice_still_prints_once_the_hearing_is_decided(db: Engine) -> None:
    number = english(db)
    to_scheduled(db, number)
    with transaction(db) as session:
        before = hearing_notice_document(session, number, CLERK, now=at("2026-12-05")).content
    assert "Wednesday, December 16, 2026, at 9:00 AM" in pdf_text(before)
    with transaction(db) as session:
        decide_hearing(
            session,
            number,
            Outcome.UPHELD,
            "The photo is clear.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    with transaction(db) as session:  # was refused: "has no hearing scheduled"
        after = hearing_notice_document(session, number, CLERK, now=at("2026-12-20")).content
    assert after == before


def test_a_continuance_sends_a_new_hearing_notice_and_the_old_one_stays(db: Engine) -> None:
    number = english(db)
    to_scheduled(db, number)
    _, later = officer_with_session(db, "Ben Ortiz", date(2026, 12, 17))
    with transaction(db) as session:
        continue_hearing(
            session,
            number,
            "The interpreter is ill.",
            actor=CLERK,
            now=at("2026-12-05"),
            session_id=later,
        )
    old, new = [d for d in kept(db, number) if d.kind == "hearing_notice"]
    assert old.about != new.about
    assert "December 16, 2026" in pdf_text(old.content)
    assert "Thursday, December 17, 2026" in pdf_text(new.content)
    with transaction(db) as session:
        assert hearing_notice_document(session, number, CLERK, now=at("2026-12-06")).id == new.id
        assert stored_document(session, number, old.id, CLERK).content == old.content
        mailed = session.scalars(select(Mailing).order_by(Mailing.id)).all()
        assert [m.document_id for m in mailed][-2:] == [old.id, new.id]


def test_the_notice_handed_over_is_kept_the_first_time_it_is_printed(db: Engine) -> None:
    number = english(db)
    assert kept(db, number) == []  # issuing renders nothing
    with transaction(db) as session:
        first = notice_document(session, number, OFFICER, now=at("2026-11-21")).content
    with transaction(db) as session:
        again = notice_document(session, number, CLERK, now=at("2026-12-20")).content
    assert again == first
    [notice] = kept(db, number)
    assert (notice.kind, notice.about, notice.delivery) == ("notice", "revision:1", "handed_over")
    assert notice.issued_on == date(2026, 11, 20) and notice.address is None
    assert notice.created_by == OFFICER.name


def test_an_amendment_mails_the_amended_notice_and_keeps_the_first(db: Engine) -> None:
    number = english(db)
    with transaction(db) as session:
        first = notice_document(session, number, CLERK, now=at("2026-11-21")).content
    change = Amendment(reason="Badge number mistyped", officer={"badge": "4521", "name": "Lee"})
    with transaction(db) as session:
        amend_with_notice(session, number, change, actor=OFFICER, now=at("2026-11-22"))
    notice, amended = kept(db, number)
    assert notice.content == first
    assert (amended.kind, amended.about, amended.delivery) == (
        "amended_notice",
        "revision:2",
        "mailed",
    )
    assert "Badge number mistyped" in pdf_text(amended.content)
    with transaction(db) as session:
        assert notice_document(session, number, CLERK, now=at("2026-11-23")).id == amended.id
        [mailing] = session.scalars(select(Mailing).where(Mailing.document_id == amended.id))
        assert (
            mailing.mailed_on == date(2026, 11, 22) and mailing.address["line1"] == ADDRESS["line1"]
        )


def test_receipts_are_kept_as_given_when_the_money_is_posted(db: Engine) -> None:
    """The first receipt names the next installment of the plan as it stood then."""
    number = english(db)
    with transaction(db) as session:
        plan = [
            Installment(due_on=date(2026, 12, 15), amount=Decimal("100.00")),
            Installment(due_on=date(2027, 1, 15), amount=Decimal("100.00")),
        ]
        create_plan(session, number, plan, actor=CASHIER, now=at("2026-11-25"))
    first, _ = pay(db, number, "100.00")
    with transaction(db) as session:
        given = receipt_document(session, first.receipt_number, CASHIER, now=at("2026-11-26"))
        content = given.content
    assert "January 15, 2027" in pdf_text(content)
    pay(db, number, "100.00", when="2026-12-20")
    with transaction(db) as session:
        again = receipt_document(session, first.receipt_number, CASHIER, now=at("2026-12-21"))
        assert again.content == content
        today = render_receipt(receipt_for(session, first.receipt_number, CASHIER))
    assert today != content  # drawn again from today's plan, it would differ
    receipts = [d for d in kept(db, number) if d.kind == "receipt"]
    assert [d.about for d in receipts] == [f"receipt:{first.receipt_number}", receipts[1].about]
    assert {d.delivery for d in receipts} == {"handed_over"}


@pytest.mark.parametrize("address", [ADDRESS, None], ids=["mailed", "no address"])
def test_the_late_notice_is_kept_when_processing_marks_the_citation_delinquent(
    db: Engine, address: dict[str, str] | None
) -> None:
    number = issue_one(db, preferred_language="en", address=address)
    with transaction(db) as session:
        process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26", 23))
    [late] = kept(db, number)
    assert (late.kind, late.about, late.issued_on) == (
        "late_notice",
        "late:2026-12-26",
        date(2026, 12, 26),
    )
    pay(db, number, "50.00", when="2027-01-05")  # the situation changes; the notice does not
    with transaction(db) as session:
        assert late_notice_document(session, number, CLERK).content == late.content
        mailings = session.scalars(select(Mailing).where(Mailing.document_id == late.id)).all()
    if address is None:  # kept at the office for the person, who has no address on file
        assert late.delivery == "handed_over" and late.address is None and mailings == []
    else:
        assert late.delivery == "mailed" and [m.mailed_on for m in mailings] == [date(2026, 12, 26)]


def test_a_returned_letter_is_logged_and_flags_the_citation(db: Engine) -> None:
    number = english(db)
    to_review_upheld(db, number)
    [order] = kept(db, number)

    def returned(on: date) -> Any:
        with transaction(db) as session:
            return record_return(
                session,
                number,
                order.id,
                returned_on=on,
                reason="Moved, left no address",
                actor=CLERK,
                now=at("2026-12-10"),
            )

    with pytest.raises(InputRejected) as early:
        returned(date(2026, 11, 30))
    assert "2026-11-30 is before it was mailed (2026-12-01)" in str(early.value)
    listed = returned(date(2026, 12, 9))
    assert listed.mailing is not None and listed.mailing.returned_on == date(2026, 12, 9)
    assert listed.mailing.return_reason == "Moved, left no address"
    with pytest.raises(InputRejected) as twice:
        returned(date(2026, 12, 9))
    assert "already recorded as returned on 2026-12-09" in str(twice.value)
    with transaction(db) as session:
        citation = find_citation(session, number, CLERK)
        assert citation.attention == (
            "The order mailed on 2026-12-01 to 1200 W 7th St, Los Angeles CA 90017 came back on "
            "2026-12-09: Moved, left no address. Record a new address to mail the notice again."
        )
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mail.returned")
        ).one()
        assert event.actor == CLERK.name and event.after is not None
        assert event.after["document"] == order.id


def test_only_mailed_documents_come_back_and_not_before_today(db: Engine) -> None:
    number = english(db, address=None)
    to_review_upheld(db, number)
    mailed = english(db)
    to_review_upheld(db, mailed)
    [handed] = kept(db, number)
    [order] = kept(db, mailed)
    with transaction(db) as session, pytest.raises(InputRejected) as raised:
        record_return(
            session,
            number,
            handed.id,
            returned_on=date(2026, 12, 9),
            reason="Moved",
            actor=CLERK,
            now=at("2026-12-10"),
        )
    assert f"document {handed.id} was handed_over, not mailed" in str(raised.value)
    with transaction(db) as session, pytest.raises(TooEarly):
        record_return(
            session,
            mailed,
            order.id,
            returned_on=date(2026, 12, 11),
            reason="Moved",
            actor=CLERK,
            now=at("2026-12-10"),
        )
    with transaction(db) as session, pytest.raises(NotFound):  # another citation's document
        record_return(
            session,
            number,
            order.id,
            returned_on=date(2026, 12, 9),
            reason="Moved",
            actor=CLERK,
            now=at("2026-12-10"),
        )
    with transaction(db) as session:
        assert find_citation(session, mailed, CLERK).attention is None


def test_past_the_notice_a_new_address_gets_the_returned_letter_again(db: Engine) -> None:
    """The review upheld it, so a new notice would promise time the person no longer has: the
    order that came back goes out again as it was sent, to the new address."""
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
    new = Address(line1="48 Alvarado St", line2="Apt 3", city="Los Angeles", postal_code="90026")
    from citations.notice.address import change_address

    with transaction(db) as session:
        again = change_address(session, number, new, actor=CLERK, now=at("2026-12-11"))
        assert (again.kind, again.about, again.sha256) == (
            "order",
            f"{order.about}/mailing:2",
            order.sha256,
        )
        assert again.content == session.get(SentDocument, order.id).content  # type: ignore[union-attr]
    expected = new.model_dump(mode="json")
    with transaction(db) as session:
        citation = find_citation(session, number, CLERK)
        assert citation.subject["address"] == expected and citation.attention is None
        mailing = session.scalars(select(Mailing).where(Mailing.document_id == again.id)).one()
        assert (mailing.mailed_on, mailing.address) == (date(2026, 12, 11), expected)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "citation.address_changed")
        ).one()
        assert event.before is not None and event.before["address"]["line1"] == ADDRESS["line1"]
        assert event.after == {"address": expected, "attention": None}
    with transaction(db) as session, pytest.raises(InputRejected) as raised:
        change_address(session, number, new, actor=CLERK, now=at("2026-12-12"))
    assert "is already the address on file" in str(raised.value)


def test_receipts_are_listed_and_read_only_by_those_who_may_print_them(db: Engine) -> None:
    number = english(db)
    paid, _ = pay(db, number, "50.00")
    with transaction(db) as session:
        notice_document(session, number, OFFICER, now=at("2026-11-26"))
        officer_sees = [d.kind for d in documents_of(session, number, OFFICER)]
        clerk_sees = [d.kind for d in documents_of(session, number, CLERK)]
        receipt = next(d for d in documents_of(session, number, CLERK) if d.kind == "receipt")
        with pytest.raises(PermissionDenied):
            stored_document(session, number, receipt.id, OFFICER)
        other = Actor("officer Ray", Role.OFFICER, "OTHR")
        with pytest.raises(NotFound):
            documents_of(session, number, other)
    assert officer_sees == ["notice"] and clerk_sees == ["receipt", "notice"]
    assert receipt.about == f"receipt:{paid.receipt_number}"


def test_every_kind_downloads_as_the_same_bytes_with_its_sha256(db: Engine) -> None:
    number = english(db)
    to_scheduled(db, number)
    with transaction(db) as session:
        notice_document(session, number, CLERK, now=at("2026-12-05"))
    with transaction(db) as session:
        decide_hearing(
            session,
            number,
            Outcome.REDUCED,
            "A first offense.",
            actor=CLERK,
            now=at("2026-12-16", 11),
            new_amount=Decimal("150.00"),
            reduction_reason="First",
        )
    listed = kept(db, number)
    assert {d.kind for d in listed} == {
        "notice",
        "order",
        "receipt",
        "hearing_notice",
        "hearing_packet",
    }
    with transaction(db) as session:
        for document in listed:
            for _ in range(2):
                content = stored_document(session, number, document.id, CLERK).content
                assert content == document.content
                assert hashlib.sha256(content).hexdigest() == document.sha256
                assert len(content) == document.size
        assert session.scalar(select(func.count()).select_from(SentDocument)) == len(listed)


def test_ten_first_prints_at_once_keep_one_notice(db: Engine, database_url: str) -> None:
    """Ten clerks print a notice never printed, released together: the citation's lock makes
    them one after another, so one document is kept and all ten get its bytes (PostgreSQL;
    SQLite serializes writers itself)."""
    if db.dialect.name != "postgresql":
        pytest.skip("the races are proven on PostgreSQL; SQLite serializes writers itself")
    number = english(db)
    printed = race(
        database_url,
        [lambda s: notice_document(s, number, CLERK, now=at("2026-11-21")).content] * WORKERS,
    )
    assert {kind for kind, _ in printed} == {"done"}
    [notice] = kept(db, number)
    assert all(content == notice.content for _, content in printed)
    with transaction(db) as session:
        sent = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "document.sent")
        )
    assert sent == 1
