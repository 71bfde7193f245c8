"""How sure the reminders experiment is: the 95% confidence interval of a difference between two
shares, and whether the difference is clear yet.

The interval is Newcombe's hybrid score interval (method 10 of Newcombe, "Interval estimation
for the difference between independent proportions: comparison of eleven methods",
Statistics in Medicine 17, 1998), built from the Wilson score interval of each share. It keeps
close to 95% coverage with small arms and with shares near 0% or 100%, where the textbook
(Wald) interval does not, and needs nothing but `math`. These are statistics, not money:
floats are fine; what the report keeps is rounded to four decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""
FEWEST = 30
"""An arm with fewer citations than this in an outcome's denominator is too few to compare."""
FOUR = Decimal("0.0001")


class Verdict(StrEnum):
    CLEAR = "clear"
    """The interval leaves zero out: the arms differ."""
    NOT_CLEAR = "not_clear"
    """The interval includes zero: no difference shown yet."""
    TOO_FEW = "too_few"
    """Fewer than `FEWEST` citations in one arm (or both): too few to compare."""


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of `successes` out of `trials` (without continuity
    correction). Newcombe's examples (Statistics in Medicine 17, 857-872, 1998):

    >>> [round(v, 4) for v in wilson(81, 263)], [round(v, 4) for v in wilson(0, 20)]
    ([0.2553, 0.3662], [0.0, 0.1611])
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    share = successes / trials
    z2 = z * z
    centre = share + z2 / (2 * trials)
    half = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    scale = 1 + z2 / trials
    return max(0.0, (centre - half) / scale), min(1.0, (centre + half) / scale)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """The difference `x1/n1 - x2/n2` and its hybrid score interval (low, high).

    >>> [round(v, 4) for v in newcombe(56, 70, 48, 80)]
    [0.2, 0.0524, 0.3339]
    """
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, max(-1.0, low), min(1.0, high)


@dataclass(frozen=True)
class Comparison:
    """One arm's share against the comparison arm's: the difference (from -1 to 1), its 95%
    interval, and the verdict. No figures when either arm has no one to count."""

    difference: Decimal | None
    low: Decimal | None
    high: Decimal | None
    verdict: Verdict


def _four(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(FOUR, ROUND_HALF_UP) + 0  # + 0: no "-0.0000"


def compare(x1: int, n1: int, x2: int, n2: int) -> Comparison:
    """`x1` of `n1` against `x2` of `n2` (the comparison arm).

    >>> c = compare(630, 1000, 480, 1000)  # Tulsa's 63% against 48%, had the arms been 1,000
    >>> c.difference, c.low, c.high, c.verdict.value
    (Decimal('0.1500'), Decimal('0.1066'), Decimal('0.1926'), 'clear')
    >>> compare(5, 29, 1, 40).verdict, compare(0, 0, 1, 40).difference
    (<Verdict.TOO_FEW: 'too_few'>, None)
    """
    if n1 <= 0 or n2 <= 0:
        return Comparison(None, None, None, Verdict.TOO_FEW)
    difference, low, high = newcombe(x1, n1, x2, n2)
    if min(n1, n2) < FEWEST:
        verdict = Verdict.TOO_FEW
    elif low > 0 or high < 0:
        verdict = Verdict.CLEAR
    else:
        verdict = Verdict.NOT_CLEAR
    return Comparison(_four(difference), _four(low), _four(high), verdict)
