"""Contesting online, the person's pages: ask for a review with photos or papers, ask for a
hearing (deposit or hardship waiver), move the hearing, ask to reopen a missed hearing, and
open a file they sent.

Each page first says whether the step is open and until when (or why not, with the office's
phone); each form calls one library step of citations.online.contest as the person, and any
refusal comes back on the same page in the person's language, with what they typed kept
(files must be chosen again: a browser never keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from citations.attachments.tables import Attachment
from citations.database import reading, transaction
from citations.errors import CitationsError, IllegalTransition, InputRejected, NotFound
from citations.hearings.contests import DeadlineMissed
from citations.hearings.tables import Contest
from citations.http.deps import EngineDep
from citations.online.contest import (
    MoveRefused,
    Opening,
    ask_for_hearing,
    ask_for_review,
    ask_to_set_aside,
    hearing_opening,
    interpreter_choices,
    move_hearing,
    move_opening,
    review_opening,
    set_aside_opening,
)
from citations.online.files import FilesRefused, Upload, download, file_for
from citations.online.payments import NotOpen, start_online_payment
from citations.online.providers import Provider, ProviderUnavailable
from citations.online.requests import RequestKind, requests_of
from citations.public.guard import ClockDep, Person, PersonDep, check_form, page, public_router
from citations.public.pay import ProviderDep, allow_provider_pages, return_base, why
from citations.public.uploads import form_text, read_files, read_form
from citations.record.ledger import balance
from citations.record.lookup import find_citation

router = public_router()


def _refusals(person: Person, exc: Exception) -> list[str]:
    """What went wrong, in the person's words: each refused file by name, a field's problem
    by its key, else the library's own sentence. A missed deadline or a step no longer open
    needs no words here: the page's opening says it, with the date."""
    t = person.speaker.t
    if isinstance(exc, DeadlineMissed | IllegalTransition):
        return []
    if isinstance(exc, FilesRefused):
        return [t(f"contest.refused.{r.code}", **r.values) for r in exc.refusals]
    if isinstance(exc, InputRejected):
        problems = []
        for e in exc.errors:
            key = f"contest.problem.{e.field}"
            problems.append(t(key) if t(key) != key else e.message)
        return problems
    return [str(exc)]


def _too_big(person: Person) -> list[str]:
    rules = person.profile.online
    return [
        person.speaker.t(
            "contest.refused.total", count=rules.upload_max_files, limit=rules.upload_max_megabytes
        )
    ]


def _files(session: Session, person: Person, purpose: str) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.citation_id == person.citation_id,
                Attachment.purpose == purpose,
                Attachment.source == "person",
            )
            .order_by(Attachment.id)
        )
    )


def _contest(session: Session, person: Person) -> Contest | None:
    return session.scalar(select(Contest).where(Contest.citation_id == person.citation_id))


async def _act(engine: Any, step: Callable[[Session], object]) -> None:
    """Run one library step in its own transaction, off the event loop (pictures are
    re-encoded there)."""

    def run() -> None:
        with transaction(engine) as session:
            step(session)

    await run_in_threadpool(run)


async def send_with_files(
    request: Request,
    person: Person,
    engine: Any,
    *,
    field: str,
    required: str | None,
    step: Callable[[Session, str, list[Upload]], object],
    show: Callable[[int, str, list[str]], Response],
    done: str,
) -> Response:
    """A form of words and files (a review, a set-aside): read under the profile's size
    limit (413 past it), the words required when `required` names their problem, then the
    library's step in one transaction; a refusal shows the page again (422) with what was
    typed and each problem in the person's language, a success goes to `done`."""
    form = await read_form(request, person)
    if form is None:
        return show(413, "", _too_big(person))
    text, uploads = await read_files(form, field)
    if required is not None and not text:
        return show(422, text, [person.speaker.t(required)])
    try:
        await _act(engine, lambda session: step(session, text, uploads))
    except CitationsError as exc:
        if isinstance(exc, NotFound):
            raise
        return show(422, text, _refusals(person, exc))
    return RedirectResponse(done, status_code=303)


# The review ------------------------------------------------------------------------------


def _review_page(
    request: Request,
    person: Person,
    engine: Any,
    now: Any,
    *,
    status_code: int = 200,
    statement: str = "",
    problems: list[str] | None = None,
    sent: bool = False,
) -> Response:
    with reading(engine) as session:
        opening = review_opening(session, person.number, person.actor, now)
        contest = _contest(session, person)
        files = _files(session, person, "review")
        return page(
            request,
            person,
            "contest_review.html",
            status_code=status_code,
            opening=opening,
            contest=contest,
            files=files,
            statement=statement,
            problems=problems or [],
            sent=sent,
            rules=person.profile.online,
        )


@router.get("/review")
def review_form(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, sent: str = ""
) -> Response:
    return _review_page(request, person, engine, now, sent=bool(sent))


@router.post("/review")
async def review_submit(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep
) -> Response:
    def show(status_code: int, typed: str, problems: list[str]) -> Response:
        return _review_page(
            request,
            person,
            engine,
            now,
            status_code=status_code,
            statement=typed,
            problems=problems,
        )

    def step(session: Session, statement: str, uploads: list[Upload]) -> object:
        return ask_for_review(
            session, person.number, statement, uploads, actor=person.actor, now=now
        )

    return await send_with_files(
        request,
        person,
        engine,
        field="statement",
        required="contest.problem.statement",
        step=step,
        show=show,
        done="/review?sent=1",
    )


# The hearing -----------------------------------------------------------------------------


def _hearing_page(
    request: Request,
    person: Person,
    engine: Any,
    now: Any,
    provider: Provider | None,
    *,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
    problems: list[str] | None = None,
    sent: bool = False,
) -> Response:
    with reading(engine) as session:
        opening = hearing_opening(session, person.number, person.actor, now)
        citation = find_citation(session, person.number, person.actor)
        response = page(
            request,
            person,
            "contest_hearing.html",
            status_code=status_code,
            opening=opening,
            contest=_contest(session, person),
            deposit=balance(session, citation),
            pay_online=provider is not None,
            modes=person.profile.online.hearing_modes,
            interpreters=interpreter_choices(person.profile, person.language),
            typed=typed or {},
            problems=problems or [],
            sent=sent,
        )
    # The form's answer may send the person on to the provider's page.
    return allow_provider_pages(response, provider)


@router.get("/hearing")
def hearing_form(
    request: Request,
    person: PersonDep,
    engine: EngineDep,
    now: ClockDep,
    provider: ProviderDep,
    sent: str = "",
) -> Response:
    return _hearing_page(request, person, engine, now, provider, sent=bool(sent))


def _pay_deposit(
    request: Request,
    person: Person,
    engine: Any,
    now: Any,
    provider: Provider | None,
    details: dict[str, str],
) -> Response | list[str]:
    """Start paying the deposit with the hearing's choices (the hearing is requested with
    them once the payment posts): the provider's page, or why not."""
    t = person.speaker.t
    if provider is None:
        return [t("pay.off")]
    try:
        with transaction(engine) as session:
            started = start_online_payment(
                session,
                person.number,
                purpose="hearing",
                details=details,
                actor=person.actor,
                now=now,
                provider=provider,
                return_base=return_base(request),
            )
    except NotOpen as closed:
        return [why(person.speaker, closed)]
    except ProviderUnavailable:
        return [t("pay.unavailable")]
    return RedirectResponse(started.redirect_url, status_code=303)


@router.post("/hearing")
async def hearing_submit(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, provider: ProviderDep
) -> Response:
    form = await request.form(max_files=0, max_fields=30)
    check_form(person, form)
    fields = ("hearing_mode", "interpreter_language", "accommodation", "path", "declaration")
    typed = {name: form_text(form, name) for name in fields}
    typed["sworn"] = "yes" if form.get("sworn") == "yes" else ""
    t = person.speaker.t
    problems: list[str] = []
    mode = typed["hearing_mode"] or None
    if mode is not None and mode not in person.profile.online.hearing_modes:
        problems.append(t("contest.problem.hearing_mode"))
    language = typed["interpreter_language"] or None
    if language is not None and language not in dict(interpreter_choices(person.profile, "en")):
        problems.append(t("contest.problem.interpreter_language"))
    if typed["path"] not in ("deposit", "waiver"):
        problems.append(t("contest.problem.path"))
    if not problems and typed["path"] == "deposit":
        details = {
            "hearing_mode": mode or "",
            "interpreter_language": language or "",
            "accommodation": typed["accommodation"],
        }
        paying = await run_in_threadpool(
            _pay_deposit, request, person, engine, now, provider, details
        )
        if isinstance(paying, Response):
            return paying
        problems = paying
    if not problems:
        try:
            await _act(
                engine,
                lambda s: ask_for_hearing(
                    s,
                    person.number,
                    declaration=typed["declaration"],
                    sworn=typed["sworn"] == "yes",
                    hearing_mode=mode,
                    interpreter_language=language,
                    accommodation=typed["accommodation"] or None,
                    actor=person.actor,
                    now=now,
                ),
            )
        except CitationsError as exc:
            if isinstance(exc, NotFound):
                raise
            problems = _refusals(person, exc)
        else:
            return RedirectResponse("/hearing?sent=1", status_code=303)
    return _hearing_page(
        request, person, engine, now, provider, status_code=422, typed=typed, problems=problems
    )


# Moving the hearing ----------------------------------------------------------------------


def _move_page(
    request: Request,
    person: Person,
    engine: Any,
    now: Any,
    *,
    status_code: int = 200,
    reason: str = "",
    problems: list[str] | None = None,
    moved: bool = False,
) -> Response:
    with reading(engine) as session:
        opening = move_opening(session, person.number, person.actor, now)
        return page(
            request,
            person,
            "contest_move.html",
            status_code=status_code,
            opening=opening,
            hearing_day=_day(opening),
            moves=person.profile.online.hearing_moves,
            days_before=person.profile.online.move_days_before,
            reason=reason,
            problems=problems or [],
            moved=moved,
        )


def _day(opening: Opening) -> date | None:
    day = opening.details.get("day")
    return date.fromisoformat(day) if day else None


@router.get("/hearing/move")
def move_form(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, moved: str = ""
) -> Response:
    return _move_page(request, person, engine, now, moved=bool(moved))


@router.post("/hearing/move")
async def move_submit(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep
) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    check_form(person, form)
    reason = form_text(form, "reason")
    try:
        await _act(
            engine,
            lambda s: move_hearing(s, person.number, reason, actor=person.actor, now=now),
        )
    except MoveRefused:
        return _move_page(request, person, engine, now, status_code=422, reason=reason)
    except CitationsError as exc:
        if isinstance(exc, NotFound):
            raise
        problems = _refusals(person, exc)
        return _move_page(
            request, person, engine, now, status_code=422, reason=reason, problems=problems
        )
    return RedirectResponse("/hearing/move?moved=1", status_code=303)


# Setting a default aside -----------------------------------------------------------------


def _set_aside_page(
    request: Request,
    person: Person,
    engine: Any,
    now: Any,
    *,
    status_code: int = 200,
    reason: str = "",
    problems: list[str] | None = None,
    sent: bool = False,
) -> Response:
    with reading(engine) as session:
        opening = set_aside_opening(session, person.number, person.actor, now)
        citation = find_citation(session, person.number, person.actor)
        asked = [r for r in requests_of(session, citation) if r.kind == RequestKind.SET_ASIDE]
        return page(
            request,
            person,
            "contest_set_aside.html",
            status_code=status_code,
            opening=opening,
            asked=asked[-1] if asked else None,
            files=_files(session, person, "set_aside"),
            reason=reason,
            problems=problems or [],
            sent=sent,
            rules=person.profile.online,
        )


@router.get("/set-aside")
def set_aside_form(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, sent: str = ""
) -> Response:
    return _set_aside_page(request, person, engine, now, sent=bool(sent))


@router.post("/set-aside")
async def set_aside_submit(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep
) -> Response:
    def show(status_code: int, typed: str, problems: list[str]) -> Response:
        return _set_aside_page(
            request, person, engine, now, status_code=status_code, reason=typed, problems=problems
        )

    def step(session: Session, reason: str, uploads: list[Upload]) -> object:
        return ask_to_set_aside(
            session, person.number, reason, uploads, actor=person.actor, now=now
        )

    return await send_with_files(
        request,
        person,
        engine,
        field="reason",
        required=None,
        step=step,
        show=show,
        done="/set-aside?sent=1",
    )


# A file the person sent ------------------------------------------------------------------


@router.get("/files/{key}")
def person_file(key: str, person: PersonDep, engine: EngineDep) -> Response:
    """A file on the person's citation (their own, or the officer's evidence as shown to
    the public), to them alone: another citation's file is not found."""
    with reading(engine) as session:
        row = file_for(session, key, person.actor)
        content, headers = download(row, person.actor)
    return Response(content, headers=headers)
