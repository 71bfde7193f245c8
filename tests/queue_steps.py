"""Staff accounts for the work-queue tests, made directly as rows (the accounts' own
library is another part of the work), and an actor for each."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from sqlalchemy import Engine

from citations.database import transaction
from citations.http.deps import EngineDep
from citations.record.staff import StaffUser
from citations.roles import Actor, Role
from citations.web.auth import ClockDep, current_actor
from tests.conftest import NOW


@dataclass(frozen=True)
class Staff:
    ids: dict[str, int]
    """Username -> account id."""

    def actor(self, username: str, role: Role = Role.CLERK, name: str = "") -> Actor:
        """The person of `username` acting, as a signed-in account would."""
        return Actor(name or username, role, user_id=self.ids[username])


STAFF = [
    ("jlee", "Jordan Lee", "Hearing clerk", "clerk", False),
    ("pkim", "Pat Kim", "Review officer", "hearing_officer", False),
    ("amoss", "Alex Moss", "Auditor", "auditor", False),
    ("gone", "Gale Old", "Hearing clerk", "clerk", True),
]
"""A clerk, a hearing officer (reviews, never waivers or scheduling), an auditor (no
contest work) and a disabled clerk."""


def add_staff(engine: Engine) -> Staff:
    ids = {}
    with transaction(engine) as session:
        for username, name, title, role, disabled in STAFF:
            user = StaffUser(
                username=username,
                name=name,
                title=title,
                role=role,
                created_at=NOW,
                created_by="test",
                disabled_at=NOW if disabled else None,
            )
            session.add(user)
            session.flush()
            ids[username] = user.id
    return Staff(ids)


def act_as(app: FastAPI, actor: Actor) -> None:
    """The pages act as `actor` (a person with an account) once signed in with a token: the
    session and its form token are checked as ever, only who acts is replaced (until the
    accounts' own sign-in lands)."""

    def person(request: Request, engine: EngineDep, now: ClockDep) -> Actor:
        current_actor(request, engine, now)  # signed in, and the form token set
        request.state.actor = actor
        return actor

    app.dependency_overrides[current_actor] = person
