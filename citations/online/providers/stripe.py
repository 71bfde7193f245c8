"""Stripe Checkout, written against Stripe's documented API (no Stripe library needed).

Starting a payment creates a Checkout Session (`POST /v1/checkout/sessions`, form-encoded,
the secret key as a Bearer token) for one line item of the amount, with our reference as
`client_reference_id` and in the metadata of the session and of its PaymentIntent; the
person is sent to the session's `url`. Stripe then calls the webhook endpoint the city
registered (https://SITE/pay/callback/stripe) with events signed in the `Stripe-Signature`
header: `t=TIMESTAMP,v1=HEX` where HEX is HMAC-SHA256 of the endpoint's signing secret over
f"{TIMESTAMP}.{raw body}".

Events read: `checkout.session.completed` with `payment_status` `paid`, and
`checkout.session.async_payment_succeeded`: paid, keyed by the PaymentIntent's id;
`checkout.session.async_payment_failed`: declined; `checkout.session.expired`: cancelled.
Any other event is acknowledged and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx2

from citations.online.providers.base import (
    TOLERANCE_SECONDS,
    BadSignature,
    CallbackEvent,
    Checkout,
    Outcome,
    Provider,
    ProviderUnavailable,
    header,
    verify_signature,
)

SIGNATURE = "Stripe-Signature"
_LOCALE_CODES = (
    "bg cs da de el en es et fi fil fr hr hu id it ja ko lt lv ms mt nb nl pl pt ro ru sk sl sv th "
    "tr vi zh"
)
LOCALES = frozenset(_LOCALE_CODES.split())
"""Languages Stripe's Checkout page is shown in (its `locale`); others get `auto`."""
TIMEOUT_SECONDS = 15.0


def session_form(checkout: Checkout) -> list[tuple[str, str]]:
    """The form fields of the Checkout Session for `checkout`, in Stripe's bracket notation.

    >>> form = dict(session_form(Checkout("r1", 2500, "USD", "Citation X", "X", "es",
    ...     "https://s.example", "https://s.example/ok", "https://s.example/no")))
    >>> form["line_items[0][price_data][unit_amount]"], form["client_reference_id"]
    ('2500', 'r1')
    """
    base = checkout.language.split("-")[0].lower()
    return [
        ("mode", "payment"),
        ("client_reference_id", checkout.reference),
        ("success_url", checkout.success_url),
        ("cancel_url", checkout.cancel_url),
        ("locale", base if base in LOCALES else "auto"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", checkout.currency.lower()),
        ("line_items[0][price_data][unit_amount]", str(checkout.amount_cents)),
        ("line_items[0][price_data][product_data][name]", checkout.description),
        ("metadata[reference]", checkout.reference),
        ("metadata[citation]", checkout.citation_number),
        ("payment_intent_data[description]", checkout.description),
        ("payment_intent_data[metadata][reference]", checkout.reference),
        ("payment_intent_data[metadata][citation]", checkout.citation_number),
    ]


class StripeProvider(Provider):
    """Stripe Checkout with the city's account. The keys are kept out of `repr` and of
    every error message."""

    name = "stripe"
    minimum_cents = 50
    """Stripe's smallest charge in US dollars."""
    page_origins = ("https://checkout.stripe.com",)

    def __init__(
        self,
        secret_key: str,
        webhook_secret: str,
        *,
        api_base: str = "https://api.stripe.com",
        tolerance: int = TOLERANCE_SECONDS,
    ) -> None:
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self.api_base = api_base.rstrip("/")
        self.tolerance = tolerance

    def __repr__(self) -> str:
        return f"StripeProvider(api_base={self.api_base!r}, keys=...)"

    def start_checkout(self, checkout: Checkout) -> str:
        try:
            answer = httpx2.post(
                f"{self.api_base}/v1/checkout/sessions",
                content=urlencode(session_form(checkout)).encode(),
                headers={
                    "Authorization": f"Bearer {self._secret_key}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    # A retry of the same start creates no second session.
                    "Idempotency-Key": f"checkout-{checkout.reference}",
                },
                timeout=TIMEOUT_SECONDS,
            )
        except httpx2.HTTPError as exc:
            raise ProviderUnavailable(self.name, f"no answer ({type(exc).__name__})") from None
        body = _json(answer.content)
        if answer.status_code != 200:
            message = str(_dict(body.get("error")).get("message") or "no message")
            raise ProviderUnavailable(self.name, f"answered {answer.status_code}: {message}")
        url = body.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ProviderUnavailable(self.name, "its answer has no https url to send the person")
        return url

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> CallbackEvent | None:
        verify_signature(
            self.name,
            header(headers, SIGNATURE),
            body,
            self._webhook_secret,
            now=now,
            tolerance=self.tolerance,
        )
        event = _json(body)
        kind = event.get("type")
        data = event.get("data")
        session = data.get("object") if isinstance(data, dict) else None
        if not isinstance(kind, str) or not isinstance(session, dict):
            raise BadSignature(self.name, "its signed body is not a Stripe event")
        if session.get("object") != "checkout.session":
            return None
        outcome = _outcome(kind, session)
        reference = session.get("client_reference_id") or _dict(session.get("metadata")).get(
            "reference"
        )
        if outcome is None or not isinstance(reference, str):
            return None  # not ours (no reference), or nothing to act on yet
        intent = session.get("payment_intent")
        if isinstance(intent, dict):  # expanded
            intent = intent.get("id")
        paid = outcome is Outcome.PAID
        if paid and not isinstance(intent, str):
            raise BadSignature(self.name, "a paid checkout session without its payment_intent")
        amount = session.get("amount_total")
        currency = session.get("currency")
        return CallbackEvent(
            provider=self.name,
            reference=reference,
            outcome=outcome,
            provider_payment_id=intent if paid and isinstance(intent, str) else None,
            amount_cents=amount if isinstance(amount, int) else None,
            currency=currency.upper() if isinstance(currency, str) else None,
        )


def _outcome(kind: str, session: dict[str, Any]) -> Outcome | None:
    if kind == "checkout.session.completed":
        # "unpaid": a payment method that confirms later (a bank debit): wait for the
        # async_payment_* event. "no_payment_required" never happens for an amount > 0.
        return Outcome.PAID if session.get("payment_status") == "paid" else None
    return {
        "checkout.session.async_payment_succeeded": Outcome.PAID,
        "checkout.session.async_payment_failed": Outcome.DECLINED,
        "checkout.session.expired": Outcome.CANCELLED,
    }.get(kind)


def _json(content: bytes) -> dict[str, Any]:
    try:
        return _dict(json.loads(content))
    except ValueError:
        return {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
