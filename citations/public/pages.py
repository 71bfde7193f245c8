"""Rendering the cited person's pages: Jinja2 templates in templates/public/, and their
wording in the person's language from templates/public/words/<language>/*.yaml.

City staff edit the wording like the documents' (each file of a language's folder is one
part of the site; a key is defined once); the code hands the templates values and codes,
and `t("key", name=value)` turns a key into the sentence in the page's language. A key that
a language lacks falls back to the profile's first language, so a page is never blank, and
a test checks that every language has every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from citations.calendar import zone_of
from citations.documents.templates import TEMPLATES_DIR
from citations.notice.build import locale_for
from ordinances.models import Jurisdiction
from ordinances.money import format_money

PUBLIC_TEMPLATES = TEMPLATES_DIR / "public"
WORDS = PUBLIC_TEMPLATES / "words"

ENVIRONMENT = Environment(
    loader=FileSystemLoader(PUBLIC_TEMPLATES),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class WordingError(Exception):
    """A wording file that cannot be read, or a key defined twice."""


def _read_folder(folder: Path) -> dict[str, str]:
    words: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise WordingError(f"{path}: expected keys and their text")
        for key, text in loaded.items():
            if key in words:
                raise WordingError(f"{path}: {key} is defined twice in {folder.name}")
            words[str(key)] = str(text)
    return words


@cache
def wording(language: str) -> dict[str, str]:
    """Every key of the public pages in `language` (empty for a language without a folder)."""
    folder = WORDS / language
    return _read_folder(folder) if folder.is_dir() else {}


def languages_with_words() -> list[str]:
    return sorted(p.name for p in WORDS.iterdir() if p.is_dir())


@dataclass(frozen=True)
class Speaker:
    """The page's language: its wording, and how amounts and dates read in it."""

    language: str
    fallback: str
    locale: str
    currency: str
    profile: Jurisdiction

    def t(self, key: str, **values: Any) -> str:
        text = wording(self.language).get(key)
        if text is None:
            text = wording(self.fallback).get(key, key)
        return text.format(**values) if values else text

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.locale)

    def day(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def weekday(self, day: date) -> str:
        return format_date(day, format="full", locale=self.locale)

    def clock(self, moment: time) -> str:
        return format_time(moment, format="short", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        local = moment.astimezone(zone_of(self.profile))
        return f"{self.day(local.date())}, {self.clock(local.time())}"

    def clock_at(self, moment: datetime) -> str:
        """The local time of an instant (stored instants are UTC)."""
        return self.clock(moment.astimezone(zone_of(self.profile)).time())

    def language_name(self, code: str, in_own: bool = False) -> str:
        """A language by its name: in the page's language, or in its own (`Español`)."""
        try:
            locale = Locale.parse(code.replace("-", "_"))
            name = locale.get_display_name(locale if in_own else self.locale)
        except (UnknownLocaleError, ValueError):
            return code
        return name[:1].upper() + name[1:] if name else code


def speaker_for(language: str, profile: Jurisdiction) -> Speaker:
    return Speaker(
        language=language,
        fallback=profile.notice_languages[0],
        locale=locale_for(language, profile),
        currency=profile.currency,
        profile=profile,
    )


def render_public(
    request: Request,
    template: str,
    *,
    speaker: Speaker,
    status_code: int = 200,
    signed_in: bool = False,
    csrf: str = "",
    **values: Any,
) -> HTMLResponse:
    """A public page in the speaker's language; `signed_in` shows the sign-out button."""
    profile = speaker.profile
    context = {
        "t": speaker.t,
        "money": speaker.money,
        "day": speaker.day,
        "weekday": speaker.weekday,
        "clock": speaker.clock,
        "moment": speaker.moment,
        "clock_at": speaker.clock_at,
        "language_name": speaker.language_name,
        "language": speaker.language,
        "languages": profile.notice_languages,
        "profile": profile,
        "office": profile.contact.office_name.get(speaker.language)
        or profile.contact.office_name[profile.notice_languages[0]],
        "hours": profile.contact.office_hours.get(speaker.language)
        or profile.contact.office_hours[profile.notice_languages[0]],
        "path": request.url.path,
        "query": request.url.query,
        "signed_in": signed_in,
        "csrf_token": csrf,
        **values,
    }
    html = ENVIRONMENT.get_template(template).render(context)
    return HTMLResponse(html, status_code=status_code)
