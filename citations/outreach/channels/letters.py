"""Printed reminder letters: the letters due are made into a batch for a mail house, a PDF to
print and a CSV that lists each letter, and marked sent, in one transaction.

A batch is made once. `batch_letters` takes every letter due (locked, skipping those another
run holds), mints each letter's access code, lays each letter out, keeps it with the
citation's documents (kind `reminder_letter`, as every document given to a person is kept:
its bytes, their SHA-256, the address it went to) and marks its message sent with the
batch's number, all in the caller's transaction: a run that dies before the commit leaves
every letter due for the next run; after the commit, none is ever batched again.

A batch's files are rebuilt from those rows whenever asked (`write_batch`), byte for byte the
same: the PDF is the kept letters one after another, the CSV is read from the messages and
the kept letters. That is why each letter is kept as laid out rather than laid out again:
its access code is minted once, at batch time, and only the code's hash is stored (the
message's words keep it cut to its last characters), so a letter laid out again could not
print it. The kept PDF prints it, as every kept notice does, and is read only by those who
may read the citation's documents. So a batch whose files were lost (the process died after
the commit, a disk failed) is written again with `citations outreach letters --batch N`,
and the mail house is never sent the same letter in two batches.

A letter that cannot be made fails alone, as a text or an email whose words cannot be
written does (`citations.outreach.claims`): one broken letter never holds back the others.

The quiet hours do not apply: a letter is printed and posted, not delivered to a phone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from sqlalchemy import String, and_, cast, literal, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from citations.audit import event_fields, record, record_many
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess, mint_online_access
from citations.documents.contact import OfficeContact
from citations.documents.language_lines import lines_for
from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import wording_path
from citations.errors import NotFound
from citations.issuing.intake import Subject
from citations.notice.build import locale_for
from citations.outreach.channels.letter_pdf import (
    DOCUMENT,
    LetterContext,
    address_lines,
    postal_lines,
    render_letter,
)
from citations.outreach.render import render
from citations.record.ledger import balances
from citations.record.messages import Channel, LetterBatch, MessageStatus, OutboxMessage
from citations.record.sent import Delivery, Kind, postal_address
from citations.record.tables import Citation, SentDocument
from citations.roles import Actor
from ordinances.models import Jurisdiction

log = logging.getLogger(__name__)

KIND = Kind.REMINDER_LETTER.value
"""The kept letter's kind, and what its access code was printed on."""

CHUNK = 200
"""Letters laid out and kept at a time: each chunk's PDFs leave memory once kept."""

NO_ADDRESS = "no postal address on file: record one and the next letter goes"

COUNTRY = "US"
"""The country of an address that names none: letters are laid out for US Letter paper and
#10 window envelopes, for mail within the United States."""

CSV_HEADER = (
    "batch",
    "letter",
    "message",
    "citation",
    "name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "language",
    "first_page",
    "pages",
    "sheets",
)
"""The mail house's list: one row per letter, in the PDF's order. `first_page` is where the
letter starts in the PDF and `pages` how many it has; printed on one side, each page is a
sheet (`sheets`)."""


@dataclass(frozen=True)
class BatchFiles:
    """Where a batch's files were written, and how many letters they hold."""

    batch: int
    pdf: Path
    csv: Path
    letters: int
    pages: int


def due_letters(session: Session, now: datetime) -> list[OutboxMessage]:
    """Letters waiting to be printed whose time has come, oldest first, locked (one another
    run holds is left to it)."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == Channel.LETTER.value,
                OutboxMessage.status == MessageStatus.PENDING.value,
                OutboxMessage.next_try_at <= now,
            )
            .order_by(OutboxMessage.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


def batch_letters(session: Session, *, now: datetime, actor: Actor) -> LetterBatch | None:
    """Make a batch of every letter due now, keep each letter and mark its message sent, in
    the caller's transaction; None when no letter is due (or none can be made). A letter
    that cannot be made (no postal address, or words that cannot be written: a wording
    file broken by an edit) is marked failed with why, for a clerk, audited, and is in no
    batch; the letters after it are made as usual.

    >>> # batch = batch_letters(session, now=now, actor=OPERATOR)
    >>> # write_batch(session, batch.id, Path("out"))  # after the commit
    """
    due = due_letters(session, now)
    if not due:
        return None
    profile = PublishedCatalog(session).jurisdiction()
    batch: LetterBatch | None = None
    failed: list[dict[str, Any]] = []
    for start in range(0, len(due), CHUNK):
        chunk = due[start : start + CHUNK]
        citations = {
            c.id: c
            for c in session.scalars(
                select(Citation).where(Citation.id.in_({m.citation_id for m in chunk}))
            )
        }
        owed = balances(session, list(citations))
        made: list[tuple[OutboxMessage, Citation, _Letter]] = []
        for message in chunk:
            citation = citations[message.citation_id]
            address = postal_address(citation)
            if address is None:
                failed.append(_fail(message, citation, NO_ADDRESS, now, actor))
                continue
            owes = owed.get(citation.id, Decimal("0.00"))
            try:
                with session.begin_nested():  # a letter not made mints no code
                    letter = _make(session, message, citation, profile, address, owes, now)
            except SQLAlchemyError:
                raise  # the database's trouble, not the letter's: the batch rolls back
            except Exception as exc:
                log.exception("letter %s could not be written", message.id)
                error = f"its words could not be written: {type(exc).__name__}: {exc}"
                failed.append(_fail(message, citation, error, now, actor))
                continue
            if batch is None:
                batch = LetterBatch(created_at=now, letters=0, created_by=actor.name)
                session.add(batch)
                session.flush()
            made.append((message, citation, letter))
        if batch is not None and made:
            _keep(session, batch, made, profile, now, actor)
    if failed:
        record_many(session, failed)
    if batch is None:
        return None
    record(
        session,
        at=now,
        actor=actor.name,
        action="letter_batch.made",
        entity_type="letter_batch",
        entity_key=str(batch.id),
        after={"letters": batch.letters, "failed": len(failed)},
    )
    return batch


@dataclass(frozen=True)
class _Letter:
    pdf: bytes
    address: dict[str, Any]
    printed: str
    """The name and address as the window shows them, a line each."""
    body: str
    language: str


def _make(
    session: Session,
    message: OutboxMessage,
    citation: Citation,
    profile: Jurisdiction,
    address: dict[str, Any],
    owed: Decimal,
    now: datetime,
) -> _Letter:
    """One letter laid out, with an access code minted for it."""
    access = mint_online_access(
        session, citation, printed_on=KIND, website=profile.contact.website, now=now
    )
    words = render(message, citation, profile, owed=owed, link=access.printed_link)
    language = wording_language(message.language, profile)
    name = Subject.model_validate(citation.subject).full_name()
    recipient = address_lines(name, address)
    context = LetterContext(
        language=language,
        locale=locale_for(language, profile),
        currency=profile.currency,
        jurisdiction_name=profile.name,
        citation_number=citation.number,
        letter_date=local_date(now, profile),
        return_lines=postal_lines(profile.contact.mailing_address),
        recipient_lines=recipient,
        paragraphs=tuple(words.letter),
        access=access,
        qr_payload=access.link,
        contact=office_contact(profile, language, citation.preferred_language),
    )
    return _Letter(
        pdf=render_letter(context),
        address=address,
        printed="\n".join(recipient),
        body=shortened("\n\n".join(words.letter), access),
        language=language,
    )


def _keep(
    session: Session,
    batch: LetterBatch,
    made: Sequence[tuple[OutboxMessage, Citation, _Letter]],
    profile: Jurisdiction,
    now: datetime,
    actor: Actor,
) -> None:
    """Keep a chunk's letters with their citations' documents and mark their messages sent
    (one insert, one audit statement), then let the PDFs leave memory."""
    issued_on = local_date(now, profile)
    documents = []
    for message, citation, letter in made:
        documents.append(
            SentDocument(
                citation_id=citation.id,
                kind=KIND,
                about=f"message:{message.id}",
                language=letter.language,
                issued_on=issued_on,
                created_at=now,
                created_by=actor.name,
                delivery=Delivery.MAILED.value,
                address=letter.address,
                sha256=hashlib.sha256(letter.pdf).hexdigest(),
                size=len(letter.pdf),
                content=letter.pdf,
            )
        )
        message.status = MessageStatus.SENT.value
        message.batch_id = batch.id
        message.sent_at = now
        message.attempts += 1
        message.address = letter.printed[:400]
        message.provider_id = f"batch-{batch.id}"
        message.body = letter.body
        message.error = None
    session.add_all(documents)
    session.flush()
    batch.letters += len(made)
    record_many(
        session,
        [
            event_fields(
                at=now,
                actor=actor.name,
                action="document.sent",
                entity_type="citation",
                entity_key=citation.number,
                after={
                    "document": document.id,
                    "kind": KIND,
                    "about": document.about,
                    "language": document.language,
                    "issued_on": issued_on.isoformat(),
                    "delivery": Delivery.MAILED.value,
                    "sha256": document.sha256,
                    "message": message.id,
                    "batch": batch.id,
                },
            )
            for (message, citation, _), document in zip(made, documents, strict=True)
        ],
    )
    for document in documents:
        session.expunge(document)


def _fail(
    message: OutboxMessage, citation: Citation, error: str, now: datetime, actor: Actor
) -> dict[str, Any]:
    """Mark a letter that cannot be made failed, for a clerk (no address to send it to, or
    words that cannot be written); its audit event's fields."""
    message.status = MessageStatus.FAILED.value
    message.error = error
    message.attempts += 1
    return event_fields(
        at=now,
        actor=actor.name,
        action="message.failed",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "message": message.id,
            "kind": message.kind,
            "channel": message.channel,
            "error": error,
        },
    )


def wording_language(language: str, profile: Jurisdiction) -> str:
    """The letter's language if its page has wording in it, else the jurisdiction's."""
    if wording_path(TEMPLATES_DIR, language, DOCUMENT).exists():
        return language
    return profile.notice_languages[0]


def office_contact(profile: Jurisdiction, language: str, preferred: str | None) -> OfficeContact:
    """The office's contact block in `language`, with the language lines (the person's own
    first), as the notices print it."""
    contact = profile.contact
    default = profile.notice_languages[0]
    return OfficeContact(
        office_name=contact.office_name.get(language, contact.office_name[default]),
        phone=contact.phone,
        website=contact.website,
        payment_url=contact.payment_url,
        mailing_address=contact.mailing_address,
        office_address=contact.office_address,
        office_hours=contact.office_hours.get(language, contact.office_hours[default]),
        language_lines=lines_for(profile, preferred or language),
        written_in=default,
    )


def shortened(words: str, access: OnlineAccess) -> str:
    """The words as kept: the access code in them cut to its last four characters, so the
    record never holds a working code.

    >>> from citations.documents.access import access_for
    >>> access = access_for("7K3MQ9R0PB2X1AQ4", "https://c.example", birth_date_on_file=True)
    >>> shortened("Go to c.example/c/7K3M-Q9R0-PB2X-1AQ4 or scan.", access)
    'Go to c.example/c/…1AQ4 or scan.'
    """
    raw = access.code.replace("-", "")
    short = f"…{raw[-4:]}"
    return words.replace(access.code, short).replace(raw, short)


# Writing a batch's files


def write_batch(session: Session, batch_id: int, folder: Path) -> BatchFiles:
    """Write batch `batch_id`'s PDF and CSV into `folder` (made if missing), rebuilt from the
    kept letters: the same bytes every time. NotFound for a batch never made.

    >>> # files = write_batch(session, 12, Path("/srv/mail/outgoing"))
    >>> # files.pdf.name, files.csv.name
    >>> # ('letter-batch-12.pdf', 'letter-batch-12.csv')
    """
    batch = session.get(LetterBatch, batch_id)
    if batch is None:
        raise NotFound("letter batch", str(batch_id))
    rows = session.execute(
        select(OutboxMessage, SentDocument, Citation.number)
        .join(Citation, Citation.id == OutboxMessage.citation_id)
        .join(
            SentDocument,
            and_(
                SentDocument.citation_id == OutboxMessage.citation_id,
                SentDocument.kind == KIND,
                SentDocument.about == literal("message:") + cast(OutboxMessage.id, String),
            ),
        )
        .where(OutboxMessage.batch_id == batch.id)
        .order_by(OutboxMessage.id)
    ).all()
    writer = PdfWriter()
    table = io.StringIO()
    out = csv.writer(table, lineterminator="\n")
    out.writerow(CSV_HEADER)
    page = 1
    for sequence, (message, document, number) in enumerate(rows, start=1):
        reader = PdfReader(io.BytesIO(document.content))
        pages = len(reader.pages)
        writer.append(reader)
        out.writerow(_csv_row(batch.id, sequence, message, document, number, page, pages))
        page += pages
    # Letters share their fonts' pieces: each identical object is written once.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    pdf = io.BytesIO()
    writer.write(pdf)
    folder.mkdir(parents=True, exist_ok=True)
    pdf_path = folder / f"letter-batch-{batch.id}.pdf"
    csv_path = folder / f"letter-batch-{batch.id}.csv"
    _write(pdf_path, pdf.getvalue())
    _write(csv_path, table.getvalue().encode("utf-8"))
    return BatchFiles(batch.id, pdf_path, csv_path, len(rows), page - 1)


def _csv_row(
    batch: int,
    sequence: int,
    message: OutboxMessage,
    document: SentDocument,
    number: str,
    first_page: int,
    pages: int,
) -> list[str | int]:
    address: dict[str, Any] = document.address or {}
    name = (message.address or "").split("\n", 1)[0]
    return [
        batch,
        sequence,
        message.id,
        number,
        name,
        address.get("line1") or "",
        address.get("line2") or "",
        address.get("city") or "",
        address.get("state") or "",
        address.get("postal_code") or "",
        address.get("country") or COUNTRY,
        document.language,
        first_page,
        pages,
        pages,
    ]


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all: a crash mid-write leaves the old file (or none),
    never half of one that looks complete."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(path)
