"""How a new citation's notice reaches the person, and so when its deadlines start.

Handed over at the scene, the notice's deadlines count from the violation date: the person
holds it from that day. But devices that worked offline sync late, and records systems send
days later: a record that reaches the city with fewer days left than the profile's
`service.min_days_left_on_arrival` is served again by mail, with deadlines counted from the
mailing, so no one is issued a notice whose time has already run out. A notice the sender
asks the city to mail has no deadlines until it is mailed (`citations.notice.mailing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citations.calendar import deadline_dates
from citations.errors import FieldError, InputRejected
from citations.issuing.intake import IntakeMessage
from ordinances.models import Jurisdiction

PERSONAL = "personal"
MAIL = "mail"


@dataclass(frozen=True)
class Service:
    method: str
    """`personal` or `mail`."""
    served_on: date | None
    """When its deadlines start; None until a mailed notice is mailed."""
    note: str | None = None
    """Why a record handed over at the scene is served again by mail, for the sender."""
    attention: str | None = None
    """Why a clerk must act (nothing to mail a notice to)."""


def service_of(
    message: IntakeMessage, violation_date: date, today: date, profile: Jurisdiction
) -> Service:
    """How the notice of `message`, received on `today`, is served."""
    has_address = message.subject.address is not None
    if message.service == MAIL:
        if not has_address:
            raise InputRejected(
                [FieldError("subject.address", "required when the notice is to be mailed")]
            )
        return Service(MAIL, None)
    first = min(deadline_dates(violation_date, profile))
    left = (first - today).days
    needed = profile.service.min_days_left_on_arrival
    if left >= needed:
        return Service(PERSONAL, violation_date)
    note = (
        f"the record reached the city on {today.isoformat()}, "
        + (f"{left} days before" if left >= 0 else f"{-left} days after")
        + f" the notice's first deadline ({first.isoformat()}; at least {needed} days are"
        " needed): the notice is served again by mail and its deadlines count from the mailing"
    )
    attention = None
    if not has_address:
        attention = (
            "arrived too late to keep the deadlines of the notice handed over at the scene, and"
            " has no address to mail a new notice to: record an address to serve it"
        )
    return Service(MAIL, None, note=note, attention=attention)
