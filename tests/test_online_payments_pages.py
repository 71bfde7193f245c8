"""The paying pages (TestClient, both backends): /pay, the test provider's stand-in page
with its banner, the provider's callback (signed, public, plain answers), and the page the
person comes back to with the stored receipt."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from citations.database import make_engine, transaction
from citations.hearings.contests import decide_waiver
from citations.online.providers import Outcome, Provider, StripeProvider
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.tables import Payment, ProviderPayment
from citations.public.pay import payment_provider
from citations.record.tables import SentDocument
from tests.browser.desk import CLOCK, Desk, set_desk, sign_in
from tests.browser.html import Page, csrf_of
from tests.hearing_steps import CLERK
from tests.public_steps import birth_of, door_client, find_citation_as_person
from tests.test_online_payments import PROVIDER
from tests.test_payment_provider import SECRET_KEY, WEBHOOK_SECRET, StandIn

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Door = tuple[TestClient, Desk, Engine]
BIRTHS = {"on_docket": 1, "to_schedule": 2, "waiver": 3, "review": 4, "issued": 5}


def use_provider(client: TestClient, provider: Provider | None) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[payment_provider] = lambda: provider


@pytest.fixture
def door(filled: Desk, database_url: str) -> Iterator[Door]:
    engine = make_engine(database_url)
    try:
        with door_client(database_url) as client:
            use_provider(client, PROVIDER)
            yield client, filled, engine
    finally:
        engine.dispose()


def signed_in(door: Door, which: str) -> tuple[str, str]:
    """The person of the desk's `which` citation signed in: (number, form token)."""
    client, desk, _ = door
    number = desk.numbers[which]
    return number, find_citation_as_person(client, number, birth_of(BIRTHS[which]))


def main_of(html: str) -> str:
    return Page(html).words("main")


def start_paying(client: TestClient, token: str, **form: str) -> str:
    """Send the pay form; returns the test provider's page address it sends the person to."""
    answer = client.post("/pay", data={"csrf_token": token, **form})
    assert answer.status_code == 303, main_of(answer.text)
    location = answer.headers["location"]
    assert re.fullmatch(r"https://testserver/pay/test-provider/[\w-]{24}", location)
    return location.removeprefix("https://testserver")


def press(client: TestClient, stand_in_page: str, action: str) -> str:
    shown = client.get(stand_in_page)
    answer = client.post(stand_in_page, data={"csrf_token": csrf_of(shown.text), "action": action})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def payments(engine: Engine) -> int:
    """Payments posted online (the desk's citations have deposits taken at the counter)."""
    with transaction(engine) as session:
        return (
            session.scalar(
                select(func.count()).select_from(Payment).where(Payment.method == "online")
            )
            or 0
        )


def test_paying_the_balance_through_the_test_provider(door: Door) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    page = client.get("/pay")
    assert page.status_code == 200
    main = main_of(page.text)
    assert "You owe $200.00. Pay by Thursday, December 10, 2026." in main
    assert "Pay everything" in main and "Pay $200.00" in main and "Pay part of it" in main
    assert "plan payment" not in main and "deposit" not in main
    assert "never sees your card number" in main
    stand_in = start_paying(client, token, purpose="balance")
    shown = client.get(stand_in)
    assert shown.status_code == 200
    text = main_of(shown.text)
    assert text.startswith("TEST PAYMENT PAGE — no money moves")
    assert "$200.00" in text and "waiting for an answer" in text
    done = press(client, stand_in, "approve")
    assert done == stand_in.replace("/test-provider/", "/done/")
    result = client.get(done)
    main = main_of(result.text)
    assert "Payment received" in main
    assert "Thank you. We received your payment of $200.00." in main
    assert "Nothing more is owed on this citation." in main
    receipt = next(link for link in Page(result.text).links if link.startswith("/documents/"))
    pdf = client.get(receipt)
    assert pdf.headers["content-type"] == "application/pdf"
    with transaction(engine) as session:
        kept = session.get(SentDocument, int(receipt.removeprefix("/documents/")[:-4]))
        assert kept is not None and kept.kind == "receipt"
        assert pdf.content == kept.content  # the stored copy
        row = session.scalar(select(ProviderPayment))
        assert row is not None and row.payment_id is not None
        payment = session.get(Payment, row.payment_id)
        assert payment is not None and kept.about == f"receipt:{payment.receipt_number}"
    assert "Paid in full" in main_of(client.get("/citation").text)
    assert payments(engine) == 1


def test_the_callback_sent_again_posts_nothing_more(door: Door) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    stand_in = start_paying(client, token, purpose="part", amount="25")
    press(client, stand_in, "approve")
    assert press(client, stand_in, "repeat") == f"{stand_in}?sent=1"
    shown = main_of(client.get(f"{stand_in}?sent=1").text)
    assert "The callback was sent again." in shown
    assert "received 2 times" in shown
    reference = stand_in.rsplit("/", 1)[1]
    headers, body = PROVIDER.callback(reference, Outcome.PAID, 2500, "USD", now=CLOCK)
    again = client.post("/pay/callback/test", content=body, headers=headers)
    assert (again.status_code, again.text) == (200, "duplicate")
    assert again.headers["content-type"].startswith("text/plain")
    assert payments(engine) == 1
    assert "You now owe $175.00." in main_of(client.get(f"/pay/done/{reference}").text)


def test_the_callback_refuses_a_bad_signature_plainly(door: Door) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    reference = start_paying(client, token, purpose="balance").rsplit("/", 1)[1]
    headers, body = PROVIDER.callback(reference, Outcome.PAID, 20000, "USD", now=CLOCK)
    visitor = TestClient(client.app, base_url="https://testserver")  # no cookie: the provider
    forged = visitor.post(
        "/pay/callback/test", content=body.replace(b"20000", b"2"), headers=headers
    )
    assert (forged.status_code, forged.text) == (400, "bad signature")
    unsigned = visitor.post("/pay/callback/test", content=body)
    assert unsigned.status_code == 400
    assert visitor.post("/pay/callback/stripe", content=body, headers=headers).status_code == 404
    assert payments(engine) == 0
    posted = visitor.post("/pay/callback/test", content=body, headers=headers)
    assert (posted.status_code, posted.text) == (200, "posted")
    assert payments(engine) == 1


def test_a_callback_the_database_cannot_record_is_answered_503(
    door: Door, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider sends it again later: an event is never answered 200 and lost."""
    from sqlalchemy.exc import OperationalError

    import citations.public.provider as provider_pages

    client, _, engine = door
    _, token = signed_in(door, "issued")
    reference = start_paying(client, token, purpose="balance").rsplit("/", 1)[1]

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("UPDATE", {}, Exception("the server closed the connection"))

    monkeypatch.setattr(provider_pages, "complete_online_payment", down)
    headers, body = PROVIDER.callback(reference, Outcome.PAID, 20000, "USD", now=CLOCK)
    answer = client.post("/pay/callback/test", content=body, headers=headers)
    assert (answer.status_code, answer.text) == (503, "not recorded: send it again later")
    assert payments(engine) == 0


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("200.01", "That is more than you owe. You owe $200.00."),
        ("abc", "Enter an amount in dollars and cents, for example 50.00."),
        ("1.999", "Enter an amount in dollars and cents, for example 50.00."),
        ("", "Enter the amount you want to pay."),
    ],
)
def test_a_part_payment_says_what_is_wrong_with_its_amount(
    door: Door, amount: str, said: str
) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    answer = client.post("/pay", data={"csrf_token": token, "purpose": "part", "amount": amount})
    assert answer.status_code == 200
    main = main_of(answer.text)
    assert said in main
    assert Page(answer.text).attrs["amount"]["value"] == amount
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(ProviderPayment)) == 0


@pytest.mark.parametrize(("action", "title"), [("decline", "declined"), ("cancel", "cancelled")])
def test_a_declined_or_cancelled_payment_says_nothing_was_charged(
    door: Door, action: str, title: str
) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    stand_in = start_paying(client, token, purpose="balance")
    done = press(client, stand_in, action)
    main = main_of(client.get(done).text)
    assert f"The payment was {title}" in main and "nothing was charged" in main
    assert "/pay" in Page(client.get(done).text).links
    assert payments(engine) == 0


def test_coming_back_before_paying(door: Door) -> None:
    client, _, _ = door
    _, token = signed_in(door, "issued")
    reference = start_paying(client, token, purpose="balance").rsplit("/", 1)[1]
    assert "You left the payment page before paying" in main_of(
        client.get(f"/pay/done/{reference}?back=1").text
    )
    waiting = main_of(client.get(f"/pay/done/{reference}").text)
    assert "waiting for the payment processor" in waiting and "Do not pay again" in waiting


def test_a_contested_citation_says_why_it_is_not_paid_now(door: Door) -> None:
    client, _, _ = door
    signed_in(door, "review")
    main = main_of(client.get("/pay").text)
    assert "You cannot pay online now" in main
    assert "You do not need to pay while your case is being decided." in main
    assert "Call us at" in main


def test_the_hearing_deposit_after_a_refused_waiver(door: Door) -> None:
    client, desk, engine = door
    with transaction(engine) as session:
        decide_waiver(
            session, desk.numbers["waiver"], False, "Above the line.", actor=CLERK, now=CLOCK
        )
    _, token = signed_in(door, "waiver")
    main = main_of(client.get("/pay?purpose=deposit").text)
    assert "Pay the hearing deposit" in main and "Pay the deposit of $200.00" in main
    assert "Pay everything" not in main  # the citation waits for its hearing
    stand_in = start_paying(client, token, purpose="deposit")
    done = main_of(client.get(press(client, stand_in, "approve")).text)
    assert "We received your hearing deposit of $200.00" in done


def test_the_pages_in_spanish(door: Door) -> None:
    client, _, _ = door
    _, token = signed_in(door, "issued")
    client.get("/language/es?next=/pay")
    main = main_of(client.get("/pay").text)
    assert "Pague su citación" in main and "Usted debe $200.00." in main
    stand_in = start_paying(client, token, purpose="balance")
    assert "PÁGINA DE PAGO DE PRUEBA — no se mueve dinero" in main_of(client.get(stand_in).text)
    assert "Pago recibido" in main_of(client.get(press(client, stand_in, "approve")).text)


def test_paying_online_off_says_how_else_to_pay(door: Door) -> None:
    client, _, _ = door
    _, token = signed_in(door, "issued")
    reference = start_paying(client, token, purpose="balance").rsplit("/", 1)[1]
    use_provider(client, None)
    main = main_of(client.get("/pay").text)
    assert "Paying online is not available." in main
    assert "Pay everything" not in main
    assert client.get(f"/pay/test-provider/{reference}").status_code == 404
    assert client.post("/pay/callback/test", content=b"{}").status_code == 404
    refused = client.post("/pay", data={"csrf_token": token, "purpose": "balance"})
    assert "Paying online is not available." in main_of(refused.text)


def test_another_person_cannot_see_a_payment_or_start_one_without_the_token(door: Door) -> None:
    client, desk, _ = door
    _, token = signed_in(door, "issued")
    reference = start_paying(client, token, purpose="balance").rsplit("/", 1)[1]
    with door_client_like(client) as other:
        find_citation_as_person(other, desk.numbers["to_schedule"], birth_of(2))
        assert other.get(f"/pay/done/{reference}").status_code == 404
        assert other.post("/pay", data={"purpose": "balance"}).status_code == 403
    assert client.get("/pay/done/not-a-reference").status_code == 404


def door_client_like(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url="https://testserver", follow_redirects=False)


def test_stripe_is_reached_from_the_pay_form(door: Door) -> None:
    client, _, engine = door
    _, token = signed_in(door, "issued")
    stand_in = StandIn()
    try:
        use_provider(client, StripeProvider(SECRET_KEY, WEBHOOK_SECRET, api_base=stand_in.url))
        page = client.get("/pay")
        policy = page.headers["content-security-policy"]
        assert "form-action 'self' https://checkout.stripe.com;" in policy
        answer = client.post("/pay", data={"csrf_token": token, "purpose": "balance"})
        assert answer.headers["location"] == "https://checkout.stripe.com/c/pay/cs_test_a1b2"
        form = dict(stand_in.requests[0]["form"])
        assert form["line_items[0][price_data][unit_amount]"] == "20000"
        assert form["success_url"].startswith("https://testserver/pay/done/")
        stand_in.status = 500
        stand_in.answer = {"error": {"message": "down"}}
        refused = client.post("/pay", data={"csrf_token": token, "purpose": "balance"})
        assert refused.status_code == 200
        assert "The payment page could not be opened just now. Nothing was charged." in main_of(
            refused.text
        )
    finally:
        stand_in.close()
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(ProviderPayment)) == 1
    assert payments(engine) == 0


def test_the_next_plan_payment_is_offered_with_its_day(door: Door) -> None:
    client, desk, engine = door
    with transaction(engine) as session:
        create_plan(
            session,
            desk.numbers["issued"],
            [
                Installment(due_on=date(2026, 12, 20), amount=Decimal("100.00")),
                Installment(due_on=date(2027, 1, 20), amount=Decimal("100.00")),
            ],
            actor=CLERK,
            now=CLOCK,
        )
    _, token = signed_in(door, "issued")
    main = main_of(client.get("/pay").text)
    assert "Pay your next plan payment" in main
    assert "$100.00, due Sunday, December 20, 2026." in main
    stand_in = start_paying(client, token, purpose="installment")
    press(client, stand_in, "approve")
    main = main_of(client.get("/pay").text)
    assert "$100.00, due Wednesday, January 20, 2027." in main
    assert "You owe $100.00." in main


def test_money_the_citation_could_not_take_waits_on_the_clerks_requests_page(door: Door) -> None:
    client, desk, engine = door
    number, token = signed_in(door, "issued")
    stand_in = start_paying(client, token, purpose="balance")
    with transaction(engine) as session:  # paid at the counter while the person was paying
        record_payment(
            session,
            number,
            PaymentRequest(amount=Decimal("200.00"), method="cash"),
            actor=CLERK,
            now=CLOCK,
        )
    press(client, stand_in, "approve")
    sign_in(client, desk.tokens["clerk"], next_page="/clerk/requests")
    page = Page(client.get("/clerk/requests").text)
    assert "Online payments to refund (1)" in page.words("main")
    assert f"/clerk/citations/{number}" in page.links
    assert "$200.00" in page.words("main") and "is paid: cannot take a payment" in page.words(
        "main"
    )
