"""A stand-in for the city's identity provider (OpenID Connect), for the tests: discovery,
its keys (JWKS), /authorize (which signs the person in at once, as if they had typed their
password there) and /token (which checks the client's secret and the PKCE verifier, and
returns an ID token signed with its RSA key, carrying the nonce it was given).

What it says about the person (`Person`) and how its tokens go wrong on purpose (`Mischief`:
another key, another audience or issuer, an expired token, another nonce) are set by each
test on the `StandIn` before it signs in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from citations.settings import get_settings
from citations.web import oidc_provider
from tests.browser.chromium import serving

CLIENT_ID = "citations-clerks"
CLIENT_SECRET = "s3cret-of-the-citations-client"
ROLES = '{"citations-admins": "admin", "hearing-clerks": "clerk", "auditors": "auditor"}'


@dataclass
class Person:
    """Who is signed in at the provider."""

    sub: str = "0b7e-4a1c-jordan"
    name: str = "Jordan Lee"
    preferred_username: str = "JLee"
    email: str = "jordan.lee@demo-city.example"
    groups: list[str] = field(default_factory=lambda: ["hearing-clerks", "everyone"])


@dataclass
class Mischief:
    """What the provider gets wrong in its next ID tokens."""

    other_key: bool = False
    other_key_same_kid: bool = False
    audience: str | None = None
    issuer: str | None = None
    expired: bool = False
    nonce: str | None = None


@dataclass
class StandIn:
    base: str = ""
    now: datetime | None = None
    person: Person = field(default_factory=Person)
    mischief: Mischief = field(default_factory=Mischief)
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    )
    stranger: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: int = 0

    def id_token(self, nonce: str) -> str:
        assert self.now is not None
        trick = self.mischief
        issued = self.now - timedelta(hours=2) if trick.expired else self.now
        claims: dict[str, Any] = {
            "iss": trick.issuer or self.base,
            "sub": self.person.sub,
            "aud": trick.audience or CLIENT_ID,
            "iat": int(issued.timestamp()),
            "exp": int((issued + timedelta(minutes=5)).timestamp()),
            "nonce": trick.nonce or nonce,
            "name": self.person.name,
            "preferred_username": self.person.preferred_username,
            "email": self.person.email,
            "groups": self.person.groups,
        }
        key, kid = self.key, "k1"
        if trick.other_key or trick.other_key_same_kid:
            key, kid = self.stranger, ("k1" if trick.other_key_same_kid else "k9")
        return jwt.encode({"alg": "RS256", "kid": kid}, claims, key)


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def stand_in_app(idp: StandIn) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": idp.base,
            "authorization_endpoint": f"{idp.base}/authorize",
            "token_endpoint": f"{idp.base}/token",
            "jwks_uri": f"{idp.base}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return dict(KeySet([idp.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize(request: Request) -> RedirectResponse:
        asked = dict(request.query_params)
        assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
        assert asked["code_challenge_method"] == "S256" and "openid" in asked["scope"].split()
        code = secrets.token_urlsafe(16)
        idp.codes[code] = asked
        back = urlencode({"code": code, "state": asked["state"]})
        return RedirectResponse(f"{asked['redirect_uri']}?{back}", status_code=302)

    @app.post("/token")
    def token(
        request: Request,
        grant_type: str = Form(),
        code: str = Form(),
        redirect_uri: str = Form(),
        code_verifier: str = Form(),
    ) -> JSONResponse:
        idp.token_requests += 1
        client = base64.b64decode(request.headers["authorization"].split()[1]).decode()
        asked = idp.codes.pop(code, None)
        if (
            client != f"{CLIENT_ID}:{CLIENT_SECRET}"
            or grant_type != "authorization_code"
            or asked is None
            or asked["redirect_uri"] != redirect_uri
            or asked["code_challenge"] != challenge(code_verifier)
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {"access_token": "at", "token_type": "Bearer", "id_token": idp.id_token(asked["nonce"])}
        )

    return app


@contextmanager
def identity_provider(monkeypatch: pytest.MonkeyPatch, now: datetime) -> Iterator[StandIn]:
    """The stand-in served on a free port, and the settings pointing at it."""
    idp = StandIn(now=now)
    with serving(stand_in_app(idp)) as base:
        idp.base = base
        for name, value in {
            "ISSUER": base,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "ROLES": ROLES,
            "NAME": "Demo City staff account",
        }.items():
            monkeypatch.setenv(f"CITATIONS_OIDC_{name}", value)
        get_settings.cache_clear()
        oidc_provider.forget()
        try:
            yield idp
        finally:
            get_settings.cache_clear()
            oidc_provider.forget()
