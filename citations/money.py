"""Money in the database is integer cents; in the library it is Decimal, exact to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    """Exact cents of an amount; refuses fractions of a cent rather than rounding silently.

    >>> to_cents(Decimal("250.00"))
    25000
    """
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """An amount from integer cents.

    >>> from_cents(25000)
    Decimal('250.00')
    """
    return (Decimal(cents) / 100).quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """A percentage of an amount, rounded half up to the cent."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
