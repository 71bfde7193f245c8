"""The built-in test provider, for the demo and the tests: its "hosted page" is simulated on
this server (/pay/test-provider/{reference}, with Approve, Decline and Cancel buttons and a
"TEST PAYMENT PAGE — no money moves" banner), and its callbacks are signed like a real
provider's: HMAC-SHA256 of the test secret over f"{timestamp}.{body}", in the header
`Test-Provider-Signature: t=...,v1=...`.

It moves no money: a city's live site never enables it (CITATIONS_PAYMENT_PROVIDER is
`none` unless set, and `stripe` on a live site).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from citations.online.providers.base import (
    BadSignature,
    CallbackEvent,
    Checkout,
    Outcome,
    Provider,
    header,
    signature_header,
    verify_signature,
)

SIGNATURE = "Test-Provider-Signature"


class TestProvider(Provider):
    """The stand-in provider: `callback` makes the signed callback its page sends.

    >>> from datetime import UTC, datetime
    >>> now = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    >>> provider = TestProvider("s" * 32)
    >>> headers, body = provider.callback("ref1", Outcome.PAID, 5000, "USD", now=now)
    >>> provider.parse_callback(headers, body, now=now).provider_payment_id
    'test-053d38c741b2af3b5ccc'
    """

    __test__ = False
    name = "test"

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __repr__(self) -> str:
        return "TestProvider(secret=...)"

    def start_checkout(self, checkout: Checkout) -> str:
        return f"{checkout.site}/pay/test-provider/{checkout.reference}"

    def payment_id(self, reference: str) -> str:
        """The test provider's payment id for a reference: the same every time, as a real
        provider's id is the same in every repeat of its callback."""
        digest = hmac.new(self._secret.encode(), reference.encode(), hashlib.sha256)
        return "test-" + digest.hexdigest()[:20]

    def callback(
        self,
        reference: str,
        outcome: Outcome,
        amount_cents: int,
        currency: str,
        *,
        now: datetime,
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body of the signed callback saying `outcome` for `reference`."""
        event: dict[str, Any] = {
            "reference": reference,
            "outcome": outcome.value,
            "payment_id": self.payment_id(reference) if outcome is Outcome.PAID else None,
            "amount_cents": amount_cents,
            "currency": currency,
        }
        body = json.dumps(event, sort_keys=True).encode()
        signed = signature_header(self._secret, int(now.timestamp()), body)
        return {SIGNATURE: signed, "Content-Type": "application/json"}, body

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> CallbackEvent | None:
        verify_signature(self.name, header(headers, SIGNATURE), body, self._secret, now=now)
        try:
            event = json.loads(body)
            return CallbackEvent(
                provider=self.name,
                reference=str(event["reference"]),
                outcome=Outcome(event["outcome"]),
                provider_payment_id=event.get("payment_id"),
                amount_cents=int(event["amount_cents"]),
                currency=str(event["currency"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BadSignature(self.name, f"its signed body is not a test event ({exc})") from None
