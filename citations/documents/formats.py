"""How documents write money, dates, times, percents and ordinals in their language.

These are the helper functions wording templates call, e.g. `{{ money(total_fine) }}`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_currency, format_decimal, format_percent

from citations.money import CENT, percent_of

T = TypeVar("T")

_SPANISH_ORDINALS = (
    "primera",
    "segunda",
    "tercera",
    "cuarta",
    "quinta",
    "sexta",
    "séptima",
    "octava",
    "novena",
    "décima",
)


def helpers(language: str, locale: str, currency: str) -> dict[str, Callable[..., str]]:
    """The formatting functions a wording template can call, bound to one language.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> h = helpers("es", "es_US", "USD")
    >>> h["money"](Decimal("250")), h["weekday_date"](date(2026, 12, 21)), h["ordinal"](2)
    ('$250.00', 'lunes, 21 de diciembre de 2026', 'segunda')
    >>> h["hours"](Decimal("12.50")), h["hours"](Decimal("13.00")), h["hours"](Decimal("0.25"))
    ('12.5', '13', '0.25')
    >>> from zoneinfo import ZoneInfo
    >>> h["time_zone"](datetime(2027, 1, 12, 9, 30, tzinfo=ZoneInfo("America/Los_Angeles")))
    'hora estándar del Pacífico'
    """

    def money(amount: Decimal) -> str:
        return format_currency(_required(amount, "money"), currency, locale=locale)

    def long_date(day: date) -> str:
        return _unbroken(format_date(_required(day, "long_date"), format="long", locale=locale))

    def weekday_date(day: date) -> str:
        return format_date(_required(day, "weekday_date"), format="full", locale=locale)

    def time(moment: datetime) -> str:
        # The moment is aware (in the jurisdiction's zone); babel keeps its zone.
        return format_time(_required(moment, "time"), format="short", locale=locale)

    def time_zone(moment: datetime) -> str:
        # The zone's name at that moment: "Pacific Standard Time" in winter, "Pacific
        # Daylight Time" in summer ("hora estándar del Pacífico" in Spanish).
        moment = _required(moment, "time_zone")
        if moment.tzinfo is None:
            raise TypeError("time_zone() was given a moment without a time zone")
        return get_timezone_name(moment, width="long", locale=locale)

    def short_date(day: date) -> str:
        return _unbroken(format_date(_required(day, "short_date"), format="medium", locale=locale))

    def percent(value: Decimal) -> str:
        return format_percent(_required(value, "percent") / 100, locale=locale)

    def number(value: Decimal | int) -> str:
        if value is None:
            raise TypeError("number() was given no value (None)")
        return format_decimal(value, locale=locale)

    def hours(value: Decimal) -> str:
        # Hours of service are quarter hours: 12.5, 12.25, 13 (never 12.50 or 13.00).
        return format_decimal(_required(value, "hours"), format="#,##0.##", locale=locale)

    def ordinal(count: int) -> str:
        return _ordinal(language, _required(count, "ordinal"))

    def language_name(code: str) -> str:
        return _language_name(_required(code, "language_name"), locale)

    return {
        "money": money,
        "long_date": long_date,
        "weekday_date": weekday_date,
        "time": time,
        "time_zone": time_zone,
        "short_date": short_date,
        "percent": percent,
        "number": number,
        "hours": hours,
        "ordinal": ordinal,
        "language_name": language_name,
    }


def share(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, to the cent, halves rounded up.

    >>> share(Decimal("250.00"), Decimal("20"))
    Decimal('50.00')
    """
    return percent_of(amount, percent)


def service_hours(fine: Decimal, rate: Decimal, max_hours: int | None) -> Decimal:
    """Hours of community service offered for `fine` at `rate` an hour: the fewest quarter
    hours whose credit covers the fine, at most `max_hours`. The notice, the late notice, the
    election (and so the API, the command line and the clerks' pages) all offer this figure.

    >>> service_hours(Decimal("250.00"), Decimal("20.00"), 50)
    Decimal('12.5')
    >>> service_hours(Decimal("100.00"), Decimal("12.70"), None)
    Decimal('8')
    >>> service_hours(Decimal("1000.00"), Decimal("5.00"), 50)
    Decimal('50')
    """
    # Exact rational arithmetic: a quotient rounded to 28 digits could hide the last quarter.
    quarters = math.ceil(Fraction(fine) / Fraction(rate) * 4)
    hours = Decimal(quarters) / 4
    return hours if max_hours is None else min(hours, Decimal(max_hours))


def service_credit(hours: Decimal, rate: Decimal, owed: Decimal) -> Decimal:
    """What `hours` of community service at `rate` an hour take off `owed`: rate x hours, to
    the cent (halves up), and never more than is owed, so the last quarter hour credits only
    what is still due and the offered hours (`service_hours`) leave nothing owed.

    >>> service_credit(Decimal("12.5"), Decimal("20.00"), Decimal("250.00"))
    Decimal('250.00')
    >>> service_credit(Decimal("8"), Decimal("12.70"), Decimal("100.00"))
    Decimal('100.00')
    >>> service_credit(Decimal("0.25"), Decimal("12.70"), Decimal("100.00"))
    Decimal('3.18')
    """
    return min(rate * hours, owed).quantize(CENT, rounding=ROUND_HALF_UP)


def _required(value: T | None, helper: str) -> T:
    if value is None:
        # babel formats None as "today" or "now": never print a made-up date on a notice.
        raise TypeError(f"{helper}() was given no value (None)")
    return value


def _unbroken(text: str) -> str:
    """No line break inside a date: "December 21, 2026" never ends a line at "21,"."""
    return text.replace(" ", "\N{NO-BREAK SPACE}")


def _ordinal(language: str, count: int) -> str:
    if language == "en":
        if count % 100 in (11, 12, 13):
            return f"{count}th"
        return f"{count}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(count % 10, 'th') }"
    if language == "es":
        # Feminine, to agree with "infracción".
        return _SPANISH_ORDINALS[count - 1] if 1 <= count <= 10 else f"{count}.ª"
    return f"{count}."


def _language_name(code: str, locale: str) -> str:
    """The language's name in the notice's language, or the text as given if not a code."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(locale) or code
    except (UnknownLocaleError, ValueError):
        return code
