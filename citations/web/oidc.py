"""Signing staff in through the city's identity provider (OpenID Connect), beside passwords.

`GET /clerk/oidc/start?next=` sends the browser to the provider with the authorization code
flow: a fresh `state` (the answer belongs to this browser's sign-in), `nonce` (the ID token
was made for it) and PKCE verifier (the code is worth nothing to whoever intercepts it) are
kept in a short-lived signed cookie of their own, scoped to /clerk/oidc. `GET
/clerk/oidc/callback` checks the state, exchanges the code, verifies the ID token
(citations.web.oidc_provider), and hands the claims to the library
(citations.record.oidc_accounts), which finds or creates the account and maps the groups to
its role. Then the session is the very one a password opens (start_session, audited
web.sign_in). With the settings' `oidc_issuer` unset, these addresses are not found and the
sign-in page offers no button. Every failure is a page a person can read; the details go to
the log only.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from citations.database import transaction
from citations.http.deps import EngineDep
from citations.record.oidc_accounts import ProviderClaims, sign_in_from_provider
from citations.record.web_sessions import start_session
from citations.settings import Settings, get_settings
from citations.web.auth import (
    _PROCESS_KEY,
    WEB_ROLES,
    ClockDep,
    CookieSession,
    safe_next,
    write_session,
)
from citations.web.guard import PREFIX, error_page, web_router
from citations.web.oidc_provider import (
    Attempt,
    ProviderUnavailable,
    TokenRejected,
    authorization_url,
    discover,
    exchange_code,
    verify_id_token,
)

log = logging.getLogger("citations.web.oidc")

FLOW_COOKIE = "citations_oidc"
FLOW_PATH = PREFIX + "/oidc"
FLOW_SECONDS = 600
"""A sign-in at the provider must come back within ten minutes."""

router = web_router(prefix="/oidc")


def enabled(settings: Settings | None = None) -> bool:
    """Whether the city signs staff in through an identity provider (the login page asks)."""
    return (settings or get_settings()).oidc_issuer is not None


def _serializer() -> URLSafeTimedSerializer:
    key = get_settings().web_secret_key or _PROCESS_KEY
    return URLSafeTimedSerializer(key, salt="citations.web.oidc")


def _redirect_uri(request: Request, settings: Settings) -> str:
    """Our callback's address, as registered at the provider."""
    base = settings.public_base_url or str(request.base_url).rstrip("/")
    return f"{base}{FLOW_PATH}/callback"


def _off(request: Request) -> Response:
    return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")


def _unavailable(request: Request) -> Response:
    return error_page(
        request,
        503,
        "The identity provider cannot be reached",
        "Signing in through your organisation's account is not possible just now. Try again "
        "in a few minutes, or sign in with your username and password if you have one.",
    )


@router.get("/start")
def start(request: Request, next: str = "") -> Response:
    settings = get_settings()
    if settings.oidc_issuer is None:
        return _off(request)
    try:
        provider = discover(settings.oidc_issuer)
    except ProviderUnavailable as failure:
        log.warning("identity provider unavailable: %s", failure)
        return _unavailable(request)
    attempt = Attempt.new(safe_next(next))
    target = authorization_url(provider, settings, attempt, _redirect_uri(request, settings))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        str(_serializer().dumps(attempt.__dict__)),
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        secure=True,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back (a top-level GET)
    )
    return response


def _attempt_of(request: Request) -> Attempt | None:
    raw = request.cookies.get(FLOW_COOKIE)
    if not raw:
        return None
    try:
        data: Any = _serializer().loads(raw, max_age=FLOW_SECONDS)
    except BadSignature:
        return None
    fields = ("state", "nonce", "verifier", "next")
    if not isinstance(data, dict) or not all(isinstance(data.get(f), str) for f in fields):
        return None
    return Attempt(*(data[f] for f in fields))


def _refused(request: Request, status: int, title: str, message: str) -> Response:
    response = error_page(request, status, title, message)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, secure=True, httponly=True)
    return response


def _claims_of(raw: dict[str, Any], groups_claim: str) -> ProviderClaims:
    def text(name: str) -> str | None:
        value = raw.get(name)
        return value if isinstance(value, str) and value.strip() else None

    groups = raw.get(groups_claim)
    if isinstance(groups, str):
        groups = [groups]
    listed = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
    name = text("name") or " ".join(filter(None, (text("given_name"), text("family_name"))))
    return ProviderClaims(
        subject=str(raw["sub"]),
        name=name or None,
        preferred_username=text("preferred_username"),
        email=text("email"),
        groups=tuple(listed),
    )


@router.get("/callback")
def callback(
    request: Request,
    engine: EngineDep,
    now: ClockDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    settings = get_settings()
    if settings.oidc_issuer is None:
        return _off(request)
    attempt = _attempt_of(request)
    if attempt is None:
        return _refused(
            request,
            400,
            "This sign-in has expired",
            "The sign-in was started too long ago, or in another browser. Start again.",
        )
    if not state or not hmac.compare_digest(state.encode(), attempt.state.encode()):
        log.warning("identity provider callback with a state that is not this browser's")
        return _refused(
            request,
            400,
            "This sign-in cannot be accepted",
            "The answer from the identity provider does not belong to the sign-in started in "
            "this browser. Start again.",
        )
    if error or not code:
        return _refused(
            request,
            401,
            "You are not signed in",
            "The identity provider did not sign you in. Start again, or ask an administrator.",
        )
    redirect_uri = _redirect_uri(request, settings)
    try:
        provider = discover(settings.oidc_issuer)
        token = exchange_code(provider, settings, code, attempt.verifier, redirect_uri)
        raw = verify_id_token(provider, settings, token, nonce=attempt.nonce, now=now)
    except ProviderUnavailable as failure:
        log.warning("identity provider unavailable: %s", failure)
        return _unavailable(request)
    except TokenRejected as failure:
        log.warning("identity provider sign-in refused: %s", failure)
        return _refused(
            request,
            401,
            "You are not signed in",
            "The identity provider's answer could not be verified, so it was not trusted. "
            "Start again; tell the system administrator if this persists.",
        )
    claims = _claims_of(raw, settings.oidc_groups_claim)
    with transaction(engine) as session:  # refusals are audited and kept too
        outcome = sign_in_from_provider(
            session, claims, roles=settings.oidc_roles, titles=settings.oidc_titles, now=now
        )
        key, actor = None, outcome.signed_in
        if actor is not None and actor.role in WEB_ROLES:
            key = start_session(session, user_id=actor.user_id, actor=actor, now=now)
    if key is None:
        message = outcome.refused or (
            f"A {actor.role.value.replace('_', ' ') if actor else 'staff'}'s account cannot "
            "use the clerks' pages."
        )
        return _refused(request, 403, "You are not signed in", message)
    response = RedirectResponse(attempt.next, status_code=303)
    # A new form token at sign-in, as with a password.
    write_session(response, CookieSession(csrf=secrets.token_urlsafe(32), key=key))
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, secure=True, httponly=True)
    return response
