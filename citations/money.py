"""Money in the database is integer cents; in the library it is Decimal, exact to the cent.

Every amount that enters (an API body, a clerk's form, the command line, a lockbox file) is
read by `parse_amount` or validated as `inputs.Amount`: exact decimals only (never a float, which
would turn 1.999999999999999999 into 2.00), at most two decimals, and at most MAX_AMOUNT.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")
"""The largest amount any input may carry (under a hundred million): far above any fine,
payment or income the city records, and small enough that any sum of them stays exact and
fits the database's 64-bit cents."""


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


def parse_amount(text: str) -> Decimal:
    """An amount as typed ("250", "250.00", "$1,250.50"), exact to the cent, or ValueError
    saying what an amount looks like: no more than two decimals, not negative, not more than
    MAX_AMOUNT, and nothing that is not a plain number (`1e30`, `NaN`, `²`).

    >>> parse_amount("$1,250.5"), parse_amount("2.000")
    (Decimal('1250.50'), Decimal('2.00'))
    >>> parse_amount("1.999")
    Traceback (most recent call last):
    ValueError: an amount has at most two decimals, such as 250.00
    """
    raw = text.strip().replace(",", "").removeprefix("$").strip()
    if not raw or not all(c.isascii() and (c.isdigit() or c == ".") for c in raw):
        raise ValueError("enter an amount such as 250.00")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError("enter an amount such as 250.00") from None
    return exact(amount)


def exact(amount: Decimal) -> Decimal:
    """The amount to the cent, or ValueError when it is not one (see `parse_amount`)."""
    if not amount.is_finite():
        raise ValueError("enter an amount such as 250.00")
    if amount < 0:
        raise ValueError("an amount cannot be negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"an amount cannot exceed {MAX_AMOUNT:,}")
    if amount != amount.quantize(CENT):
        raise ValueError("an amount has at most two decimals, such as 250.00")
    return amount.quantize(CENT)
