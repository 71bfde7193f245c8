"""The files on a citation, from the clerks' pages: open one (its original, or the copy the
public sees), a thumbnail of a picture, add a file (a letter that came by mail, a provider's
hours sheet) and withdraw one added in error, with the reason.

The library decides every rule (citations.attachments.service): what a file is from its
bytes, the limits a file and a citation, who may add or withdraw. A refusal comes back next
to its field, with the choices made kept (a browser never keeps a chosen file: it is chosen
again).

The form that adds a file posts to one fixed address, `/clerk/files?citation=<number>`:
the application's body limit (1 MiB, for the API) leaves that path alone (UPLOAD_PATHS, in
citations/app.py) and this route reads the body under the settings' limit a file instead.
"""

from __future__ import annotations

import hmac
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from citations.attachments import kinds
from citations.attachments.access import (
    FileContent,
    download_headers,
    find_attachment,
    read_content,
)
from citations.attachments.service import PURPOSES, add_file, limits, withdraw
from citations.attachments.tables import Attachment, Source
from citations.attachments.thumbnails import thumbnail
from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import FieldError, InputRejected, NotFound
from citations.http.capped_forms import file_of, read_capped_form, text_of
from citations.http.deps import EngineDep
from citations.inputs import printable
from citations.record.ledger import balance
from citations.record.lookup import find_citation, lock_citation, to_public
from citations.record.tables import Citation
from citations.roles import Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep, read_session
from citations.web.file_list import Taken
from citations.web.forms import FormState
from citations.web.guard import PREFIX, CsrfRejected, web_router
from citations.web.pages import Formats, person, render

router = web_router()

UPLOAD_PATH = PREFIX + "/files"
UPLOAD_PATHS = frozenset({UPLOAD_PATH})
"""The form that adds a file posts here; the application's body limit leaves it alone."""

WHOSE = (Source.PERSON, Source.CITY)
"""Whose file a clerk adds: the person's (a letter that came by mail) or the city's (a
provider's hours sheet). An officer's evidence comes from the officer's device."""

FIELDS = frozenset({"file", "source", "purpose", "description"})
"""The add form's fields; a library problem about another goes to the summary."""
MOVED = {"content_type": "file", "files": "file"}
"""Library fields that the form shows as another (the type the bytes are is the file's)."""


def file_on(session: Session, number: str, key: str, actor: Actor) -> tuple[Citation, Attachment]:
    """The citation and its file with this key; NotFound when the file is another
    citation's, as for one that does not exist."""
    record = find_citation(session, number, actor)
    row = find_attachment(session, key, actor)
    if row.citation_id != record.id:
        raise NotFound("file", f"{number}/{key}")
    return record, row


@router.get("/citations/{number}/files/{key}")
def citation_file(
    number: str, key: str, actor: ActorDep, engine: EngineDep, copy: str = "original"
) -> Response:
    """A file on the citation as kept (`?copy=shown`: the copy the public sees and the
    packet prints), for staff who may read the citation."""
    with reading(engine) as session:
        _, row = file_on(session, number, key, actor)
        content = read_content(row, actor, "shown" if copy == "shown" else "original")
        headers = download_headers(row.key, content)
    return Response(content.content, headers=headers)


@router.get("/citations/{number}/files/{key}/thumbnail")
def citation_file_thumbnail(number: str, key: str, actor: ActorDep, engine: EngineDep) -> Response:
    """A small picture of the shown copy, for the list (made each time; never stored)."""
    with reading(engine) as session:
        _, row = file_on(session, number, key, actor)
        if not row.is_picture:
            raise NotFound("thumbnail", key)
        content, kept = read_content(row, actor, "shown"), row.key
    return _thumbnail_response(kept, content)


def _thumbnail_response(key: str, content: FileContent) -> Response:
    try:
        small = thumbnail(content.content, content.content_type)
    except kinds.Unreadable:
        raise NotFound("thumbnail", key) from None
    made = FileContent(small, "image/jpeg", "thumbnail.jpg")
    return Response(small, headers=download_headers(key, made))


# Adding a file -----------------------------------------------------------------------------


def _context(session: Session, record: Citation) -> dict[str, object]:
    profile = PublishedCatalog(session).jurisdiction()
    return {
        "citation": to_public(record),
        "name": person(record.subject),
        "owed": balance(session, record),
        "fmt": Formats.of(profile),
    }


def _add_page(
    request: Request,
    number: str,
    actor: Actor,
    engine: Engine,
    state: FormState | None = None,
    status_code: int = 200,
) -> Response:
    actor.require(Action.ATTACH_FILES)
    per_file, per_citation = limits()
    with reading(engine) as session:
        record = find_citation(session, number, actor)
        return render(
            request,
            "file_add.html",
            status_code,
            form=state or FormState(values={"source": Source.PERSON, "purpose": "mail"}),
            action=f"{UPLOAD_PATH}?citation={quote(record.number, safe='')}",
            purposes=PURPOSES,
            whose=WHOSE,
            per_file=per_file // kinds.MEGABYTE,
            per_citation=per_citation // kinds.MEGABYTE,
            **_context(session, record),
        )


@router.get("/citations/{number}/add-file")
def add_file_form(number: str, request: Request, actor: ActorDep, engine: EngineDep) -> Response:
    return _add_page(request, number, actor, engine)


def _check_token(request: Request, form: FormData) -> None:
    """The form token, as for every form of the pages (citations.web.auth.posted_form)."""
    state = read_session(request)
    sent = form.get("csrf_token")
    if (
        state is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), state.csrf.encode())
    ):
        raise CsrfRejected()


def _read_choices(values: dict[str, str], chosen: tuple[str, bytes] | None) -> list[FieldError]:
    problems = []
    if chosen is None:
        problems.append(FieldError("file", "choose the file to add"))
    if values["source"] not in WHOSE:
        problems.append(FieldError("source", "choose whose file it is"))
    if values["purpose"] not in PURPOSES:
        problems.append(FieldError("purpose", "choose what the file came with"))
    try:
        printable(values["description"])
    except ValueError as exc:
        problems.append(FieldError("description", str(exc)))
    return problems


def _refused(problems: list[FieldError], values: dict[str, str], summary: str) -> FormState:
    state = FormState(values=values, summary=summary)
    for problem in problems:
        state.add(MOVED.get(problem.field, problem.field), problem.message, FIELDS)
    return state


@router.post("/files")
async def add_file_submit(
    request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep, citation: str = ""
) -> Response:
    """Add the chosen file to the citation named in the address, in one transaction with
    its audit event; back to the citation's files, or the form again with each problem."""
    actor.require(Action.ATTACH_FILES)
    per_file, _ = limits()
    form = await read_capped_form(request, per_file + kinds.MEGABYTE, max_files=1, max_fields=10)
    if form is None:
        too_big = f"the file is larger than the limit of {per_file // kinds.MEGABYTE} MB"
        state = _refused([FieldError("file", too_big)], {}, "the file was not accepted")
        return _add_page(request, citation, actor, engine, state, 413)
    try:
        _check_token(request, form)
        values = {name: text_of(form, name) for name in ("source", "purpose", "description")}
        chosen = await file_of(form, "file")
    finally:
        await form.close()
    problems = _read_choices(values, chosen)
    if problems or chosen is None:
        state = _refused(problems, values, "some fields need attention")
        return _add_page(request, citation, actor, engine, state, 422)
    client = request.client.host if request.client is not None else "unknown"

    def run() -> str:
        with transaction(engine) as session:
            record = lock_citation(session, citation, actor)
            add_file(
                session,
                record,
                chosen[1],
                filename=chosen[0],
                source=values["source"],
                purpose=values["purpose"],
                description=values["description"] or None,
                actor=actor,
                now=now,
                added_from=f"clerks' pages {client}",
            )
            return record.number

    try:
        canonical = await run_in_threadpool(run)
    except InputRejected as exc:
        state = _refused(exc.errors, values, exc.summary)
        return _add_page(request, citation, actor, engine, state, 422)
    return RedirectResponse(
        f"{PREFIX}/citations/{canonical}?done=file-added#files-section", status_code=303
    )


# Withdrawing a file ------------------------------------------------------------------------


def _withdraw_page(
    request: Request,
    number: str,
    key: str,
    actor: Actor,
    engine: Engine,
    state: FormState | None = None,
    status_code: int = 200,
) -> Response:
    actor.require(Action.WITHDRAW_FILES)
    with reading(engine) as session:
        record, row = file_on(session, number, key, actor)
        return render(
            request,
            "file_withdraw.html",
            status_code,
            form=state or FormState(),
            file=row,
            taken=Taken.of(row.details),
            action=f"{PREFIX}/citations/{record.number}/files/{row.key}/withdraw",
            **_context(session, record),
        )


@router.get("/citations/{number}/files/{key}/withdraw")
def withdraw_form(
    number: str, key: str, request: Request, actor: ActorDep, engine: EngineDep
) -> Response:
    return _withdraw_page(request, number, key, actor, engine)


@router.post("/citations/{number}/files/{key}/withdraw")
def withdraw_submit(
    number: str,
    key: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Withdraw the file, with the reason: it stays in the record, marked withdrawn."""
    reason = form.get("reason", "").strip()[:5000]
    try:
        printable(reason)
        with transaction(engine) as session:
            record, row = file_on(session, number, key, actor)
            withdraw(session, row.key, reason, actor=actor, now=now)
            canonical, kept = record.number, row.key
    except (InputRejected, ValueError) as exc:
        problems = (
            exc.errors if isinstance(exc, InputRejected) else [FieldError("reason", str(exc))]
        )
        state = FormState(values={"reason": reason})
        for problem in problems:
            state.add(problem.field, problem.message, {"reason"})
        return _withdraw_page(request, number, key, actor, engine, state, 422)
    return RedirectResponse(
        f"{PREFIX}/citations/{canonical}?done=file-withdrawn#file-{kept}", status_code=303
    )
