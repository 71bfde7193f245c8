"""The edge of the cited person's pages: their session, their language, form tokens, the
headers every public page carries, and errors turned into pages they can read.

A person finds their citation by number and date of birth, or by the access code printed on
a document (citations.online.lookup); that opens a session (citations.online.sessions) whose
random key the signed cookie carries (HttpOnly, Secure, SameSite=Lax), with the form token
every form posts back (the synchronizer-token defence against cross-site request forgery).
The session ends after the profile's idle minutes, or when the person leaves.

Every public page is marked not to be indexed (`X-Robots-Tag: noindex`, and a meta tag in
the page) nor kept by any cache (`Cache-Control: no-store`), and sends no referrer, so the
access code in a QR link never leaves in a Referer header.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRoute
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import (
    CitationsError,
    DatabaseNotReady,
    DatabaseUnavailable,
    InputRejected,
    NotFound,
    PermissionDenied,
)
from citations.http.deps import EngineDep, clock
from citations.http.logs import error_kinds, route_of, stack
from citations.online.sessions import resume_session
from citations.public.pages import Speaker, render_public, speaker_for
from citations.record.tables import Citation
from citations.roles import Actor, cited_person
from citations.settings import get_settings
from ordinances.errors import NothingPublished, OrdinanceError
from ordinances.models import Jurisdiction

log = logging.getLogger("citations.public")

COOKIE = "citations_person"
LANGUAGE_COOKIE = "citations_language"
COOKIE_DAYS = 1
"""The cookie's own limit; the session's idle limit (30 minutes in the demo) ends it first."""

HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}

ClockDep = Annotated[datetime, Depends(clock)]
_PROCESS_KEY = secrets.token_urlsafe(32)


class SessionMissing(Exception):
    """No live session: the person finds their citation again (`ended`: one had been open)."""

    def __init__(self, ended: bool = False) -> None:
        super().__init__("find your citation first")
        self.ended = ended


class FormRejected(Exception):
    """A form post without the session's form token: refused before anything happens."""


@dataclass(frozen=True)
class CookieState:
    csrf: str
    key: str | None = None


@dataclass(frozen=True)
class Person:
    """The person signed in to one citation, and the page's language."""

    number: str
    citation_id: int
    csrf: str
    speaker: Speaker

    @property
    def actor(self) -> Actor:
        return cited_person(self.number)

    @property
    def language(self) -> str:
        return self.speaker.language

    @property
    def profile(self) -> Jurisdiction:
        return self.speaker.profile


def _serializer() -> URLSafeTimedSerializer:
    key = get_settings().web_secret_key or _PROCESS_KEY
    return URLSafeTimedSerializer(key, salt="citations.public.session")


def read_cookie(request: Request) -> CookieState | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data: Any = _serializer().loads(raw, max_age=COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    key = data.get("key")
    return CookieState(csrf=data["csrf"], key=key if isinstance(key, str) else None)


def write_cookie(response: Response, state: CookieState) -> None:
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"csrf": state.csrf, "key": state.key}),
        max_age=COOKIE_DAYS * 86400,
        path="/",
        secure=True,  # browsers treat http://localhost and 127.0.0.1 as secure too
        httponly=True,
        samesite="lax",
    )


def forget_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")


def profile_of(request: Request) -> Jurisdiction:
    with reading(request.app.state.engine) as session:
        return PublishedCatalog(session).jurisdiction()


def chosen_language(request: Request, profile: Jurisdiction, preferred: str | None) -> str:
    """The page's language: the one the person chose (the language link's cookie), else the
    citation's preferred language, else the browser's, else the city's first notice
    language; always one of the catalog's notice languages."""
    languages = profile.notice_languages
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return str(chosen)
    if preferred in languages:
        return str(preferred)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in languages:
            return code
    return languages[0]


def visitor_speaker(request: Request) -> Speaker:
    profile = profile_of(request)
    return speaker_for(chosen_language(request, profile, None), profile)


def current_person(request: Request, engine: EngineDep, now: ClockDep) -> Person:
    """The person whose session the cookie names, if it is live (else SessionMissing)."""
    state = read_cookie(request)
    if state is None or state.key is None:
        raise SessionMissing()
    # Not noted as the person's write: no page shows when the session was last used, and
    # noting it would send every page after it to the primary (citations.http.read_after).
    with transaction(engine, noted=False) as session:
        profile = PublishedCatalog(session).jurisdiction()
        idle = timedelta(minutes=profile.online.session_idle_minutes)
        opened = resume_session(session, state.key, now=now, idle=idle)
        citation = session.get(Citation, opened.citation_id) if opened is not None else None
        preferred = citation.preferred_language if citation is not None else None
    # Outside the transaction: an idle session was ended above, and that must be committed.
    if opened is None:
        raise SessionMissing(ended=True)
    language = chosen_language(request, profile, preferred)
    person = Person(
        number=opened.number,
        citation_id=opened.citation_id,
        csrf=state.csrf,
        speaker=speaker_for(language, profile),
    )
    request.state.person = person
    return person


PersonDep = Annotated[Person, Depends(current_person)]


def check_form(person: Person | CookieState | None, form: Mapping[str, Any]) -> None:
    """Refuse a posted form whose form token is not the session's (FormRejected)."""
    sent = form.get("csrf_token")
    expected = person.csrf if person is not None else ""
    if (
        not expected
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise FormRejected()


async def person_form(request: Request, person: PersonDep) -> dict[str, str]:
    """The text fields of a posted form, once its form token matches the session's."""
    form = await request.form()
    check_form(person, form)
    return {key: value for key, value in form.items() if isinstance(value, str)}


PersonFormDep = Annotated[dict[str, str], Depends(person_form)]


def page(
    request: Request,
    person: Person,
    template: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A page for a signed-in person."""
    return render_public(
        request,
        template,
        speaker=person.speaker,
        status_code=status_code,
        signed_in=True,
        csrf=person.csrf,
        number=person.number,
        **values,
    )


def error_page(request: Request, status: int, title_key: str, message: str) -> Response:
    person: Person | None = getattr(request.state, "person", None)
    try:
        speaker = person.speaker if person is not None else visitor_speaker(request)
        return render_public(
            request,
            "error.html",
            speaker=speaker,
            status_code=status,
            signed_in=person is not None,
            csrf=person.csrf if person is not None else "",
            number=person.number if person is not None else "",
            title_key=title_key,
            message=message,
        )
    except Exception as failure:  # the error page itself must never fail
        log.error("the public error page failed: %s\n%s", error_kinds(failure), stack(failure))
        return PlainTextResponse(f"{status}: {message}", status_code=status)


def _translate(request: Request, exc: Exception) -> Response:
    if isinstance(exc, SessionMissing):
        response = RedirectResponse("/?ended=1" if exc.ended else "/", status_code=303)
        if exc.ended:
            forget_cookie(response)
        return response
    if isinstance(exc, FormRejected):
        return error_page(request, 403, "error.form", "")
    if isinstance(exc, RequestValidationError):
        return error_page(request, 404, "error.not_found", "")
    if isinstance(exc, PermissionDenied):
        return error_page(request, 403, "error.not_allowed", "")
    if isinstance(exc, NotFound):
        return error_page(request, 404, "error.not_found", "")
    if isinstance(exc, NothingPublished | DatabaseNotReady | DatabaseUnavailable):
        return error_page(request, 503, "error.not_ready", "")
    if isinstance(exc, CitationsError | OrdinanceError | InputRejected):
        return error_page(request, 400, "error.cannot", str(exc))
    if isinstance(exc, StarletteHTTPException) and exc.status_code < 500:
        return error_page(request, exc.status_code, "error.cannot_read", "")
    if isinstance(exc, DataError):
        return error_page(request, 400, "error.cannot", "")
    log.error("unexpected error on %s: %s\n%s", route_of(request), error_kinds(exc), stack(exc))
    return error_page(request, 500, "error.unexpected", "")


class PublicRoute(APIRoute):
    """A public page: errors become pages in the person's language, and every answer
    carries the headers above (an HTML page all of them; a PDF or a file at least
    no-store, nosniff and noindex)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                response = _translate(request, exc)
            if isinstance(response, HTMLResponse):
                for name, value in HTML_HEADERS.items():
                    response.headers.setdefault(name, value)
            for name in ("Cache-Control", "X-Content-Type-Options", "X-Robots-Tag"):
                response.headers.setdefault(name, HTML_HEADERS[name])
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            return response

        return guarded


def public_router(**options: Any) -> APIRouter:
    """A router of public pages: guarded, and never in the API's OpenAPI schema."""
    return APIRouter(route_class=PublicRoute, include_in_schema=False, **options)


def client_of(request: Request) -> str:
    """The client's address as the server saw it (uvicorn takes it from the proxy's
    X-Forwarded-For when the proxy is trusted: FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client is not None else "unknown"
