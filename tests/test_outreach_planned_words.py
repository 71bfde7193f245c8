"""Every message the plan writes can be put into words: the plan (`citations.outreach.plan`)
run over schedules that between them have every date a reminder is about, with each
optional fact both present and missing (no late penalty, no collections, a contest-by date
later than the pay-by date or alone, a hearing in each mode with and without its place or
link), and each message rendered in every language and wording. So no template calls a
date or money helper on a fact the plan may leave out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from citations.outreach.plan import KINDS, Person, Wanted, wanted
from citations.outreach.reach import Reach
from citations.outreach.render import render_from
from citations.schedule import Dated, Schedule
from ordinances import load_catalog
from ordinances.catalog import DEMO_CATALOG

DEMO = load_catalog(DEMO_CATALOG).jurisdiction
ZONE = DEMO.time_zone
PAY_BY = date(2026, 12, 10)
PLANNED_AT = datetime.fromisoformat("2026-11-20T10:00:00-08:00")
LINK = "https://citations.demo-city.example/c/7K3M-Q9R0-PB2X-1AQ4"
PERSON = Person(
    status="issued", language="en", experiment=None, arm=None, reach=Reach(("text",), False)
)


def deadlines(
    pay_by: date | None = PAY_BY,
    review_by: date | None = PAY_BY,
    *,
    late: bool | None = True,
    collections: bool = True,
) -> list[Dated]:
    """The notice's deadlines, and after them the late penalty (`late`: a penalty, or only
    marked late; None: no such date) and the referral to collections."""
    dates = []
    if pay_by is not None:
        dates.append(Dated("pay_by", pay_by, "Pay by", True))
    if review_by is not None:
        dates.append(Dated("review_by", review_by, "Contest by", True))
    if late is not None:
        dates.append(
            Dated(
                "late_penalty", PAY_BY + timedelta(days=16), "Late", True, facts={"penalty": late}
            )
        )
    if collections:
        dates.append(Dated("collections", PAY_BY + timedelta(days=104), "Collections", True))
    return dates


def hearing(
    mode: str,
    place: str | None,
    link: str | None,
    *,
    number: int = 7,
    replaces: datetime | None = None,
) -> Dated:
    from zoneinfo import ZoneInfo

    at = datetime.combine(PAY_BY + timedelta(days=21), time(13), tzinfo=ZoneInfo(ZONE))
    at += timedelta(days=14) if replaces else timedelta()
    return Dated(
        "hearing",
        at.date(),
        "Hearing",
        True,
        at=at,
        ref=f"hearing:{number}",
        facts={
            "hearing": number,
            "status": "scheduled",
            "mode": mode,
            "place": place,
            "remote_link": link,
            "set_at": PLANNED_AT.isoformat(),
            "replaces": None if replaces is None else replaces.isoformat(),
        },
    )


def others(program: str | None) -> list[Dated]:
    """A date of every other kind a reminder is about."""
    return [
        Dated("hearing_request_by", PAY_BY + timedelta(days=15), "Ask", True),
        Dated("deposit_due", PAY_BY + timedelta(days=15), "Deposit", True),
        Dated(
            "installment",
            PAY_BY + timedelta(days=30),
            "Installment",
            True,
            ref="plan:3:2",
            facts={
                "plan": 3,
                "installment": 2,
                "installments": 4,
                "amount_cents": 6250,
                "paid_cents": 0,
            },
        ),
        Dated(
            "service_deadline",
            PAY_BY + timedelta(days=60),
            "Service",
            True,
            ref="service:4",
            facts={"minutes_required": 1200},
        ),
        Dated(
            "program_deadline",
            PAY_BY + timedelta(days=60),
            "Program",
            True,
            ref="program:5",
            facts={"program": program},
        ),
        Dated("set_aside_by", PAY_BY + timedelta(days=40), "Set aside", True, ref="order:6"),
    ]


SCHEDULES: dict[str, list[Dated]] = {
    "one deadline, a late penalty, collections, in person": [
        *deadlines(),
        hearing("in_person", "City Hall East, Room 101", None),
        *others(DEMO.programs[0].id),
    ],
    "contest later, marked late only, by phone with a number": [
        *deadlines(review_by=PAY_BY + timedelta(days=5), late=False),
        hearing("phone", None, "+1 555 010 9999"),
        *others("no-such-program"),
    ],
    "no late date, no collections, by phone without a number": [
        *deadlines(late=None, collections=False),
        hearing("phone", None, None),
        *others(None),
    ],
    "pay-by alone, by video with a link": [
        *deadlines(review_by=None, collections=False),
        hearing("video", None, "https://meet.example/r/42"),
    ],
    "contest-by alone, by video without a link, in a room": [
        *deadlines(pay_by=None, late=None, collections=False),
        hearing("video", "Room 5", None),
    ],
    "no place and no link": [hearing("in_person", None, None)],
    "on the papers": [hearing("written", None, None)],
    "a moved hearing": [
        hearing(
            "in_person",
            "Room 5",
            None,
            number=8,
            replaces=datetime.fromisoformat("2026-12-31T13:00:00-08:00"),
        )
    ],
}


def planned() -> Iterator[tuple[str, Wanted]]:
    for name, dates in SCHEDULES.items():
        schedule = Schedule("DCPD-2026-000001-5", "personal", PAY_BY - timedelta(days=20), dates)
        for message in wanted(schedule, PERSON, DEMO, now=PLANNED_AT):
            yield name, message


MESSAGES = list(planned())


def test_the_schedules_bring_every_kind() -> None:
    assert {m.kind for _, m in MESSAGES} == set(KINDS)


@pytest.mark.parametrize("owed", [Decimal("0.00"), Decimal("250.00")])
@pytest.mark.parametrize("wording", ["standard", "plain"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_planned_message_is_put_into_words(
    language: str, wording: str, owed: Decimal
) -> None:
    subject: dict[str, Any] = {"first_name": "Maria", "last_name": "Lopez"}
    for name, message in MESSAGES:
        said = render_from(
            kind=message.kind,
            wording=wording,
            language=language,
            facts=message.facts,
            subject=subject,
            profile=DEMO,
            owed=owed,
            link=LINK,
        )
        everything = [said.text, said.subject, said.email, *said.letter]
        assert all(everything), (name, message.kind)
        assert not any("None" in words for words in everything), (name, message.kind)
        assert LINK in said.text, (name, message.kind)
