"""The intake message's `contact`: the person's phone and email for reminders, and the
consent the officer's device recorded, checked when the message is decided and written on
the new citation.

The message's schema checks the form of each value; what needs the jurisdiction (reading a
phone with the city's country) or the whole block (consent without an address to use) is
checked here, and a message that fails is refused with every problem, as for other fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from citations.audit import event_fields
from citations.calendar import CLOCK_SKEW
from citations.errors import FieldError, InputRejected
from citations.issuing.intake import IntakeMessage
from citations.record.consent import ConsentHow, consent_entry
from citations.record.contact import phone_e164
from citations.record.messages import Channel
from ordinances.models import Jurisdiction


def check_contact(message: IntakeMessage, profile: Jurisdiction, now: datetime) -> None:
    """Refuse a contact block the city cannot use as sent (InputRejected, every problem)."""
    contact = message.contact
    if contact is None:
        return
    errors: list[FieldError] = []
    if contact.phone is not None:
        try:
            phone_e164(contact.phone, profile.holiday_calendar.country, field="contact.phone")
        except InputRejected as exc:
            errors += exc.errors
    if contact.texts and contact.phone is None:
        errors.append(FieldError("contact.texts", "consent to texts needs contact.phone"))
    if contact.emails and contact.email is None:
        errors.append(FieldError("contact.emails", "consent to emails needs contact.email"))
    consented = contact.texts or contact.emails
    for name in ("consent_at", "consent_record"):
        if getattr(contact, name) is not None and not consented:
            errors.append(
                FieldError(f"contact.{name}", "sent without consent: texts and emails are false")
            )
    if contact.consent_at is not None and contact.consent_at > now + CLOCK_SKEW:
        errors.append(
            FieldError("contact.consent_at", f"{contact.consent_at.isoformat()} is in the future")
        )
    if errors:
        raise InputRejected(errors, "the contact cannot be used as sent")


def contact_columns(message: IntakeMessage, profile: Jurisdiction, *, by: str) -> dict[str, Any]:
    """The new citation's contact columns from a message `check_contact` accepted (the same
    keys for every message: a batch inserts its rows together)."""
    contact = message.contact
    columns: dict[str, Any] = {
        "phone": None,
        "email": None,
        "texts_consent": False,
        "emails_consent": False,
        "consent": None,
    }
    if contact is None:
        return columns
    phone = None
    if contact.phone is not None:
        phone = phone_e164(contact.phone, profile.holiday_calendar.country)
    at = contact.consent_at or message.violation_at
    given = [
        (channel, address)
        for channel, wanted, address in (
            (Channel.TEXT.value, contact.texts, phone),
            (Channel.EMAIL.value, contact.emails, contact.email),
        )
        if wanted
    ]
    records = [
        consent_entry(
            channel,
            True,
            address=address,
            at=at,
            by=by,
            how=ConsentHow.DEVICE,
            record=contact.consent_record,
        )
        for channel, address in given
    ]
    return {
        "phone": phone,
        "email": contact.email,
        "texts_consent": contact.texts,
        "emails_consent": contact.emails,
        "consent": records or None,
    }


def consent_event(
    number: str, columns: dict[str, Any], *, actor: str, now: datetime
) -> dict[str, Any] | None:
    """The audit event of the consent a new citation was issued with, if any (the same
    `citation.consent_changed` every later change records)."""
    if not columns["consent"]:
        return None
    return event_fields(
        at=now,
        actor=actor,
        action="citation.consent_changed",
        entity_type="citation",
        entity_key=number,
        reason="consent device",
        before={Channel.TEXT.value: False, Channel.EMAIL.value: False},
        after={
            Channel.TEXT.value: columns["texts_consent"],
            Channel.EMAIL.value: columns["emails_consent"],
            "records": columns["consent"],
        },
    )
