"""Catalog entries in the words a lawyer reads: labelled facts, and the differences between them.

`diff`, `show` and `history` all speak through these functions, so the catalog is described
the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordinances.models import Disposition, Jurisdiction, Ordinance, Version
from ordinances.money import TIER_KEYS, TIER_LABELS, format_money

DISPOSITION_WORDS = {
    Disposition.CIVIL_CITATION: "civil citation allowed",
    Disposition.WARNING_ONLY: "warning only (no fine)",
    Disposition.NOT_MAPPABLE: "not mappable: criminal only, no civil citation",
    Disposition.REPEALED: "repealed",
}

Facts = dict[str, str]


def version_facts(version: Version, profile: Jurisdiction) -> Facts:
    """The version as ordered, labelled sentences.

    >>> from ordinances.catalog import load_catalog, DEMO_CATALOG
    >>> catalog = load_catalog(DEMO_CATALOG)
    >>> facts = version_facts(catalog.ordinances[0].versions[0], catalog.jurisdiction)
    >>> "disposition" in facts
    True
    """
    money = _money(profile)
    facts: Facts = {
        "disposition": DISPOSITION_WORDS[version.disposition],
        "legal source": version.source,
    }
    if version.fines is not None:
        for key, label in zip(TIER_KEYS, TIER_LABELS, strict=True):
            facts[f"{label} fine"] = money(getattr(version.fines, key))
        _source(facts, "fines", version.fines.source)
    if version.priors is not None:
        scope = "the same ordinance" if version.priors.scope == "ordinance" else "the same category"
        facts["priors counted"] = (
            f"citations for {scope} within {version.priors.lookback.describe()} "
            "before the violation date"
        )
        _source(facts, "priors", version.priors.source)
    if version.eligibility is not None:
        rules = version.eligibility
        if rules.min_age is not None:
            facts["eligible from age"] = str(rules.min_age)
        if rules.max_priors is not None:
            facts["refer instead after"] = f"more than {rules.max_priors} priors"
        for question in rules.questions:
            answer = "yes" if question.eligible_answer else "no"
            text = question.text.get(
                profile.notice_languages[0], next(iter(question.text.values()))
            )
            facts[f"screening: {question.id}"] = f"{text} (eligible if {answer})"
        _source(facts, "eligibility", rules.source)
    if version.alternatives is not None:
        alt = version.alternatives
        if alt.community_service is not None:
            service = alt.community_service
            facts["community service"] = (
                f"{money(service.dollars_per_hour)} credited per hour, "
                f"up to {service.max_hours} hours"
            )
        if alt.programs:
            names = {p.id: p.name.get(profile.notice_languages[0], p.id) for p in profile.programs}
            facts["programs offered"] = ", ".join(names.get(p, p) for p in alt.programs)
        if alt.ability_to_pay is not None:
            facts["ability to pay"] = _ability_to_pay(
                alt.ability_to_pay.rule, alt.ability_to_pay.percent
            )
        _source(facts, "alternatives", alt.source)
    if version.correction is not None:
        facts["correction"] = (
            f"required within {version.correction.within_days} days"
            if version.correction.required
            else "not required"
        )
    if version.notes is not None:
        facts["notes"] = version.notes
    return facts


def _ability_to_pay(rule: str, percent: Any) -> str:
    if rule == "reduced_payment":
        return f"paying {percent}% of the fine satisfies it in full"
    if rule == "waiver":
        return "the fine is waived"
    return "the fine converts to community service"


def ordinance_facts(ordinance: Ordinance) -> Facts:
    facts: Facts = {"category": ordinance.category, "legal reference": ordinance.legal_reference}
    for lang, text in ordinance.title.items():
        facts[f"title ({lang})"] = text
    for lang, text in ordinance.description.items():
        facts[f"description ({lang})"] = text
    return facts


def profile_facts(profile: Jurisdiction) -> Facts:
    """The profile flattened to `section / key` labels, amounts shown as money."""
    facts: Facts = {}
    _flatten(profile.model_dump(mode="json"), "", facts)
    return facts


def _flatten(value: Any, label: str, into: Facts) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(item, f"{label} / {key}" if label else str(key), into)
    elif isinstance(value, list) and value and isinstance(value[0], Mapping):
        for index, item in enumerate(value):
            name = item.get("id", index) if isinstance(item, Mapping) else index
            _flatten(item, f"{label} / {name}", into)
    else:
        into[label] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def compare(before: Facts, after: Facts) -> list[str]:
    """Lines saying what changed between two descriptions: `label: old → new`."""
    lines = []
    for label in list(before) + [k for k in after if k not in before]:
        old, new = before.get(label), after.get(label)
        if old == new:
            continue
        if old is None:
            lines.append(f"{label}: added: {new}")
        elif new is None:
            lines.append(f"{label}: removed (was {old})")
        else:
            lines.append(f"{label}: {old} → {new}")
    return lines


def one_line(version: Version, profile: Jurisdiction) -> str:
    """A version's gist in one line, for lists and histories."""
    words = DISPOSITION_WORDS[version.disposition]
    if version.fines is None:
        return words
    money = _money(profile)
    tiers = " / ".join(money(amount) for amount in version.fines.tiers())
    return f"{words}; fines {tiers}"


def _source(facts: Facts, section: str, source: str | None) -> None:
    if source is not None:
        facts[f"legal source of {section}"] = source


def _money(profile: Jurisdiction) -> Any:
    return lambda amount: format_money(amount, profile.currency, profile.locale)
