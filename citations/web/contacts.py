"""The person's phone, email and consent to reminders, recorded by a clerk at the person's
request (`/clerk/citations/{number}/contact`), and the citations whose phone or email
stopped working, for a clerk to fix (`/clerk/contacts`).

The form calls the library function the person's own page calls (`update_contact`), with
the clerk as the actor: consent is recorded `how: clerk`, with how the person asked (at the
counter, by phone, by letter). A phone or email changed clears the problem shown for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import reading
from citations.http.deps import EngineDep
from citations.online.help_contact import update_contact
from citations.outreach.optout import opted_out
from citations.record.contact import phone_for_people
from citations.record.messages import Channel
from citations.record.tables import Citation
from citations.roles import Action
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.forms import Desk, FormPage, Parser, Values, show_form, submit_form
from citations.web.guard import web_router
from citations.web.pages import person, render

router = web_router()

MEANS = {"counter": "at the counter", "phone": "by phone", "letter": "by letter"}
"""How the person asked the clerk: recorded with each consent the clerk records."""


def _shown_phone(citation: Citation, desk: Desk) -> str:
    country = desk.profile.holiday_calendar.country
    return phone_for_people(citation.phone, country) if citation.phone else ""


class ContactForm(FormPage):
    slug = "contact"
    template = "forms/contact.html"
    fields = frozenset({"phone", "email", "texts", "emails", "means"})
    action = Action.CHANGE_CONTACT

    def __init__(self, saved: bool = False) -> None:
        self.saved = saved

    def defaults(self, desk: Desk) -> Values:
        citation = desk.citation
        return {
            "phone": _shown_phone(citation, desk),
            "email": citation.email or "",
            "texts": "yes" if citation.texts_consent else "",
            "emails": "yes" if citation.emails_consent else "",
        }

    def extra(self, desk: Desk) -> dict[str, Any]:
        citation, session = desk.citation, desk.session
        stopped = {
            channel: address is not None and opted_out(session, channel, address)
            for channel, address in (
                (Channel.TEXT.value, citation.phone),
                (Channel.EMAIL.value, citation.email),
            )
        }
        return {
            "saved": self.saved,
            "phone_problem": citation.phone_problem,
            "email_problem": citation.email_problem,
            "stopped": stopped,
            "records": [
                {**entry, "at": desk.formats.moment(datetime.fromisoformat(entry["at"]))}
                for entry in reversed(citation.consent or [])
            ],
            "means": [(key, words.capitalize()) for key, words in MEANS.items()],
        }

    def act(self, desk: Desk, read: Parser) -> None:
        means = read.choice("means", MEANS, "choose how the person asked")
        phone, email = read.text("phone"), read.text("email")
        texts, emails = read.text("texts") == "yes", read.text("emails") == "yes"
        read.submit(
            lambda: update_contact(
                desk.session,
                desk.citation.number,
                address=None,
                phone=phone,
                email=email,
                texts=texts,
                emails=emails,
                means=MEANS.get(means or ""),
                actor=desk.actor,
                now=desk.now,
            )
        )


@router.get("/citations/{number}/contact")
def contact_form(
    number: str,
    request: Request,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
    saved: str = "",
) -> Response:
    return show_form(request, ContactForm(saved=bool(saved)), number, actor, engine, now, None)


@router.post("/citations/{number}/contact")
def contact_submit(
    number: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """The form's own step; done, it comes back to the form (saying so), which shows the
    contact as it now stands and links back to the citation and the list."""
    answer = submit_form(request, ContactForm(), number, form, actor, engine, now)
    if answer.status_code == 303:
        done = f"?done={ContactForm.slug}"
        answer.headers["location"] = answer.headers["location"].replace(
            done, f"/{ContactForm.slug}?saved=1"
        )
    return answer


@dataclass(frozen=True)
class Problem:
    number: str
    name: str
    channel: str
    """`text` or `email`."""
    address: str
    problem: str


def contact_problems(session: Session, country: str) -> list[Problem]:
    """Every phone and email that stopped working, oldest citation first."""
    citations = session.scalars(
        select(Citation)
        .where(or_(Citation.phone_problem.is_not(None), Citation.email_problem.is_not(None)))
        .order_by(Citation.id)
    )
    rows = []
    for citation in citations:
        name = person(citation.subject)
        if citation.phone_problem is not None:
            phone = phone_for_people(citation.phone, country) if citation.phone else ""
            rows.append(Problem(citation.number, name, "text", phone, citation.phone_problem))
        if citation.email_problem is not None:
            email = citation.email or ""
            rows.append(Problem(citation.number, name, "email", email, citation.email_problem))
    return rows


@router.get("/contacts")
def contacts(request: Request, actor: ActorDep, engine: EngineDep) -> Response:
    actor.require(Action.CHANGE_CONTACT)
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        rows = contact_problems(session, profile.holiday_calendar.country)
        return render(request, "contacts.html", rows=rows)
