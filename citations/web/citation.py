"""A citation's page (details, contest, ledger, history, documents, messages and contact, and
the next steps), and the documents as PDF, printed by the builders the
API uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments.tables import Attachment
from citations.audit import AuditEvent, history
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import FieldError, IllegalTransition, InputRejected, NotFound
from citations.hearings.assign import assignment_of
from citations.hearings.build import ContestPublic, contest_summary
from citations.hearings.contests import DeadlineMissed
from citations.hearings.kept import current_packet, hearing_notice_document, order_document
from citations.hearings.tables import Contest
from citations.http.deps import EngineDep
from citations.http.responses import pdf_response
from citations.inputs import record_id
from citations.notice.kept import notice_document
from citations.online.contest import answer_set_aside
from citations.online.files import files_of
from citations.online.requests import RequestKind, requests_of
from citations.outreach.listing import contact_of, messages_of
from citations.record.ledger import LedgerEntry, balance, entries, signed_amount
from citations.record.lookup import find_citation, to_public
from citations.record.person import PersonRequest
from citations.record.sent import NOTICES, DocumentPublic, sent_documents, stored_document
from citations.record.status import CitationStatus
from citations.record.tables import Citation
from citations.roles import CITED_PERSON_ONLINE, PERMISSIONS, Action, Actor
from citations.schedule import schedule_of
from citations.web import contest_forms, counter, hearing_forms, mail_forms
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.file_list import files_section
from citations.web.forms import FormPage
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, person, render, words

router = web_router()
ONLINE = CITED_PERSON_ONLINE
"""How every audit event of a step the person took online names its actor."""

FORMS: dict[str, FormPage] = {
    page.slug: page
    for page in hearing_forms.PAGES + contest_forms.PAGES + mail_forms.PAGES + counter.PAGES
}
S = CitationStatus


@dataclass(frozen=True)
class LedgerRow:
    entry: LedgerEntry
    amount: Decimal
    """Signed: a charge adds to what is owed, a credit (payment, reduction...) takes from it."""
    balance: Decimal


def ledger_rows(rows: list[LedgerEntry]) -> list[LedgerRow]:
    """The ledger with a running balance after each entry (the last is the balance)."""
    running = Decimal("0.00")
    result = []
    for entry in rows:
        signed = signed_amount(entry)
        running += signed
        result.append(LedgerRow(entry, signed, running))
    return result


def next_steps(status: str, contest: ContestPublic | None) -> list[str]:
    """The forms that fit the citation's status now (the library still decides each step)."""
    if status == S.ISSUED:
        return ["review-request"]
    if status == S.IN_REVIEW:
        return ["review"]
    if status == S.REVIEW_UPHELD:
        return ["hearing-request"]
    if status == S.HEARING_SCHEDULED:
        return ["decision", "continue", "no-show"]
    if contest is None:
        return []
    if status == S.HEARING_REQUESTED:
        return {"waiver_requested": ["waiver"], "waiver_denied": ["deposit"]}.get(
            contest.deposit_status or "", ["schedule"]
        )
    last = contest.orders[-1] if contest.orders else None
    if last is not None and last.outcome == "default" and last.set_aside_at is None:
        return ["set-aside"]
    return []


def document_labels(
    documents: list[DocumentPublic], contest: ContestPublic | None, fmt: Formats
) -> dict[int, str]:
    """What each document sent is, in words: "Order: review decision, upheld"."""
    hearings = {f"hearing:{h.id}": h for h in contest.hearings} if contest else {}
    orders = {f"order:{o.id}": o for o in contest.orders} if contest else {}
    labels = {}
    for d in documents:
        label = "Citation notice" if d.kind == "notice" else words(d.kind).capitalize()
        if d.about in hearings:
            label += f": hearing of {fmt.day(hearings[d.about].day)}"
        elif d.about in orders:
            label += f": {orders[d.about].tier} decision, {orders[d.about].outcome}"
        elif d.kind == "receipt":
            label += " " + d.about.removeprefix("receipt:")
        elif d.kind == "amended_notice":
            label += f" (revision {d.about.removeprefix('revision:')})"
        labels[d.id] = label
    return labels


@dataclass(frozen=True)
class Online:
    """What the person sent online: which contest steps they took themselves, their words,
    the files, and the set-aside requests waiting for staff."""

    review: bool
    hearing: bool
    statement: str | None
    hearing_mode: str | None
    accommodation: str | None
    waiver_declaration: str | None
    files: list[Attachment]
    set_asides: list[PersonRequest]
    others: list[PersonRequest]
    """Every other request the person sent (ability to pay, a plan; answered on the
    requests page) and every answered one, oldest first."""
    may_answer: bool


def online_of(session: Session, record: Citation, actor: Actor, events: list[AuditEvent]) -> Online:
    by_person = {e.action for e in events if e.actor == ONLINE}
    contest = session.scalar(select(Contest).where(Contest.citation_id == record.id))
    asked = requests_of(session, record)
    waiting = [r for r in asked if r.kind == RequestKind.SET_ASIDE.value and r.status == "waiting"]
    return Online(
        review="contest.review_requested" in by_person,
        hearing="contest.hearing_requested" in by_person,
        statement=contest.review_statement if contest else None,
        hearing_mode=contest.hearing_mode if contest and contest.hearing_requested_at else None,
        accommodation=contest.accommodation if contest else None,
        waiver_declaration=contest.waiver_declaration if contest else None,
        files=files_of(session, record),
        set_asides=waiting,
        others=[r for r in asked if r not in waiting],
        may_answer=actor.role in PERMISSIONS[Action.ANSWER_REQUESTS]
        and actor.role in PERMISSIONS[Action.DECIDE_HEARING],
    )


def _citation_page(
    request: Request,
    number: str,
    actor: Actor,
    session: Session,
    now: datetime,
    done: str = "",
    status_code: int = 200,
    answer_error: tuple[int, str] | None = None,
) -> Response:
    record = find_citation(session, number, actor)
    if record.number != number:  # a typed, non-canonical number: one address per citation
        return RedirectResponse(f"{PREFIX}/citations/{record.number}", status_code=303)
    profile = PublishedCatalog(session).jurisdiction()
    contested = session.scalar(select(Contest.id).where(Contest.citation_id == record.id))
    contest = contest_summary(session, record.number, actor) if contested else None
    steps = [
        FORMS[slug]
        for slug in next_steps(record.status, contest)
        if actor.role in PERMISSIONS[FORMS[slug].action]
    ]
    events = history(session, "citation", record.number)
    schedule = schedule_of(session, record, profile)
    documents = sent_documents(session, record, actor)
    return render(
        request,
        "citation.html",
        status_code,
        fmt=Formats.of(profile),
        citation=to_public(record),
        name=person(record.subject),
        contest=contest,
        assigned=assignment_of(session, record.number, actor) if contest else None,
        owed=balance(session, record),
        ledger=ledger_rows(entries(session, record)),
        events=list(reversed(events)),
        steps=steps,
        done=done if done in FORMS or done == "set-aside-answer" else "",
        scheduled=any(h.status == "scheduled" for h in contest.hearings) if contest else False,
        schedule=schedule,
        next_date=schedule.next_open(local_date(now, profile)),
        documents=documents,
        labels=document_labels(documents, contest, Formats.of(profile)),
        notice_kept=any(d.kind in NOTICES for d in documents),
        attention=record.attention,
        mail_forms=[p for p in mail_forms.PAGES if actor.role in PERMISSIONS[p.action]],
        returnable=[d for d in documents if d.mailing and d.mailing.returned_on is None],
        online=online_of(session, record, actor, events),
        answer_error=answer_error,
        contact=contact_of(record),
        messages=messages_of(session, record),
        counter=counter.counter_steps(session, record, actor, now),
        files=files_section(session, record, actor, done),
    )


@router.get("/citations/{number}")
def citation_page(
    number: str,
    request: Request,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
    done: str = "",
) -> Response:
    with reading(engine) as session:
        return _citation_page(request, number, actor, session, now, done)


@router.post("/citations/{number}/set-aside-requests/{request_id}")
def answer_set_aside_request(
    number: str,
    request_id: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Grant (the default is set aside) or deny a person's request, with words they read."""
    wanted = record_id(request_id)
    if wanted is None or wanted < 1:
        raise NotFound("request", request_id)
    decision = form.get("decision", "")
    answer = form.get("answer", "")
    try:
        if decision not in ("grant", "deny"):
            raise InputRejected([FieldError("decision", "choose grant or deny")])
        with transaction(engine) as session:
            record = find_citation(session, number, actor)
            owner = session.scalar(
                select(PersonRequest.citation_id).where(PersonRequest.id == wanted)
            )
            if owner != record.id:
                raise NotFound("request", request_id)
            answer_set_aside(
                session, wanted, granted=decision == "grant", answer=answer, actor=actor, now=now
            )
            canonical = record.number
    except (InputRejected, DeadlineMissed, IllegalTransition) as exc:
        message = (
            "; ".join(e.message for e in exc.errors) if isinstance(exc, InputRejected) else str(exc)
        )
        with reading(engine) as session:
            return _citation_page(
                request,
                number,
                actor,
                session,
                now,
                status_code=422,
                answer_error=(wanted, message),
            )
    return RedirectResponse(
        f"{PREFIX}/citations/{canonical}?done=set-aside-answer#online-section", status_code=303
    )


@router.get("/citations/{number}/notice.pdf")
def noticepdf_response(number: str, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    """The notice as given; the first print of a notice handed over at the scene keeps it."""
    with transaction(engine) as session:
        document = notice_document(session, number, actor, now=now)
        return pdf_response(document.content, f"{document.citation.number}.pdf")


@router.get("/citations/{number}/hearing-notice.pdf")
def hearing_noticepdf_response(
    number: str, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    with transaction(engine) as session:
        document = hearing_notice_document(session, number, actor, now=now)
        return pdf_response(document.content, f"{document.citation.number}-hearing-notice.pdf")


@router.get("/citations/{number}/hearing-packet.pdf")
def hearing_packetpdf_response(
    number: str, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    """The hearing packet as the evidence stands now (each one sent is in the documents)."""
    with reading(engine) as session:
        canonical, pdf = current_packet(session, number, actor, now=now)
        return pdf_response(pdf, f"{canonical}-hearing-packet.pdf")


@router.get("/citations/{number}/order.pdf")
def orderpdf_response(number: str, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    with transaction(engine) as session:
        document = order_document(session, number, actor, now=now)
        return pdf_response(document.content, f"{document.citation.number}-order.pdf")


@router.get("/citations/{number}/documents/{document_id}.pdf")
def documentpdf_response(
    number: str, document_id: str, actor: ActorDep, engine: EngineDep
) -> Response:
    """One document as it was sent: the same bytes on every download."""
    wanted = record_id(document_id)
    if wanted is None or wanted < 1:
        raise NotFound("document", f"{number}/{document_id}")
    with reading(engine) as session:
        document = stored_document(session, number, wanted, actor)
        name = f"{document.citation.number}-{document.kind}-{document.id}.pdf"
        return pdf_response(document.content, name)
