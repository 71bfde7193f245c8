"""Reading the published catalog: what is in force on a date, and who approved what and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.calendar import local_date
from citations.catalog.publishing import row_wording
from citations.catalog.tables import (
    CatalogPublication,
    JurisdictionProfileRow,
    OrdinanceRow,
    OrdinanceVersionRow,
)
from ordinances.errors import NothingPublished, NotInEffect, UnknownOrdinance
from ordinances.models import Jurisdiction, Ordinance, Version
from ordinances.resolve import PublicationInfo, ResolvedVersion


@dataclass(frozen=True)
class NotInForce:
    code: str
    title: dict[str, str]
    reason: str


@dataclass(frozen=True)
class InEffect:
    """Every published ordinance on one date: those in force and those not (with why)."""

    on: date
    in_force: list[ResolvedVersion]
    not_in_force: list[NotInForce]


@dataclass(frozen=True)
class HistoryEntry:
    effective_from: date
    effective_to: date | None
    """None for the last active version; for a withdrawn one, when it would have ended."""
    version: Version
    published: PublicationInfo
    withdrawn: PublicationInfo | None


def _info(publication: CatalogPublication) -> PublicationInfo:
    return PublicationInfo(
        id=publication.id,
        published_at=publication.published_at,
        author=publication.author,
        approved_by=publication.approved_by,
        reason=publication.reason,
    )


def _active(row: OrdinanceRow) -> list[OrdinanceVersionRow]:
    return [v for v in row.versions if v.withdrawn_by_id is None]


def _ordinance(row: OrdinanceRow, versions: list[OrdinanceVersionRow]) -> Ordinance:
    return Ordinance.model_validate({**row_wording(row), "versions": [v.content for v in versions]})


@dataclass
class _Published:
    """What one publication of one database holds, parsed once: published rows never change
    (a new publication makes a new snapshot), so every request can share it."""

    jurisdiction: Jurisdiction
    resolvable: dict[str, tuple[Ordinance, dict[date, PublicationInfo]]]


_SNAPSHOTS: dict[tuple[str, int, str], _Published] = {}


class PublishedCatalog:
    """The catalog as published in a database session.

    Mirrors `Catalog` (the folder): both answer `resolve(code, on)`.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._snapshot: _Published | None = None
        self._resolved: dict[tuple[str, date], ResolvedVersion] = {}
        """Answers already given: a batch asks the same (code, date) again and again."""

    def _published(self) -> _Published:
        if self._snapshot is not None:
            return self._snapshot
        latest = self.session.execute(
            select(CatalogPublication.id, CatalogPublication.catalog_digest)
            .order_by(CatalogPublication.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            raise NothingPublished()
        key = (str(self.session.get_bind().engine.url), latest[0], latest[1])
        snapshot = _SNAPSHOTS.get(key)
        if snapshot is None:
            row = self.session.scalars(
                select(JurisdictionProfileRow).order_by(JurisdictionProfileRow.id.desc()).limit(1)
            ).first()
            if row is None:
                raise NothingPublished()
            snapshot = _Published(Jurisdiction.model_validate(row.content), {})
            if len(_SNAPSHOTS) > 64:
                _SNAPSHOTS.clear()
            _SNAPSHOTS[key] = snapshot
        self._snapshot = snapshot
        return snapshot

    def jurisdiction(self) -> Jurisdiction:
        return self._published().jurisdiction

    def today(self, now: datetime) -> date:
        """Today's date in the jurisdiction's time zone."""
        return local_date(now, self.jurisdiction())

    def _row(self, code: str) -> OrdinanceRow:
        row = self.session.scalars(
            select(OrdinanceRow)
            .where(OrdinanceRow.code == code)
            .options(
                selectinload(OrdinanceRow.versions).selectinload(OrdinanceVersionRow.publication)
            )
        ).first()
        if row is None:
            self.jurisdiction()  # an empty database says so, rather than "unknown ordinance"
            raise UnknownOrdinance(code)
        return row

    def resolve(self, code: str, on: date) -> ResolvedVersion:
        """The published version of `code` in force on `on`.

        Raises UnknownOrdinance or NotInEffect (before the first version, or after a repeal).
        """
        if (code, on) in self._resolved:
            return self._resolved[(code, on)]
        published = self._published()
        if code not in published.resolvable:
            row = self._row(code)
            active = _active(row)
            published.resolvable[code] = (
                _ordinance(row, active),
                {v.effective_from: _info(v.publication) for v in active},
            )
        ordinance, publications = published.resolvable[code]
        resolved = ResolvedVersion.of(ordinance, on)
        answer = resolved.model_copy(update={"publication": publications[resolved.effective_from]})
        self._resolved[(code, on)] = answer
        return answer

    def _resolve_row(self, row: OrdinanceRow, on: date) -> ResolvedVersion:
        active = _active(row)
        resolved = ResolvedVersion.of(_ordinance(row, active), on)
        source = next(v for v in active if v.effective_from == resolved.effective_from)
        return resolved.model_copy(update={"publication": _info(source.publication)})

    def in_effect(self, on: date) -> InEffect:
        """Every published ordinance on `on`, in code order."""
        rows = self.session.scalars(
            select(OrdinanceRow)
            .order_by(OrdinanceRow.code)
            .options(
                selectinload(OrdinanceRow.versions).selectinload(OrdinanceVersionRow.publication)
            )
        ).all()
        if not rows:
            self.jurisdiction()
        in_force: list[ResolvedVersion] = []
        not_in_force: list[NotInForce] = []
        for row in rows:
            try:
                in_force.append(self._resolve_row(row, on))
            except NotInEffect as exc:
                not_in_force.append(NotInForce(row.code, row.title, exc.reason))
        return InEffect(on, in_force, not_in_force)

    def history(self, code: str) -> tuple[Ordinance, list[HistoryEntry]]:
        """Every version ever published for `code`, withdrawn ones included, oldest first."""
        row = self._row(code)
        active = _active(row)
        ordinance = _ordinance(row, active)
        ends = {v.effective_from: None for v in active} | {
            a.effective_from: b.effective_from for a, b in pairwise(active)
        }
        entries = []
        for version_row in sorted(row.versions, key=lambda v: (v.effective_from, v.id)):
            withdrawn = version_row.withdrawn_by
            entries.append(
                HistoryEntry(
                    effective_from=version_row.effective_from,
                    effective_to=ends.get(version_row.effective_from),
                    version=Version.model_validate(version_row.content),
                    published=_info(version_row.publication),
                    withdrawn=_info(withdrawn) if withdrawn is not None else None,
                )
            )
        return ordinance, entries


def resolve(session: Session, code: str, on: date) -> ResolvedVersion:
    """What the published catalog says about `code` on `on`: `PublishedCatalog(session).resolve`."""
    return PublishedCatalog(session).resolve(code, on)
