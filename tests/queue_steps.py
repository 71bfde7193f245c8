"""Staff accounts for the work-queue tests, made directly as rows (one of them disabled, which
the accounts' library would refuse to make so), each with the same password, and an actor for
each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from citations.database import transaction
from citations.record.passwords import hash_password
from citations.record.staff import StaffUser, signature
from citations.roles import Actor, Role
from tests.conftest import NOW
from tests.staff_steps import PASSWORD

__all__ = ["PASSWORD", "STAFF", "Staff", "add_staff"]


@dataclass(frozen=True)
class Staff:
    ids: dict[str, int]
    """Username -> account id."""

    def actor(self, username: str) -> Actor:
        """The person of `username` acting, as their signed-in account does."""
        _, name, title, role, _ = next(s for s in STAFF if s[0] == username)
        return Actor(signature(name, title), Role(role), user_id=self.ids[username])


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
                password_hash=hash_password(PASSWORD),
                password_changed_at=NOW,
                must_change_password=False,
                failed_attempts=0,
            )
            session.add(user)
            session.flush()
            ids[username] = user.id
    return Staff(ids)
