"""Publishing a catalog folder into the database: the plan (what `diff` shows) and applying it.

Rules:
- the approver must be someone other than the author, and a reason is required;
- a version that is in effect or past is immutable: it can be neither changed nor removed,
  only superseded by a later dated version (a repeal is such a version);
- a published ordinance is never deleted;
- a new version of a published ordinance takes effect after today, so the past never changes;
- a future version may be replaced or withdrawn before it takes effect (history keeps it);
- publishing what is already published changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.tables import (
    CatalogPublication,
    JurisdictionProfileRow,
    OrdinanceRow,
    OrdinanceVersionRow,
)
from citations.errors import ApprovalRequired
from citations.roles import OPERATOR, Action, Actor
from ordinances.catalog import Catalog
from ordinances.describe import (
    compare,
    one_line,
    ordinance_facts,
    profile_facts,
    version_facts,
)
from ordinances.errors import PublicationRefused
from ordinances.models import Jurisdiction, Ordinance, Version

ChangeKind = Literal[
    "profile", "new_ordinance", "wording", "new_version", "replace_version", "withdraw_version"
]


@dataclass
class Change:
    """One thing publishing would do, described for a lawyer and carrying what applying needs."""

    kind: ChangeKind
    headline: str
    details: list[str] = field(default_factory=list)
    ordinance: Ordinance | None = None
    version: Version | None = None
    row: OrdinanceVersionRow | None = None


@dataclass
class PublicationPlan:
    today: date
    changes: list[Change]
    refusals: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.refusals


@dataclass(frozen=True)
class PublicationResult:
    publication_id: int | None
    """None when nothing had to change."""
    plan: PublicationPlan


def digest(document: Any) -> str:
    """A stable fingerprint of a JSON-able document."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _wording(ordinance: Ordinance) -> dict[str, Any]:
    return ordinance.model_dump(mode="json", exclude={"versions"})


def plan_publication(session: Session, catalog: Catalog, now: datetime) -> PublicationPlan:
    """Compare the catalog folder with what is published, without changing anything."""
    profile = catalog.jurisdiction
    today = local_date(now, profile)
    plan = PublicationPlan(today, [], [])
    _plan_profile(session, profile, plan)
    published = {
        row.code: row
        for row in session.scalars(
            select(OrdinanceRow).options(selectinload(OrdinanceRow.versions))
        )
    }
    for ordinance in catalog.ordinances:
        row = published.pop(ordinance.code, None)
        if row is None:
            title = ordinance.title[profile.notice_languages[0]]
            plan.changes.append(
                Change(
                    "new_ordinance",
                    f"New ordinance {ordinance.code} ({title})",
                    [
                        f"version effective {v.effective.isoformat()}: {one_line(v, profile)}"
                        for v in ordinance.versions
                    ],
                    ordinance=ordinance,
                )
            )
        else:
            _plan_ordinance(ordinance, row, profile, plan)
    for code in sorted(published):
        plan.refusals.append(
            f"{code} is published but missing from the catalog: ordinances are never deleted; "
            "end it with a version whose disposition is `repealed`"
        )
    return plan


def _plan_profile(session: Session, profile: Jurisdiction, plan: PublicationPlan) -> None:
    current = session.scalars(
        select(JurisdictionProfileRow).order_by(JurisdictionProfileRow.id.desc()).limit(1)
    ).first()
    content = profile.model_dump(mode="json")
    if current is None:
        plan.changes.append(Change("profile", f"Jurisdiction profile for {profile.name}"))
    elif current.content_hash != digest(content):
        before = Jurisdiction.model_validate(current.content)
        plan.changes.append(
            Change(
                "profile",
                f"Jurisdiction profile for {profile.name} changes",
                compare(profile_facts(before), profile_facts(profile)),
            )
        )


def _plan_ordinance(
    ordinance: Ordinance, row: OrdinanceRow, profile: Jurisdiction, plan: PublicationPlan
) -> None:
    code, today = ordinance.code, plan.today
    if row.content_hash != digest(_wording(ordinance)):
        before = Ordinance.model_validate({**row_wording(row), "versions": ordinance.versions})
        plan.changes.append(
            Change(
                "wording",
                f"{code}: wording changes",
                compare(ordinance_facts(before), ordinance_facts(ordinance)),
                ordinance=ordinance,
            )
        )
    published = {r.effective_from: r for r in row.versions if r.withdrawn_by_id is None}
    proposed = {v.effective: v for v in ordinance.versions}
    for when in sorted(published.keys() | proposed.keys()):
        old, new = published.get(when), proposed.get(when)
        started = when <= today
        label = f"{code}, version effective {when.isoformat()}"
        if old is not None and new is not None:
            if old.content_hash == digest(new.model_dump(mode="json")):
                continue
            differences = compare(
                version_facts(Version.model_validate(old.content), profile),
                version_facts(new, profile),
            )
            if started:
                plan.refusals.append(
                    f"{label}, is in effect or past and cannot be changed "
                    f"({'; '.join(differences)}); supersede it with a new version dated after "
                    f"{today.isoformat()}"
                )
            else:
                plan.changes.append(
                    Change(
                        "replace_version",
                        f"{label} (not yet in effect) is replaced",
                        differences,
                        ordinance=ordinance,
                        version=new,
                        row=old,
                    )
                )
        elif old is not None:
            if started:
                plan.refusals.append(
                    f"{label}, is in effect or past and cannot be removed from the catalog; "
                    "to end it, add a later version whose disposition is `repealed`"
                )
            else:
                plan.changes.append(
                    Change(
                        "withdraw_version",
                        f"{label} is withdrawn before it takes effect",
                        [f"was: {one_line(Version.model_validate(old.content), profile)}"],
                        ordinance=ordinance,
                        row=old,
                    )
                )
        elif new is not None:
            if started:
                plan.refusals.append(
                    f"{label}, is new but dated on or before today ({today.isoformat()}): "
                    "adding it would rewrite what was in effect; date it after today"
                )
            else:
                replaced = _in_force_before(ordinance.versions, when)
                details = [one_line(new, profile)]
                if replaced is not None:
                    details += compare(
                        version_facts(replaced, profile), version_facts(new, profile)
                    )
                plan.changes.append(
                    Change(
                        "new_version",
                        f"{label}: new version",
                        details,
                        ordinance=ordinance,
                        version=new,
                    )
                )


def _in_force_before(versions: list[Version], when: date) -> Version | None:
    earlier = [v for v in versions if v.effective < when]
    return earlier[-1] if earlier else None


def row_wording(row: OrdinanceRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "title": row.title,
        "description": row.description,
        "category": row.category,
        "legal_reference": row.legal_reference,
    }


def publish(
    session: Session,
    catalog: Catalog,
    *,
    author: str,
    approved_by: str,
    reason: str,
    now: datetime,
    actor: Actor = OPERATOR,
) -> PublicationResult:
    """Publish the catalog in the session's transaction; refuse with every reason at once.

    Publishing the same catalog twice returns a result with no publication and changes nothing.
    `actor` is who presses the button (an attorney or an admin: Action.PUBLISH_CATALOG); it
    defaults to the operator because the command line, the demo and the seed publish as the
    server's operator.
    """
    actor.require(Action.PUBLISH_CATALOG)
    author, approved_by, reason = author.strip(), approved_by.strip(), reason.strip()
    if not author or not approved_by:
        raise ApprovalRequired("both --author and --approved-by must name a person")
    if author.casefold() == approved_by.casefold():
        raise ApprovalRequired(
            f"the approver must be someone other than the author ({author!r} cannot approve "
            "their own catalog change)"
        )
    if not reason:
        raise ApprovalRequired("a reason for the change is required")
    plan = plan_publication(session, catalog, now)
    if plan.refusals:
        raise PublicationRefused(plan.refusals)
    if not plan.changes:
        return PublicationResult(None, plan)
    publication = CatalogPublication(
        published_at=now,
        author=author,
        approved_by=approved_by,
        reason=reason,
        catalog_digest=digest(
            {
                "profile": catalog.jurisdiction.model_dump(mode="json"),
                "ordinances": [o.model_dump(mode="json") for o in catalog.ordinances],
            }
        ),
    )
    session.add(publication)
    session.flush()
    rows = {row.code: row for row in session.scalars(select(OrdinanceRow))}
    for change in plan.changes:
        _apply(session, change, catalog.jurisdiction, publication, rows)
        record(
            session,
            at=now,
            actor=author,
            action=f"catalog.{change.kind}",
            entity_type="ordinance" if change.ordinance is not None else "jurisdiction",
            entity_key=change.ordinance.code if change.ordinance else catalog.jurisdiction.name,
            reason=reason,
            before=change.row.content if change.row is not None else None,
            after={
                "summary": change.headline,
                "details": change.details,
                "approved_by": approved_by,
                "publication_id": publication.id,
            },
        )
    session.flush()
    return PublicationResult(publication.id, plan)


def _apply(
    session: Session,
    change: Change,
    profile: Jurisdiction,
    publication: CatalogPublication,
    rows: dict[str, OrdinanceRow],
) -> None:
    if change.kind == "profile":
        content = profile.model_dump(mode="json")
        session.add(
            JurisdictionProfileRow(
                publication_id=publication.id, content=content, content_hash=digest(content)
            )
        )
        return
    ordinance = change.ordinance
    assert ordinance is not None
    if change.kind == "new_ordinance":
        row = OrdinanceRow(code=ordinance.code, publication_id=publication.id)
        _set_wording(row, ordinance)
        session.add(row)
        session.flush()
        rows[ordinance.code] = row
        for version in ordinance.versions:
            session.add(_version_row(row, version, publication))
    elif change.kind == "wording":
        row = rows[ordinance.code]
        _set_wording(row, ordinance)
        row.publication_id = publication.id
    else:
        if change.row is not None:
            change.row.withdrawn_by_id = publication.id
            session.flush()  # free the (ordinance, date) slot before a replacement takes it
        if change.version is not None:
            session.add(_version_row(rows[ordinance.code], change.version, publication))


def _set_wording(row: OrdinanceRow, ordinance: Ordinance) -> None:
    wording = _wording(ordinance)
    row.title = wording["title"]
    row.description = wording["description"]
    row.category = wording["category"]
    row.legal_reference = wording["legal_reference"]
    row.content_hash = digest(wording)


def _version_row(
    row: OrdinanceRow, version: Version, publication: CatalogPublication
) -> OrdinanceVersionRow:
    content = version.model_dump(mode="json")
    return OrdinanceVersionRow(
        ordinance_id=row.id,
        effective_from=version.effective,
        disposition=version.disposition.value,
        content=content,
        content_hash=digest(content),
        publication_id=publication.id,
    )
