"""Errors of the ordinance catalog. Each carries the context a person needs to fix the cause.

The CLI and the API translate these at their edges; the library never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a catalog folder, located at a file and line when it has one."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class OrdinanceError(Exception):
    """Base of every error the ordinances package raises."""


class CatalogInvalid(OrdinanceError):
    """The catalog folder has problems; all of them are listed, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        # A shared YAML block merged in twice would report its problem twice: keep one.
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        count = len(self.problems)
        super().__init__(f"the catalog has {count} problem{'s' if count != 1 else ''}")


class UnknownOrdinance(OrdinanceError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"no ordinance {code!r} is published")


class NotInEffect(OrdinanceError):
    """The ordinance exists but no version is in effect on the date asked about."""

    def __init__(self, code: str, on: date, reason: str) -> None:
        self.code = code
        self.on = on
        self.reason = reason
        super().__init__(f"{code} is not in effect on {on.isoformat()}: {reason}")


class NothingPublished(OrdinanceError):
    def __init__(self) -> None:
        super().__init__(
            "no catalog has been published to this database yet; "
            "run `citations ordinances publish DIR ...` first"
        )


class PublicationRefused(OrdinanceError):
    """Publishing would break a rule; every reason is listed."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("publication refused:\n" + "\n".join(f"- {r}" for r in reasons))
