"""Citation numbers: agency prefix, year, sequence and a check digit.

Format: `PREFIX-YYYY-NNNNNN-C`, e.g. `DCPD-2026-000123-8`. Numbers are strings: leading
zeros matter.

The check digit is Damm's algorithm over the ten digits of year and sequence. Damm detects
every single-digit error and every transposition of adjacent digits (Luhn misses 09 <-> 90),
so a mistyped number fails validation wherever a number is typed. The agency prefix is
checked against the registered agencies instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citations.errors import CitationsError

# Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

SEQUENCE_DIGITS = 6
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
_PATTERN = re.compile(r"^([A-Z]{2,8})-?(\d{4})-?(\d{6})-?(\d)$")


class InvalidCitationNumber(CitationsError):
    def __init__(self, number: str, reason: str) -> None:
        self.number = number
        self.reason = reason
        self.headline = f"citation number {number!r} is not valid"
        """What is wrong without why: the summary above a field error that gives `reason`."""
        super().__init__(f"{self.headline}: {reason}")


def damm(digits: str) -> int:
    """The Damm check digit of a string of digits.

    >>> damm("572")
    4
    """
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


@dataclass(frozen=True, order=True)
class CitationNumber:
    prefix: str
    year: int
    sequence: int

    @property
    def check_digit(self) -> int:
        return damm(f"{self.year:04d}{self.sequence:06d}")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.sequence:06d}-{self.check_digit}"

    @classmethod
    def parse(cls, text: str) -> CitationNumber:
        """Read a typed number; spaces and case are forgiven, a wrong check digit is not.

        >>> str(CitationNumber.parse("dcpd-2026-000123-8"))
        'DCPD-2026-000123-8'
        """
        compact = "".join(text.split()).upper()
        match = _PATTERN.match(compact)
        if match is None:
            raise InvalidCitationNumber(
                text, "expected PREFIX-YYYY-NNNNNN-C, e.g. DCPD-2026-000123-8"
            )
        prefix, year, sequence, check = match.groups()
        number = cls(prefix, int(year), int(sequence))
        if number.check_digit != int(check):
            raise InvalidCitationNumber(text, "the check digit does not match (mistyped?)")
        return number
