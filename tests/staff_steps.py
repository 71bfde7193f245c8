"""Staff accounts for tests: `make_user` creates one that signs in at once (its password
already chosen), or, with `must_change=True`, one as an administrator leaves it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citations.database import transaction
from citations.record.accounts import create_user
from citations.record.staff import StaffUser
from citations.roles import OPERATOR
from tests.conftest import NOW

PASSWORD = "lantern orchard velvet"
"""A password the policy accepts (long, uncommon, not anyone's name)."""


def make_user(
    where: Engine | Session,
    username: str = "jlee",
    *,
    name: str = "Jordan Lee",
    title: str = "Hearing clerk",
    role: str = "clerk",
    agency: str | None = None,
    password: str = PASSWORD,
    must_change: bool = False,
) -> StaffUser:
    """An account made by the operator at NOW; returns the row (detached when given an
    engine: its columns are loaded)."""
    if isinstance(where, Session):
        return _make(where, username, name, title, role, agency, password, must_change)
    with transaction(where) as session:
        user = _make(session, username, name, title, role, agency, password, must_change)
        session.refresh(user)
        session.expunge(user)
        return user


def _make(
    session: Session,
    username: str,
    name: str,
    title: str,
    role: str,
    agency: str | None,
    password: str,
    must_change: bool,
) -> StaffUser:
    user, _ = create_user(
        session,
        username=username,
        name=name,
        title=title,
        role=role,
        agency=agency,
        password=password,
        actor=OPERATOR,
        now=NOW,
    )
    user.must_change_password = must_change
    session.flush()
    return user
