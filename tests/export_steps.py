"""Test data and file surgery for the records export tests (tests/test_export.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PIL import Image
from sqlalchemy import Engine

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.export import export_records, import_records
from citations.hearings.contests import decide_review, request_hearing, request_review
from citations.hearings.decisions import Outcome
from citations.hearings.officers import recuse
from citations.hearings.scheduling import continue_hearing, schedule_hearing
from citations.money import from_cents
from citations.notice.kept import notice_document
from citations.notice.mailing import mail_waiting
from citations.online.contest import ask_for_review
from citations.online.files import Upload
from citations.online.help import ask_ability_to_pay
from citations.online.lookup import Found, find_by_birth_date
from citations.online.payments import start_online_payment
from citations.online.providers import TestProvider
from citations.online.sessions import open_session
from citations.outreach.channels.letters import batch_letters
from citations.outreach.optout import TEXT_REPLY, opt_out
from citations.payments.ability import Declaration, request_ability_to_pay
from citations.payments.drawers import close_drawer, open_drawer, take_counter_payment
from citations.payments.posting import PaymentRequest, record_payment, reverse_payment
from citations.record.accounts import actor_of
from citations.record.agencies import allocate_block
from citations.record.lookup import find_citation
from citations.record.returns import record_return
from citations.record.sent import documents_of
from citations.record.tokens import create_token
from citations.record.web_sessions import start_session
from citations.roles import OPERATOR, cited_person
from citations.seed import seed
from tests.conftest import NOW
from tests.factories import message, send, subject
from tests.hearing_steps import (
    CLERK,
    ISSUED_AT,
    REVIEWER,
    SIGNED,
    at,
    officer_with_session,
)
from tests.staff_steps import make_user

EXPORTED_AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SCREENING = {"violence": False, "weapon": False, "unable_to_care_for_self": False}


ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}


def issue(engine: Engine, first_name: str, **more: Any) -> str:
    """A citation under the seed's (demo) catalog, for a person the seed never made."""
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(first_name=first_name, last_name="Export", identifiers=[], **more),
        violations=[{"ordinance": "LAMC 41.27(c)", "narrative": "Open can of beer."}],
        screening=SCREENING,
    )
    number = send(engine, body, now=ISSUED_AT).result.citation_number
    assert number is not None
    return number


def populate(engine: Engine) -> None:
    """A row in every table: the seed, then what it leaves out (revisions, tokens, blocks,
    recusals, ability to pay, a continued hearing, a reversed payment, a web session, the
    documents sent with their mailing log and a returned letter)."""
    seed(engine, 200, seed=7, now=NOW)
    heard = issue(engine, "Heard", address=ADDRESS)  # its hearing notices and order are mailed
    paying, poor = (issue(engine, name) for name in ("Paying", "Poor"))
    with transaction(engine) as session:
        when = at("2026-11-25")
        request_review(session, heard, "A soda can.", received_at=when, actor=CLERK, now=when)
    with transaction(engine) as session:
        findings = "The photo shows a beer can."
        decide_review(
            session,
            heard,
            Outcome.UPHELD,
            findings,
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
    with transaction(engine) as session:
        fine = from_cents(find_citation(session, heard, CLERK).total_fine_cents)
        when = at("2026-12-03")
        request_hearing(
            session,
            heard,
            received_at=when,
            actor=CLERK,
            now=when,
            deposit=fine,
            deposit_method="card",
        )
    officer, first = officer_with_session(engine, "Judge One", date(2026, 12, 16))
    _, second = officer_with_session(engine, "Judge Two", date(2026, 12, 17))
    with transaction(engine) as session:
        schedule_hearing(session, heard, actor=CLERK, now=at("2026-12-04"), session_id=first)
    with transaction(engine) as session:
        when = at("2026-12-05")
        continue_hearing(
            session, heard, "No interpreter.", actor=CLERK, now=when, session_id=second
        )
        recuse(session, officer, paying, "Knows the person.", actor=CLERK, now=when)
    with transaction(engine) as session:
        request = PaymentRequest(amount=Decimal("10.00"), method="check")
        paid, _ = record_payment(session, paying, request, actor=CLERK, now=at("2026-11-25"))
    with transaction(engine) as session:
        reverse_payment(session, paid.receipt_number, "Returned", actor=CLERK, now=at("2026-11-27"))
        declaration = Declaration(
            benefits=["calfresh"], household_size=1, monthly_income=Decimal("900.00"), sworn=True
        )
        request_ability_to_pay(session, poor, declaration, actor=CLERK, now=at("2026-11-25"))
        create_token(
            session, role="officer", agency="DCPD", name="unit 12", actor=OPERATOR, now=NOW
        )
        allocate_block(session, "DCPD", "unit-12", 50, year=2026, actor=OPERATOR, now=NOW)
        desk, _ = create_token(
            session, role="clerk", agency=None, name="front desk", actor=OPERATOR, now=NOW
        )
        start_session(session, desk.id, actor=OPERATOR, now=NOW)  # a clerk signed in
        clerk = make_user(session)  # a person's account, signed in too
        start_session(session, user_id=clerk.id, actor=OPERATOR, now=NOW)
        # The clerk's drawer at the counter: a float, one cash payment, closed balanced.
        cashier, when = actor_of(clerk), at("2026-12-04")
        open_drawer(session, Decimal("100.00"), actor=cashier, now=when)
        cash = PaymentRequest(amount=Decimal("5.00"), method="cash")
        take_counter_payment(session, paying, cash, actor=cashier, now=when)
        close_drawer(session, Decimal("105.00"), Decimal("0.00"), actor=cashier, now=when)
    # A notice to be mailed, mailed by the mail run: a document kept as sent and its mailing.
    address = {"line1": "1 Export Way", "city": "Demo City", "state": "CA", "postal_code": "90012"}
    mailed = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(first_name="Mailed", last_name="Export", identifiers=[], address=address),
        violations=[{"ordinance": "LAMC 41.27(c)", "narrative": "Open can of beer."}],
        screening=SCREENING,
        service="mail",
    )
    send(engine, mailed, now=ISSUED_AT)
    with transaction(engine) as session:
        assert mail_waiting(session, actor=OPERATOR, now=ISSUED_AT)
        notice_document(session, poor, CLERK, now=NOW)  # the notice handed over, first printed
    with transaction(engine) as session:
        sent = documents_of(session, heard, CLERK)
        first_notice = next(d for d in sent if d.kind == "hearing_notice")
        assert first_notice.mailing is not None
        when = at("2026-12-09")
        record_return(
            session,
            heard,
            first_notice.id,
            returned_on=date(2026, 12, 9),
            reason="Moved",
            actor=CLERK,
            now=when,
        )
    _online(engine, poor)
    _outreach(engine)


def _outreach(engine: Engine) -> None:
    """Reminders, each through its library step: a person who agreed to texts and emails (the
    commit writes their reminders to the outbox), a STOP from their phone, and the letters
    due (the hearing set and moved for a person with only a postal address) in a batch."""
    contact = {"phone": "(510) 555-0199", "email": "reach@example.org", "texts": True}
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(first_name="Reach", last_name="Export", identifiers=[], address=ADDRESS),
        violations=[{"ordinance": "LAMC 41.27(c)", "narrative": "Open can of beer."}],
        screening=SCREENING,
        contact=contact | {"emails": True},
    )
    assert send(engine, body, now=ISSUED_AT).result.citation_number is not None
    with transaction(engine) as session:
        when = at("2026-12-10")
        change = opt_out(
            session,
            channel="text",
            address="+15105550199",
            how="stop_reply",
            actor=TEXT_REPLY,
            now=when,
        )
        assert change.changed and change.citations
        assert batch_letters(session, now=when, actor=OPERATOR) is not None


def _online(engine: Engine, number: str) -> None:
    """The cited person's own pages, each through its library step: a wrong try and a right
    one, a session, a payment started with the provider, a request for staff, and a review
    asked with a photo (kept as a file); the documents have minted their access codes."""
    address = {"line1": "9 Online Way", "city": "Demo City", "state": "CA", "postal_code": "90012"}
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(first_name="Online", last_name="Export", identifiers=[], address=address),
        violations=[{"ordinance": "LAMC 41.27(c)", "narrative": "Open can of beer."}],
        screening=SCREENING,
    )
    online = send(engine, body, now=ISSUED_AT).result.citation_number
    assert online is not None
    person = cited_person(online)
    when = at("2026-11-26")
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        for born in (date(1970, 1, 1), date(1990, 4, 2)):  # a wrong try, then the right one
            found = find_by_birth_date(
                session, online, born, client="192.0.2.7", now=when, profile=profile
            )
        assert isinstance(found, Found)
        open_session(session, found.citation_id, online, how="birth_date", now=when)
        start_online_payment(
            session,
            online,
            purpose="balance",
            actor=person,
            now=when,
            provider=TestProvider("export-secret-" + "x" * 20),
            return_base="https://citations.test-city.example",
        )
        above_the_line = Declaration(
            household_size=1, monthly_income=Decimal("9000.00"), sworn=True
        )
        ask_ability_to_pay(session, online, above_the_line, "Rent is due.", actor=person, now=when)
        ask_for_review(
            session, online, "The can was soda.", [Upload("can.png", png())], actor=person, now=when
        )


def png() -> bytes:
    """A small PNG photo, as a phone would send one."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def export_text(engine: Engine) -> str:
    out = io.StringIO()
    export_records(engine, out, exported_at=EXPORTED_AT)
    return out.getvalue()


def restore(engine: Engine, content: str) -> None:
    import_records(engine, io.StringIO(content), source="records.jsonl")


def rows_of(content: str, table: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in content.splitlines()[1:-1]]
    return [line["row"] for line in lines if line.get("table") == table]  # not the files


def files_start(lines: list[str]) -> int:
    """The index of the line after the last row: the first file's, or the trailer's."""
    return next(i for i, line in enumerate(lines) if i and not line.startswith('{"table"'))


def reseal(lines: list[str]) -> list[str]:
    """Recompute the trailer's checksums, as a careless or hostile writer could."""
    trailer = json.loads(lines[-1])
    body = "".join(line + "\n" for line in lines[:-1]).encode()
    row_lines = [line for line in lines[1:-1] if not line.startswith('{"file"')]
    rows = "".join(line + "\n" for line in row_lines).encode()
    trailer["sha256"] = hashlib.sha256(body).hexdigest()
    trailer["rows_sha256"] = hashlib.sha256(rows).hexdigest()
    return [*lines[:-1], json.dumps(trailer)]


def line_of(lines: list[str], table: str) -> int:
    """The index of the first row of `table`."""
    return next(i for i, line in enumerate(lines) if line.startswith(f'{{"table":"{table}"'))


def set_column(line: str, column: str, value: object) -> str:
    item = json.loads(line)
    item["row"][column] = value
    return json.dumps(item)


def replaced(lines: list[str], index: int, line: str) -> list[str]:
    return [*lines[:index], line, *lines[index + 1 :]]
