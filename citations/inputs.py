"""What every typed or sent value must be before the library takes it, whatever face it came
through (API body, clerk's form, command line, batch file): printable text, names without
invisible characters, days and times the date arithmetic can hold, and exact amounts.

Kept in the foundation so the intake message, the API's bodies, the forms' parser and the
library's own request models all apply the same rule, with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)

from citations.money import MAX_AMOUNT

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 12, 31)
"""The days any input may name. Deadlines, windows and report periods add months or years to
a day: year 1 or 9999 would overflow Python's dates (a 500 instead of an answer), and nothing
the city records happened before 1900 or will happen after 9000."""

MAX_WHOLE = 2**31 - 1
"""The largest whole number typed into a form (a row id, a count): the database's integers are
32-bit, so a larger one could not name or count anything (and would fail there, a 500)."""

LINE_BREAKS = "\n\r\t"

MAX_RECORD_ID = 2**63 - 1
"""The largest id of a row of a case (64-bit: on PostgreSQL an id carries its year,
citations.partitions)."""


def record_id(text: str) -> int | None:
    """The id of a row of a case (a document, a request) written in ASCII digits, from 1 to
    MAX_RECORD_ID, or None.

    >>> record_id("2026000000000042"), record_id("0"), record_id("99999999999999999999")
    (2026000000000042, None, None)
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_RECORD_ID else None


def whole_number(text: str) -> int | None:
    """A whole number from 0 to MAX_WHOLE written in ASCII digits, or None. (`str.isdigit`
    alone would pass `²`, which `int` then refuses.)

    >>> whole_number("42"), whole_number("²"), whole_number("99999999999999999999")
    (42, None, None)
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_WHOLE else None


def printable(value: str) -> str:
    r"""Refuse control characters (other than line breaks and tabs) in any text: they are
    invisible or unprintable on a notice, PostgreSQL cannot store NUL, and a record holding
    one could not be restored from SQLite's export into PostgreSQL. (An unpaired surrogate
    never gets here: pydantic and the form reader refuse it as not text.)

    >>> printable("Ana\tLópez")
    'Ana\tLópez'
    >>> printable("unit\x0012")
    Traceback (most recent call last):
    ValueError: contains control character U+0000
    """
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in LINE_BREAKS:
            raise ValueError(f"contains control character U+{ord(char):04X}")
    return value


def without_controls(value: str) -> str:
    """The text with its control characters (other than line breaks and tabs) dropped."""
    return "".join(c for c in value if c in LINE_BREAKS or unicodedata.category(c) != "Cc")


def unprintable(value: Any) -> Iterator[tuple[str, str]]:
    r"""(path, problem) for every string in a parsed JSON value, keys included, that holds a
    control character, in document order; the path as the API names fields
    (`subject.first_name`, `violations[0].narrative`). Walked without recursion, so a body
    nested as deep as the JSON reader allows cannot overflow the stack here.

    >>> for found in unprintable({"a": ["ok", "b\x07"], "c\x00": 1}):
    ...     print(found)
    ('a[1]', 'contains control character U+0007')
    ('(body)', 'a key contains control character U+0000')
    """
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, _BadKey):
            yield path or "(body)", f"a key {item.problem}"
        elif isinstance(item, str):
            try:
                printable(item)
            except ValueError as exc:
                yield path or "(body)", str(exc)
        elif isinstance(item, list):
            pending.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key, inner in reversed(list(item.items())):
                try:
                    printable(str(key))
                except ValueError as exc:
                    pending.append((path, _BadKey(str(exc))))
                    continue
                pending.append((f"{path}.{key}" if path else str(key), inner))


class _BadKey:
    """A key of a mapping that holds a control character (not repeated in the path)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


def without_format(value: str) -> str:
    """The text without Unicode format characters (category Cf: zero-width space, joiners,
    direction marks and overrides, soft hyphen, byte order mark). They print as nothing, so
    `Jo\\u200bse` looks like `Jose` on every screen and notice but would be another person
    when matching priors; in a name or an identifier they carry no meaning the city keeps.

    >>> without_format("Jo\\u200bse\\u200d"), without_format("Ana\\u202eanA")
    ('Jose', 'AnaanA')
    """
    return "".join(c for c in value if unicodedata.category(c) != "Cf")


def _within_days(moment: datetime) -> datetime:
    if not FIRST_DAY <= _utc_day(moment) <= LAST_DAY:
        raise ValueError(
            f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()} (UTC)"
        )
    return moment


def _utc_day(moment: datetime) -> date:
    """The UTC day of a moment, also for the edges where converting would overflow
    (0001-01-01T00:00+14:00 is in year 0; 9999-12-31T23:59-14:00 in year 10000)."""
    try:
        return moment.astimezone(UTC).date()
    except OverflowError:
        return date.min if moment.year < 5000 else date.max


Moment = Annotated[AwareDatetime, AfterValidator(_within_days)]
"""A time with its UTC offset, on a day from FIRST_DAY to LAST_DAY."""

Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A day from FIRST_DAY to LAST_DAY."""


class InputModel(BaseModel):
    """A request the library takes, from any face: a misspelt field is refused, not ignored,
    and no text in it, at any depth of a list or mapping, holds a control character."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _printable_text(cls, value: Any) -> Any:
        for _, problem in unprintable(value):
            raise ValueError(problem)
        return value


# Amounts in request models: the rules of `money.exact`, for pydantic and the API's schema.
PLAIN = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")
"""An amount written as a JSON string: digits, and at most two decimals."""


def _exact_input(value: Any) -> Any:
    """Refuse a binary float (it already lost the exact amount: 1.999999999999999999 reads as
    2.0; the API parses JSON numbers as decimals, so only a caller in Python sends one) and
    a string that is not a plain amount (`1e2`, `NaN`, ` 5`)."""
    if isinstance(value, float):
        raise ValueError("an amount must be an exact decimal, not a binary float")
    if isinstance(value, str) and not PLAIN.fullmatch(value):
        raise ValueError("write an amount such as 250.00")
    return value


def _schema(exclusive: bool) -> dict[str, Any]:
    low = {"exclusiveMinimum": 0} if exclusive else {"minimum": 0}
    return {
        "anyOf": [
            {"type": "number", **low, "maximum": float(MAX_AMOUNT)},
            {"type": "string", "pattern": f"^{PLAIN.pattern}$"},
        ],
        "description": 'An exact amount, at most two decimals: 250.00 or "250.00".',
    }


Amount = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False),
    BeforeValidator(_exact_input),
    WithJsonSchema(_schema(exclusive=False)),
]
"""An amount of money in a request model: exact, 0 to MAX_AMOUNT, at most two decimals."""
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False),
    BeforeValidator(_exact_input),
    WithJsonSchema(_schema(exclusive=True)),
]
"""An amount that must be more than zero (a payment, an installment)."""
