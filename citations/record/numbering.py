"""Citation numbers: agency prefix, year, sequence and a check digit.

Format: `PREFIX-YYYY-NNNNNN-C`, e.g. `DCPD-2026-000123-8`. Numbers are strings: leading
zeros matter.

The sequence has six digits unless the agency's numbers are wider: an agency that issues more
than 999,999 citations a year is given seven to nine (`citations agencies widen`), and its
numbers then read `NYPD-2026-0000123-6`. The width is part of the number: it is fixed when the
number is drawn (online, or into a device's block) and every later reading keeps it, so one
sequence is never written two ways.

The check digit is Damm's algorithm over the digits of year and sequence (ten of them for a
six-digit sequence). Damm detects every single-digit error and every transposition of adjacent
digits (Luhn misses 09 <-> 90), so a mistyped number fails validation wherever a number is
typed. The agency prefix is checked against the registered agencies instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
"""The width of a sequence unless its agency's numbers were widened."""
MAX_SEQUENCE_DIGITS = 9
"""A billion numbers a year per agency; wider would no longer fit a 32-bit sequence column."""
_PATTERN = re.compile(r"^([A-Z]{2,8})-?(\d{4})-?(\d{6,9})-?(\d)$")
_EXPECTED = "expected PREFIX-YYYY-NNNNNN-C, e.g. DCPD-2026-000123-8"


def max_sequence(digits: int = SEQUENCE_DIGITS) -> int:
    """The last sequence number a width can write: 999,999 for six digits."""
    return int(10**digits - 1)


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
    digits: int = field(default=SEQUENCE_DIGITS, compare=False)
    """How many digits the sequence is written with (zero-padded)."""

    def __post_init__(self) -> None:
        # A number that cannot be written in its width would print a longer one that no
        # reader accepts back: refuse it where it is made (the seed once wrote such numbers).
        if not SEQUENCE_DIGITS <= self.digits <= MAX_SEQUENCE_DIGITS:
            raise ValueError(f"a sequence has {SEQUENCE_DIGITS} to {MAX_SEQUENCE_DIGITS} digits")
        if not 0 <= self.sequence <= max_sequence(self.digits):
            raise ValueError(f"sequence {self.sequence} does not fit {self.digits} digits")

    @property
    def written_sequence(self) -> str:
        return f"{self.sequence:0{self.digits}d}"

    @property
    def check_digit(self) -> int:
        return damm(f"{self.year:04d}{self.written_sequence}")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.written_sequence}-{self.check_digit}"

    @classmethod
    def parse(cls, text: str) -> CitationNumber:
        """Read a typed number; spaces and case are forgiven, a wrong check digit is not.

        >>> str(CitationNumber.parse("dcpd-2026-000123-8"))
        'DCPD-2026-000123-8'
        """
        compact = "".join(text.split()).upper()
        match = _PATTERN.match(compact)
        if match is None:
            raise InvalidCitationNumber(text, _EXPECTED)
        prefix, year, sequence, check = match.groups()
        number = cls(prefix, int(year), int(sequence), len(sequence))
        if number.check_digit != int(check):
            raise InvalidCitationNumber(text, "the check digit does not match (mistyped?)")
        return number
