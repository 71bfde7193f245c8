"""Asking for help on the person's own pages: ability to pay (/help/ability), a payment plan
(/help/plan), community service (/help/service), a program (/help/program), and keeping
one's address, phone and email current, with consent to reminders by text and email
(/contact).

Each page says what the option means, with its deadline, and when it is not open, why
(citations.online.help_options); each form calls the library step a clerk's step calls
(citations.online.help*), with the cited person as the actor. A refused form comes back with
what was typed and a plain message next to the field; a step done leads back to the page,
which says what happens next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.database import reading, transaction
from citations.errors import IllegalTransition, InputRejected
from citations.http.deps import EngineDep
from citations.inputs import whole_number
from citations.issuing.intake import Address
from citations.money import from_cents, parse_amount, percent_of
from citations.online.help import ask_ability_to_pay, ask_clerk_for_plan, ask_for_plan
from citations.online.help_choices import (
    choose_program,
    elect_service_online,
    program_now,
    service_now,
)
from citations.online.help_contact import email_address, phone_number, update_contact
from citations.online.help_options import help_options, last_answered, waiting_request
from citations.online.requests import RequestKind
from citations.outreach.optout import opted_out
from citations.payments.ability import Declaration, remedy_of
from citations.payments.tables import AbilityRequest
from citations.public.guard import ClockDep, Person, PersonDep, PersonFormDep, page, public_router
from citations.record.contact import phone_for_people
from citations.record.lookup import find_citation
from citations.record.tables import Citation

router = public_router()

Errors = dict[str, list[str]]

KNOWN = {
    # (field, the start of the library's message) -> the wording key said instead
    ("sworn", "the declaration"): "help.error.sworn",
    ("kind", "this request was already sent"): "help.error.waiting",
    ("installments", "a plan online"): "help.error.plan_rules",
    ("statement", "say in a few words"): "help.error.statement",
    ("provider", "unknown provider"): "help.error.provider",
    ("program", "'"): "help.error.program",
    ("number", "community service had to be elected"): "help.why.past_due",
    ("address", "this is already"): "help.error.unchanged",
    ("phone", "write a phone number"): "help.error.phone",
    ("email", "write an email"): "help.error.email",
    ("texts", "to get texts"): "help.error.texts",
    ("emails", "to get emails"): "help.error.emails",
}


def _errors(person: Person, exc: Exception) -> Errors:
    """A refusal in the person's words: known messages by their key, others as the library
    said them; a step not open for the citation's status in plain words."""
    t, rules = person.speaker.t, person.profile.payments.plans
    if isinstance(exc, IllegalTransition):
        return {"_": [t("help.error.not_open")]}
    assert isinstance(exc, InputRejected)
    errors: Errors = {}
    for problem in exc.errors:
        key = next(
            (
                k
                for (f, start), k in KNOWN.items()
                if f == problem.field and problem.message.startswith(start)
            ),
            None,
        )
        said = (
            t(key, most=rules.max_installments, least=person.speaker.money(rules.min_installment))
            if key
            else problem.message
        )
        errors.setdefault(problem.field, []).append(said)
    return errors or {"_": [str(exc)]}


def _citation(session: Session, person: Person) -> Citation:
    return find_citation(session, person.number, person.actor)


def _show(
    request: Request,
    person: Person,
    engine: Engine,
    now: datetime,
    template: str,
    extra: Callable[[Session, Citation], dict[str, Any]],
    *,
    errors: Errors | None = None,
    typed: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    with reading(engine) as session:
        citation = _citation(session, person)
        today = local_date(now, person.profile)
        options = help_options(session, citation, person.profile, today)
        # Rendered while the session is open: the page reads the rows it was given.
        return page(
            request,
            person,
            template,
            status_code=422 if errors else 200,
            options=options,
            today=today,
            errors=errors or {},
            typed=typed or {},
            done=done,
            **extra(session, citation),
        )


def _act(
    request: Request,
    person: Person,
    engine: Engine,
    now: datetime,
    form: dict[str, str],
    step: Callable[[Session], str],
    show: Callable[..., Response],
    address: str,
) -> Response:
    """Run `step` in one transaction; done: back to the page (`?done=`), refused: the page
    again with the problems and what was typed."""
    try:
        with transaction(engine) as session:
            done = step(session)
    except (InputRejected, IllegalTransition) as exc:
        typed = {k: v for k, v in form.items() if k != "csrf_token"}
        return show(request, person, engine, now, errors=_errors(person, exc), typed=typed)
    return RedirectResponse(f"{address}?done={done}", status_code=303)


def _requests(session: Session, citation: Citation, kind: RequestKind) -> dict[str, Any]:
    return {
        "waiting": waiting_request(session, citation, kind),
        "answered": last_answered(session, citation, kind),
    }


# Ability to pay ------------------------------------------------------------------------


def _ability_values(session: Session, citation: Citation, person: Person) -> dict[str, Any]:
    rules = person.profile.payments.ability_to_pay
    limits = [
        (size, percent_of(rules.guideline.for_household(size), rules.income_percent_of_guideline))
        for size in range(1, 7)
    ]
    decided = session.scalars(
        select(AbilityRequest)
        .where(AbilityRequest.citation_id == citation.id)
        .order_by(AbilityRequest.id.desc())
    ).first()
    remedy = remedy_of(citation)
    fine = from_cents(citation.total_fine_cents)
    share = percent_of(fine, remedy.percent) if remedy and remedy.percent is not None else None
    t = person.speaker.t
    return {
        "remedy": remedy,
        "share": share,
        "benefits": [
            (b, t(f"benefit.{b}") if t(f"benefit.{b}") != f"benefit.{b}" else b.replace("-", " "))
            for b in rules.qualifying_benefits
        ],
        "percent": rules.income_percent_of_guideline,
        "limits": [(size, (year / 12).quantize(Decimal("0.01"))) for size, year in limits],
        "decided": decided,
        **_requests(session, citation, RequestKind.ABILITY_TO_PAY),
    }


def _ability_page(
    request: Request, person: Person, engine: Engine, now: datetime, **kw: Any
) -> Response:
    def values(session: Session, citation: Citation) -> dict[str, Any]:
        return _ability_values(session, citation, person)

    return _show(request, person, engine, now, "help_ability.html", values, **kw)


@router.get("/help/ability")
def ability_page(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return _ability_page(request, person, engine, now, done=done)


def _declaration(person: Person, form: dict[str, str]) -> Declaration:
    """The declaration as typed; every unreadable field refused at once, in plain words."""
    t = person.speaker.t
    errors: Errors = {}
    size = whole_number(form.get("household", "").strip())
    if size is None or not 1 <= size <= 30:
        errors["household"] = [t("help.error.household")]
    income = None
    try:
        income = parse_amount(form.get("income", "").strip() or "x")
    except ValueError:
        errors["income"] = [t("help.error.income")]
    if form.get("sworn") != "yes":
        errors["sworn"] = [t("help.error.sworn")]
    if errors:
        raise _Refused(errors)
    benefits = [
        b
        for b in person.profile.payments.ability_to_pay.qualifying_benefits
        if form.get(f"benefit-{b}")
    ]
    try:
        return Declaration(
            benefits=benefits, household_size=size, monthly_income=income, sworn=True
        )
    except ValidationError:
        raise _Refused({"income": [t("help.error.income")]}) from None


class _Refused(Exception):
    """Fields the page itself could not read, with the words to say."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("refused")
        self.errors = errors


@router.post("/help/ability")
def ability_submit(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    try:
        declaration = _declaration(person, form)
    except _Refused as refused:
        typed = {k: v for k, v in form.items() if k != "csrf_token"}
        return _ability_page(request, person, engine, now, errors=refused.errors, typed=typed)
    statement = form.get("statement", "")[:4000]

    def step(session: Session) -> str:
        answer = ask_ability_to_pay(
            session, person.number, declaration, statement, actor=person.actor, now=now
        )
        return "decided" if answer.decision is not None else "sent"

    return _act(request, person, engine, now, form, step, _ability_page, "/help/ability")


# A payment plan ------------------------------------------------------------------------


def _plan_page(
    request: Request, person: Person, engine: Engine, now: datetime, **kw: Any
) -> Response:
    def values(session: Session, citation: Citation) -> dict[str, Any]:
        return {
            "rules": person.profile.payments.plans,
            **_requests(session, citation, RequestKind.PAYMENT_PLAN),
        }

    return _show(request, person, engine, now, "help_plan.html", values, **kw)


@router.get("/help/plan")
def plan_page(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return _plan_page(request, person, engine, now, done=done)


@router.post("/help/plan")
def plan_submit(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    count = whole_number(form.get("installments", "").strip())
    if count is None:
        errors = {"installments": [person.speaker.t("help.error.choose_plan")]}
        return _plan_page(request, person, engine, now, errors=errors)
    chosen = count

    def step(session: Session) -> str:
        ask_for_plan(session, person.number, chosen, actor=person.actor, now=now)
        return "started"

    return _act(request, person, engine, now, form, step, _plan_page, "/help/plan")


@router.post("/help/plan/ask")
def plan_ask(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    count = whole_number(form.get("months", "").strip())
    if count is None or not 1 <= count <= 120:
        typed = {k: v for k, v in form.items() if k != "csrf_token"}
        errors = {"months": [person.speaker.t("help.error.months")]}
        return _plan_page(request, person, engine, now, errors=errors, typed=typed)
    statement = form.get("statement", "")[:4000]

    def step(session: Session) -> str:
        ask_clerk_for_plan(session, person.number, count, statement, actor=person.actor, now=now)
        return "sent"

    return _act(request, person, engine, now, form, step, _plan_page, "/help/plan")


# Community service ---------------------------------------------------------------------


def _service_page(
    request: Request, person: Person, engine: Engine, now: datetime, **kw: Any
) -> Response:
    def values(session: Session, citation: Citation) -> dict[str, Any]:
        providers = person.profile.payments.community_service.providers
        return {
            "under_way": service_now(session, person.number, person.actor),
            "providers": {p.id: p.name for p in providers},
        }

    return _show(request, person, engine, now, "help_service.html", values, **kw)


@router.get("/help/service")
def service_page(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return _service_page(request, person, engine, now, done=done)


@router.post("/help/service")
def service_submit(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    provider = form.get("provider", "").strip()
    if not provider:
        errors = {"provider": [person.speaker.t("help.error.provider")]}
        return _service_page(request, person, engine, now, errors=errors)

    def step(session: Session) -> str:
        elect_service_online(session, person.number, provider, actor=person.actor, now=now)
        return "elected"

    return _act(request, person, engine, now, form, step, _service_page, "/help/service")


# A program -----------------------------------------------------------------------------


def _program_page(
    request: Request, person: Person, engine: Engine, now: datetime, **kw: Any
) -> Response:
    def values(session: Session, citation: Citation) -> dict[str, Any]:
        return {
            "referral": program_now(session, person.number, person.actor),
            "all_programs": {p.id: p for p in person.profile.programs},
        }

    return _show(request, person, engine, now, "help_program.html", values, **kw)


@router.get("/help/program")
def program_page(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return _program_page(request, person, engine, now, done=done)


@router.post("/help/program")
def program_submit(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    program = form.get("program", "").strip()
    if not program:
        errors = {"program": [person.speaker.t("help.error.program")]}
        return _program_page(request, person, engine, now, errors=errors)

    def step(session: Session) -> str:
        choose_program(session, person.number, program, actor=person.actor, now=now)
        return "chosen"

    return _act(request, person, engine, now, form, step, _program_page, "/help/program")


# Contact -------------------------------------------------------------------------------

ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code")


def _contact_page(
    request: Request, person: Person, engine: Engine, now: datetime, **kw: Any
) -> Response:
    country = person.profile.holiday_calendar.country

    def values(session: Session, citation: Citation) -> dict[str, Any]:
        address = citation.subject.get("address") or {}
        phone = citation.phone
        return {
            "on_file": {
                **{name: address.get(name) or "" for name in ADDRESS_FIELDS},
                "phone": phone_for_people(phone, country) if phone else "",
                "email": citation.email or "",
                "texts": citation.texts_consent,
                "emails": citation.emails_consent,
            },
            "texts_stopped": phone is not None and opted_out(session, "text", phone),
        }

    return _show(request, person, engine, now, "help_contact.html", values, **kw)


@router.get("/contact")
def contact_page(
    request: Request, person: PersonDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    return _contact_page(request, person, engine, now, done=done)


def _contact_typed(person: Person, form: dict[str, str]) -> tuple[Address | None, str, str]:
    t = person.speaker.t
    errors: Errors = {}
    typed = {name: form.get(name, "").strip() for name in ADDRESS_FIELDS}
    address = None
    if any(typed.values()):
        try:
            address = Address.model_validate({k: v for k, v in typed.items() if v})
        except ValidationError as exc:
            for problem in exc.errors():
                name = str(problem["loc"][0]) if problem["loc"] else "line1"
                errors.setdefault(name, []).append(t(f"help.error.{name}"))
    phone, email = form.get("phone", "").strip(), form.get("email", "").strip()
    country = person.profile.holiday_calendar.country
    for name, value, check in (
        ("phone", phone, lambda typed: phone_number(typed, country)),
        ("email", email, email_address),
    ):
        if value:
            try:
                check(value)
            except InputRejected:
                errors[name] = [t(f"help.error.{name}")]
    if errors:
        raise _Refused(errors)
    return address, phone, email


@router.post("/contact")
def contact_submit(
    request: Request, person: PersonDep, form: PersonFormDep, engine: EngineDep, now: ClockDep
) -> Response:
    try:
        address, phone, email = _contact_typed(person, form)
    except _Refused as refused:
        typed = {k: v for k, v in form.items() if k != "csrf_token"}
        return _contact_page(request, person, engine, now, errors=refused.errors, typed=typed)

    def step(session: Session) -> str:
        change = update_contact(
            session,
            person.number,
            address=address,
            phone=phone,
            email=email,
            texts=form.get("texts") == "yes",
            emails=form.get("emails") == "yes",
            actor=person.actor,
            now=now,
        )
        if change.mailed is not None:
            return "mailed"
        return "stopped" if change.texts_stopped else "saved"

    return _act(request, person, engine, now, form, step, _contact_page, "/contact")
