"""Staff accounts: the people who sign in to the clerks' pages with a username and password.

API tokens stay for integrations (e-citation devices, records systems); people have
accounts, so that every page, audit event and document names the person who acted. Only the
password's Argon2 hash is kept (citations.record.accounts). Accounts are never deleted: a
disabled account keeps its name on everything it did.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base
from citations.record.tables import Agency


class StaffUser(Base):
    """One person's account on the clerks' pages."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    """Stored folded to lower case: "JLee" and "jlee" are one account."""
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    """Their title as printed under their name ("Hearing clerk", "Cashier")."""
    role: Mapped[str] = mapped_column(String(32))
    """A role of citations.roles (never "person"): the same permissions matrix as tokens."""
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """Argon2id; None for an account that signs in only through the identity provider."""
    password_changed_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    """Set when an administrator sets or resets the password: the person chooses their own
    at the next sign-in."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None]
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Failed sign-ins since the last success: the lockout's wait grows with it."""
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    """The identity provider's `sub` for this person, when the city signs staff in through
    OpenID Connect."""

    agency: Mapped[Agency | None] = relationship()

    @property
    def signature(self) -> str:
        """How the person is named on every page, document and audit event they act in:
        "Jordan Lee, Hearing clerk" (accounts.create_user keeps it unique)."""
        return signature(self.name, self.title)


def signature(name: str, title: str) -> str:
    """The one form of a staff member's name and title.

    >>> signature("Jordan Lee", "Hearing clerk")
    'Jordan Lee, Hearing clerk'
    """
    return f"{name}, {title}" if title else name
