"""The citations package's error tree; the CLI and API translate these at their edges."""

from __future__ import annotations


class CitationsError(Exception):
    """Base of every domain error the citations package raises."""


class BadDatabaseUrl(CitationsError):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://USER@HOST/DB"
        )


class DatabaseNotReady(CitationsError):
    """The database exists but its schema is missing or behind the code."""

    def __init__(self, where: str, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        state = "has no tables yet" if current is None else f"is at schema {current}, not {head}"
        super().__init__(f"the database {where} {state}: run `citations db upgrade` first")


class DatabaseUnavailable(CitationsError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot reach the database {where}: {reason}")


class ApprovalRequired(CitationsError):
    """A change that needs a second person was approved by its own author."""
