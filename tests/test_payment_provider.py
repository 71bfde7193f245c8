"""The payment providers' adapters, without a database: Stripe's webhook signature checked
with the scheme Stripe documents (computed here by hand, not by the code under test), its
Checkout Session calls made to a local stand-in of Stripe's API, the test provider's signed
callbacks, and the settings that choose a provider."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from pydantic import ValidationError

from citations.online.providers import (
    BadSignature,
    Checkout,
    Outcome,
    ProviderUnavailable,
    StripeProvider,
    TestProvider,
    configured,
)
from citations.settings import Settings
from tests.conftest import NOW

WEBHOOK_SECRET = "whsec_test_5f1e0c2a9b7d4e3f"
SECRET_KEY = "sk_test_51Hk_do_not_print_me"


def stripe_header(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header as Stripe documents it: t=TIMESTAMP,v1=hex HMAC-SHA256 of
    the endpoint's secret over "TIMESTAMP.BODY"."""
    timestamp = int(NOW.timestamp()) if at is None else at
    signed_payload = f"{timestamp}.".encode() + body
    signature = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def stripe_event(kind: str, **session: Any) -> bytes:
    """A Stripe event about a Checkout Session, as its webhook sends it."""
    obj: dict[str, Any] = {
        "id": "cs_test_a1b2",
        "object": "checkout.session",
        "client_reference_id": "our-ref-1",
        "amount_total": 20000,
        "currency": "usd",
        "payment_intent": "pi_3Pabc",
        "payment_status": "paid",
        "status": "complete",
        "metadata": {"reference": "our-ref-1", "citation": "DCPD-2026-000001-5"},
    }
    obj.update(session)
    event = {
        "id": "evt_1",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(NOW.timestamp()),
        "type": kind,
        "data": {"object": obj},
    }
    return json.dumps(event, indent=2).encode()


def stripe(api_base: str = "http://127.0.0.1:9") -> StripeProvider:
    return StripeProvider(SECRET_KEY, WEBHOOK_SECRET, api_base=api_base)


def test_a_completed_paid_session_is_paid_with_its_payment_intent() -> None:
    body = stripe_event("checkout.session.completed")
    event = stripe().parse_callback({"stripe-signature": stripe_header(body)}, body, now=NOW)
    assert event is not None
    assert (event.provider, event.reference, event.outcome) == ("stripe", "our-ref-1", Outcome.PAID)
    assert (event.provider_payment_id, event.amount_cents, event.currency) == (
        "pi_3Pabc",
        20000,
        "USD",
    )


@pytest.mark.parametrize(
    ("kind", "fields", "outcome"),
    [
        ("checkout.session.completed", {"payment_status": "unpaid"}, None),
        ("checkout.session.async_payment_succeeded", {}, Outcome.PAID),
        ("checkout.session.async_payment_failed", {"payment_status": "unpaid"}, Outcome.DECLINED),
        ("checkout.session.expired", {"payment_intent": None, "status": "expired"}, "cancelled"),
        ("checkout.session.completed", {"client_reference_id": None, "metadata": {}}, None),
        ("payment_intent.created", {}, None),
    ],
)
def test_which_stripe_events_say_what(kind: str, fields: dict[str, Any], outcome: Any) -> None:
    body = stripe_event(kind, **fields)
    event = stripe().parse_callback({"Stripe-Signature": stripe_header(body)}, body, now=NOW)
    assert (event.outcome if event else None) == outcome
    if event is not None and event.outcome is not Outcome.PAID:
        assert event.provider_payment_id is None


def test_the_reference_is_read_from_the_metadata_without_client_reference_id() -> None:
    body = stripe_event("checkout.session.completed", client_reference_id=None)
    event = stripe().parse_callback({"Stripe-Signature": stripe_header(body)}, body, now=NOW)
    assert event is not None and event.reference == "our-ref-1"


def test_one_valid_signature_among_several_is_enough() -> None:
    """While a city rolls its webhook secret, Stripe signs with the old and the new one."""
    body = stripe_event("checkout.session.completed")
    old = stripe_header(body, secret="whsec_old").split(",")[1]
    value = f"{stripe_header(body)},{old},v0=ignored"
    assert stripe().parse_callback({"Stripe-Signature": value}, body, now=NOW) is not None
    value = f"{stripe_header(body, secret='whsec_old')}"
    with pytest.raises(BadSignature):
        stripe().parse_callback({"Stripe-Signature": value}, body, now=NOW)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (lambda body: stripe_header(body, secret="whsec_wrong"), "no signature matches"),
        (lambda body: stripe_header(body, at=int(NOW.timestamp()) - 301), "301 seconds old"),
        (lambda body: stripe_header(body, at=int(NOW.timestamp()) + 400), "ahead of our clock"),
        (lambda body: stripe_header(body + b" "), "no signature matches"),
        (lambda body: stripe_header(body).replace("v1=", "v0="), "no v1 signature"),
        (lambda body: "", "no signature header"),
        (lambda body: "garbage", "no timestamp"),
    ],
    ids=["wrong secret", "old", "future", "tampered", "v0 only", "missing", "garbage"],
)
def test_bad_stripe_signatures_are_refused(header: Any, why: str) -> None:
    body = stripe_event("checkout.session.completed")
    with pytest.raises(BadSignature, match=why):
        stripe().parse_callback({"Stripe-Signature": header(body)}, body, now=NOW)


def test_a_tampered_body_is_refused_even_by_one_byte() -> None:
    body = stripe_event("checkout.session.completed")
    signed = stripe_header(body)
    tampered = body.replace(b"20000", b"20001")
    with pytest.raises(BadSignature, match="no signature matches"):
        stripe().parse_callback({"Stripe-Signature": signed}, tampered, now=NOW)


def test_the_signature_is_within_tolerance_at_300_seconds() -> None:
    body = stripe_event("checkout.session.completed")
    signed = stripe_header(body, at=int(NOW.timestamp()) - 300)
    assert stripe().parse_callback({"Stripe-Signature": signed}, body, now=NOW) is not None
    later = NOW + timedelta(seconds=301)
    with pytest.raises(BadSignature, match="old"):
        stripe().parse_callback({"Stripe-Signature": signed}, body, now=later)


class StandIn:
    """A local stand-in of Stripe's API: records each request and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.answer: dict[str, Any] = {
            "id": "cs_test_a1b2",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2",
        }
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                stand_in.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "form": parse_qsl(raw.decode(), keep_blank_values=True),
                    }
                )
                payload = json.dumps(stand_in.answer).encode()
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test's output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


CHECKOUT = Checkout(
    reference="our-ref-1",
    amount_cents=20000,
    currency="USD",
    description="Demo City: citation DCPD-2026-000001-5 (balance)",
    citation_number="DCPD-2026-000001-5",
    language="es",
    site="https://citations.demo-city.example",
    success_url="https://citations.demo-city.example/pay/done/our-ref-1",
    cancel_url="https://citations.demo-city.example/pay/done/our-ref-1?back=1",
)


def test_a_checkout_session_is_created_as_stripe_documents(stand_in: StandIn) -> None:
    url = stripe(stand_in.url).start_checkout(CHECKOUT)
    assert url == "https://checkout.stripe.com/c/pay/cs_test_a1b2"
    (sent,) = stand_in.requests
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent["headers"]["Idempotency-Key"] == "checkout-our-ref-1"
    form = dict(sent["form"])
    assert len(form) == len(sent["form"])  # no field twice
    assert form == {
        "mode": "payment",
        "client_reference_id": "our-ref-1",
        "success_url": "https://citations.demo-city.example/pay/done/our-ref-1",
        "cancel_url": "https://citations.demo-city.example/pay/done/our-ref-1?back=1",
        "locale": "es",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "20000",
        "line_items[0][price_data][product_data][name]": CHECKOUT.description,
        "metadata[reference]": "our-ref-1",
        "metadata[citation]": "DCPD-2026-000001-5",
        "payment_intent_data[description]": CHECKOUT.description,
        "payment_intent_data[metadata][reference]": "our-ref-1",
        "payment_intent_data[metadata][citation]": "DCPD-2026-000001-5",
    }


def test_a_language_stripe_lacks_gets_auto(stand_in: StandIn) -> None:
    from dataclasses import replace

    stripe(stand_in.url).start_checkout(replace(CHECKOUT, language="km"))
    assert dict(stand_in.requests[0]["form"])["locale"] == "auto"


def test_a_refusal_from_stripe_is_said_without_the_key(stand_in: StandIn) -> None:
    stand_in.status = 401
    stand_in.answer = {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}
    with pytest.raises(ProviderUnavailable, match="answered 401: Invalid API Key") as raised:
        stripe(stand_in.url).start_checkout(CHECKOUT)
    assert SECRET_KEY not in str(raised.value)


def test_an_answer_without_a_url_is_refused(stand_in: StandIn) -> None:
    stand_in.answer = {"id": "cs_test_a1b2"}
    with pytest.raises(ProviderUnavailable, match="no https url"):
        stripe(stand_in.url).start_checkout(CHECKOUT)


def test_no_answer_at_all_is_unavailable() -> None:
    closed = StandIn()
    closed.close()  # the port is free again: nothing answers there
    with pytest.raises(ProviderUnavailable, match="no answer"):
        stripe(closed.url).start_checkout(CHECKOUT)


def test_the_test_provider_signs_its_callbacks() -> None:
    provider = TestProvider("t" * 32)
    headers, body = provider.callback("ref-9", Outcome.PAID, 5000, "USD", now=NOW)
    # Signed the way Stripe signs: HMAC-SHA256 of the secret over "t.body".
    timestamp = int(NOW.timestamp())
    expected = hmac.new(b"t" * 32, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["Test-Provider-Signature"] == f"t={timestamp},v1={expected}"
    event = provider.parse_callback(headers, body, now=NOW)
    assert event is not None
    assert (event.reference, event.outcome, event.amount_cents) == ("ref-9", Outcome.PAID, 5000)
    again = provider.callback("ref-9", Outcome.PAID, 5000, "USD", now=NOW + timedelta(minutes=1))
    repeat = provider.parse_callback(*again, now=NOW + timedelta(minutes=1))
    assert repeat is not None and repeat.provider_payment_id == event.provider_payment_id
    with pytest.raises(BadSignature):
        TestProvider("u" * 32).parse_callback(headers, body, now=NOW)
    with pytest.raises(BadSignature):
        provider.parse_callback(headers, body.replace(b"5000", b"50000"), now=NOW)
    assert provider.start_checkout(CHECKOUT) == (
        "https://citations.demo-city.example/pay/test-provider/our-ref-1"
    )


def test_paying_online_is_off_unless_a_city_turns_it_on() -> None:
    assert Settings().payment_provider == "none"
    assert configured(Settings(payment_provider="none")) is None
    provider = configured(Settings(payment_provider="test"))
    assert isinstance(provider, TestProvider)


def test_stripe_needs_its_keys_and_an_https_address() -> None:
    with pytest.raises(ValidationError, match="CITATIONS_STRIPE_SECRET_KEY"):
        Settings(payment_provider="stripe")
    keys: dict[str, Any] = {
        "payment_provider": "stripe",
        "stripe_secret_key": SECRET_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
    }
    with pytest.raises(ValidationError, match="must start with https"):
        Settings(**keys, public_base_url="http://citations.demo-city.example")
    settings = Settings(**keys, public_base_url="https://citations.demo-city.example/")
    assert settings.public_base_url == "https://citations.demo-city.example"
    provider = configured(settings)
    assert isinstance(provider, StripeProvider)
    for shown in (repr(settings), str(settings), repr(provider), settings.model_dump_json()):
        assert SECRET_KEY not in shown and WEBHOOK_SECRET not in shown
