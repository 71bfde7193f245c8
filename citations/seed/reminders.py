"""The reminders experiment in a seeded program.

A citation issued on a day the profile's experiment runs gets the experiment and its arm as
issuing gives them (`Experiment.arm_for(number)`). What its person then does depends on the
arm, with effects of the size published trials found: in Tulsa 63% of people reminded by text
paid on time against 48% without, and in New York City text reminders cut failures to appear
by 26%. So a reminder brings some of the people who would have paid late (or not at all) to
pay by the deadline, and makes a missed hearing rarer; everything else about the program is
as without the experiment. Every draw comes from the seed's generator, so the same seed makes
the same program.

The reminded arms also get the reminders they were sent (`outbox_messages`, status sent):
before the notice's pay-by date at the profile's offsets, until the person acted, and before
a hearing; by text to a phone, else by email, to people who agreed to them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from citations.calendar import local_at, zone_of
from citations.record.messages import Channel, MessageStatus, OutboxMessage
from ordinances.models import Jurisdiction

from .people import Person
from .rows import Rows, table

PAYS_ON_TIME = 0.42
"""Without reminders, the share of people who pay in full by the deadline (`life.life_of`)."""
LATE_FROM = 0.72
"""Draws from here on are people who pay late or not at all (`life.life_of`)."""
REMEMBERS = 0.40
"""Of the people who would have paid late or not at all, the share a reminder brings to pay
by the deadline: with the 28% who do not respond at all, about 11 points more pay on time."""
MISSES_HEARING = 0.25
"""The share of people with a hearing who miss it, without reminders."""
FEWER_MISSED = 0.26
"""How much reminders cut missed hearings (New York City: 26% fewer failures to appear)."""


@dataclass(frozen=True)
class Assignment:
    """A citation's place in the experiment, as issuing records it."""

    experiment: str
    arm: str
    reminded: bool
    wording: str


def assign(profile: Jurisdiction, number: str, day: date) -> Assignment | None:
    """The experiment and arm of citation `number` issued on `day`, or None when no
    experiment runs that day.

    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> assign(profile, "DCPD-2025-000001-9", date(2025, 12, 31)) is None
    True
    >>> a = assign(profile, "DCPD-2026-000001-5", date(2026, 3, 2))
    >>> a.experiment, a.arm == profile.reminders.experiment.arm_for("DCPD-2026-000001-5").id
    ('reminders-2026', True)
    """
    experiment = profile.reminders.experiment
    if experiment is None or not experiment.runs_on(day):
        return None
    arm = experiment.arm_for(number)
    return Assignment(experiment.id, arm.id, arm.reminders, arm.wording)


@dataclass(frozen=True)
class Nudge:
    """What a citation's person does because of the reminders they get (nothing, without)."""

    remembers: bool
    """Someone who would have paid late (or not at all) pays by the deadline instead."""
    payday: float
    """Where in the on-time payers' draws they then land (0 to 1)."""
    misses_hearing: bool
    """They miss their hearing, if they have one."""

    def roll(self, drawn: float) -> float:
        """The life's draw (`life.life_of`), moved for a person a reminder brought in time."""
        if self.remembers and drawn >= LATE_FROM:
            return self.payday * PAYS_ON_TIME
        return drawn


def nudge(rng: random.Random, assignment: Assignment | None) -> Nudge:
    """The nudge of one citation: three draws for every citation, whatever its arm."""
    reminded = assignment is not None and assignment.reminded
    remember, payday, miss = rng.random(), rng.random(), rng.random()
    missing = MISSES_HEARING * (1 - FEWER_MISSED) if reminded else MISSES_HEARING
    return Nudge(reminded and remember < REMEMBERS, payday, miss < missing)


def contact(person: Person, moment: datetime) -> dict[str, Any]:
    """The citation's contact columns: the person's phone and email, each with consent to
    reminders given on the officer's device."""
    consent = [
        {
            "channel": channel,
            "given": True,
            "at": moment.isoformat(),
            "by": "officer",
            "how": "device",
        }
        for channel, address in (("text", person.phone), ("email", person.email))
        if address
    ]
    return {
        "phone": person.phone,
        "email": person.email,
        "texts_consent": person.phone is not None,
        "emails_consent": person.email is not None,
        "consent": consent or None,
    }


def write_reminders(
    rows: Rows,
    citation_id: int,
    *,
    assignment: Assignment | None,
    person: Person,
    language: str,
    moment: datetime,
    pay_by: date,
    acted_after: int | None,
    hearing_after: int | None,
    now: datetime,
    profile: Jurisdiction,
) -> None:
    """Queue the reminders a reminded citation was sent by `now`: before the pay-by date at
    the profile's offsets while the person had not acted yet (`acted_after`: days after the
    violation, None for never), and before a hearing held or missed `hearing_after` days
    after the violation."""
    if assignment is None or not assignment.reminded:
        return
    channel, address = (
        (Channel.TEXT, person.phone) if person.phone else (Channel.EMAIL, person.email)
    )
    if address is None:
        return
    zone = zone_of(profile)
    hour, minute = (int(part) for part in profile.reminders.send_at.split(":"))
    acted = None if acted_after is None else moment + timedelta(days=acted_after)
    dated: list[tuple[str, date, int]] = [
        ("pay_by", pay_by, days) for days in profile.reminders.pay_by
    ]
    if hearing_after is not None:
        day = (moment + timedelta(days=hearing_after)).date()
        dated += [("hearing", day, days) for days in profile.reminders.hearing]
    for about, on, days in dated:
        send_at = local_at(on - timedelta(days=days), time(hour, minute), zone)
        if send_at >= now or (about == "pay_by" and acted is not None and acted <= send_at):
            continue
        # Columns left out (cancelled_at, cancel_reason, error, batch_id) are NULL.
        rows.add(
            table(OutboxMessage),
            {
                "citation_id": citation_id,
                # As the outbox's plan keys them: about, record, date, offset, channel.
                "key": f"{about}|-|{on.isoformat()}|{days}|{channel.value}",
                "kind": f"before_{about}",
                "about": about,
                "due_on": local_at(on + timedelta(days=1), time.min, zone),
                "channel": channel.value,
                "language": language,
                "wording": assignment.wording,
                "send_at": send_at,
                "next_try_at": send_at,
                "status": MessageStatus.SENT.value,
                "attempts": 1,
                "facts": {"date": on.isoformat(), "days_before": days},
                "created_at": moment,
                "claimed_at": send_at,
                "claimed_by": "seed",
                "sent_at": send_at,
                "address": address,
                "provider_id": f"seed-{citation_id}-{about}-{days}",
                "body": f"Reminder (synthetic): {about.replace('_', ' ')} {on.isoformat()}.",
            },
        )
