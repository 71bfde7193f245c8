"""The requests people sent online that wait for staff, oldest first, with the forms that
answer them: ability to pay beyond the plain rule and payment plans outside the rules are
granted or refused here; a default to set aside or a hearing to move is answered on the
citation's page (linked). Each answer calls one library function (citations.online.help).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.attachments.tables import Attachment
from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import FieldError, IllegalTransition, InputRejected, NotFound
from citations.http.deps import EngineDep
from citations.money import from_cents
from citations.online.files import download, file_for
from citations.online.help import (
    deny_ability_to_pay,
    deny_plan,
    grant_ability_to_pay,
    grant_plan,
    waiting_requests,
)
from citations.online.payments import refused_online_payments
from citations.online.requests import RequestKind
from citations.record.ledger import balance
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from citations.roles import PERMISSIONS, Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.forms import FormState, Parser
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, person, render

router = web_router()

ANSWERED_HERE = frozenset({RequestKind.ABILITY_TO_PAY.value, RequestKind.PAYMENT_PLAN.value})
FIELDS = frozenset({"answer", "installments"})


@dataclass(frozen=True)
class FileRow:
    key: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str
    number: str
    name: str
    status: str
    owed: Any
    received_at: datetime
    days_waiting: int
    statement: str
    details: list[tuple[str, str]]
    files: list[FileRow]
    answered_here: bool


def _details(request: PersonRequest, formats: Formats) -> list[tuple[str, str]]:
    """The request's details in words a clerk reads (the declaration, the months asked)."""
    details = request.details or {}
    if request.kind == RequestKind.ABILITY_TO_PAY.value:
        declared = details.get("declaration", {})
        benefits = ", ".join(declared.get("benefits", [])) or "none declared"
        return [
            ("Household", str(declared.get("household_size", ""))),
            ("Monthly income", formats.money(Decimal(str(declared.get("monthly_income", 0))))),
            ("Benefits", benefits),
            ("Sworn", "yes, under penalty of perjury" if declared.get("sworn") else "no"),
        ]
    if request.kind == RequestKind.PAYMENT_PLAN.value:
        return [
            ("Months asked", str(details.get("installments", ""))),
            ("Balance when asked", formats.money(Decimal(str(details.get("balance", 0))))),
        ]
    return [(key.replace("_", " ").capitalize(), str(value)) for key, value in details.items()]


def rows(session: Session, actor: Actor, now: datetime, formats: Formats) -> list[RequestRow]:
    today = formats.local(now).date()
    waiting = waiting_requests(session, actor)
    files: dict[int, list[FileRow]] = {}
    if waiting:
        for file in session.scalars(
            select(Attachment)
            .where(Attachment.request_id.in_([r.id for r in waiting]))
            .order_by(Attachment.id)
        ):
            files.setdefault(file.request_id or 0, []).append(
                FileRow(file.key, file.filename, file.content_type or "", file.size or 0)
            )
    return [
        RequestRow(
            id=r.id,
            kind=r.kind,
            number=r.citation.number,
            name=person(r.citation.subject),
            status=r.citation.status,
            owed=balance(session, r.citation),
            received_at=r.received_at,
            days_waiting=(today - formats.local(r.received_at).date()).days,
            statement=r.statement,
            details=_details(r, formats),
            files=files.get(r.id, []),
            answered_here=r.kind in ANSWERED_HERE,
        )
        for r in waiting
    ]


def show(
    request: Request,
    actor: Actor,
    engine: Engine,
    now: datetime,
    states: dict[str, FormState] | None = None,
    done: str = "",
) -> Response:
    with reading(engine) as session:
        formats = Formats.of(PublishedCatalog(session).jurisdiction())
        listed = rows(session, actor, now, formats)
        refunds = (
            refused_online_payments(session, actor=actor)
            if actor.role in PERMISSIONS[Action.REFUND]
            else []
        )
        numbers = {
            c.id: c.number
            for c in session.scalars(
                select(Citation).where(Citation.id.in_({p.citation_id for p in refunds}))
            )
        }
        return render(
            request,
            "requests.html",
            422 if states else 200,
            requests=listed,
            refunds=[(p, numbers[p.citation_id], from_cents(p.amount_cents)) for p in refunds],
            forms=states or {},
            empty=FormState(),
            fmt=formats,
            done=done,
        )


@router.get("/requests")
def requests_page(
    request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return show(request, actor, engine, now, done=done)


def _answer(
    session: Session, request_id: int, granted: bool, read: Parser, actor: Actor, now: datetime
) -> None:
    kind = session.scalar(select(PersonRequest.kind).where(PersonRequest.id == request_id))
    if kind is None:
        raise NotFound("request", str(request_id))
    answer = read.text("answer")
    if kind == RequestKind.ABILITY_TO_PAY.value:
        step = grant_ability_to_pay if granted else deny_ability_to_pay
        read.submit(lambda: step(session, request_id, answer, actor=actor, now=now))
    elif kind == RequestKind.PAYMENT_PLAN.value and granted:
        schedule = read.installments("installments") or None
        read.submit(lambda: grant_plan(session, request_id, answer, schedule, actor=actor, now=now))
    elif kind == RequestKind.PAYMENT_PLAN.value:
        read.submit(lambda: deny_plan(session, request_id, answer, actor=actor, now=now))
    else:
        raise InputRejected(
            [FieldError("answer", "this request is answered on the citation's page")]
        )


@router.post("/requests/{request_id}/{verdict}")
def answer_page(
    request_id: int,
    verdict: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Grant or refuse a waiting request; shown again with the problems if refused."""
    if verdict not in ("grant", "deny"):
        raise NotFound("page", request.url.path)
    actor.require(Action.ANSWER_REQUESTS)
    try:
        with transaction(engine) as session:
            formats = Formats.of(PublishedCatalog(session).jurisdiction())
            _answer(session, request_id, verdict == "grant", Parser(form, formats), actor, now)
    except (InputRejected, IllegalTransition) as exc:
        state = FormState(values={k: v for k, v in form.items() if k != "csrf_token"})
        state.absorb(exc, FIELDS)
        return show(request, actor, engine, now, {f"{request_id}-{verdict}": state})
    return RedirectResponse(
        f"{PREFIX}/requests?done={'granted' if verdict == 'grant' else 'denied'}",
        status_code=303,
    )


@router.get("/requests/files/{key}")
def request_file(key: str, actor: ActorDep, engine: EngineDep) -> Response:
    """A file a person sent with a request, with the headers every file is sent with (its
    own type, no cache, nothing in it allowed to run: `download_headers`)."""
    actor.require(Action.ANSWER_REQUESTS)
    with reading(engine) as session:
        file = file_for(session, key, actor)
        content, headers = download(file, actor)
    return Response(content, headers=headers)
