"""The clerks' forms: read what was typed, call one library function, show what went wrong.

Each form is a `FormPage`: a template, the fields it shows, and `act`, which reads typed
values with a `Parser` and calls the library. Every problem, from the parser (an amount that
is not an amount) or from the library (a missed deadline, a refused outcome, a full session),
comes back as a message next to its field, with everything typed kept; a problem that names
no field shown on the form goes in the summary at the top. The library decides every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import FieldError, IllegalTransition, InputRejected, NotFound
from citations.hearings.contests import DeadlineMissed
from citations.http.deps import EngineDep
from citations.inputs import (
    FIRST_DAY,
    LAST_DAY,
    printable,
    record_id,
    without_controls,
)
from citations.money import parse_amount
from citations.payments.plans import Installment
from citations.record.ledger import balance
from citations.record.lookup import find_citation, to_public
from citations.record.tables import Citation
from citations.roles import Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.guard import PREFIX
from citations.web.pages import Formats, person, render
from ordinances.models import Jurisdiction

Values = dict[str, str]
T = TypeVar("T")

ALIASES = {
    "session_id": "session",
    "decided_by.name": "decided_by_name",
    "decided_by.title": "decided_by_title",
}
"""Library field names that a form shows under another name."""


@dataclass
class FormState:
    """What a form shows: the values typed (or proposed), and problems by field."""

    values: Values = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    summary: str = ""

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def add(self, name: str, message: str, shown: Collection[str]) -> None:
        name = ALIASES.get(name, name)
        if name in shown:
            self.errors.setdefault(name, []).append(message)
        else:
            self.general.append(message)

    def absorb(self, exc: Exception, shown: Collection[str]) -> None:
        """Put a library error next to the field it concerns."""
        if isinstance(exc, InputRejected):
            self.summary = exc.summary
            for problem in exc.errors:
                self.add(problem.field, problem.message, shown)
        elif isinstance(exc, DeadlineMissed):
            self.add("received_at", str(exc), shown)
        elif isinstance(exc, NotFound) and exc.what == "docket session":
            self.add("session", str(exc), shown)
        else:
            self.general.append(str(exc))


class Parser:
    """Reads typed values, collecting every problem before any is reported."""

    def __init__(self, values: Values, formats: Formats) -> None:
        self.values = values
        self.formats = formats
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str:
        value = self.values.get(name, "").strip()
        try:
            return printable(value)  # as at intake and in the API's bodies
        except ValueError as exc:
            self.refuse(name, str(exc))
        # Refused; the library is still asked about the rest, without the characters
        # (PostgreSQL cannot even hold a NUL), and the form stays refused.
        return without_controls(value)

    def refuse(self, name: str, message: str) -> None:
        problem = FieldError(name, message)
        if problem not in self.errors:
            self.errors.append(problem)

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def choice(
        self, name: str, choices: Collection[str], message: str = "choose one"
    ) -> str | None:
        value = self.text(name)
        if value not in choices:
            self.errors.append(FieldError(name, message))
            return None
        return value

    def money(self, name: str, required: bool = False) -> Decimal | None:
        """An amount in the currency's units, to the cent ("250", "250.00", "$1,250.50")."""
        raw = self.text(name)
        if not raw:
            if required:
                self.errors.append(FieldError(name, "enter the amount"))
            return None
        try:
            return parse_amount(raw)
        except ValueError as exc:
            self.refuse(name, str(exc))
            return None

    def integer(self, name: str) -> int | None:
        """A number chosen from a list: an index, or a row's id (64-bit: a case's rows'
        ids carry their year)."""
        raw = self.text(name)
        if not raw:
            return None
        number = record_id(raw) if raw != "0" else 0
        if number is None:
            self.errors.append(FieldError(name, "choose one from the list"))
        return number

    def moment(self, name: str) -> datetime | None:
        """A local date and time (an HTML datetime-local value) in the jurisdiction's zone."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            local = datetime.fromisoformat(raw)
        except ValueError:
            self.errors.append(FieldError(name, "enter a date and time such as 2026-12-04 10:30"))
            return None
        if not FIRST_DAY <= local.date() <= LAST_DAY:
            self.refuse(name, f"enter a date from {FIRST_DAY.year} to {LAST_DAY.year}")
            return None
        if local.tzinfo is None:
            local = local.replace(tzinfo=self.formats.zone)
        return local

    def installments(self, name: str) -> list[Installment]:
        """One installment a line: a due date and an amount ("2027-01-15 50.00")."""
        schedule = []
        for number, line in enumerate(self.text(name).splitlines(), start=1):
            parts = line.replace(",", " ").split()
            if not parts:
                continue
            try:
                if len(parts) != 2:
                    raise ValueError
                due = date.fromisoformat(parts[0])
                schedule.append(Installment(due_on=due, amount=parse_amount(parts[1])))
            except (ValueError, ValidationError):
                self.errors.append(
                    FieldError(name, f"line {number}: write a date and an amount, 2027-01-15 50.00")
                )
        return schedule

    def done(self) -> None:
        if self.errors:
            raise InputRejected(self.errors, "some fields need attention")

    def need(self, value: T | None) -> T:
        """A value the library cannot be called without (an outcome): refuse the form now,
        with every problem read so far, when it is missing."""
        if value is None:
            self.done()
            # Reached only if the missing value recorded no problem of its own.
            raise InputRejected([], "a required choice is missing")
        return value

    def submit(self, step: Callable[[], object]) -> None:
        """Call the library with what could be read, so the clerk sees every problem at
        once: the library's and the unreadable fields' (read as empty). If the library
        accepts it but a field was unreadable, the form is still refused and the
        transaction rolled back."""
        try:
            step()
        except InputRejected as exc:
            if not self.errors:
                raise
            unreadable = {e.field for e in self.errors}
            rest = [e for e in exc.errors if e.field not in unreadable]
            raise InputRejected(self.errors + rest, exc.summary) from None
        except IllegalTransition as exc:
            if not self.errors:
                raise
            # Not a field of the form: shown in the summary, beside the fields' own errors.
            refused = FieldError("(citation)", str(exc))
            raise InputRejected([*self.errors, refused], "some fields need attention") from None
        self.done()


@dataclass
class Desk:
    """What a form works with: the request's database session, actor, clock and citation."""

    session: Session
    actor: Actor
    now: datetime
    profile: Jurisdiction
    formats: Formats
    citation: Citation


class FormPage:
    """One form on a citation: GET shows it, POST acts and goes back to the citation."""

    slug: ClassVar[str]
    template: ClassVar[str]
    fields: ClassVar[frozenset[str]]
    action: ClassVar[Action]
    """Who may open the form at all (roles.py); the library checks again when it acts."""

    def defaults(self, desk: Desk) -> Values:
        """What the form shows before anything is typed."""
        return {}

    def extra(self, desk: Desk) -> dict[str, Any]:
        """More for the template (choices, proposals)."""
        return {}

    def act(self, desk: Desk, read: Parser) -> None:
        raise NotImplementedError


def local_now(desk: Desk) -> str:
    """Now, as a datetime-local field shows it in the jurisdiction's zone."""
    return desk.now.astimezone(desk.formats.zone).strftime("%Y-%m-%dT%H:%M")


def _desk(session: Session, number: str, actor: Actor, now: datetime) -> Desk:
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    return Desk(session, actor, now, profile, Formats.of(profile), citation)


def show_form(
    request: Request,
    page: FormPage,
    number: str,
    actor: Actor,
    engine: Engine,
    now: datetime,
    state: FormState | None,
) -> Response:
    actor.require(page.action)
    with transaction(engine) as session:
        desk = _desk(session, number, actor, now)
        if state is None:
            state = FormState(values=page.defaults(desk))
        return render(
            request,
            page.template,
            422 if state.errors or state.general else 200,
            form=state,
            citation=to_public(desk.citation),
            name=person(desk.citation.subject),
            owed=balance(session, desk.citation),
            fmt=desk.formats,
            action=f"{PREFIX}/citations/{desk.citation.number}/{page.slug}",
            **page.extra(desk),
        )


def submit_form(
    request: Request,
    page: FormPage,
    number: str,
    values: Values,
    actor: Actor,
    engine: Engine,
    now: datetime,
) -> Response:
    try:
        with transaction(engine) as session:
            desk = _desk(session, number, actor, now)
            canonical = desk.citation.number
            page.act(desk, Parser(values, desk.formats))
    except (InputRejected, DeadlineMissed, IllegalTransition, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.what == "citation":
            raise
        state = FormState(values={k: v for k, v in values.items() if k != "csrf_token"})
        state.absorb(exc, page.fields)
        return show_form(request, page, number, actor, engine, now, state)
    return RedirectResponse(f"{PREFIX}/citations/{canonical}?done={page.slug}", status_code=303)


def add_form(router: APIRouter, page: FormPage) -> None:
    """Route GET and POST /clerk/citations/{number}/{slug} to the page."""

    def get(
        number: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
    ) -> Response:
        return show_form(request, page, number, actor, engine, now, None)

    def post(
        number: str,
        request: Request,
        form: FormDep,
        actor: ActorDep,
        engine: EngineDep,
        now: ClockDep,
    ) -> Response:
        return submit_form(request, page, number, form, actor, engine, now)

    path = f"/citations/{{number}}/{page.slug}"
    router.add_api_route(path, get, methods=["GET"], name=f"{page.slug}_form")
    router.add_api_route(path, post, methods=["POST"], name=f"{page.slug}_submit")


def rehearse(session: Session, step: Callable[[], T]) -> T:
    """Run a library step inside a savepoint and undo it: what the step *would* do now,
    decided by the library itself (e.g. the session the earliest-fitting rule would pick).

    The step's result must be read inside `step`; everything it wrote is rolled back.
    """
    savepoint = session.begin_nested()
    try:
        return step()
    finally:
        savepoint.rollback()
