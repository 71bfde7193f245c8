"""The payment provider's side of paying online: its signed callback, the test provider's
stand-in hosted page, and the page the person comes back to.

`POST /pay/callback/{provider}` is the address a city registers with its provider (for
Stripe: https://SITE/pay/callback/stripe, events checkout.session.completed,
checkout.session.async_payment_succeeded, checkout.session.async_payment_failed and
checkout.session.expired). It is public (no session, no form token: the signature is the
proof) and answers in plain text: 200 once the event is recorded (posted, a repeat, a
decline, money kept for a refund, or not one of ours), 400 for a bad signature, 404 for a
provider that is not the city's. Only when the database could not record the event does it
answer 503, so that the provider sends it again: an event is never answered 200 unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import NotFound
from citations.http.deps import EngineDep
from citations.http.logs import error_kinds, stack
from citations.money import from_cents
from citations.online.payments import (
    Purpose,
    complete_online_payment,
    online_payment,
    provider_payment,
    receipt_of,
)
from citations.online.providers import BadSignature, Outcome, Provider, TestProvider
from citations.public.guard import (
    ClockDep,
    PersonDep,
    check_form,
    chosen_language,
    page,
    public_router,
    read_cookie,
)
from citations.public.pages import render_public, speaker_for
from citations.public.pay import ProviderDep
from citations.record.ledger import balance
from citations.record.lookup import find_citation

router = public_router()
log = logging.getLogger("citations.public.payments")

MAX_CALLBACK_BYTES = 512 * 1024
"""A provider's event is a few kilobytes; anything far larger is not one."""


def deliver(
    engine: Engine, provider: Provider, headers: Mapping[str, str], body: bytes, now: datetime
) -> PlainTextResponse:
    """Verify a callback and record what it says, in its own transaction."""
    try:
        event = provider.parse_callback(headers, body, now=now)
    except BadSignature as refused:
        log.warning("refused a %s callback: %s", provider.name, refused.why)
        return PlainTextResponse("bad signature", status_code=400)
    if event is None:
        return PlainTextResponse("ignored: nothing to do for this event")
    try:
        with transaction(engine) as session:
            done = complete_online_payment(session, event, now=now)
    except Exception as failure:  # the database could not record it: the provider retries
        log.error(
            "a %s callback was not recorded: %s\n%s",
            provider.name,
            error_kinds(failure),
            stack(failure),
        )
        return PlainTextResponse("not recorded: send it again later", status_code=503)
    # The reference opens the test provider's page: only its start goes to the log.
    log.info("%s callback for %s...: %s", provider.name, event.reference[:6], done.outcome)
    return PlainTextResponse(done.outcome)


@router.post("/pay/callback/{name}")
async def callback(
    name: str, request: Request, engine: EngineDep, now: ClockDep, provider: ProviderDep
) -> Response:
    if provider is None or provider.name != name[:30]:
        return PlainTextResponse("no such payment provider here", status_code=404)
    body = await request.body()
    if len(body) > MAX_CALLBACK_BYTES:
        return PlainTextResponse("too large", status_code=413)
    return await run_in_threadpool(deliver, engine, provider, request.headers, body, now)


def _test_provider(provider: Provider | None) -> TestProvider:
    """The test provider, or NotFound: its page exists only where it is the city's."""
    if not isinstance(provider, TestProvider):
        raise NotFound("page", "test provider")
    return provider


@router.get("/pay/test-provider/{reference}")
def stand_in_page(
    reference: str, request: Request, engine: EngineDep, provider: ProviderDep, sent: str = ""
) -> Response:
    """The test provider's stand-in for a hosted payment page, with its banner."""
    _test_provider(provider)
    with reading(engine) as session:
        paying, citation = provider_payment(session, reference)
        shown: dict[str, Any] = {
            "reference": paying.reference,
            "amount": from_cents(paying.amount_cents),
            "citation_number": citation.number,
            "status": paying.status,
            "callbacks": paying.callbacks,
        }
        preferred = citation.preferred_language
        profile = PublishedCatalog(session).jurisdiction()
    state = read_cookie(request)  # the person's cookie: its form token guards the buttons
    # In the person's language, as Stripe's page is (its `locale`).
    speaker = speaker_for(chosen_language(request, profile, preferred), profile)
    return render_public(
        request,
        "pay_test_provider.html",
        speaker=speaker,
        csrf=state.csrf if state is not None else "",
        sent=bool(sent),
        **shown,
    )


REPEATS = {"paid": Outcome.PAID, "refused": Outcome.PAID}


@router.post("/pay/test-provider/{reference}")
async def stand_in_answer(
    reference: str, request: Request, engine: EngineDep, now: ClockDep, provider: ProviderDep
) -> Response:
    """Approve, decline or cancel (the callback is signed and handed over at once, through
    the callback's own path), or send the last callback again."""
    test = _test_provider(provider)
    form = await request.form()
    check_form(read_cookie(request), form)
    action = str(form.get("action", ""))

    def answer() -> Response:
        with reading(engine) as session:
            paying, _ = provider_payment(session, reference)
            status, cents, currency = paying.status, paying.amount_cents, paying.currency
            reference_ = paying.reference
        outcome = {
            "approve": Outcome.PAID,
            "decline": Outcome.DECLINED,
            "cancel": Outcome.CANCELLED,
            "repeat": REPEATS.get(status) or Outcome(status) if status != "started" else None,
        }.get(action)
        if outcome is None:
            raise NotFound("action", action[:20])
        headers, body = test.callback(reference_, outcome, cents, currency, now=now)
        delivered = deliver(engine, test, headers, body, now)
        if delivered.status_code != 200:
            return delivered
        if action == "repeat":
            return RedirectResponse(f"/pay/test-provider/{reference_}?sent=1", 303)
        back = "?back=1" if outcome is Outcome.CANCELLED else ""
        return RedirectResponse(f"/pay/done/{reference_}{back}", status_code=303)

    return await run_in_threadpool(answer)


@router.get("/pay/done/{reference}")
def done_page(
    reference: str, request: Request, person: PersonDep, engine: EngineDep, back: str = ""
) -> Response:
    """Where the provider sends the person back: what became of the payment, and the
    receipt (the copy kept when it posted)."""
    with reading(engine) as session:
        paying = online_payment(session, reference, actor=person.actor)
        receipt = receipt_of(session, paying)
        owed = balance(session, find_citation(session, person.number, person.actor))
        state, purpose = paying.status, Purpose(paying.purpose)
        shown: dict[str, Any] = {
            "reference": paying.reference,
            "amount": from_cents(paying.amount_cents),
            "receipt_id": receipt.id if receipt is not None else None,
        }
    if state == "started":
        state = "back" if back else "waiting"
    paid_key = {Purpose.DEPOSIT: "done.paid_deposit", Purpose.HEARING: "done.paid_hearing"}
    return page(
        request,
        person,
        "pay_done.html",
        state=state,
        paid_key=paid_key.get(purpose, "done.paid"),
        balance=owed,
        **shown,
    )
