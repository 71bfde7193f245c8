"""Keeping one's contact current: the mailing address (`record_address`, which mails a
letter that came back again), phone and email, audited with what they were before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import FieldError, InputRejected
from citations.issuing.intake import Address
from citations.notice.address import record_address
from citations.record.lookup import lock_citation
from citations.record.tables import SentDocument
from citations.roles import Action, Actor

PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")
EMAIL = re.compile(r"^[^@\s\"<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def phone_number(typed: str) -> str:
    """A phone number as the person typed it, kept as digits with its leading `+` if any
    (7 to 15 digits, as E.164 allows); InputRejected with a plain message otherwise.

    >>> phone_number("(555) 010-2400")
    '5550102400'
    >>> phone_number("+52 55 1234 5678")
    '+525512345678'
    """
    text = typed.strip()
    digits = re.sub(r"[^0-9]", "", text)
    if not PHONE_CHARACTERS.match(text) or not 7 <= len(digits) <= 15 or "+" in text[1:]:
        raise InputRejected(
            [
                FieldError(
                    "phone",
                    "write a phone number with its area code, such as (555) 010-2400 "
                    "or +1 555 010 2400",
                )
            ],
            "the phone number was not understood",
        )
    return ("+" if text.startswith("+") else "") + digits


def email_address(typed: str) -> str:
    """An email address, checked for its form (one @, a domain with a dot, no spaces).

    >>> email_address(" maria@example.org ")
    'maria@example.org'
    """
    text = typed.strip()
    if len(text) > 254 or not EMAIL.match(text):
        raise InputRejected(
            [FieldError("email", "write an email address such as name@example.com")],
            "the email address was not understood",
        )
    return text


@dataclass(frozen=True)
class ContactChange:
    changed: list[str]
    """What changed: `address`, `phone`, `email`."""
    mailed: SentDocument | None
    """The letter mailed again to the new address (one that came back), if any."""


def update_contact(
    session: Session,
    number: str,
    *,
    address: Address | None,
    phone: str | None,
    email: str | None,
    actor: Actor,
    now: datetime,
) -> ContactChange:
    """Record the person's contact: `None` leaves a field as it is, an empty phone or email
    removes it. The address goes through `record_address`; phone and email are audited as
    `citation.contact_changed` with before and after.

    >>> # update_contact(session, number, address=None, phone="(555) 010-7788", email="",
    >>> #                actor=cited_person(number), now=now).changed
    >>> # ['phone', 'email']
    """
    actor.require(Action.CHANGE_CONTACT)
    citation = lock_citation(session, number, actor)
    problems: list[FieldError] = []
    new_phone, new_email = citation.phone, citation.email
    for name, typed, check in (("phone", phone, phone_number), ("email", email, email_address)):
        if typed is None:
            continue
        try:
            value = check(typed) if typed.strip() else None
        except InputRejected as exc:
            problems += exc.errors
            continue
        if name == "phone":
            new_phone = value
        else:
            new_email = value
    if problems:
        raise InputRejected(problems, "some fields need attention")
    changed = []
    mailed = None
    if address is not None and citation.subject.get("address") != address.model_dump(mode="json"):
        mailed = record_address(session, citation.number, address, actor=actor, now=now)
        changed.append("address")
    before = {"phone": citation.phone, "email": citation.email}
    after = {"phone": new_phone, "email": new_email}
    if before != after:
        citation.phone, citation.email = new_phone, new_email
        changed += [k for k in ("phone", "email") if before[k] != after[k]]
        record(
            session,
            at=now,
            actor=actor.name,
            action="citation.contact_changed",
            entity_type="citation",
            entity_key=citation.number,
            before=before,
            after=after,
        )
    if not changed:
        raise InputRejected(
            [FieldError("address", "this is already the contact on file")], "nothing changed"
        )
    return ContactChange(changed, mailed)
