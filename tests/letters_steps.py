"""For the tests of letters and of what clerks and `citations show` see of a citation's
messages: citations with an address, and the planner's outbox messages written straight into
the table in the state a test needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from citations.database import transaction
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from ordinances import Catalog
from tests.conftest import NOW
from tests.factories import good_catalog
from tests.hearing_steps import issue_one
from tests.planned_steps import put

LETTERS = ["missed", "hearing_set", "hearing_moved"]
"""The messages the letters' profile also sends by post (as the demo city's does)."""
ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}


def letters_catalog() -> Catalog:
    """The test catalog, its profile sending `LETTERS` to people it can reach only by post:
    the sync then writes their letters itself, as it does in a city that sends letters."""
    catalog = good_catalog()
    profile = catalog.jurisdiction
    reminders = profile.reminders.model_copy(update={"letters": LETTERS})
    return replace(catalog, jurisdiction=profile.model_copy(update={"reminders": reminders}))


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
    due: datetime | None = NOW - timedelta(hours=1),
    language: str = "en",
    **fields: Any,
) -> int:
    """The planner's message of `kind` on the citation (`tests.planned_steps.put`: its key,
    facts and date), in `status`, due at `due` (None: when the plan sends it); its id.
    `fields` set other columns, or `nth`, `key` and `hearing` as `put` takes them."""
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == number)).one()
        if due is not None:
            fields |= {"send_at": due, "next_try_at": due}
        row = put(
            session,
            citation,
            kind,
            channel,
            language=language,
            status=status,
            created_at=fields.pop("created_at", NOW - timedelta(days=3)),
            **fields,
        )
        return row.id


def message_row(engine: Engine, message_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        session.expunge(row)
        return row
