"""The clerks' contact form (phone, email and consent to reminders, at the person's request)
and the list of phones and emails that stopped working, each fixed from it (both
backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.record.tables import Citation
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page
from tests.test_web_forms import error_at

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Web = tuple[TestClient, Desk, str]


@pytest.fixture
def web(filled: Desk, database_url: str) -> Iterator[Web]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client, filled, sign_in(client, filled.tokens["clerk"])


def citation(engine: Engine, number: str) -> Citation:
    with transaction(engine) as session:
        found = session.scalars(select(Citation).where(Citation.number == number)).one()
        session.expunge(found)
        return found


def form(number: str) -> str:
    return f"/clerk/citations/{number}/contact"


def test_a_clerk_records_phone_email_and_consent_as_the_person_asks(
    web: Web, engine: Engine
) -> None:
    client, desk, csrf = web
    number = desk.numbers["issued"]
    page = Page(client.get(form(number)).text)
    assert page.attrs["f-phone"]["value"] == "" and "checked" not in page.attrs["f-texts"]
    assert "/clerk/contacts" in page.links  # the navigation's list of contacts to fix
    answer = client.post(
        form(number),
        data={
            "csrf_token": csrf,
            "phone": "(510) 555-0123",
            "email": "Ana.Reyes@Example.org",
            "texts": "yes",
            "means": "phone",
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/clerk/citations/{number}/contact?saved=1"
    saved = Page(client.get(answer.headers["location"]).text)
    assert "The contact is recorded." in saved.words("main")
    assert saved.attrs["f-phone"]["value"] == "(510) 555-0123"  # shown as people write it
    assert "checked" in saved.attrs["f-texts"] and "checked" not in saved.attrs["f-emails"]
    stored = citation(engine, number)
    assert (stored.phone, stored.email) == ("+15105550123", "ana.reyes@example.org")
    assert (stored.texts_consent, stored.emails_consent) == (True, False)
    assert stored.consent == [
        {
            "channel": "text",
            "given": True,
            "address": "+15105550123",
            "at": CLOCK.isoformat(),
            "by": "token 1 (clerk desk)",
            "how": "clerk",
            "record": "by phone",
        }
    ]
    with transaction(engine) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_key == number, AuditEvent.actor == "token 1 (clerk desk)"
            )
        ).all()
    assert actions == ["citation.contact_changed", "citation.consent_changed"]


def test_the_form_says_what_is_missing_and_keeps_what_was_typed(web: Web, engine: Engine) -> None:
    client, desk, csrf = web
    number = desk.numbers["issued"]
    answer = client.post(
        form(number), data={"csrf_token": csrf, "email": "ana at home", "texts": "yes"}
    )
    assert answer.status_code == 422
    page = Page(answer.text)
    assert error_at(page, "means") == "Error: choose how the person asked"
    assert error_at(page, "email") == "Error: write an email address such as name@example.com"
    assert page.attrs["f-email"]["value"] == "ana at home"
    answer = client.post(form(number), data={"csrf_token": csrf, "texts": "yes", "means": "letter"})
    assert error_at(Page(answer.text), "texts") == "Error: to get texts, give a phone number"
    assert client.post(
        form(number), data={"phone": "5105550123", "means": "phone"}
    ).status_code == (403)  # no form token
    assert citation(engine, number).phone is None


def test_the_contacts_that_stopped_working_are_listed_and_fixed_from_the_list(
    web: Web, engine: Engine
) -> None:
    client, desk, csrf = web
    number = desk.numbers["issued"]
    with transaction(engine) as session:
        flagged = session.scalars(select(Citation).where(Citation.number == number)).one()
        flagged.phone, flagged.texts_consent = "+15105550123", True
        flagged.phone_problem = "texts cannot reach +15105550123: the number is a landline"
    listed = Page(client.get("/clerk/contacts").text)
    assert "(510) 555-0123" in listed.words("main")
    assert "the number is a landline" in listed.words("main")
    assert form(number) in listed.links
    page = Page(client.get(form(number)).text)
    assert "Texts stopped: texts cannot reach" in page.words("main")
    client.post(
        form(number),
        data={"csrf_token": csrf, "phone": "510 555 0177", "texts": "yes", "means": "counter"},
    )
    assert citation(engine, number).phone_problem is None
    assert "Nothing to fix" in Page(client.get("/clerk/contacts").text).words("main")


def test_only_clerks_and_admins_change_contact(web: Web) -> None:
    client, desk, csrf = web
    number = desk.numbers["issued"]
    for role, allowed in (("hearing_officer", False), ("admin", True)):
        client.post("/clerk/logout", data={"csrf_token": csrf})
        csrf = sign_in(client, desk.tokens[role])
        assert client.get("/clerk/contacts").status_code == (200 if allowed else 403)
        assert client.get(form(number)).status_code == (200 if allowed else 403)
        links = Page(client.get("/clerk/contests").text).links
        assert ("/clerk/contacts" in links) is allowed
