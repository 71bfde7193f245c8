"""The hearing packet's content: every piece of evidence on a citation, gathered for one hearing.

One PDF for the hearing officer and the person (`citations.hearings.packet_pdf` lays it out,
with the wording in templates/hearing-packet/): the citation as issued (its snapshot), the
officer's narrative, the officer's photos and documents, the person's statement and files, the
review decision and the citation's history. The files are the officer's and the person's (the
city's own papers, such as a provider's hours sheet, are evidence for neither side and are not
the person's to see); pictures are the shown copy (re-encoded, no metadata), with when and
where the original says it was taken, and the SHA-256 of the kept file so anyone can check it.
A withdrawn file is left out but listed (who withdrew it and why); a file an intake message
named whose bytes have not come is listed as awaited.

A packet is sent with each hearing notice (`citations.hearings.kept`), and the current one
can be printed at any time (`citations.hearings.kept.current_packet`): the evidence may have
grown since.

>>> # context = build_packet(session, citation, hearing, profile, now=now)
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments.store import FileStore, open_store
from citations.attachments.tables import Attachment, Source
from citations.audit import history
from citations.calendar import in_zone, local_date, zone_of
from citations.documents.contact import OfficeContact
from citations.errors import FieldError, InputRejected
from citations.hearings.build import person_of
from citations.hearings.lookup import contest_of
from citations.hearings.tables import Contest, Hearing, Order
from citations.money import from_cents
from citations.notice.build import build_notice, locale_for
from citations.notice.context import NoticeViolation
from citations.record.tables import Citation
from ordinances.models import Jurisdiction

EVIDENCE = (Source.OFFICER, Source.PERSON)
"""Whose files the packet holds: the officer's and the person's (who sees exactly these)."""


class PacketModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class PacketFile(PacketModel):
    """One file in the packet: a picture drawn on the page, or a PDF appended after it."""

    key: str
    source: Literal["officer", "person"]
    filename: str
    description: str | None
    kind: Literal["picture", "pdf"]
    content: bytes
    """The shown copy (a picture without metadata; a PDF as received)."""
    sha256: str
    """The SHA-256 of the kept file (the original), as the record and its downloads give it."""
    shown_sha256: str
    taken_at: datetime | None
    """When the photo says it was taken (its own offset, or the city's zone)."""
    taken_at_assumed: bool
    """The camera wrote no offset: the time was read in the city's zone."""
    latitude: str | None
    longitude: str | None
    camera: str | None
    added_by: str | None
    added_at: datetime | None
    """In the city's zone."""


class WithdrawnFile(PacketModel):
    source: str
    filename: str
    sha256: str
    withdrawn_at: datetime
    withdrawn_by: str
    reason: str


class AwaitedFile(PacketModel):
    sha256: str
    named_at: datetime | None
    named_by: str | None


class HistoryLine(PacketModel):
    at: datetime
    """In the city's zone."""
    actor: str
    action: str
    reason: str | None


class ReviewDecision(PacketModel):
    outcome: str
    findings: str
    decided_on: date
    decided_by: str
    original_amount: Decimal
    new_amount: Decimal


class PacketContext(PacketModel):
    """Everything the packet prints, for one hearing of one citation."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    time_zone: str
    citation_number: str
    subject_name: str
    subject_address: str | None
    hearing_at: datetime
    """The hearing's local date and time."""
    place: str | None
    remote_link: str | None
    hearing_officer_name: str
    issued_on: date
    violation_at: datetime
    location: str
    officer_name: str
    officer_badge: str
    violations: list[NoticeViolation]
    total_fine: Decimal
    amount_at_issue: Decimal
    review_requested_on: date
    statement: str
    review: ReviewDecision | None
    files: list[PacketFile]
    withdrawn: list[WithdrawnFile]
    awaited: list[AwaitedFile]
    history: list[HistoryLine]
    printed_at: datetime
    contact: OfficeContact


def latest_hearing(session: Session, citation: Citation) -> Hearing:
    """The citation's newest hearing (scheduled, held or postponed); InputRejected if none."""
    contest = contest_of(session, citation)
    hearing = session.scalars(
        select(Hearing).where(Hearing.contest_id == contest.id).order_by(Hearing.id.desc())
    ).first()
    if hearing is None:
        raise InputRejected([FieldError("number", f"{citation.number} has no hearing")])
    return hearing


def _review(session: Session, contest: Contest, profile: Jurisdiction) -> ReviewDecision | None:
    order = session.scalars(
        select(Order)
        .where(Order.contest_id == contest.id, Order.tier == "review")
        .order_by(Order.id.desc())
    ).first()
    if order is None:
        return None
    return ReviewDecision(
        outcome=order.outcome,
        findings=order.findings,
        decided_on=local_date(order.decided_at, profile),
        decided_by=", ".join(p for p in (order.decision_maker, order.decision_maker_title) if p)
        or order.decided_by,
        original_amount=from_cents(order.original_cents),
        new_amount=from_cents(order.new_cents),
    )


def _taken(details: dict[str, object]) -> tuple[datetime | None, bool]:
    written = details.get("taken_at")
    if not isinstance(written, str):
        return None, False
    try:
        return datetime.fromisoformat(written), details.get("taken_at_zone") == "assumed"
    except ValueError:
        return None, False


def _text(details: dict[str, object], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) and value else None


def _files(
    rows: list[Attachment], profile: Jurisdiction, store: FileStore | None
) -> tuple[list[PacketFile], list[WithdrawnFile], list[AwaitedFile]]:
    zone = zone_of(profile)
    files: list[PacketFile] = []
    withdrawn: list[WithdrawnFile] = []
    awaited: list[AwaitedFile] = []
    for row in rows:
        if row.source not in EVIDENCE:
            continue
        if row.withdrawn_at is not None:
            withdrawn.append(
                WithdrawnFile(
                    source=row.source,
                    filename=row.filename,
                    sha256=row.sha256,
                    withdrawn_at=in_zone(row.withdrawn_at, zone) or row.withdrawn_at,
                    withdrawn_by=row.withdrawn_by or "",
                    reason=row.withdrawn_reason or "",
                )
            )
            continue
        if row.awaited:
            awaited.append(
                AwaitedFile(
                    sha256=row.sha256,
                    named_at=in_zone(row.named_at, zone),
                    named_by=row.named_by,
                )
            )
            continue
        assert row.shown_sha256 is not None
        store = store or open_store()
        details = row.details if isinstance(row.details, dict) else {}
        taken_at, assumed = _taken(details)
        files.append(
            PacketFile(
                key=row.key,
                source="officer" if row.source == Source.OFFICER else "person",
                filename=row.filename,
                description=row.description,
                kind="picture" if row.is_picture else "pdf",
                content=store.get(row.shown_sha256),
                sha256=row.sha256,
                shown_sha256=row.shown_sha256,
                taken_at=in_zone(taken_at, zone) if assumed else taken_at,
                taken_at_assumed=assumed,
                latitude=_text(details, "latitude"),
                longitude=_text(details, "longitude"),
                camera=_text(details, "camera"),
                added_by=row.added_by,
                added_at=in_zone(row.received_at, zone),
            )
        )
    return files, withdrawn, awaited


def build_packet(
    session: Session,
    citation: Citation,
    hearing: Hearing,
    profile: Jurisdiction,
    *,
    now: datetime,
    store: FileStore | None = None,
) -> PacketContext:
    """The packet of `hearing` as the record stands at `now` (files read from `store`, the
    settings' by default)."""
    contest = contest_of(session, citation)
    zone = zone_of(profile)
    notice = build_notice(citation, profile)
    docket = hearing.session
    language = citation.notice_language
    name, address = person_of(citation)
    rows = list(
        session.scalars(
            select(Attachment).where(Attachment.citation_id == citation.id).order_by(Attachment.id)
        )
    )
    files, withdrawn, awaited = _files(rows, profile, store)
    events = history(session, "citation", citation.number)
    start: time = hearing.slot_time or docket.start_time
    return PacketContext(
        language=language,
        locale=locale_for(language, profile),
        jurisdiction_name=profile.name,
        currency=profile.currency,
        time_zone=profile.time_zone,
        citation_number=citation.number,
        subject_name=name,
        subject_address=address,
        hearing_at=datetime.combine(docket.day, start, tzinfo=zone),
        place=docket.place,
        remote_link=docket.remote_link,
        hearing_officer_name=docket.officer.name,
        issued_on=notice.issued_on,
        violation_at=notice.violation_at,
        location=notice.location,
        officer_name=notice.officer_name,
        officer_badge=notice.officer_badge,
        violations=notice.violations,
        total_fine=notice.total_fine,
        amount_at_issue=from_cents(citation.total_fine_cents),
        review_requested_on=local_date(contest.review_requested_at, profile),
        statement=contest.review_statement,
        review=_review(session, contest, profile),
        files=files,
        withdrawn=withdrawn,
        awaited=awaited,
        history=[
            HistoryLine(
                at=in_zone(e.occurred_at, zone) or e.occurred_at,
                actor=e.actor,
                action=e.action,
                reason=e.reason,
            )
            for e in events
        ],
        printed_at=in_zone(now, zone) or now,
        contact=notice.contact,
    )
