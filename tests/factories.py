"""Test data: intake messages and a published test catalog with a registered agency."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine

from citations.catalog.publishing import publish
from citations.database import transaction
from citations.issuing.intake import IntakeMessage
from citations.issuing.pipeline import Issued, issue
from citations.record.agencies import register_agency
from citations.roles import OPERATOR, Actor
from ordinances import Catalog, load_catalog
from tests.conftest import GOOD_CATALOG, NOW


def message(**overrides: Any) -> dict[str, Any]:
    """A valid intake message for TC 41.27(c), as JSON-ready data; override any top-level key."""
    body: dict[str, Any] = {
        "message_id": str(uuid.uuid4()),
        "agency": "DCPD",
        "device_id": "unit-12",
        "violation_at": "2026-11-20T22:15:00-08:00",
        "location": {"address": "100 Main St", "area": "Central"},
        "officer": {"badge": "4471", "name": "Officer R. Alvarez"},
        "subject": subject(),
        "violations": [
            {"ordinance": "TC 41.27(c)", "narrative": "Open can of beer on the sidewalk."}
        ],
        "screening": {"no-violence": False},
    }
    body.update(overrides)
    return body


def subject(**overrides: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "first_name": "Maria",
        "last_name": "Lopez",
        "date_of_birth": "1990-04-02",
        "identifiers": [{"type": "CA-DL", "number": "D1234567"}],
        "preferred_language": "es",
    }
    person.update(overrides)
    return person


def intake(**overrides: Any) -> IntakeMessage:
    return IntakeMessage.model_validate(message(**overrides))


@cache
def good_catalog() -> Catalog:
    """The test catalog, read once per session: reading its YAML was half of `prepare`, which
    hundreds of tests call. Tests never edit it (they edit copies), and a Catalog is frozen."""
    return load_catalog(GOOD_CATALOG)


def prepare(engine: Engine, folder: Any = GOOD_CATALOG) -> None:
    """Publish the test catalog (or the catalog in `folder`, or `folder` itself when it is a
    Catalog) and register the DCPD and OTHR agencies."""
    if isinstance(folder, Catalog):
        catalog = folder
    else:
        catalog = good_catalog() if folder == GOOD_CATALOG else load_catalog(folder)
    with transaction(engine) as session:
        publish(
            session,
            catalog,
            author="A. Author",
            approved_by="B. Approver",
            reason="test",
            now=NOW,
        )
        register_agency(session, "DCPD", "Demo City Police", actor=OPERATOR, now=NOW)
        register_agency(session, "OTHR", "Other Agency", actor=OPERATOR, now=NOW)


def send(
    engine: Engine, body: dict[str, Any], actor: Actor = OPERATOR, now: datetime = NOW
) -> Issued:
    with transaction(engine) as session:
        return issue(session, IntakeMessage.model_validate(body), actor=actor, now=now)
