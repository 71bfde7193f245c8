"""The citations package's error tree; the CLI and API translate these at their edges."""

from __future__ import annotations

from dataclasses import dataclass


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


class YearsNotPartitioned(CitationsError):
    """A year's export or retirement asked of a database without partitions by year."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"the database {where} keeps its records in one table each (SQLite, or PostgreSQL "
            "before `citations db upgrade`): exporting or retiring a year needs PostgreSQL's "
            "partitions by year; export everything with `citations export`"
        )


class YearNotRetirable(CitationsError):
    """A year that cannot be retired yet, and why."""

    def __init__(self, year: int, why: str) -> None:
        self.year = year
        super().__init__(f"year {year} cannot be retired: {why}")


class DatabaseUnavailable(CitationsError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"cannot reach the database {where}: {reason}")


class NotSaved(CitationsError):
    """The work was done but its commit failed (a conflict found only at commit): nothing of
    it was saved, and it can be tried again."""

    def __init__(self) -> None:
        super().__init__("the request could not be saved and nothing of it was kept: try again")


class ApprovalRequired(CitationsError):
    """A change that needs a second person was approved by its own author."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of an input, named by its path (`subject.date_of_birth`)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InputRejected(CitationsError):
    """The input cannot be processed as sent; every field problem is listed."""

    def __init__(self, errors: list[FieldError], summary: str = "the input was rejected") -> None:
        self.errors = errors
        self.summary = summary
        details = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{summary}: {details}" if details else summary)


class IdempotencyConflict(CitationsError):
    """The same idempotency key arrived with a different body."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"message_id {key} was already received with a different body; "
            "send a new message_id for a different record"
        )


class NotFound(CitationsError):
    def __init__(self, what: str, key: str) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} {key!r}")


class PermissionDenied(CitationsError):
    def __init__(self, role: str, action: str, detail: str = "") -> None:
        self.role = role
        self.action = action
        suffix = f": {detail}" if detail else ""
        super().__init__(f"a {role} may not {action.replace('_', ' ')}{suffix}")


class IllegalTransition(CitationsError):
    """A step that the citation's current status does not allow."""

    def __init__(self, number: str, status: str, action: str, advice: str = "") -> None:
        self.number = number
        self.status = status
        self.action = action
        tail = f"; {advice}" if advice else ""
        super().__init__(f"citation {number} is {status}: cannot {action}{tail}")


class ExportFileInvalid(CitationsError):
    """A records export that cannot be restored as it is; names the file, the line and why."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(f"{source}, line {line}: {problem}")


class ExportSchemaMismatch(CitationsError):
    """A records export written at another schema revision than the database's."""

    def __init__(self, source: str, exported: str, database: str) -> None:
        self.exported = exported
        self.database = database
        super().__init__(
            f"{source} was exported at schema revision {exported}, but the database is at "
            f"{database}: restore it into a database at {exported} (with the citations release "
            "that wrote it), then run `citations db upgrade`"
        )


class RestoreTargetNotEmpty(CitationsError):
    """A restore was pointed at a database that already holds records."""

    def __init__(self, where: str, tables: list[str]) -> None:
        self.tables = tables
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        super().__init__(
            f"the database {where} is not empty (rows in table {shown}): import-export "
            "restores only into an empty database made with `citations db upgrade`"
        )


class ImplausibleTime(InputRejected):
    """A time given for when something arrived that cannot be true: later than now (beyond the
    clock skew allowed) or before what it answers existed. Checked before any deadline, so a
    mistyped year can neither make a late filing look on time nor date money into the future."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__([FieldError(field, message)], "the time given is not possible")


class TooEarly(InputRejected):
    """A step asked for before its time: a hearing decided or defaulted before it began, or
    daily processing run for a day that has not yet come in the jurisdiction."""

    def __init__(self, field: str, message: str, summary: str) -> None:
        super().__init__([FieldError(field, message)], summary)
