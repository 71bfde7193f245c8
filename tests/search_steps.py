"""A small town of people and their citations for the search tests (both backends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR, Actor, Role
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject

CLERK = Actor("clerk Jordan", Role.CLERK)
OFFICER = Actor("officer Alvarez", Role.OFFICER, agency="DCPD")
OTHER_OFFICER = Actor("officer Kim", Role.OFFICER, agency="OTHR")

MARIA = subject(
    first_name="María",
    last_name="López",
    date_of_birth="1990-04-02",
    identifiers=[{"type": "CA-DL", "number": "D1234567"}],
    address={"line1": "12 Calle Ñandú", "city": "Demo City", "postal_code": "90012"},
)
MARIA_AGAIN = subject(
    first_name="María", last_name="López", date_of_birth="1990-04-02", identifiers=[]
)
"""The same person (same name and birth date), without her licence this time."""
MARIA_UNACCENTED = subject(
    first_name="Maria",
    last_name="LOPEZ",
    date_of_birth="1990-04-02",
    identifiers=[{"type": "CA-DL", "number": "d-123 4567"}],
)
"""Her licence again, her name written without accents (another name key: the licence
joins them)."""
JOHN = subject(
    first_name="John",
    last_name="O'Brien-Smith",
    date_of_birth="1985-12-31",
    identifiers=[{"type": "passport", "number": "X99887766"}],
    address={"line1": "48 Alvarado St", "city": "Demo City"},
)
ANA = subject(first_name="Ana", last_name="López", date_of_birth="2001-07-15", identifiers=[])
"""Cited by the other agency: DCPD's officers never see her."""


@dataclass(frozen=True)
class Town:
    maria: str
    maria_again: str
    maria_unaccented: str
    john: str
    ana: str


def _issue(
    engine: Engine, person: dict[str, Any], day: str, agency: str = "DCPD", **overrides: Any
) -> str:
    moment = f"2026-{day}T10:00:00-08:00"
    body = message(agency=agency, violation_at=moment, subject=person, **overrides)
    issued = datetime.fromisoformat(f"2026-{day}T12:00:00-08:00")
    number = send(engine, body, now=issued).result.citation_number
    assert number is not None
    return number


def town(engine: Engine) -> Town:
    prepare(engine)
    return Town(
        maria=_issue(engine, MARIA, "11-02"),
        maria_again=_issue(engine, MARIA_AGAIN, "11-05"),
        maria_unaccented=_issue(engine, MARIA_UNACCENTED, "11-08"),
        john=_issue(
            engine,
            JOHN,
            "11-10",
            location={"address": "1 Park Way", "area": "Westside"},
        ),
        ana=_issue(engine, ANA, "11-12", agency="OTHR"),
    )


@dataclass(frozen=True)
class SearchDesk:
    town: Town
    tokens: dict[str, str]
    """Role -> token secret, to sign in to the pages and call the API."""


def search_desk(engine: Engine) -> SearchDesk:
    """The town, and tokens for a clerk and for officers of each agency."""
    made = town(engine)
    tokens = {}
    with transaction(engine) as session:
        for role, agency in [("clerk", None), ("officer", "DCPD"), ("othr_officer", "OTHR")]:
            _, tokens[role] = create_token(
                session,
                role=role.removeprefix("othr_"),
                agency=agency,
                name=f"{role} search",
                actor=OPERATOR,
                now=NOW,
            )
    return SearchDesk(made, tokens)
