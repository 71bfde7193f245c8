"""Talking to the city's identity provider (OpenID Connect): discovery, the code exchange and
the ID token's verification.

The ID token is the only thing we believe, and only after checking what OpenID Connect Core
(3.1.3.7) asks: signed by a key of the provider's JWKS (RS256 or ES256, never `none` or a
shared secret), issued by the configured issuer, for our client id, not expired (one minute
of leeway for clocks), and carrying the nonce this browser's sign-in started with (a token
replayed from another sign-in is refused). JOSE is joserfc's (Authlib's authors'
maintained successor of authlib.jose); HTTP is httpx2, the client the project already uses
for its other providers. The provider's discovery document and keys are cached in the
process; the keys are fetched again when a token names a key we do not have (rotation).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx2
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from citations.settings import Settings

ALGORITHMS = ("RS256", "ES256")
"""The signatures we accept on ID tokens: the provider's public keys only."""

LEEWAY_SECONDS = 60
TIMEOUT = httpx2.Timeout(10.0)


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered something that is not OpenID Connect."""


class TokenRejected(Exception):
    """The code exchange failed, or the ID token did not verify (the reason is logged, not
    shown: it would only help someone forging tokens)."""


@dataclass(frozen=True)
class Provider:
    """The provider's discovery document: the parts we use."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


_lock = threading.Lock()
_discovered: dict[str, Provider] = {}
_keys: dict[str, KeySet] = {}


def forget() -> None:
    """Drop the cached discovery documents and keys (tests start each provider afresh)."""
    with _lock:
        _discovered.clear()
        _keys.clear()


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = httpx2.get(url, timeout=TIMEOUT, follow_redirects=False)
        answer.raise_for_status()
        data = answer.json()
    except (httpx2.HTTPError, ValueError) as failure:
        raise ProviderUnavailable(f"{url}: {type(failure).__name__}") from None
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return data


def discover(issuer: str) -> Provider:
    """The provider's endpoints, from {issuer}/.well-known/openid-configuration (cached)."""
    with _lock:
        found = _discovered.get(issuer)
    if found is not None:
        return found
    data = _get_json(f"{issuer}/.well-known/openid-configuration")
    fields = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if not all(isinstance(data.get(f), str) for f in fields):
        raise ProviderUnavailable("the discovery document lacks an endpoint")
    if data["issuer"].rstrip("/") != issuer:
        # OpenID Connect Discovery 4.3: the document must name the issuer we asked.
        raise ProviderUnavailable("the discovery document names another issuer")
    provider = Provider(issuer, *(str(data[f]) for f in fields[1:]))
    with _lock:
        _discovered[issuer] = provider
    return provider


def _key_set(provider: Provider, *, refresh: bool) -> KeySet:
    with _lock:
        cached = _keys.get(provider.jwks_uri)
    if cached is not None and not refresh:
        return cached
    data = _get_json(provider.jwks_uri)
    try:
        keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as failure:
        raise ProviderUnavailable(f"the provider's keys: {type(failure).__name__}") from None
    with _lock:
        _keys[provider.jwks_uri] = keys
    return keys


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier (RFC 7636 4.2; its appendix B's example):

    >>> pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
    """
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Attempt:
    """One browser's sign-in in flight: kept in its signed cookie until the callback."""

    state: str
    nonce: str
    verifier: str
    next: str

    @classmethod
    def new(cls, next_page: str) -> Attempt:
        return cls(
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(48),
            next_page,
        )


def authorization_url(
    provider: Provider, settings: Settings, attempt: Attempt, redirect_uri: str
) -> str:
    """Where the browser goes to sign in at the provider (the authorization code flow)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id or "",
            "redirect_uri": redirect_uri,
            "scope": "openid profile email",
            "state": attempt.state,
            "nonce": attempt.nonce,
            "code_challenge": pkce_challenge(attempt.verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return f"{provider.authorization_endpoint}{separator}{query}"


def exchange_code(
    provider: Provider, settings: Settings, code: str, verifier: str, redirect_uri: str
) -> str:
    """The ID token the provider gives for an authorization code (client_secret_basic)."""
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    try:
        answer = httpx2.post(
            provider.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(settings.oidc_client_id or "", secret),
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
            follow_redirects=False,
        )
        data = answer.json()
    except (httpx2.HTTPError, ValueError) as failure:
        raise ProviderUnavailable(f"token endpoint: {type(failure).__name__}") from None
    if answer.status_code != 200 or not isinstance(data, dict):
        error = data.get("error") if isinstance(data, dict) else None
        raise TokenRejected(f"token endpoint answered {answer.status_code} {error}")
    token = data.get("id_token")
    if not isinstance(token, str):
        raise TokenRejected("the token endpoint gave no id_token")
    return token


def verify_id_token(
    provider: Provider, settings: Settings, token: str, *, nonce: str, now: datetime
) -> dict[str, Any]:
    """The claims of an ID token once its signature, issuer, audience, times and nonce hold;
    TokenRejected otherwise."""
    try:
        try:
            decoded = jwt.decode(token, _key_set(provider, refresh=False), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # A key we do not know yet: the provider may have rotated its keys.
            decoded = jwt.decode(token, _key_set(provider, refresh=True), algorithms=ALGORITHMS)
        JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": settings.oidc_client_id or ""},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as failure:
        raise TokenRejected(f"the ID token: {type(failure).__name__}: {failure}") from None
    claims = dict(decoded.claims)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenRejected("the ID token has no subject")
    audience = claims.get("aud")
    if (
        isinstance(audience, list)
        and len(audience) > 1
        and claims.get("azp") != (settings.oidc_client_id)
    ):
        # Core 3.1.3.7 (4, 5): a token for several audiences must be authorized for us.
        raise TokenRejected("the ID token was issued to another party")
    return claims
