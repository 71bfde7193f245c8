"""What the reminders' planner writes for a message of a given kind, for the tests that put
outbox rows in by hand (the sender's, the letters', the pages that list messages).

Such a row must be one the plan could have written: its words are rendered from its facts
(a row with facts the plan never writes fails to render), and the commit hook brings a
touched citation's pending rows up to date with the plan (a row whose key the plan does not
want is cancelled). So the row is taken from the plan itself (`citations.outreach.plan.
wanted`), run over the test citation's real schedule: its pay-by kinds are exactly the rows
the sync writes for that citation. A kind about a date the citation does not have (a
hearing, an installment, ...) is planned over its schedule plus one such date, made as the
schedule makes it (`citations.schedule`), a few weeks after the notice's deadline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.outreach.plan import KINDS, Person, Wanted, wanted
from citations.outreach.reach import Reach
from citations.record.messages import MessageStatus, OutboxMessage
from citations.record.tables import Citation
from citations.schedule import Dated, Schedule, schedule_of
from ordinances.models import Jurisdiction
from tests.conftest import NOW

HEARING = 1
"""The id a planned hearing has unless told (the `hearing` fact, and `hearing.1` in keys)."""
PLACE = "City Hall East, Room 101"
"""Where a planned hearing sits."""
PLAN, SERVICE, REFERRAL, ORDER = 1, 1, 1, 1
"""The records the other planned dates belong to."""
PENDING = MessageStatus.PENDING.value


def plan_of(
    session: Session,
    citation: Citation,
    kind: str,
    channel: str,
    *,
    language: str | None = None,
    hearing: int = HEARING,
) -> list[Wanted]:
    """The plan's messages of `kind` for `citation`, by the time each goes, as written for
    `channel` (the plan chooses the channel from how the person can be reached; the moment,
    key and facts are the same on every channel, only the key's last part names it)."""
    profile = PublishedCatalog(session).jurisdiction()
    real = schedule_of(session, citation, profile)
    schedule = replace(real, dates=[*real.dates, *_dates_for(kind, real, profile, hearing)])
    person = Person(
        status=citation.status,
        language=language or citation.notice_language,
        experiment=None,
        arm=None,
        reach=Reach(channels=("text",), post=False),
    )
    messages = sorted(
        (m for m in wanted(schedule, person, profile, now=NOW) if m.kind == kind),
        key=lambda m: m.send_at,
    )
    assert messages, f"the plan writes no {kind} for {schedule}"
    return [
        replace(m, key=f"{m.key.rsplit('|', 1)[0]}|{channel}", channel=channel) for m in messages
    ]


def put(
    session: Session,
    citation: Citation,
    kind: str,
    channel: str,
    *,
    nth: int | None = None,
    key: str | None = None,
    language: str | None = None,
    hearing: int = HEARING,
    **columns: Any,
) -> OutboxMessage:
    """The outbox row of the plan's `nth` message of `kind` for `citation` on `channel`
    (`plan_of`), with `columns` set (`send_at`, `status`, ...; `next_try_at` is `send_at`
    unless given); flushed.

    A row the citation already has for that message is that message: it is updated, not
    written twice (the sync writes the rows the citation's profile and contact call for).
    Without `nth`, the first of the plan's messages of that kind that the citation has no
    row for, or only a pending one. `key` names a row the plan does not know (a test of the
    sender alone); its facts are still the plan's for `kind`, and none for a kind the plan
    never writes."""
    held = {
        row.key: row
        for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.citation_id == citation.id)
        )
    }
    values: dict[str, Any] = {"kind": kind, "channel": channel, "about": "pay_by", "facts": {}}
    if kind in KINDS:
        messages = plan_of(session, citation, kind, channel, language=language, hearing=hearing)
        if nth is None and key is None:
            free = [m for m in messages if m.key not in held or held[m.key].status == PENDING]
            assert free, f"every {kind} on {channel} for {citation.number} is already written"
            message = free[0]
        else:
            message = messages[nth or 0]
        values |= {
            "key": message.key,
            "about": message.about,
            "due_on": message.due_on,
            "language": message.language,
            "wording": message.wording,
            "send_at": message.send_at,
            "facts": message.facts,
        }
    if key is not None:
        values["key"] = key
    if language is not None:
        values["language"] = language
    values |= columns
    values.setdefault("next_try_at", values.get("send_at"))
    assert "key" in values, f"the plan never writes {kind}: name the row's key"
    row = held.get(values["key"])
    if row is None:
        defaults = {"language": citation.notice_language, "wording": "standard", "attempts": 0}
        defaults |= {"status": PENDING, "created_at": NOW}
        row = OutboxMessage(citation_id=citation.id, **(defaults | values))
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


_ABOUT = {"hearing_today": "hearing", "hearing_set": "hearing", "hearing_moved": "hearing"}


def _dates_for(kind: str, schedule: Schedule, profile: Jurisdiction, hearing: int) -> list[Dated]:
    """The dates a message of `kind` is about, when the schedule lacks them."""
    about = _ABOUT.get(kind, kind.removeprefix("before_").removeprefix("missed_"))
    if about == "pay_by" or any(
        d.key == about and d.open and (kind != "hearing_moved" or d.facts.get("replaces"))
        for d in schedule.dates
    ):
        return []
    base = next((d.on for d in schedule.dates if d.key == "pay_by"), date(2026, 12, 10))
    if about == "hearing":
        return _hearings(base, profile, hearing, moved=kind == "hearing_moved")
    made: dict[str, Dated] = {
        "hearing_request_by": Dated(
            "hearing_request_by", base + timedelta(days=15), "Ask for a hearing by", True
        ),
        "deposit_due": Dated(
            "deposit_due", base + timedelta(days=15), "Pay the hearing deposit by", True
        ),
        "installment": Dated(
            "installment",
            base + timedelta(days=30),
            f"Installment 2 of plan {PLAN} due",
            True,
            ref=f"plan:{PLAN}:2",
            facts={
                "plan": PLAN,
                "installment": 2,
                "installments": 4,
                "amount_cents": 6250,
                "paid_cents": 0,
            },
        ),
        "service_deadline": Dated(
            "service_deadline",
            base + timedelta(days=60),
            "Finish community service by",
            True,
            ref=f"service:{SERVICE}",
            facts={"minutes_required": 1200},
        ),
        "program_deadline": Dated(
            "program_deadline",
            base + timedelta(days=60),
            "Complete the program by",
            True,
            ref=f"program:{REFERRAL}",
            facts={"program": profile.programs[0].id if profile.programs else None},
        ),
        "set_aside_by": Dated(
            "set_aside_by",
            base + timedelta(days=40),
            "Ask to set aside the default by",
            True,
            ref=f"order:{ORDER}",
        ),
    }
    return [made[about]] if about in made else []


def _hearings(base: date, profile: Jurisdiction, hearing: int, *, moved: bool) -> list[Dated]:
    """A hearing three weeks after `base` at 09:00, set the week before; when `moved`, set
    again two weeks later (the first one postponed), as a continuance leaves them."""
    zone = zone_of(profile)
    first = datetime.combine(base + timedelta(days=21), time(9), tzinfo=zone)
    if not moved:
        return [_hearing(hearing, first, set_at=first - timedelta(days=7))]
    again = first + timedelta(days=14)
    return [
        _hearing(hearing + 1, first, set_at=first, status="postponed"),
        _hearing(hearing, again, set_at=first, replaces=first),
    ]


def _hearing(
    hearing: int,
    at: datetime,
    *,
    set_at: datetime,
    status: str = "scheduled",
    replaces: datetime | None = None,
) -> Dated:
    facts: dict[str, Any] = {
        "hearing": hearing,
        "status": status,
        "mode": "in_person",
        "place": PLACE,
        "remote_link": None,
        "set_at": set_at.isoformat(),
        "replaces": None if replaces is None else replaces.isoformat(),
    }
    return Dated(
        "hearing",
        at.date(),
        "Hearing",
        status == "scheduled",
        at=at,
        detail=PLACE,
        ref=f"hearing:{hearing}",
        facts=facts,
    )
