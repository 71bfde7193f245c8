"""Formatting amounts of money for people, by locale (babel), from exact Decimals."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

TIER_KEYS = ("first", "second", "third_and_later")
"""The keys of a fine schedule or cap, in offense order."""

TIER_LABELS = ("1st-offense", "2nd-offense", "3rd-and-later-offense")


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """`amount` as a person reads it.

    >>> format_money(Decimal("1000"), "USD")
    '$1,000.00'
    """
    return format_currency(amount, currency, locale=locale)


def format_tiers(amounts: tuple[Decimal, ...], currency: str, locale: str = "en_US") -> str:
    """A fine schedule in one line: `$250.00 / $500.00 / $1,000.00`."""
    return " / ".join(format_money(a, currency, locale) for a in amounts)
