"""Printed reminder letters (both backends): the letters due are batched once, kept and marked
sent in one transaction; a batch's files are rebuilt byte for byte; the PDF has a page per
letter with the address where a #10 window envelope shows it; the CSV lists the letters."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import NotFound
from citations.outreach.channels.letter_pdf import PAGE_HEIGHT, WINDOW
from citations.outreach.channels.letters import (
    CSV_HEADER,
    KIND,
    NO_ADDRESS,
    batch_letters,
    write_batch,
)
from citations.outreach.wording import REMINDERS
from citations.record.access import AccessCode, citation_id_for_code
from citations.record.messages import LetterBatch, OutboxMessage
from citations.record.tables import Citation, SentDocument
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import ISSUED_AT
from tests.letters_steps import ADDRESS, cited, letters_catalog, message_row, queue
from tests.pdfs import pdf_text
from tests.test_citation_races import race


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The test catalog, its profile sending letters (so the sync writes them too)."""
    prepare(engine, letters_catalog())
    return engine


def make_batch(engine: Engine) -> int | None:
    with transaction(engine) as session:
        batch = batch_letters(session, now=NOW, actor=OPERATOR)
        return None if batch is None else batch.id


def files(engine: Engine, batch: int, folder: Path) -> tuple[bytes, str]:
    with transaction(engine) as session:
        written = write_batch(session, batch, folder)
    return written.pdf.read_bytes(), written.csv.read_text("utf-8")


def test_the_letters_due_are_batched_once_and_marked_sent(db: Engine) -> None:
    first, second = cited(db), cited(db, first_name="Ana", last_name="Reyes")
    # The first one's letter after its missed deadline, brought forward to now; the second
    # one's letter about a hearing set; the second one's letter after its deadline, which
    # the sync wrote when it was issued and which goes on December 11.
    due = [queue(db, first), queue(db, second, kind="hearing_set")]
    later = queue(db, second, due=None)
    assert message_row(db, later).send_at == datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
    cancelled = queue(db, second, kind="hearing_moved", status="cancelled")
    # A text due now, to someone who agreed to texts at the scene (and so gets no letter).
    body = message(
        violation_at="2026-11-20T10:00:00-08:00",
        subject=subject(first_name="Tomás", preferred_language="en", address=ADDRESS),
        contact={"phone": "(510) 555-0123", "texts": True},
    )
    texted = send(db, body, now=ISSUED_AT).result.citation_number
    assert texted is not None
    text = queue(db, texted, kind="before_pay_by", channel="text")

    batch = make_batch(db)
    assert batch is not None
    assert make_batch(db) is None  # a second run finds nothing: made once

    for message_id in due:
        row = message_row(db, message_id)
        assert (row.status, row.batch_id, row.sent_at) == ("sent", batch, NOW)
        assert row.provider_id == f"batch-{batch}"
        assert row.address is not None and row.address.endswith(
            "1200 W 7th St\nLos Angeles CA 90017"
        )
        assert row.body and "/c/…" in row.body  # the words as sent, the code cut short
    assert message_row(db, due[0]).address == "Maria Lopez\n1200 W 7th St\nLos Angeles CA 90017"
    # Left as they were: the batch's commit brings the batched citations' messages up to
    # date with their plan, which still wants the second one's later letter.
    for message_id, status in ((later, "pending"), (text, "pending"), (cancelled, "cancelled")):
        assert (message_row(db, message_id).status, message_row(db, message_id).batch_id) == (
            status,
            None,
        )
    with transaction(db) as session:
        made = session.get(LetterBatch, batch)
        assert made is not None and (made.letters, made.created_at) == (2, NOW)
        assert made.created_by == OPERATOR.name
        kept = session.scalars(select(SentDocument).where(SentDocument.kind == KIND)).all()
        assert sorted(d.about for d in kept) == [f"message:{i}" for i in due]
        assert all(d.delivery == "mailed" and d.content.startswith(b"%PDF") for d in kept)
        codes = session.scalar(
            select(func.count()).select_from(AccessCode).where(AccessCode.printed_on == KIND)
        )
        assert codes == 2  # a fresh code printed on each letter
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["document.sent", "letter_batch.made"]))
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.entity_key) for e in events] == [
            ("document.sent", first),
            ("document.sent", second),
            ("letter_batch.made", str(batch)),
        ]
        assert [(e.after or {}).get("message") for e in events[:2]] == due


def test_a_letter_with_nowhere_to_go_fails_for_a_clerk(db: Engine) -> None:
    homeless = cited(db, address=None)
    message_id = queue(db, homeless)
    assert make_batch(db) is None
    row = message_row(db, message_id)
    assert (row.status, row.error, row.batch_id) == ("failed", NO_ADDRESS, None)
    with transaction(db) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "message.failed")
        ).one()
        assert (event.entity_type, event.entity_key) == ("citation", homeless)


def test_a_letter_whose_words_cannot_be_written_fails_alone(db: Engine) -> None:
    numbers = [cited(db, first_name=name) for name in ("Ana", "Berta", "Carla")]
    # The middle one's facts are not the ones its words need (as the placeholder planner
    # left them): its words cannot be written.
    ids = [queue(db, numbers[0]), queue(db, numbers[1], facts={}), queue(db, numbers[2])]

    batch = make_batch(db)

    assert batch is not None
    broken = message_row(db, ids[1])
    assert (broken.status, broken.attempts, broken.batch_id, broken.body) == (
        "failed",
        1,
        None,
        None,
    )
    assert broken.error is not None
    assert broken.error.startswith(
        f"its words could not be written: NoticeTemplateError: notice template "
        f"{REMINDERS / 'en.yaml'}, line "
    )
    assert broken.error.endswith(
        "key 'standard.missed_pay_by.body': cannot render: weekday_date() was given no value (None)"
    )
    assert [(message_row(db, i).status, message_row(db, i).batch_id) for i in ids[::2]] == [
        ("sent", batch),
        ("sent", batch),
    ]
    with transaction(db) as session:
        kept = session.scalars(select(SentDocument.about).where(SentDocument.kind == KIND)).all()
        assert sorted(kept) == [f"message:{ids[0]}", f"message:{ids[2]}"]
        codes = session.scalar(
            select(func.count()).select_from(AccessCode).where(AccessCode.printed_on == KIND)
        )
        assert codes == 2  # the letter not made minted none
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "message.failed")
        ).one()
        assert (failed.entity_type, failed.entity_key) == ("citation", numbers[1])
        assert failed.after == {
            "message": ids[1],
            "kind": "missed_pay_by",
            "channel": "letter",
            "error": broken.error,
        }
        made = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "letter_batch.made")
        ).one()
        assert made.after == {"letters": 2, "failed": 1}


def test_a_run_whose_only_letter_cannot_be_written_records_why(db: Engine) -> None:
    message_id = queue(db, cited(db), facts={})
    assert make_batch(db) is None
    row = message_row(db, message_id)
    assert (row.status, row.batch_id) == ("failed", None)
    assert row.error is not None and row.error.startswith("its words could not be written: ")
    with transaction(db) as session:
        assert session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_a_batch_is_written_again_byte_for_byte(db: Engine, tmp_path: Path) -> None:
    for n in range(3):
        queue(db, cited(db, first_name=f"Person{n}"))
    batch = make_batch(db)
    assert batch is not None
    pdf, table = files(db, batch, tmp_path / "first")
    again_pdf, again_table = files(db, batch, tmp_path / "again")
    assert (again_pdf, again_table) == (pdf, table)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3  # a page a letter
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == [
        f"letter-batch-{batch}.csv",
        f"letter-batch-{batch}.pdf",
    ]


def test_the_csv_lists_each_letter_for_the_mail_house(db: Engine, tmp_path: Path) -> None:
    english = cited(
        db,
        address={
            "line1": "48 Alvarado St",
            "line2": "Apt 3",
            "city": "Demo City",
            "state": "CA",
            "postal_code": "90012",
        },
    )
    spanish = cited(db, first_name="José", last_name="Núñez", preferred_language="es")
    ids = [queue(db, english), queue(db, spanish, language="es")]
    batch = make_batch(db)
    assert batch is not None
    _, table = files(db, batch, tmp_path)
    rows = list(csv.reader(io.StringIO(table)))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [
        [
            str(batch),
            "1",
            str(ids[0]),
            english,
            "Maria Lopez",
            "48 Alvarado St",
            "Apt 3",
            "Demo City",
            "CA",
            "90012",
            "US",
            "en",
            "1",
            "1",
            "1",
        ],
        [
            str(batch),
            "2",
            str(ids[1]),
            spanish,
            "José Núñez",
            "1200 W 7th St",
            "",
            "Los Angeles",
            "CA",
            "90017",
            "US",
            "es",
            "2",
            "1",
            "1",
        ],
    ]


def test_the_address_shows_through_the_envelope_window(db: Engine, tmp_path: Path) -> None:
    queue(
        db,
        cited(
            db,
            address={
                "line1": "48 Alvarado St",
                "line2": "Apt 3",
                "city": "Demo City",
                "state": "CA",
                "postal_code": "90012",
            },
        ),
    )
    batch = make_batch(db)
    assert batch is not None
    pdf, _ = files(db, batch, tmp_path)
    placed = positions(pdf)
    left, top, width, height = WINDOW
    for line in ("Maria Lopez", "48 Alvarado St", "Apt 3", "Demo City CA 90012"):
        x, y, size = placed[line]
        assert left <= x < left + width, line
        # The line's baseline and its letters' height are inside the window's box.
        assert PAGE_HEIGHT - top - height <= y and y + size <= PAGE_HEIGHT - top, line
        assert 8 <= size <= 12
    # Nothing else is printed where the window may fall (⅞ to 5⅜ inches from the left).
    inside = [
        text
        for text, (x, y, _) in placed.items()
        if x < 5.375 * 72 and PAGE_HEIGHT - 3.625 * 72 <= y <= PAGE_HEIGHT - 2.042 * 72
    ]
    assert sorted(inside) == sorted(
        ["Maria Lopez", "48 Alvarado St", "Apt 3", "Demo City CA 90012"]
    )


def positions(pdf: bytes) -> dict[str, tuple[float, float, float]]:
    """Each run of text on the first page: where it starts (x, baseline y) and its size."""
    placed: dict[str, tuple[float, float, float]] = {}

    def visitor(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            placed.setdefault(text.strip(), (x, y, size * tm[0] * cm[0]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visitor)
    return placed


def test_each_letter_prints_its_words_in_its_language(db: Engine, tmp_path: Path) -> None:
    queue(db, cited(db), kind="missed_pay_by")
    queue(db, cited(db, first_name="José", preferred_language="es"), kind="hearing_set",
          language="es")  # fmt: skip
    batch = make_batch(db)
    assert batch is not None
    pdf, _ = files(db, batch, tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    english, spanish = (" ".join(p.extract_text().split()) for p in reader.pages)
    # Each in its own words (templates/reminders), from the facts the plan wrote for it.
    assert "REMINDER" in english and "Dear Maria Lopez," in english
    assert (
        "Your citation was due on Thursday, December 10, 2026, and we have not received a "
        "payment or a request. The amount due is $200.00. You can still pay by Friday, "
        "December 25, 2026 without a late penalty."
    ) in english
    assert "RECORDATORIO" in spanish and "Estimado/a José Lopez:" in spanish
    assert (
        "Su audiencia quedó fijada para el jueves, 31 de diciembre de 2026 a las 9:00"
    ) in spanish and "en City Hall East, Room 101." in spanish
    # The office's hours end with a full stop of their own: the sentence adds none.
    assert "Office hours: Monday to Friday, 8:00 a.m. to 5:00 p.m. Administrative" in english
    assert "Horario: De lunes a viernes, de 8:00 a. m. a 5:00 p. m. Oficina" in spanish
    assert "Citation number" in english and "Número de citación" in spanish
    # The link with this letter's code: the same code the QR code carries.
    assert "/c/" in english and "/c/…" not in english


def test_an_unknown_batch_is_not_found(db: Engine, tmp_path: Path) -> None:
    with transaction(db) as session, pytest.raises(NotFound):
        write_batch(session, 99, tmp_path)


def test_the_letters_are_the_documents_sent(db: Engine) -> None:
    number = cited(db)
    queue(db, number)
    batch = make_batch(db)
    assert batch is not None
    with transaction(db) as session:
        document = session.scalars(select(SentDocument).where(SentDocument.kind == KIND)).one()
        text = pdf_text(document.content)
    assert number in text and "Maria Lopez" in text


def test_the_printed_code_opens_the_citation_and_is_not_kept(db: Engine, tmp_path: Path) -> None:
    number = cited(db)
    message_id = queue(db, number)
    batch = make_batch(db)
    assert batch is not None
    pdf, _ = files(db, batch, tmp_path)
    printed = re.search(r"/c/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", pdf_text(pdf))
    assert printed is not None
    code = printed.group(1)
    with transaction(db) as session:
        opened = citation_id_for_code(session, code)
        assert opened is not None
        citation = session.get(Citation, opened)
        assert citation is not None and citation.number == number
    body = message_row(db, message_id).body or ""
    assert code not in body and code.replace("-", "") not in body
    link = f"citations.example.gov/c/…{code[-4:]}"
    assert body.endswith(f"See your citation, pay, or ask for help online: {link}")


def test_two_runs_at_once_never_batch_a_letter_twice(db: Engine, database_url: str) -> None:
    due = [queue(db, cited(db, first_name=f"Person{n}")) for n in range(6)]

    def run(session: Session) -> list[int]:
        batch = batch_letters(session, now=NOW, actor=OPERATOR)
        if batch is None:
            return []
        return list(
            session.scalars(select(OutboxMessage.id).where(OutboxMessage.batch_id == batch.id))
        )

    outcomes = race(database_url, [run, run])
    batched = [message for _, ids in outcomes for message in ids]
    assert sorted(batched) == due  # each letter in exactly one batch
