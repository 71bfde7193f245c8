"""Forms of the hearing office that are about no one citation: hearing officers and the
docket sessions they sit.

The same pattern as `forms.FormPage` (read what was typed, call one library function, show
each problem next to its field with everything typed kept), but the page is addressed by
its own path (`/officers`, `/officers/{officer_id}/availability`, `/sessions/new`) and goes
where `act` says when it succeeds. The library decides every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, ClassVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.errors import FieldError, IllegalTransition, InputRejected, NotFound
from citations.hearings.officers import get_officer
from citations.hearings.tables import HearingOfficer
from citations.http.deps import EngineDep
from citations.inputs import FIRST_DAY, LAST_DAY, whole_number
from citations.roles import Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.forms import FormState, Parser, Values
from citations.web.guard import PREFIX
from citations.web.pages import Formats, render
from ordinances.models import Jurisdiction


class OfficeParser(Parser):
    """A `Parser` that also reads days, clock times and counts.

    >>> from zoneinfo import ZoneInfo
    >>> read = OfficeParser({"day": "2026-12-14", "start": "9:30", "n": "x"},
    ...                     Formats("en_US", "USD", ZoneInfo("UTC")))
    >>> read.day("day"), read.clock("start"), read.count("n"), [e.field for e in read.errors]
    (datetime.date(2026, 12, 14), datetime.time(9, 30), None, ['n'])
    """

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            self.errors.append(FieldError(name, "enter a date such as 2026-12-14"))
            return None
        if not FIRST_DAY <= day <= LAST_DAY:
            self.refuse(name, f"enter a date from {FIRST_DAY.year} to {LAST_DAY.year}")
            return None
        return day

    def clock(self, name: str) -> time | None:
        raw = self.text(name)
        try:
            # An HTML time input sends "09:30"; a clerk may type "9:30".
            return time.fromisoformat(raw.zfill(5) if len(raw) == 4 else raw)
        except ValueError:
            self.errors.append(FieldError(name, "enter a time such as 09:30"))
            return None

    def count(self, name: str, required: bool = True) -> int | None:
        """A whole number; blank is None (a problem only when `required`)."""
        raw = self.text(name)
        if not raw and not required:
            return None
        number = whole_number(raw)
        if number is None:
            self.errors.append(FieldError(name, "enter a whole number"))
        return number


@dataclass
class Office:
    """What an office form works with: the request's database session, actor and clock,
    and the hearing officer named in the path (if the form is about one)."""

    session: Session
    actor: Actor
    now: datetime
    profile: Jurisdiction
    formats: Formats
    officer: HearingOfficer | None


class OfficeForm:
    """One page with a form: GET shows it, POST acts and goes where `act` says."""

    path: ClassVar[str]
    """Under /clerk; may hold `{officer_id}`."""
    template: ClassVar[str]
    fields: ClassVar[frozenset[str]]
    action: ClassVar[Action]
    """Who may open the page at all (roles.py); the library checks again when it acts."""

    def defaults(self, office: Office, query: Mapping[str, str]) -> Values:
        """What the form shows before anything is typed (the query may prefill it)."""
        return {}

    def extra(self, office: Office) -> dict[str, Any]:
        """More for the template (lists, choices)."""
        return {}

    def act(self, office: Office, read: OfficeParser) -> str:
        """Call the library; return the page to go to next."""
        raise NotImplementedError


def _office(session: Session, actor: Actor, now: datetime, officer: str | None) -> Office:
    profile = PublishedCatalog(session).jurisdiction()
    found = None
    if officer is not None:
        officer_id = whole_number(officer)
        if officer_id is None:
            raise NotFound("hearing officer", officer)
        found = get_officer(session, officer_id)
    return Office(session, actor, now, profile, Formats.of(profile), found)


def _show(
    request: Request,
    page: OfficeForm,
    actor: Actor,
    engine: Engine,
    now: datetime,
    state: FormState | None,
) -> Response:
    actor.require(page.action)
    with transaction(engine) as session:
        office = _office(session, actor, now, request.path_params.get("officer_id"))
        if state is None:
            state = FormState(values=page.defaults(office, request.query_params))
        return render(
            request,
            page.template,
            422 if state.errors or state.general else 200,
            form=state,
            fmt=office.formats,
            officer=office.officer,
            action=request.url.path,
            done=request.query_params.get("done", ""),
            **page.extra(office),
        )


def _submit(
    request: Request, page: OfficeForm, values: Values, actor: Actor, engine: Engine, now: datetime
) -> Response:
    actor.require(page.action)
    try:
        with transaction(engine) as session:
            office = _office(session, actor, now, request.path_params.get("officer_id"))
            target = page.act(office, OfficeParser(values, office.formats))
    except (InputRejected, IllegalTransition, NotFound) as exc:
        if isinstance(exc, NotFound) and exc.what == "hearing officer":
            raise  # the page itself does not exist: a 404 page
        state = FormState(values={k: v for k, v in values.items() if k != "csrf_token"})
        if isinstance(exc, NotFound) and exc.what == "citation":
            state.add("number", str(exc), page.fields)
        else:
            state.absorb(exc, page.fields)
        return _show(request, page, actor, engine, now, state)
    return RedirectResponse(target, status_code=303)


def add_office_form(router: APIRouter, page: OfficeForm, name: str) -> None:
    """Route GET and POST /clerk{page.path} to the page."""

    def get(request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
        return _show(request, page, actor, engine, now, None)

    def post(
        request: Request, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
    ) -> Response:
        return _submit(request, page, form, actor, engine, now)

    router.add_api_route(page.path, get, methods=["GET"], name=f"{name}_page")
    router.add_api_route(page.path, post, methods=["POST"], name=f"{name}_submit")


def officer_page(officer_id: int, done: str) -> str:
    """The officers page, scrolled to one officer, saying what was just done."""
    return f"{PREFIX}/officers?done={done}#officer-{officer_id}"
