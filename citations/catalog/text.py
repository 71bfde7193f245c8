"""Plain-text renderings of the catalog for terminals and the demo: one wording everywhere."""

from __future__ import annotations

from datetime import datetime

from citations.calendar import local_time
from citations.catalog.publishing import PublicationPlan
from citations.catalog.store import HistoryEntry, InEffect
from ordinances.describe import one_line, version_facts
from ordinances.models import Jurisdiction, Ordinance
from ordinances.resolve import PublicationInfo, ResolvedVersion

_MARKS = {
    "profile": "*",
    "new_ordinance": "+",
    "wording": "~",
    "new_version": "+",
    "replace_version": "~",
    "withdraw_version": "-",
}


def _when(moment: datetime, profile: Jurisdiction) -> str:
    """An instant in the jurisdiction's local time, as its staff read clocks."""
    return local_time(moment, profile).strftime("%Y-%m-%d %H:%M %Z")


def _published(info: PublicationInfo, profile: Jurisdiction) -> str:
    return (
        f"published {_when(info.published_at, profile)} by {info.author}, "
        f"approved by {info.approved_by}: {info.reason}"
    )


def _until(end: object) -> str:
    return f"until {end}" if end is not None else "no end date"


def render_resolved(resolved: ResolvedVersion, profile: Jurisdiction, lang: str) -> str:
    default = profile.notice_languages[0]
    title = resolved.title.get(lang, resolved.title[default])
    description = resolved.description.get(lang, resolved.description[default])
    lines = [
        f"{resolved.code} — {title}",
        f"Version effective {resolved.effective_from} ({_until(resolved.effective_to)})",
        f"Category: {resolved.category}",
        f"Legal reference: {resolved.legal_reference}",
        f"Description: {description}",
        "",
    ]
    facts = version_facts(resolved.version, profile)
    width = max(len(label) for label in facts)
    lines += [f"  {label.ljust(width)}  {text}" for label, text in facts.items()]
    if resolved.publication is not None:
        published = _published(resolved.publication, profile)
        lines += ["", published[0].upper() + published[1:]]
    return "\n".join(lines)


def render_in_effect(result: InEffect, profile: Jurisdiction, lang: str) -> str:
    lines = [f"In effect in {profile.name} on {result.on.isoformat()}:"]
    if result.in_force:
        code_width = max(len(r.code) for r in result.in_force)
        for resolved in result.in_force:
            title = resolved.title.get(lang, resolved.code)
            lines.append(
                f"  {resolved.code.ljust(code_width)}  {title}: "
                f"{one_line(resolved.version, profile)} (since {resolved.effective_from})"
            )
    else:
        lines.append("  nothing")
    if result.not_in_force:
        lines.append("Not in effect on that date:")
        lines += [f"  {n.code}: {n.reason}" for n in result.not_in_force]
    return "\n".join(lines)


def render_history(
    ordinance: Ordinance, entries: list[HistoryEntry], profile: Jurisdiction, lang: str
) -> str:
    lines = [f"{ordinance.code} — {ordinance.title.get(lang, ordinance.code)}"]
    for entry in entries:
        state = (
            f"withdrawn before taking effect ({_published(entry.withdrawn, profile)})"
            if entry.withdrawn is not None
            else _until(entry.effective_to)
        )
        lines += [
            f"  effective {entry.effective_from} ({state})",
            f"    {one_line(entry.version, profile)}; source: {entry.version.source}",
            f"    {_published(entry.published, profile)}",
        ]
    return "\n".join(lines)


def render_plan(plan: PublicationPlan) -> str:
    """What publishing would do, for a lawyer: changes, then anything that would be refused."""
    if plan.is_empty:
        return "No changes: the catalog matches what is published."
    lines = []
    if plan.changes:
        lines.append(f"Publishing on {plan.today.isoformat()} would:")
        for change in plan.changes:
            lines.append(f"  {_MARKS[change.kind]} {change.headline}")
            lines += [f"      {detail}" for detail in change.details]
    if plan.refusals:
        lines.append("These changes would be refused:")
        lines += [f"  ! {reason}" for reason in plan.refusals]
    return "\n".join(lines)
