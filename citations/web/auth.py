"""Signing in to the clerks' pages (a staff account, or an API token), the session cookie,
and form tokens.

A person signs in with their username and password (citations.record.accounts); a person
whose password was set by an administrator is sent to choose their own before any other page.
Integrations' operators may still sign in with an API token's secret (the login page's second
form). A session with no request for the settings' `web_idle_minutes` has ended.

The session is kept in the database (citations.record.web_sessions); the signed cookie
(HttpOnly, Secure, SameSite=Lax, path /clerk, 12 hours) holds only its random key, never a
password or the token's secret, so a leaked cookie is no credential. Every request looks the
session up and checks its account or token again, so signing out, disabling the account,
resetting its password, revoking the token, idleness and the session's expiry each end it at
once, for every copy of the cookie. The cookie also holds the session's form token: every
form carries it in a hidden field and every POST is refused without it (the
synchronizer-token defence against cross-site request forgery). The login form has one too,
from a cookie set when the login page is shown.

The signing key is `CITATIONS_WEB_SECRET_KEY` (citations.settings); without it each process
draws a random key, and clerks sign in again after a restart.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from citations.catalog.store import PublishedCatalog
from citations.database import reading_rows, transaction
from citations.errors import InputRejected, PermissionDenied
from citations.http.deps import EngineDep
from citations.record.accounts import AccountEnded, attempt_sign_in, change_password
from citations.record.accounts import session_account as account_of_session
from citations.record.tokens import InvalidToken, authenticate_id, identify
from citations.record.web_sessions import (
    LIFETIME,
    end_session,
    needs_touch,
    open_session,
    start_session,
    touch_session,
)
from citations.roles import Actor, Role
from citations.settings import get_settings
from citations.web.guard import (
    COOKIE,
    PREFIX,
    CsrfRejected,
    LoginRequired,
    PasswordChangeRequired,
    web_router,
)
from citations.web.pages import Formats, render

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


PASSWORD_PAGE = PREFIX + "/password"
"""Where a person whose password must change is sent, and where anyone changes their own."""


def current_actor(request: Request, engine: EngineDep, now: ClockDep) -> Actor:
    """The signed-in actor, authenticated again now; LoginRequired sends them to sign in."""
    state = read_session(request)
    if state is None or state.key is None:
        raise LoginRequired()
    idle = timedelta(minutes=get_settings().web_idle_minutes)
    must_change = False
    try:
        with reading_rows(engine) as connection:
            found = open_session(connection, state.key, now, idle)
            if found is None:  # signed out, expired or idle too long
                raise InvalidToken()
            if found.user_id is not None:
                account = account_of_session(connection, found.user_id)
                actor, must_change = account.actor, account.must_change_password
            else:
                assert found.token_id is not None
                actor = authenticate_id(connection, found.token_id, now)  # revoked since?
    except (InvalidToken, AccountEnded):
        raise LoginRequired(ended=True) from None
    if needs_touch(found, now):
        with transaction(engine, noted=False) as session:  # bookkeeping no page shows
            touch_session(session, found.id, now)
    request.state.csrf = state.csrf
    if actor.role not in WEB_ROLES:
        raise PermissionDenied(actor.role.value, "use the clerks' pages")
    request.state.actor = actor
    request.state.must_change = must_change
    if must_change and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
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


def _login_page(
    request: Request,
    status: int = 200,
    *,
    next_page: str,
    error: str | None = None,
    token_error: str | None = None,
    username: str = "",
    ended: bool = False,
    signed_out: bool = False,
) -> Response:
    settings = get_settings()
    return render(
        request,
        "login.html",
        status,
        oidc_name=settings.oidc_name if settings.oidc_issuer is not None else None,
        next=next_page,
        error=error,
        token_error=token_error,
        username=username,
        ended=ended,
        signed_out=signed_out,
    )


@router.get("/login")
def login_page(request: Request, next: str = "", ended: str = "", out: str = "") -> Response:
    state = read_session(request)
    fresh = state is None
    if state is None:
        state = CookieSession(csrf=secrets.token_urlsafe(32))
    request.state.csrf = state.csrf
    response = _login_page(
        request, next_page=safe_next(next), ended=bool(ended), signed_out=bool(out)
    )
    if fresh:
        write_session(response, state)
    return response


def _signed_in(target: str, key: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    # A new form token at sign-in: one learnt before signing in is worth nothing after.
    write_session(response, CookieSession(csrf=secrets.token_urlsafe(32), key=key))
    return response


@router.post("/login")
def login(request: Request, form: FormDep, engine: EngineDep, now: ClockDep) -> Response:
    """The username and password form, or (when the form carries `token`) the API token's."""
    if "token" in form:
        return _token_login(request, form, engine, now)
    target = safe_next(form.get("next"))
    username = form.get("username", "").strip()[:200]
    with transaction(engine) as session:  # failures and lockouts are kept whatever follows
        attempt = attempt_sign_in(session, username, form.get("password", ""), now=now)
        key, signed = None, attempt.signed_in
        if signed is not None and signed.role in WEB_ROLES:
            key = start_session(session, user_id=signed.user_id, actor=signed, now=now)
        profile = PublishedCatalog(session).jurisdiction() if attempt.locked_until else None
    if key is not None:
        return _signed_in(PASSWORD_PAGE if attempt.must_change_password else target, key)
    request.state.csrf = form["csrf_token"]
    if signed is not None:
        error, status = (
            f"A {signed.role.value.replace('_', ' ')}'s account cannot use the clerks' pages.",
            403,
        )
    elif attempt.locked_until is not None and profile is not None:
        until = Formats.of(profile).moment(attempt.locked_until)
        error, status = (
            "Too many failed sign-ins: this account is locked until "
            f"{until}. Try again then, or ask an administrator to reset the password.",
            429,
        )
    else:
        error, status = "The username or password is not right.", 401
    # The password is never sent back into the page.
    return _login_page(request, status, next_page=target, error=error, username=username)


def _token_login(
    request: Request, form: dict[str, str], engine: EngineDep, now: datetime
) -> Response:
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
        return _login_page(request, status, next_page=target, token_error=error)
    with transaction(engine) as session:  # committed before the answer is sent
        key = start_session(session, token_id, actor=actor, now=now)
    return _signed_in(target, key)


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


@router.get("/password")
def password_page(request: Request, actor: ActorDep) -> Response:
    """Change one's own password; the first page a person sees after a reset."""
    return _password_form(request, actor)


def _password_form(
    request: Request,
    actor: Actor,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    done: bool = False,
) -> Response:
    if actor.user_id is None:
        raise PermissionDenied(actor.role.value, "change a password", "an API token has none")
    return render(
        request,
        "password.html",
        status,
        errors=errors or {},
        done=done,
        must_change=getattr(request.state, "must_change", False),
    )


@router.post("/password")
def password_change(
    request: Request, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    if actor.user_id is None:
        raise PermissionDenied(actor.role.value, "change a password", "an API token has none")
    try:
        with transaction(engine) as session:
            change_password(
                session,
                actor.user_id,
                old=form.get("old", ""),
                new=form.get("password", ""),
                confirm=form.get("confirm", ""),
                now=now,
            )
    except InputRejected as rejected:
        errors: dict[str, list[str]] = {}
        for problem in rejected.errors:
            errors.setdefault(problem.field, []).append(problem.message)
        return _password_form(request, actor, 400, errors)
    return _password_form(request, actor, done=True)
