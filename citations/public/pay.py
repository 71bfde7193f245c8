"""/pay: the person pays all of what they owe, a part of it, their plan's next installment,
or the hearing deposit, on the city's payment provider's page (citations.online.payments).

The page shows what is owed and by when, and each way to pay that is open now; a way that
is not open says why, with the office's phone. Sending the form starts the payment and
sends the person to the provider's hosted page; they come back to /pay/done/{reference}.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from citations.database import reading, transaction
from citations.http.deps import EngineDep
from citations.money import parse_amount
from citations.online.payments import (
    NotOpen,
    PayOptions,
    Purpose,
    payment_options,
    start_online_payment,
)
from citations.online.providers import Provider, ProviderUnavailable, configured
from citations.public.guard import (
    HTML_HEADERS,
    ClockDep,
    Person,
    PersonDep,
    PersonFormDep,
    page,
    public_router,
)
from citations.public.pages import Speaker
from citations.settings import Settings, get_settings

router = public_router()

SHOWN = (Purpose.DEPOSIT, Purpose.INSTALLMENT, Purpose.BALANCE, Purpose.PART)
"""The ways to pay on this page, in the order shown (a hearing request's deposit is paid
from the hearing page)."""
CSP = "Content-Security-Policy"


def settings_of(request: Request) -> Settings:
    """The application's settings (`app.state.settings` when the app keeps them), else the
    environment's."""
    kept = getattr(request.app.state, "settings", None)
    return kept if isinstance(kept, Settings) else get_settings()


def payment_provider(request: Request) -> Provider | None:
    """The city's payment provider (the settings'), or None when paying online is off."""
    return configured(settings_of(request))


ProviderDep = Annotated[Provider | None, Depends(payment_provider)]


def return_base(request: Request) -> str:
    """Our public address, where the provider sends the person back: the setting, or the
    address this request came to."""
    return settings_of(request).public_base_url or str(request.base_url).rstrip("/")


def allow_provider_pages(response: Response, provider: Provider | None) -> Response:
    """Let the page's forms lead to the provider's hosted page: a browser applies the
    page's form-action also to where the form's answer redirects."""
    origins = " ".join(provider.page_origins) if provider is not None else ""
    if origins:
        policy = HTML_HEADERS[CSP].replace("form-action 'self'", f"form-action 'self' {origins}")
        response.headers[CSP] = policy
    return response


def why(speaker: Speaker, closed: NotOpen) -> str:
    """Why a way to pay is not open, in the person's words (amounts and days formatted)."""
    values: dict[str, Any] = {}
    for name, value in closed.values.items():
        if isinstance(value, Decimal):
            values[name] = speaker.money(value)
        elif isinstance(value, date | datetime):
            values[name] = speaker.weekday(value if isinstance(value, date) else value.date())
        else:
            values[name] = value
    return speaker.t(f"pay.why.{closed.reason}", **values)


def pay_page(
    request: Request,
    person: Person,
    options: PayOptions,
    provider: Provider | None,
    *,
    message: str | None = None,
    typed_amount: str = "",
    first: str = "",
) -> Response:
    choices = [options.choices[p] for p in SHOWN]
    open_choices = [c for c in choices if c.not_open is None]
    if first in {c.purpose.value for c in open_choices}:  # the link's purpose comes first
        open_choices.sort(key=lambda c: c.purpose.value != first)
    closed = next((c.not_open for c in choices if c.purpose.value == first), None)
    closed = closed or options.choices[Purpose.BALANCE].not_open
    # A problem with the typed amount is said beside the amount's box (not again at the top).
    part_error = message if first == Purpose.PART.value and provider is not None else None
    response = page(
        request,
        person,
        "pay.html",
        part_error=part_error,
        options=options,
        online=provider is not None,
        open_choices=open_choices,
        closed=closed,
        why=partial(why, person.speaker),
        message=None if part_error else message,
        typed_amount=typed_amount,
    )
    return allow_provider_pages(response, provider)


def _options(
    engine: Engine, person: Person, now: datetime, provider: Provider | None
) -> PayOptions:
    with reading(engine) as session:
        return payment_options(
            session,
            person.number,
            actor=person.actor,
            now=now,
            minimum_cents=provider.minimum_cents if provider is not None else 1,
        )


@router.get("/pay")
def pay_form(
    request: Request,
    person: PersonDep,
    engine: EngineDep,
    now: ClockDep,
    provider: ProviderDep,
    purpose: str = "",
) -> Response:
    options = _options(engine, person, now, provider)
    return pay_page(request, person, options, provider, first=purpose[:20])


@router.post("/pay")
def pay(
    request: Request,
    person: PersonDep,
    form: PersonFormDep,
    engine: EngineDep,
    now: ClockDep,
    provider: ProviderDep,
) -> Response:
    """Start the payment and send the person to the provider's page; or the page again,
    saying why not."""
    typed = form.get("amount", "").strip()[:20]
    chosen = form.get("purpose", "")
    message: str | None = None
    speaker = person.speaker
    if provider is None:
        message = speaker.t("pay.off")
    elif chosen not in {p.value for p in SHOWN}:
        message = speaker.t("pay.why.details")
    else:
        amount: Decimal | None = None
        if chosen == Purpose.PART.value:
            try:
                amount = parse_amount(typed) if typed else None
            except ValueError:
                message = speaker.t("pay.why.bad_amount")
        if message is None:
            try:
                with transaction(engine) as session:
                    started = start_online_payment(
                        session,
                        person.number,
                        purpose=chosen,
                        amount=amount,
                        actor=person.actor,
                        now=now,
                        provider=provider,
                        return_base=return_base(request),
                    )
                return RedirectResponse(started.redirect_url, status_code=303)
            except NotOpen as closed:
                message = why(speaker, closed)
            except ProviderUnavailable:
                message = speaker.t("pay.unavailable")
    options = _options(engine, person, now, provider)
    return pay_page(
        request, person, options, provider, message=message, typed_amount=typed, first=chosen
    )
