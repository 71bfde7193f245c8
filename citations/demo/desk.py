"""The demo's way to try the clerks' pages: a hearing clerk's account, made as an
administrator makes one (`citations users add --temporary`), whose temporary password the
demo prints; at the first sign-in the clerk chooses their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from citations.database import transaction
from citations.record.accounts import create_user
from citations.roles import OPERATOR


@dataclass(frozen=True)
class DemoDesk:
    username: str
    name: str
    temporary_password: str


def desk_demo(engine: Engine, now: datetime) -> DemoDesk:
    """A hearing clerk's account with a temporary password (random each run, never stored:
    only its Argon2 hash is)."""
    with transaction(engine) as session:
        user, temporary = create_user(
            session,
            username="jlee",
            name="Jordan Lee",
            title="Hearing clerk",
            role="clerk",
            actor=OPERATOR,
            now=now,
        )
        assert temporary is not None  # no password given: one is generated
        return DemoDesk(user.username, user.signature, temporary)
