"""Rules that span more than one value: the checks a lawyer would make reading the whole catalog.

Each check returns Problems located at the line that needs changing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency

from ordinances.errors import Problem
from ordinances.models import Disposition, FineCap, Jurisdiction, Translated
from ordinances.money import TIER_KEYS, TIER_LABELS, format_money
from ordinances.yaml_source import Located, Location, SourceFile


def check_jurisdiction(profile: Jurisdiction, source: SourceFile) -> list[Problem]:
    problems: list[Problem] = []

    def at(loc: Location, message: str) -> None:
        problems.append(source.problem(loc, message))

    try:
        ZoneInfo(profile.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        at(("time_zone",), f"unknown time zone {profile.time_zone!r} (e.g. America/Los_Angeles)")
    if not is_currency(profile.currency):
        at(("currency",), f"unknown currency code {profile.currency!r} (e.g. USD)")
    for loc, name in [(("locale",), profile.locale)] + [
        (("notice_languages", i), lang) for i, lang in enumerate(profile.notice_languages)
    ]:
        try:
            Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            at(loc, f"unknown language or locale {name!r}")
    if len(set(profile.notice_languages)) != len(profile.notice_languages):
        at(("notice_languages",), "a notice language is listed twice")
    calendar = profile.holiday_calendar
    supported = holidays.list_supported_countries()
    if calendar.country not in supported:
        at(("holiday_calendar", "country"), f"no holiday calendar for country {calendar.country!r}")
    elif (
        calendar.subdivision is not None and calendar.subdivision not in supported[calendar.country]
    ):
        at(
            ("holiday_calendar", "subdivision"),
            f"{calendar.country} has no subdivision {calendar.subdivision!r} "
            "in the holiday calendar",
        )
    caps: list[tuple[Location, FineCap]] = [(("default_fine_cap",), profile.default_fine_cap)] + [
        (("categories", key, "cap"), category.cap)
        for key, category in profile.categories.items()
        if category.cap is not None
    ]
    for cap_loc, cap in caps:
        problems += _decreasing(source, cap_loc, cap.tiers(), "cap", profile.currency)
    for key, category in profile.categories.items():
        problems += _translations(source, ("categories", key, "name"), category.name, profile)
    for key in ("office_name", "office_hours"):
        text: Translated = getattr(profile.contact, key)
        problems += _translations(source, ("contact", key), text, profile)
    problems += _translations(source, ("court", "name"), profile.court.name, profile)
    ids = profile.program_ids()
    for index, program in enumerate(profile.programs):
        if ids.index(program.id) != index:
            at(("programs", index, "id"), f"program id {program.id!r} is defined twice")
        problems += _translations(source, ("programs", index, "name"), program.name, profile)
        if program.description is not None:
            problems += _translations(
                source, ("programs", index, "description"), program.description, profile
            )
    return problems


def check_ordinances(profile: Jurisdiction, located: Sequence[Located]) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, Located] = {}
    for entry in located:
        code = entry.ordinance.code
        if code in first_seen:
            other = first_seen[code]
            problems.append(
                entry.source.problem(
                    (*entry.loc, "code"),
                    f"ordinance {code!r} is already defined at "
                    f"{other.source.label}:{other.line('code')}",
                )
            )
            continue
        first_seen[code] = entry
        problems += _check_ordinance(profile, entry)
    return problems


def _check_ordinance(profile: Jurisdiction, entry: Located) -> list[Problem]:
    ordinance, source = entry.ordinance, entry.source
    problems: list[Problem] = []

    def at(loc: Location, message: str) -> None:
        problems.append(source.problem((*entry.loc, *loc), message))

    if ordinance.category not in profile.categories:
        known = ", ".join(sorted(profile.categories))
        at(("category",), f"unknown category {ordinance.category!r} (the profile defines: {known})")
    for key in ("title", "description"):
        text: Translated = getattr(ordinance, key)
        problems += _translations(source, (*entry.loc, key), text, profile)
    versions = ordinance.versions
    for i, version in enumerate(versions):
        vloc: tuple[str | int, ...] = ("versions", i)
        when = version.effective.isoformat()
        if i > 0:
            before = versions[i - 1]
            if version.effective == before.effective:
                at(
                    (*vloc, "effective"),
                    f"versions overlap: two versions take effect on {when} "
                    f"(lines {entry.line('versions', i - 1)} and {entry.line('versions', i)})",
                )
            elif version.effective < before.effective:
                at(
                    (*vloc, "effective"),
                    f"versions out of order: {when} is listed after "
                    f"{before.effective.isoformat()}; list versions oldest first",
                )
            if (
                version.disposition is Disposition.REPEALED
                and before.disposition is Disposition.REPEALED
            ):
                at((*vloc, "disposition"), f"already repealed on {before.effective.isoformat()}")
        elif version.disposition is Disposition.REPEALED:
            at((*vloc, "disposition"), "the first version cannot be a repeal")
        if version.fines is not None:
            tiers = version.fines.tiers()
            problems += _decreasing(
                source, (*entry.loc, *vloc, "fines"), tiers, "fine", profile.currency
            )
            if ordinance.category in profile.categories:
                cap = profile.cap_for(ordinance.category)
                tiers_and_caps = zip(TIER_KEYS, TIER_LABELS, tiers, cap.tiers(), strict=True)
                for key, tier_name, amount, limit in tiers_and_caps:
                    if amount > limit:
                        at(
                            (*vloc, "fines", key),
                            f"{tier_name} fine {format_money(amount, profile.currency)} "
                            f"(effective {when}) is above the statutory cap of "
                            f"{format_money(limit, profile.currency)} for category "
                            f"{ordinance.category!r} ({cap.source})",
                        )
        if version.eligibility is not None:
            for q, question in enumerate(version.eligibility.questions):
                problems += _translations(
                    source,
                    (*entry.loc, *vloc, "eligibility", "questions", q, "text"),
                    question.text,
                    profile,
                )
        if version.alternatives is not None:
            known_programs = profile.program_ids()
            for p, program in enumerate(version.alternatives.programs):
                if program not in known_programs:
                    listed = ", ".join(known_programs) or "none"
                    at(
                        (*vloc, "alternatives", "programs", p),
                        f"unknown program {program!r} (programs in the profile: {listed})",
                    )
    return problems


def _translations(
    source: SourceFile, loc: Location, text: Translated, profile: Jurisdiction
) -> list[Problem]:
    missing = [lang for lang in profile.notice_languages if lang not in text]
    if not missing:
        return []
    languages = ", ".join(profile.notice_languages)
    return [
        source.problem(
            loc,
            f"{loc[-1]!r} has no {lang!r} translation (the notice languages are {languages})",
        )
        for lang in missing
    ]


def _decreasing(
    source: SourceFile, loc: Location, tiers: Iterable[Decimal], what: str, currency: str
) -> list[Problem]:
    named = list(zip(TIER_KEYS, TIER_LABELS, tiers, strict=True))
    for (_key_a, name_a, a), (key_b, name_b, b) in pairwise(named):
        if b < a:
            return [
                source.problem(
                    (*loc, key_b),
                    f"the {name_b} {what} ({format_money(b, currency)}) is less than the "
                    f"{name_a} {what} ({format_money(a, currency)})",
                )
            ]
    return []
