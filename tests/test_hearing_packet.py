"""The hearing packet: every piece of evidence on a contested citation in one PDF, sent with
the hearing notice and printable at any time (on both backends)."""

from __future__ import annotations

import hashlib
from datetime import date
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Engine, select

from citations.attachments import service
from citations.attachments.tables import Attachment
from citations.database import reading, transaction
from citations.hearings.kept import current_packet
from citations.hearings.scheduling import schedule_hearing
from citations.record.lookup import lock_citation
from citations.record.tables import SentDocument
from citations.roles import Actor, Role
from tests.evidence_steps import evidence_photo
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session, to_ready
from tests.pdfs import pdf_text

OFFICER = Actor("officer Alvarez", Role.OFFICER, agency="DCPD")


def photo(color: tuple[int, int, int], size: tuple[int, int] = (1200, 900)) -> bytes:
    """A photo as an officer's phone takes it: when (with its offset) and where."""
    return evidence_photo(color, size)


def letter(*lines: str) -> bytes:
    """A two-page PDF letter, as a person scans one."""
    out = BytesIO()
    canvas = Canvas(out)
    for line in lines:
        canvas.drawString(72, 700, line)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def contested(engine: Engine, **subject: Any) -> tuple[str, dict[str, str]]:
    """A citation ready for a hearing, with the officer's two photos (one withdrawn), an
    awaited one, and the person's picture and letter; returns its number and the files'
    hashes by name."""
    prepare(engine)
    number = issue_one(engine, **subject)
    officer_with_session(engine, "Judge Ada Ruiz", date(2026, 12, 21))
    to_ready(engine, number)
    hashes: dict[str, str] = {}
    with transaction(engine) as session:
        for name, data in (("can.jpg", photo((200, 40, 40))), ("wrong.jpg", photo((0, 90, 0)))):
            row = service.upload(
                session,
                data,
                filename=name,
                declared_type="image/jpeg",
                actor=OFFICER,
                now=at("2026-11-20", 11),
                added_from="api 10.0.0.7",
                citation_number=number,
                description="Open can on the bench" if name == "can.jpg" else None,
            )
            hashes[name] = row.sha256
        hashes["awaited"] = "ab" * 32
        citation = lock_citation(session, number, OFFICER)
        service.name_files(
            session,
            citation,
            [hashes["awaited"]],
            actor=OFFICER,
            now=at("2026-11-20", 12),
            named_from="api",
        )
    with transaction(engine) as session:
        wrong = session.scalar(
            select(Attachment.key).where(Attachment.sha256 == hashes["wrong.jpg"])
        )
        assert wrong is not None
        service.withdraw(session, wrong, "Photo of another stop", actor=CLERK, now=at("2026-11-21"))
        citation = lock_citation(session, number, CLERK)
        receipt = photo((30, 30, 200), (640, 480))
        added = service.add_file(
            session,
            citation,
            receipt,
            filename="receipt.jpg",
            source="person",
            purpose="mail",
            actor=CLERK,
            now=at("2026-11-26"),
            added_from="clerk pages",
            description="Receipt for the soda",
        )
        hashes["receipt.jpg"] = added.sha256
        pdf = letter("Dear hearing officer, page one.", "It was a soda can, page two.")
        added = service.add_file(
            session,
            citation,
            pdf,
            filename="letter.pdf",
            source="person",
            purpose="mail",
            actor=CLERK,
            now=at("2026-11-26"),
            added_from="clerk pages",
            description="Letter received by mail",
        )
        hashes["letter.pdf"] = added.sha256
    return number, hashes


def schedule(engine: Engine, number: str) -> None:
    with transaction(engine) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))


def test_the_packet_holds_every_piece_of_evidence(engine: Engine) -> None:
    number, hashes = contested(engine, preferred_language="en")
    schedule(engine, number)
    with reading(engine) as session:
        _, pdf = current_packet(session, number, CLERK, now=at("2026-12-05"))
    text = " ".join(pdf_text(pdf).split())
    assert "HEARING PACKET" in text
    assert "Open can of beer on the sidewalk." in text  # the narrative
    assert "TC 41.27(c)" in text
    # The officer's photo: what it is, when and where it was taken, its hash.
    assert "can.jpg: Open can on the bench" in text
    assert "Taken November 20, 2026, 9:58" in text
    assert "Place: 34.052000, -118.234444" in text
    assert "Apple iPhone 15" in text
    assert f"SHA-256: {hashes['can.jpg']}" in text
    # The person's statement, picture and letter.
    assert "I was not drinking; it was a soda can." in text
    assert "receipt.jpg: Receipt for the soda" in text
    assert f"SHA-256: {hashes['letter.pdf']}" in text
    # The withdrawn photo is only listed, with who withdrew it and why.
    assert "wrong.jpg (the officer's), withdrawn on November 21, 2026 by clerk Jordan" in text
    assert "Photo of another stop" in text
    assert hashes["awaited"] in text
    assert "not received yet" in text
    # The review decision and the history.
    assert "The officer's report and photo show an open beer can." in text
    assert "Pat Morgan, Senior Review Officer" in text
    # The history in words (the wording lists the actions a packet shows).
    assert "File withdrawn: Photo of another stop" in text
    assert "Hearing scheduled" in text and "hearing.scheduled" not in text
    assert "ledger: fine assessed" not in text and "Fine assessed" in text


def test_the_person_s_pdf_is_appended_as_its_own_pages(engine: Engine) -> None:
    number, _ = contested(engine, preferred_language="en")
    schedule(engine, number)
    with reading(engine) as session:
        _, pdf = current_packet(session, number, CLERK, now=at("2026-12-05"))
    reader = PdfReader(BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert "Dear hearing officer, page one." in pages[-2]
    assert "It was a soda can, page two." in pages[-1]
    assert "Appended file: letter.pdf" in pages[-3]
    assert "next 2 pages are the PDF file letter.pdf" in " ".join(pages[-3].split())
    total = len(pages)
    # Every page is numbered in the packet's footer, the appended ones too.
    assert f"Page {total} of {total}" in pages[-1]
    assert f"Page 1 of {total}" in pages[0]
    # Twenty-odd KB, not the photos' megabytes: pictures are drawn scaled down.
    assert len(pdf) < 1_000_000


def test_the_packet_is_sent_with_the_hearing_notice(engine: Engine) -> None:
    number, hashes = contested(engine, preferred_language="en")
    schedule(engine, number)
    with reading(engine) as session:
        kept = {
            d.kind: d
            for d in session.scalars(
                select(SentDocument).where(
                    SentDocument.kind.in_(["hearing_notice", "hearing_packet"])
                )
            )
        }
        assert set(kept) == {"hearing_notice", "hearing_packet"}
        packet, notice = kept["hearing_packet"], kept["hearing_notice"]
        assert packet.about == notice.about
        assert (packet.delivery, packet.address, packet.issued_on) == (
            notice.delivery,
            notice.address,
            notice.issued_on,
        )
        assert packet.sha256 == hashlib.sha256(packet.content).hexdigest()
        text = " ".join(pdf_text(packet.content).split())
    assert f"SHA-256: {hashes['can.jpg']}" in text


def test_a_spanish_citation_gets_a_spanish_packet(engine: Engine) -> None:
    number, _ = contested(engine, preferred_language="es")
    schedule(engine, number)
    with reading(engine) as session:
        _, pdf = current_packet(session, number, CLERK, now=at("2026-12-05"))
    text = " ".join(pdf_text(pdf).split())
    assert "EXPEDIENTE DE LA AUDIENCIA" in text
    assert "El relato del oficial" in text
    assert "Tomada el 20 de noviembre de 2026" in text
    assert "Archivos retirados" in text
    assert "Archivo adjunto: letter.pdf" in text


def test_the_current_packet_shows_evidence_added_after_it_was_sent(engine: Engine) -> None:
    number, _ = contested(engine, preferred_language="en")
    schedule(engine, number)
    with transaction(engine) as session:
        service.upload(
            session,
            photo((90, 90, 90), (300, 200)),
            filename="late.jpg",
            declared_type="image/jpeg",
            actor=OFFICER,
            now=at("2026-12-07"),
            added_from="api",
            citation_number=number,
        )
    with reading(engine) as session:
        sent = session.scalars(
            select(SentDocument).where(SentDocument.kind == "hearing_packet")
        ).one()
        kept = sent.content
        _, now = current_packet(session, number, CLERK, now=at("2026-12-08"))
    assert "late.jpg" not in pdf_text(kept)
    assert "late.jpg" in pdf_text(now)
