"""What every payment provider does for us: take the card on its own hosted page, and tell us
afterwards, in a signed callback, what became of the payment.

This system never sees a card number. A payment starts with our own random `reference`,
which the provider keeps and names again in its callback; the callback's signature proves
it came from the provider (`BadSignature` otherwise), and its payment id is the key that
posts the payment once, however often the callback comes.
"""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from citations.errors import CitationsError

TOLERANCE_SECONDS = 300
"""How old (or how far ahead of our clock) a signed callback's timestamp may be: a callback
captured and sent again later is refused."""


class Outcome(StrEnum):
    PAID = "paid"
    DECLINED = "declined"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Checkout:
    """A payment to take on the provider's page."""

    reference: str
    """Ours, random: the provider names it again in its callback."""
    amount_cents: int
    currency: str
    """ISO 4217, upper case (USD)."""
    description: str
    """What the person sees on the provider's page (the citation and what the money is for)."""
    citation_number: str
    language: str
    """The person's language, for the provider's page where it has it."""
    site: str
    """Our public base URL (https://citations.demo-city.example), without a trailing slash."""
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class CallbackEvent:
    """What a verified callback says about one of our payments."""

    provider: str
    reference: str
    outcome: Outcome
    provider_payment_id: str | None
    """The provider's own id of the payment (the key that posts it once); None when nothing
    was paid."""
    amount_cents: int | None
    currency: str | None


class ProviderError(CitationsError):
    """Base of what goes wrong between us and a payment provider."""


class BadSignature(ProviderError):
    """A callback whose signature does not prove it came from the provider: refused whole,
    nothing of it is read further."""

    def __init__(self, provider: str, why: str) -> None:
        self.provider = provider
        self.why = why
        super().__init__(f"the {provider} callback is refused: {why}")


class ProviderUnavailable(ProviderError):
    """The provider did not start the payment (down, refused our request): nothing was
    charged, and the person may try again later."""

    def __init__(self, provider: str, why: str) -> None:
        self.provider = provider
        self.why = why
        super().__init__(f"the payment provider ({provider}) did not start the payment: {why}")


class Provider(ABC):
    """A payment provider's adapter. Subclasses: `TestProvider`, `StripeProvider`."""

    name: str
    """As in the callback's address (/pay/callback/{name}) and in idempotency keys."""
    minimum_cents: int = 1
    """The smallest payment the provider takes (a smaller balance can still be paid whole)."""
    page_origins: tuple[str, ...] = ()
    """Where its hosted pages are (https://checkout.stripe.com): our payment form may send
    the person there (the pages' Content-Security-Policy form-action allows them)."""

    @abstractmethod
    def start_checkout(self, checkout: Checkout) -> str:
        """Ask the provider for a hosted page taking this payment; returns its URL, where
        the person is sent. ProviderUnavailable when the provider does not answer."""

    @abstractmethod
    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> CallbackEvent | None:
        """The event a signed callback carries, verified against the raw body as received:
        BadSignature when the signature is missing, wrong, or too old; None for an event
        about something else (which is answered 200 and ignored)."""


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value whatever its case (a plain dict, or Starlette's Headers)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def hmac_hex(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of f"{timestamp}.{body}" under `secret`: the scheme Stripe documents
    for its webhooks, which the test provider uses too.

    >>> hmac_hex("whsec_test", 1700000000, b'{"id":"evt_1"}')[:16]
    'c89214b5b5da833d'
    """
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The header value `t=...,v1=...` that signs `body` at `timestamp`."""
    return f"t={timestamp},v1={hmac_hex(secret, timestamp, body)}"


def verify_signature(
    provider: str,
    value: str | None,
    body: bytes,
    secret: str,
    *,
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Check a `t=...,v1=...[,v1=...]` header against the raw body: one of its v1
    signatures must equal ours (compared in constant time), and its timestamp must be within
    `tolerance` seconds of `now`. Raises BadSignature saying which check failed."""
    if not value:
        raise BadSignature(provider, "it has no signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isdigit():
            timestamp = int(item)
        elif key == "v1" and item:
            signatures.append(item)
    if timestamp is None or not signatures:
        raise BadSignature(provider, "its signature header has no timestamp or no v1 signature")
    expected = hmac_hex(secret, timestamp, body)
    # Every candidate is compared (no early exit), each in constant time.
    matches = [hmac.compare_digest(expected.encode(), s.encode()) for s in signatures]
    if not any(matches):
        raise BadSignature(provider, "no signature matches the body")
    age = now.timestamp() - timestamp
    if abs(age) > tolerance:
        when = "old" if age > 0 else "ahead of our clock"
        raise BadSignature(
            provider, f"its timestamp is {abs(int(age))} seconds {when} (at most {tolerance})"
        )
