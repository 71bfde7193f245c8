"""The person's phone, email and consent to reminders: from the officer's device (the intake
message's `contact`, each way it can be wrong refused with its field's message), and kept
current by the person or a clerk, each change of consent recorded and audited (both
backends)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected
from citations.online.help_contact import update_contact
from citations.outreach.optout import opt_out, opted_out
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import OPERATOR, Actor, Role, cited_person
from tests.conftest import NOW
from tests.factories import intake, message, prepare, send
from tests.money_steps import at

DEVICE = Actor("officer token unit-12", Role.OFFICER, "DCPD")
CLERK = Actor("clerk Jo", Role.CLERK)
SIGNED_AT = "2026-11-20T22:10:00-08:00"
LATER = at("2026-11-25")


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def citation_of(engine: Engine, number: str) -> Citation:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        session.expunge(citation)
        return citation


def records(citation: Citation) -> list[dict[str, Any]]:
    """The citation's consent records (there must be some)."""
    assert isinstance(citation.consent, list)
    return citation.consent


def after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def events(engine: Engine, number: str, action: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        found = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_key == number, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
        session.expunge_all()
        return list(found)


def issue_with(engine: Engine, **contact: Any) -> str:
    number = send(engine, message(contact=contact), DEVICE).result.citation_number
    assert number is not None
    return number


# From the officer's device ---------------------------------------------------------------


def test_the_device_sends_phone_email_and_consent_to_each(ready: Engine) -> None:
    number = issue_with(
        ready,
        phone="(510) 555-0123",
        email="Maria.Lopez@Example.org",
        texts=True,
        emails=True,
        consent_at=SIGNED_AT,
        consent_record="signature 8841: 'The city may text me reminders.'",
    )
    citation = citation_of(ready, number)
    # Kept in one form: E.164, and the email in lower case.
    assert (citation.phone, citation.email) == ("+15105550123", "maria.lopez@example.org")
    assert (citation.texts_consent, citation.emails_consent) == (True, True)
    assert citation.consent == [
        {
            "channel": channel,
            "given": True,
            "address": address,
            "at": "2026-11-20T22:10:00-08:00",
            "by": "officer token unit-12",
            "how": "device",
            "record": "signature 8841: 'The city may text me reminders.'",
        }
        for channel, address in (("text", "+15105550123"), ("email", "maria.lopez@example.org"))
    ]
    [event] = events(ready, number, "citation.consent_changed")
    assert (event.actor, event.before) == ("officer token unit-12", {"text": False, "email": False})
    assert after(event)["text"] is True and after(event)["records"] == citation.consent


def test_a_phone_alone_is_kept_without_consent_and_consent_alone_is_per_channel(
    ready: Engine,
) -> None:
    plain = citation_of(ready, issue_with(ready, phone="+52 55 1234 5678"))
    assert (plain.phone, plain.texts_consent, plain.consent) == ("+525512345678", False, None)
    assert events(ready, plain.number, "citation.consent_changed") == []
    # Consent to emails only, without a time: recorded at the violation's time.
    emails = citation_of(ready, issue_with(ready, email="ana@example.org", emails=True))
    assert (emails.texts_consent, emails.emails_consent) == (False, True)
    [entry] = records(emails)
    assert (entry["channel"], entry["at"], entry["record"]) == (
        "email",
        "2026-11-20T22:15:00-08:00",
        None,
    )


def test_a_message_without_contact_is_fingerprinted_as_before_the_field_existed() -> None:
    # A resend of a message received before the upgrade replays instead of conflicting.
    assert "contact" not in intake().model_dump(mode="json")
    assert "contact" in intake(contact={"phone": "5105550123"}).model_dump(mode="json")


def test_the_published_schema_describes_the_contact_block() -> None:
    from citations.issuing.intake import intake_schema

    schema = intake_schema()
    assert schema["properties"]["contact"]["anyOf"][0] == {"$ref": "#/$defs/Contact"}
    contact = schema["$defs"]["Contact"]
    assert contact["additionalProperties"] is False  # a misspelt key is refused, not ignored
    assert set(contact["properties"]) == {
        "phone",
        "email",
        "texts",
        "emails",
        "consent_at",
        "consent_record",
    }
    assert contact["properties"]["texts"] == {"default": False, "title": "Texts", "type": "boolean"}


BAD = [
    (
        {"texts": True},
        "contact.texts",
        "consent to texts needs contact.phone",
    ),
    (
        {"phone": "(510) 555-0123", "emails": True},
        "contact.emails",
        "consent to emails needs contact.email",
    ),
    (
        {"phone": "call me"},
        "contact.phone",
        "write a phone number with its area code, such as (510) 555-0123 or +1 510 555 0123",
    ),
    (
        {"phone": "555-0123"},
        "contact.phone",
        "write the number with its area code, such as (510) 555-0123 or +1 510 555 0123",
    ),
    (
        {"phone": "510 555 01234"},
        "contact.phone",
        "the number has too many digits: write it with its area code, such as (510) 555-0123"
        " or +1 510 555 0123",
    ),
    (
        {"phone": "(510) 555-0123 ext. 4"},
        "contact.phone",
        "write the number without an extension: texts reach a mobile phone",
    ),
    (
        {"email": "maria at home"},
        "contact.email",
        "write an email address such as name@example.com",
    ),
    (
        {"phone": "5105550123", "texts": True, "consent_at": "2026-11-30T10:00:00-08:00"},
        "contact.consent_at",
        "2026-11-30T10:00:00-08:00 is in the future",
    ),
    (
        {"phone": "5105550123", "consent_at": "2026-11-20T22:10:00"},
        "contact.consent_at",
        "Input should have timezone info",
    ),
    (
        {"phone": "5105550123", "consent_record": "signature 8841"},
        "contact.consent_record",
        "sent without consent: texts and emails are false",
    ),
    ({"phone": "5105550123", "sms": True}, "contact.sms", "unknown field"),
    ({"phone": "5105550123", "texts": "maybe"}, "contact.texts", "Input should be a valid boolean"),
]


@pytest.mark.parametrize(
    ("contact", "field", "said"), BAD, ids=[b[1] + "-" + b[2][:20] for b in BAD]
)
def test_each_way_a_contact_can_be_wrong_is_refused_with_its_field(
    ready: Engine, contact: dict[str, Any], field: str, said: str
) -> None:
    from pydantic import ValidationError

    from citations.issuing.intake import validation_errors

    try:
        body = intake(contact=contact)
    except ValidationError as exc:  # the schema's own checks, as the batch and API report them
        problems = [(e.field, e.message) for e in validation_errors(exc)]
    else:
        with pytest.raises(InputRejected) as refused:
            send(ready, body.model_dump(mode="json"), DEVICE)
        problems = [(e.field, e.message) for e in refused.value.errors]
    assert any(f == field and m.startswith(said) for f, m in problems), problems
    with transaction(ready) as session:
        assert session.scalars(select(Citation)).first() is None


def test_every_contact_problem_is_reported_at_once(ready: Engine) -> None:
    body = message(contact={"phone": "123", "emails": True, "consent_record": "wording v2"})
    with pytest.raises(InputRejected) as refused:
        send(ready, body, DEVICE)
    assert [e.field for e in refused.value.errors] == ["contact.phone", "contact.emails"]


# Kept current by the person or a clerk --------------------------------------------------


def test_the_person_gives_and_withdraws_consent_per_channel(ready: Engine) -> None:
    number = issue_with(ready)
    person = cited_person(number)
    with transaction(ready) as session, pytest.raises(InputRejected) as refused:
        update_contact(
            session, number, address=None, phone="", email="", texts=True, emails=True,
            actor=person, now=LATER,
        )  # fmt: skip
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("texts", "to get texts, give a phone number"),
        ("emails", "to get emails, give an email address"),
    ]
    with transaction(ready) as session:
        change = update_contact(
            session, number, address=None, phone="510-555-0123", email="", texts=True,
            emails=False, actor=person, now=LATER,
        )  # fmt: skip
    assert change.changed == ["phone", "texts"]
    citation = citation_of(ready, number)
    assert (citation.phone, citation.texts_consent, citation.emails_consent) == (
        "+15105550123",
        True,
        False,
    )
    [entry] = records(citation)
    assert entry == {
        "channel": "text",
        "given": True,
        "address": "+15105550123",
        "at": LATER.isoformat(),
        "by": "the cited person, online",
        "how": "online",
        "record": None,
    }
    # The phone removed: the consent that went with it ends, recorded.
    with transaction(ready) as session:
        change = update_contact(
            session, number, address=None, phone="", email=None, actor=person, now=LATER
        )
    assert change.changed == ["phone", "texts"]
    citation = citation_of(ready, number)
    assert (citation.phone, citation.texts_consent) == (None, False)
    assert [(e["channel"], e["given"]) for e in records(citation)] == [
        ("text", True),
        ("text", False),
    ]
    consent_events = events(ready, number, "citation.consent_changed")
    assert [after(e)["text"] for e in consent_events] == [True, False]
    assert all(e.actor == "the cited person, online" for e in consent_events)


def test_a_clerk_records_a_new_number_which_clears_its_problem_and_renews_consent(
    ready: Engine,
) -> None:
    number = issue_with(ready, phone="5105550123", texts=True)
    with transaction(ready) as session:
        session.scalars(select(Citation)).one().phone_problem = "texts cannot reach +15105550123"
    with transaction(ready) as session:
        change = update_contact(
            session, number, address=None, phone="(510) 555-0188", email=None, texts=True,
            means="at the counter", actor=CLERK, now=LATER,
        )  # fmt: skip
    # Consent stands, at a new number: a new record, given for that number.
    assert change.changed == ["phone", "texts"]
    citation = citation_of(ready, number)
    assert (citation.phone, citation.phone_problem) == ("+15105550188", None)
    last = records(citation)[-1]
    assert (last["address"], last["how"], last["by"], last["record"]) == (
        "+15105550188",
        "clerk",
        "clerk Jo",
        "at the counter",
    )
    [changed] = events(ready, number, "citation.contact_changed")
    assert changed.before == {
        "phone": "+15105550123",
        "email": None,
        "phone_problem": "texts cannot reach +15105550123",
    }
    assert changed.after == {"phone": "+15105550188", "email": None, "phone_problem": None}


def test_consenting_again_to_emails_ends_an_unsubscribe_but_not_a_stop(ready: Engine) -> None:
    number = issue_with(ready, phone="5105550123", email="ana@example.org")
    with transaction(ready) as session:
        for channel, address in (("text", "+15105550123"), ("email", "ana@example.org")):
            opt_out(session, channel=channel, address=address, how="clerk", actor=CLERK, now=NOW)
    with transaction(ready) as session:
        change = update_contact(
            session, number, address=None, phone=None, email=None, texts=True, emails=True,
            actor=cited_person(number), now=LATER,
        )  # fmt: skip
        assert change.texts_stopped  # the provider's block lifts only with a reply of START
        assert opted_out(session, "text", "+15105550123")
        assert not opted_out(session, "email", "ANA@example.org")
    [resumed] = events(ready, number, "citation.emails_resumed")
    assert resumed.reason == "online"
