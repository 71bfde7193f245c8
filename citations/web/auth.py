"""Signing in to the clerks' pages with an API token, the session cookie, and form tokens.

A clerk signs in once with their token's secret. The session is kept in the database
(citations.record.web_sessions); the signed cookie (HttpOnly, Secure, SameSite=Lax, path
/clerk, 12 hours) holds only its random key, never the token's secret, so a leaked cookie is
no API credential. Every request looks the session up and checks its token again, so signing
out, revoking the token and the session's expiry each end it at once, for every copy of the
cookie. The cookie also holds
the session's form token: every form carries it in a hidden field and every POST is refused
without it (the synchronizer-token defence against cross-site request forgery). The login
form has one too, from a cookie set when the login page is shown.

The signing key is `CITATIONS_WEB_SECRET_KEY` (citations.settings); without it each process
draws a random key, and clerks sign in again after a restart.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from citations.database import reading_rows, transaction
from citations.errors import PermissionDenied
from citations.http.deps import EngineDep
from citations.record.tokens import InvalidToken, authenticate_id, identify
from citations.record.web_sessions import LIFETIME, end_session, session_token, start_session
from citations.roles import Actor, Role
from citations.settings import get_settings
from citations.web.guard import COOKIE, PREFIX, CsrfRejected, LoginRequired, web_router
from citations.web.pages import render

MAX_AGE = int(LIFETIME.total_seconds())
"""The cookie lasts as long as the session it names (the database decides, though)."""

WEB_ROLES = frozenset({Role.CLERK, Role.ADMIN, Role.HEARING_OFFICER})
"""Who may use the pages at all; each page and form then asks roles.py (through the library)."""

_PROCESS_KEY = secrets.token_urlsafe(32)

router = web_router()


@dataclass(frozen=True)
class CookieSession:
    csrf: str
    key: str | None = None
    """The signed-in session's random key (None before signing in): the database knows
    whose it is and whether it has ended; never the token's secret."""


def _serializer() -> URLSafeTimedSerializer:
    key = get_settings().web_secret_key or _PROCESS_KEY
    return URLSafeTimedSerializer(key, salt="citations.web.session")


def read_session(request: Request) -> CookieSession | None:
    """The session in the request's cookie, or None if absent, forged or older than MAX_AGE."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data: Any = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    key = data.get("key")
    return CookieSession(csrf=data["csrf"], key=key if isinstance(key, str) else None)


def write_session(response: Response, state: CookieSession) -> None:
    value = _serializer().dumps({"csrf": state.csrf, "key": state.key})
    response.set_cookie(
        COOKIE,
        str(value),
        max_age=MAX_AGE,
        path=PREFIX,
        secure=True,  # browsers treat http://localhost and 127.0.0.1 as secure, too
        httponly=True,
        samesite="lax",
    )


def clock() -> datetime:
    """The pages' clock (tests override this dependency to play a day's work)."""
    return datetime.now(UTC)


ClockDep = Annotated[datetime, Depends(clock)]


def current_actor(request: Request, engine: EngineDep, now: ClockDep) -> Actor:
    """The signed-in actor, authenticated again now; LoginRequired sends them to sign in."""
    state = read_session(request)
    if state is None or state.key is None:
        raise LoginRequired()
    try:
        with reading_rows(engine) as connection:
            token_id = session_token(connection, state.key, now)
            if token_id is None:  # signed out, or expired
                raise InvalidToken()
            actor = authenticate_id(connection, token_id, now)  # revoked or expired since
    except InvalidToken:
        raise LoginRequired(ended=True) from None
    request.state.csrf = state.csrf
    if actor.role not in WEB_ROLES:
        raise PermissionDenied(actor.role.value, "use the clerks' pages")
    request.state.actor = actor
    return actor


async def posted_form(request: Request) -> dict[str, str]:
    """The fields of a posted form, once its form token matches the session's."""
    state = read_session(request)
    if state is None:
        raise LoginRequired()
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), state.csrf.encode()):
        raise CsrfRejected()
    return {key: value for key, value in form.items() if isinstance(value, str)}


ActorDep = Annotated[Actor, Depends(current_actor)]
FormDep = Annotated[dict[str, str], Depends(posted_form)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a page of ours, never another site.

    >>> safe_next("/clerk/contests"), safe_next("//evil.example/clerk/"), safe_next(None)
    ('/clerk/contests', '/clerk/', '/clerk/')
    """
    if target and target.startswith(PREFIX + "/") and "//" not in target and "\\" not in target:
        return target
    return PREFIX + "/"


@router.get("/login")
def login_page(request: Request, next: str = "", ended: str = "", out: str = "") -> Response:
    state = read_session(request)
    fresh = state is None
    if state is None:
        state = CookieSession(csrf=secrets.token_urlsafe(32))
    request.state.csrf = state.csrf
    response = render(
        request,
        "login.html",
        next=safe_next(next),
        error=None,
        ended=bool(ended),
        signed_out=bool(out),
    )
    if fresh:
        write_session(response, state)
    return response


@router.post("/login")
def login(request: Request, form: FormDep, engine: EngineDep, now: ClockDep) -> Response:
    target = safe_next(form.get("next"))
    secret = form.get("token", "").strip()
    error, status = None, 200
    try:
        with reading_rows(engine) as connection:
            token_id, actor = identify(connection, secret, now)
    except InvalidToken:
        error, status = "This token is not valid: it may be mistyped, revoked or expired.", 401
    else:
        if actor.role not in WEB_ROLES:
            error = (
                f"A {actor.role.value.replace('_', ' ')} token cannot use the clerks' pages; "
                "ask an administrator for a clerk token."
            )
            status = 403
    if error is not None:
        request.state.csrf = form["csrf_token"]
        # The secret is never sent back into the page, even when mistyped.
        return render(
            request, "login.html", status, next=target, error=error, ended=False, signed_out=False
        )
    with transaction(engine) as session:  # committed before the answer is sent
        key = start_session(session, token_id, actor=actor, now=now)
    response = RedirectResponse(target, status_code=303)
    # A new form token at sign-in: one learnt before signing in is worth nothing after.
    write_session(response, CookieSession(csrf=secrets.token_urlsafe(32), key=key))
    return response


@router.post("/logout")
def logout(request: Request, form: FormDep, engine: EngineDep, now: ClockDep) -> Response:
    """End the session in the database (committed before the answer), so the cookie is
    refused from now on even where the browser does not forget it."""
    state = read_session(request)
    if state is not None and state.key is not None:
        with transaction(engine) as session:
            end_session(session, state.key, now=now)
    response = RedirectResponse(f"{PREFIX}/login?out=1", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX, secure=True, httponly=True, samesite="lax")
    return response
