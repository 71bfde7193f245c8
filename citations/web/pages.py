"""Rendering the clerks' pages: the Jinja2 templates in templates/web/ and how values read.

The wording of every page is in the templates (city staff edit them like the documents'
wording); the code hands them values. Autoescaping is on for every template, so names,
findings and reasons from the records print as text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from citations.calendar import zone_of
from citations.documents.templates import TEMPLATES_DIR
from citations.issuing.intake import Subject
from citations.record.sent import one_line
from citations.roles import PERMISSIONS, Action, Actor
from ordinances.models import Jurisdiction
from ordinances.money import format_money

WEB_TEMPLATES = TEMPLATES_DIR / "web"
"""templates/web/: one HTML file per page, plus static/ for the style sheet."""

ENVIRONMENT = Environment(
    loader=FileSystemLoader(WEB_TEMPLATES),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,  # a misspelt variable fails the page (and the tests), not blank
    trim_blocks=True,
    lstrip_blocks=True,
)


def words(code: object) -> str:
    """A stored code as words: `hearing_scheduled` reads "hearing scheduled".

    >>> words("ledger.fine_assessed")
    'ledger: fine assessed'
    """
    return str(code).replace(".", ": ", 1).replace("_", " ")


def details(recorded: object) -> list[tuple[str, str]]:
    """An audit event's recorded values as (name, value) pairs, for the history table.

    >>> details({"kind": "deposit", "amount": "200.00", "method": None, "nested": {"a": 1}})
    [('kind', 'deposit'), ('amount', '200.00')]
    """
    if not isinstance(recorded, dict):
        return []
    return [
        (words(key), "" if value is None else str(value))
        for key, value in recorded.items()
        if value not in (None, "") and not isinstance(value, dict | list)
    ]


ENVIRONMENT.filters["words"] = words
ENVIRONMENT.filters["details"] = details
ENVIRONMENT.filters["address"] = one_line


@dataclass(frozen=True)
class Formats:
    """How amounts, dates and times read in the jurisdiction (its locale, currency, zone).

    >>> from zoneinfo import ZoneInfo
    >>> f = Formats("en_US", "USD", ZoneInfo("America/Los_Angeles"))
    >>> f.money(Decimal("1250")), f.day(date(2026, 12, 14))
    ('$1,250.00', 'Dec 14, 2026')
    >>> from datetime import UTC
    >>> f.moment(datetime(2026, 12, 4, 18, 0, tzinfo=UTC)).replace("\u202f", " ")
    'Dec 4, 2026, 10:00 AM'

    """

    locale: str
    currency: str
    zone: ZoneInfo

    @classmethod
    def of(cls, profile: Jurisdiction) -> Formats:
        return cls(profile.locale, profile.currency, zone_of(profile))

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.locale)

    def day(self, day: date) -> str:
        return format_date(day, format="medium", locale=self.locale)

    def weekday(self, day: date) -> str:
        return format_date(day, format="full", locale=self.locale)

    def clock(self, moment: time) -> str:
        return format_time(moment, format="short", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """An instant in the jurisdiction's local time (stored instants are UTC)."""
        local = moment.astimezone(self.zone)
        return f"{self.day(local.date())}, {self.clock(local.time())}"

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def language(self, code: str) -> str:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(self.locale)
        except (UnknownLocaleError, ValueError):
            return code
        return name[:1].upper() + name[1:] if name else code


def person(subject: dict[str, Any]) -> str:
    """The cited person's name, as the documents print it."""
    return Subject.model_validate(subject).full_name()


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from templates/web/; the signed-in actor and the form token come from the
    request (set by the authentication dependency)."""
    state = request.state
    actor: Actor | None = getattr(state, "actor", None)

    def may(action: str) -> bool:
        """Whether the signed-in role may take `action` (roles.py), to offer only what works."""
        return actor is not None and actor.role in PERMISSIONS[Action(action)]

    values = {
        "actor": actor,
        "may": may,
        "csrf_token": getattr(state, "csrf", ""),
        "path": request.url.path,
        **context,
    }
    html = ENVIRONMENT.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
