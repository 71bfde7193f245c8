"""The words of a message: a text, an email's subject and body, a letter's paragraphs, in the
message's language and wording, from `templates/reminders/<language>.yaml`.

City staff edit those files as they edit the documents' wording (templates/README.md): each
value is a Jinja2 template that calls the same helpers (`money`, `long_date`, `weekday_date`,
`time`, ...), plus `day` (a short date for texts: "Mon, Dec 21"). The words are plain text,
not markup: nothing is escaped, and spaces and line breaks inside a value collapse to one
space. A language without a file falls back to the profile's first notice language, as does
a key its file lacks; a wording without the kind falls back to `standard`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Undefined

from citations.calendar import zone_of
from citations.documents.formats import helpers
from citations.documents.wording import NoticeTemplateError
from citations.money import from_cents
from citations.notice.build import locale_for
from citations.outreach.wording import REMINDERS, Book, load_book
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from ordinances.models import Jurisdiction

TEXT_LIMIT = 160
"""Characters in one text message (one segment of the GSM alphabet)."""

FIRST_NAME_LIMIT = 12
"""A text greets with the first name's first part (up to a space or a hyphen), cut to this
many characters, so that a long name does not push a text over one message."""


@dataclass(frozen=True)
class Words:
    text: str
    """A text message: the first name, what is due, the date and the link; nothing more."""
    subject: str
    """An email's subject."""
    email: str
    """An email's plain-text body, with the link."""
    letter: list[str]
    """A printed letter's paragraphs, the greeting first and the link last."""


def render(
    message: OutboxMessage, citation: Citation, profile: Jurisdiction, *, owed: Decimal, link: str
) -> Words:
    """The words of `message` in its language and wording; `owed` is what the citation's
    balance is at sending, `link` the person's door with a fresh access code."""
    return render_from(
        kind=message.kind,
        wording=message.wording,
        language=message.language,
        facts=message.facts or {},
        subject=citation.subject if isinstance(citation.subject, dict) else {},
        profile=profile,
        owed=owed,
        link=link,
    )


def render_from(
    *,
    kind: str,
    wording: str,
    language: str,
    facts: Mapping[str, Any],
    subject: Mapping[str, Any],
    profile: Jurisdiction,
    owed: Decimal,
    link: str,
    templates: Path = REMINDERS,
) -> Words:
    """`render` from the message's and the citation's fields (a preview, a test, another
    templates folder)."""
    fallback = profile.notice_languages[0]
    book = _book(templates, language, fallback)
    language = book.language
    variables = {
        **_formats(language, locale_for(language, profile), profile.currency),
        **_facts(facts, profile, language),
        **_person(subject),
        **_office(profile, language),
        "owed": owed,
        "link": link,
    }
    if variables["at"] is not None:
        variables["where"] = book.one("common.where", variables)
    variant = wording if book.has(f"{wording}.{kind}.text") else "standard"
    short = {**variables, "first_name": _short(str(variables["first_name"]))}
    text = f"{book.one(f'{variant}.{kind}.text', short)} {book.one('common.stop', short)}"
    body = book.many(f"{variant}.{kind}.body", variables)
    return Words(
        text=text,
        subject=book.one(f"{variant}.{kind}.subject", variables),
        email="\n\n".join(
            [
                book.one("common.greeting", variables),
                *body,
                *book.many("common.email_end", variables),
            ]
        ),
        letter=[
            book.one("common.letter_greeting", variables),
            *body,
            *book.many("common.letter_end", variables),
        ],
    )


def _book(templates: Path, language: str, fallback: str) -> Book:
    """The wording in `language`, its missing keys from `fallback`'s; `fallback`'s alone when
    `language` has no file."""
    first = load_book(templates, fallback)
    if language == fallback:
        return first
    try:
        return load_book(templates, language).over(first)
    except NoticeTemplateError as error:
        if error.key is None and not error.path.exists():
            return first  # no file for this language
        raise


@lru_cache(maxsize=32)
def _formats(language: str, locale: str, currency: str) -> dict[str, Callable[..., str]]:
    from babel.dates import format_skeleton

    def day(value: date) -> str:
        if value is None:
            raise TypeError("day() was given no value (None)")
        return format_skeleton("MMMEd", value, locale=locale)  # Mon, Dec 21

    return {
        name: _defined(helper)
        for name, helper in {**helpers(language, locale, currency), "day": day}.items()
    }


_REMEMBERED = 4096
"""Formatted values each helper keeps: a batch of reminders formats the same few dates and
amounts again and again, and babel's formatting is most of a message's cost."""


def _defined(helper: Callable[..., str]) -> Callable[..., str]:
    """`helper`, refusing a misspelled variable (which Jinja would pass on as Undefined) with
    the error that names it, and remembering what it formatted."""
    remembered: dict[tuple[Any, ...], str] = {}

    def call(*values: Any) -> str:
        for value in values:
            if isinstance(value, Undefined):
                value._fail_with_undefined_error()
        # Equal moments in two zones print differently: the offset is part of the key.
        key = tuple(
            (type(v), v, v.utcoffset() if isinstance(v, datetime) else None) for v in values
        )
        try:
            return remembered[key]
        except KeyError:
            pass
        except TypeError:  # not hashable: format it every time
            return helper(*values)
        if len(remembered) >= _REMEMBERED:
            remembered.clear()
        text = remembered[key] = helper(*values)
        return text

    return call


_DATES = (
    "date",
    "pay_by",
    "contest_by",
    "missed",
    "late_on",
    "collections_on",
    "keep_plan_until",
)


def _facts(facts: Mapping[str, Any], profile: Jurisdiction, language: str) -> dict[str, Any]:
    """The message's facts as the templates use them: dates as dates, moments in the
    jurisdiction's zone, amounts in money, the program by its name."""
    zone = zone_of(profile)
    values: dict[str, Any] = {name: _day(facts.get(name)) for name in _DATES}
    late_on = values["late_on"]
    values["pay_until"] = None if late_on is None else late_on - timedelta(days=1)
    values["late_penalty"] = bool(facts.get("late_penalty"))
    values["at"] = _moment(facts.get("at"), zone)
    values["moved_from"] = _moment(facts.get("replaces"), zone)
    for name in ("mode", "place", "remote_link", "installment", "installments"):
        values[name] = facts.get(name)
    cents = facts.get("amount_cents")
    values["amount"] = None if cents is None else from_cents(int(cents))
    program = next((p for p in profile.programs if p.id == facts.get("program")), None)
    values["program"] = None if program is None else _translated(program.name, language)
    values["where"] = None
    return values


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _moment(value: Any, zone: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value).astimezone(zone)


def _person(subject: Mapping[str, Any]) -> dict[str, str]:
    first = str(subject.get("first_name") or "").strip()
    latin = " ".join(
        str(subject.get(part) or "").strip()
        for part in ("first_name", "middle_name", "last_name")
        if subject.get(part)
    )
    written = subject.get("name_as_written")
    full = latin if not written or written == latin else f"{written} ({latin})"
    return {"first_name": first, "full_name": full}


def _short(first_name: str) -> str:
    words = first_name.replace("-", " ").split()
    return words[0][:FIRST_NAME_LIMIT] if words else first_name


def _office(profile: Jurisdiction, language: str) -> dict[str, str]:
    contact = profile.contact
    return {
        "office_name": _translated(contact.office_name, language),
        "office_phone": contact.phone,
        "office_hours": _translated(contact.office_hours, language),
        "website": contact.website,
    }


def _translated(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or next(iter(text.values()), "")
