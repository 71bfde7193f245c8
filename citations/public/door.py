"""The door itself: finding one's citation (number and date of birth, or the QR code's
link), the person's page, the documents sent to them, the language link, and leaving."""

from __future__ import annotations

import secrets
from datetime import date
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import NotFound
from citations.http.deps import EngineDep, ReplicaDep
from citations.http.responses import pdf_response
from citations.inputs import record_id
from citations.notice.kept import notice_document
from citations.online.lookup import (
    Answer,
    Found,
    NoMatch,
    Wait,
    find_by_birth_date,
    find_by_code,
)
from citations.online.overview import overview
from citations.online.sessions import end_session, open_session
from citations.public.evidence import files_of_person
from citations.public.guard import (
    LANGUAGE_COOKIE,
    ClockDep,
    CookieState,
    PersonDep,
    check_form,
    client_of,
    forget_cookie,
    page,
    public_router,
    read_cookie,
    visitor_speaker,
    write_cookie,
)
from citations.public.pages import PUBLIC_TEMPLATES, Speaker, render_public
from citations.record.sent import stored_document

router = public_router()

STYLE_SHEET = PUBLIC_TEMPLATES / "static" / "public.css"


def _lookup_page(
    request: Request,
    speaker: Speaker,
    state: CookieState,
    *,
    status_code: int = 200,
    message: str | None = None,
    number: str = "",
    birth: tuple[str, str, str] = ("", "", ""),
) -> Response:
    response = render_public(
        request,
        "find.html",
        speaker=speaker,
        status_code=status_code,
        csrf=state.csrf,
        message=message,
        typed_number=number,
        birth=birth,
    )
    write_cookie(response, state)
    return response


def _visitor_state(request: Request) -> CookieState:
    state = read_cookie(request)
    return state if state is not None else CookieState(csrf=secrets.token_urlsafe(32))


@router.get("/")
def find_page(request: Request, ended: str = "", left: str = "") -> Response:
    speaker = visitor_speaker(request)
    message = None
    if ended:
        message = speaker.t("find.ended")
    elif left:
        message = speaker.t("find.left")
    state = _visitor_state(request)
    return _lookup_page(request, speaker, CookieState(csrf=state.csrf), message=message)


def _birth_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _answered(
    request: Request, engine: EngineDep, answer: Answer, how: str, now: ClockDep
) -> Response | None:
    """Open a session for a found citation and go to its page; None when not found."""
    if not isinstance(answer, Found):
        return None
    with transaction(engine) as session:
        key = open_session(session, answer.citation_id, answer.number, how=how, now=now)
    response = RedirectResponse("/citation", status_code=303)
    # A new form token with the session: one learnt before it is worth nothing after.
    write_cookie(response, CookieState(csrf=secrets.token_urlsafe(32), key=key))
    return response


def _refused(speaker: Speaker, answer: Answer) -> tuple[int, str]:
    if isinstance(answer, NoMatch):
        return 200, speaker.t("find.no_match")
    assert isinstance(answer, Wait)
    until = speaker.moment(answer.until)
    return 429, speaker.t("find.wait", until=until)


@router.post("/")
async def find(request: Request, engine: EngineDep, now: ClockDep) -> Response:
    form = await request.form()
    state = read_cookie(request)
    check_form(state, form)
    assert state is not None
    speaker = visitor_speaker(request)
    number = str(form.get("number", "")).strip()[:40]
    birth = tuple(str(form.get(k, "")).strip()[:4] for k in ("year", "month", "day"))
    year, month, day = birth
    with transaction(engine) as session:  # the try is kept, whatever the answer
        profile = PublishedCatalog(session).jurisdiction()
        answer = find_by_birth_date(
            session,
            number,
            _birth_date(year, month, day),
            client=client_of(request),
            now=now,
            profile=profile,
        )
    found = _answered(request, engine, answer, "birth_date", now)
    if found is not None:
        return found
    status, message = _refused(speaker, answer)
    return _lookup_page(
        request,
        speaker,
        state,
        status_code=status,
        message=message,
        number=number,
        birth=(year, month, day),
    )


@router.get("/c/{code}")
def by_code(code: str, request: Request, engine: EngineDep, now: ClockDep) -> Response:
    """The link in a document's QR code: the access code opens the citation at once."""
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        answer = find_by_code(
            session, code[:64], client=client_of(request), now=now, profile=profile
        )
    found = _answered(request, engine, answer, "access_code", now)
    if found is not None:
        return found
    speaker = visitor_speaker(request)
    status, message = _refused(speaker, answer)
    if isinstance(answer, NoMatch):
        status, message = 404, speaker.t("find.bad_code")
    return _lookup_page(
        request, speaker, _visitor_state(request), status_code=status, message=message
    )


@router.get("/code")
def typed_code(request: Request, engine: EngineDep, now: ClockDep, code: str = "") -> Response:
    """An access code typed in the form (the same as following the QR code's link)."""
    return by_code(code, request, engine, now)


@router.get("/citation")
def citation_page(
    request: Request, person: PersonDep, reads: ReplicaDep, now: ClockDep
) -> Response:
    # The replica, unless the person's own last write (a payment, a request) is not there yet.
    with reads.reading() as session:
        seen = overview(session, person.number, person.actor, now=now)
        receipts = {
            d.about.removeprefix("receipt:"): d.id for d in seen.documents if d.kind == "receipt"
        }
        # Rendered while the session is open: the page reads the requests' rows.
        return page(
            request,
            person,
            "citation.html",
            seen=seen,
            receipts=receipts,
            notice_waits=seen.waits_for_mail,
            files=files_of_person(session, person.number, person.actor),
        )


@router.get("/notice.pdf")
def notice_pdf(person: PersonDep, engine: EngineDep, now: ClockDep) -> Response:
    """The notice as given (kept the first time it is produced, as for a clerk's print)."""
    with transaction(engine) as session:
        document = notice_document(session, person.number, person.actor, now=now)
        return pdf_response(document.content, f"{person.number}.pdf")


@router.get("/documents/{document_id}.pdf")
def document_pdf(document_id: str, person: PersonDep, engine: EngineDep) -> Response:
    """One document sent to the person, as it was sent: the same bytes on every download."""
    wanted = record_id(document_id)
    if wanted is None or wanted < 1:
        raise NotFound("document", document_id)
    with reading(engine) as session:
        document = stored_document(session, person.number, wanted, person.actor)
        return pdf_response(document.content, f"{person.number}-{document.kind}-{document.id}.pdf")


def _safe_next(target: str) -> str:
    """Only a page of this site, never another (`//evil.example` or `https://...`).

    >>> _safe_next("/citation"), _safe_next("//evil.example/"), _safe_next("https://x")
    ('/citation', '/', '/')
    """
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/language/{code}")
def choose_language(code: str, request: Request, next: str = "/") -> Response:
    """The language link on every page: remembered in a cookie, for a year."""
    response = RedirectResponse(quote(_safe_next(next), safe="/?=&"), status_code=303)
    speaker = visitor_speaker(request)
    if code in speaker.profile.notice_languages:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 86400,
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )
    return response


@router.post("/leave")
async def leave(request: Request, person: PersonDep, engine: EngineDep, now: ClockDep) -> Response:
    """End the session (committed before the answer), on every copy of the cookie."""
    form = await request.form()
    check_form(person, form)
    state = read_cookie(request)
    if state is not None and state.key is not None:
        with transaction(engine) as session:
            end_session(session, state.key, now=now)
    response = RedirectResponse("/?left=1", status_code=303)
    forget_cookie(response)
    return response


@router.get("/static/public.css")
def style_sheet() -> Response:
    return Response(
        STYLE_SHEET.read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"Cache-Control": "no-cache"},
    )
