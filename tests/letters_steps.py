"""For the tests of letters and of what clerks and `citations show` see of a citation's
messages: citations with an address, and outbox messages written straight into the table."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from citations.database import transaction
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from tests.conftest import NOW
from tests.hearing_steps import issue_one

HEARING = {
    "hearing": 7,
    "status": "scheduled",
    "mode": "in_person",
    "place": "City Hall East, Room 101",
    "remote_link": None,
    "replaces": None,
    "at": "2026-12-16T09:00:00-08:00",
    "date": "2026-12-16",
}
FACTS: dict[str, dict[str, Any]] = {
    "missed_pay_by": {
        "missed": "2026-12-10",
        "late_on": "2026-12-26",
        "late_penalty": True,
        "collections_on": "2027-03-24",
        "contest_by": None,
        "date": "2026-12-10",
    },
    "before_pay_by": {
        "pay_by": "2026-12-10",
        "contest_by": "2026-12-10",
        "late_penalty": True,
        "date": "2026-12-10",
        "days_before": 7,
    },
    "hearing_set": HEARING,
    "hearing_moved": HEARING | {"hearing": 8, "replaces": "2026-12-09T09:00:00-08:00"},
}
"""What the planner writes in `facts` for each kind (the words are rendered from them)."""

KEYS = itertools.count(1)
"""Makes each message's key its own (a real key names the date and the offset)."""
ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}


def cited(engine: Engine, **subject: Any) -> str:
    """A citation of a person with a postal address (unless told), in English unless told."""
    return issue_one(engine, **({"preferred_language": "en", "address": ADDRESS} | subject))


def queue(
    engine: Engine,
    number: str,
    *,
    kind: str = "missed_pay_by",
    channel: str = "letter",
    status: str = "pending",
    due: datetime = NOW - timedelta(hours=1),
    language: str = "en",
    **fields: Any,
) -> int:
    """An outbox message on the citation, as the reminders' planner writes one; its id."""
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == number)).one()
        row = OutboxMessage(
            citation_id=citation.id,
            key=fields.pop("key", f"{kind}|{due.isoformat()}|{channel}|{next(KEYS)}"),
            kind=kind,
            about=fields.pop("about", "pay_by"),
            due_on=fields.pop("due_on", None),
            channel=channel,
            language=language,
            wording=fields.pop("wording", "standard"),
            send_at=due,
            next_try_at=due,
            status=status,
            attempts=fields.pop("attempts", 0),
            facts=fields.pop("facts", FACTS.get(kind, {})),
            created_at=NOW - timedelta(days=3),
            **fields,
        )
        session.add(row)
        session.flush()
        return row.id


def message_row(engine: Engine, message_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        session.expunge(row)
        return row
