"""Publishing the catalog into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.audit import AuditEvent
from citations.catalog.publishing import PublicationResult, plan_publication, publish
from citations.catalog.store import PublishedCatalog
from citations.catalog.tables import CatalogPublication, JurisdictionProfileRow, OrdinanceVersionRow
from citations.database import transaction
from citations.errors import ApprovalRequired
from ordinances import (
    NothingPublished,
    NotInEffect,
    PublicationRefused,
    UnknownOrdinance,
    load_catalog,
)
from tests.conftest import GOOD_CATALOG, NOW, edit

FUTURE_VERSION = """
      - effective: 2027-07-01
        disposition: civil_citation
        source: Ordinance 220,000
        fines: {first: 225.00, second: 450.00, third_and_later: 900.00}
        priors:
          scope: category
          lookback: {days: 365}
"""


def publish_folder(
    engine: Engine, folder: Path, now: datetime = NOW, author: str = "Dana Reyes"
) -> PublicationResult:
    with transaction(engine) as session:
        return publish(
            session,
            load_catalog(folder),
            author=author,
            approved_by="Sam Okafor",
            reason="Ordinance 182,610",
            now=now,
        )


def add_future_version(folder: Path) -> None:
    edit(
        folder / "public-order.yaml",
        "          lookback: {days: 365}\n",
        "          lookback: {days: 365}\n" + FUTURE_VERSION.lstrip("\n"),
    )


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_published_catalog_answers_like_the_folder(engine: Engine) -> None:
    result = publish_folder(engine, GOOD_CATALOG)
    assert result.publication_id is not None
    folder = load_catalog(GOOD_CATALOG)
    with transaction(engine) as session:
        published = PublishedCatalog(session)
        assert published.jurisdiction() == folder.jurisdiction
        for code in ("TC 41.27(c)", "TC 41.18(d)", "TC 63.44"):
            for on in (
                date(2020, 1, 1),
                date(2022, 2, 28),
                date(2022, 3, 1),
                date(2024, 6, 30),
                date(2024, 7, 1),
                date(2024, 12, 31),
                date(2026, 11, 29),
            ):
                try:
                    from_folder = folder.resolve(code, on)
                except NotInEffect as exc:
                    expected_reason = exc.reason
                    with pytest.raises(NotInEffect) as raised:
                        published.resolve(code, on)
                    assert raised.value.reason == expected_reason
                    continue
                from_db = published.resolve(code, on)
                assert from_db.model_dump(exclude={"publication"}) == from_folder.model_dump(
                    exclude={"publication"}
                )
                assert from_db.publication is not None
                assert from_db.publication.author == "Dana Reyes"
                assert from_db.publication.approved_by == "Sam Okafor"
        with pytest.raises(NotInEffect, match="repealed effective 2025-01-01"):
            published.resolve("TC 63.44", date(2025, 1, 1))
        with pytest.raises(UnknownOrdinance):
            published.resolve("TC 99", date(2025, 1, 1))


def test_publishing_is_recorded_with_author_approver_reason_and_audit(engine: Engine) -> None:
    publish_folder(engine, GOOD_CATALOG)
    with transaction(engine) as session:
        publication = session.scalars(select(CatalogPublication)).one()
        assert (publication.author, publication.approved_by, publication.reason) == (
            "Dana Reyes",
            "Sam Okafor",
            "Ordinance 182,610",
        )
        assert publication.published_at == NOW
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["catalog.profile"] + ["catalog.new_ordinance"] * 3
        assert count(session, OrdinanceVersionRow) == 6


def test_publishing_the_same_catalog_twice_changes_nothing(engine: Engine) -> None:
    publish_folder(engine, GOOD_CATALOG)
    again = publish_folder(engine, GOOD_CATALOG)
    assert again.publication_id is None
    assert again.plan.is_empty
    with transaction(engine) as session:
        assert count(session, CatalogPublication) == 1
        assert count(session, AuditEvent) == 4


@pytest.mark.parametrize(
    ("author", "approver", "reason", "message"),
    [
        ("Dana Reyes", "dana reyes ", "r", "approver must be someone other than the author"),
        ("Dana Reyes", "", "r", "must name a person"),
        ("Dana Reyes", "Sam Okafor", "  ", "a reason for the change is required"),
    ],
)
def test_approval_rules(
    session: Session, author: str, approver: str, reason: str, message: str
) -> None:
    with pytest.raises(ApprovalRequired, match=message):
        publish(
            session,
            load_catalog(GOOD_CATALOG),
            author=author,
            approved_by=approver,
            reason=reason,
            now=NOW,
        )
    assert count(session, CatalogPublication) == 0


def test_a_version_in_effect_cannot_be_changed(engine: Engine, catalog_dir: Path) -> None:
    publish_folder(engine, catalog_dir)
    edit(catalog_dir / "public-order.yaml", "fines: {first: 250.00,", "fines: {first: 240.00,")
    with pytest.raises(PublicationRefused) as raised:
        publish_folder(engine, catalog_dir)
    assert raised.value.reasons == [
        "TC 41.27(c), version effective 2020-01-01, is in effect or past and cannot be changed "
        "(1st-offense fine: $250.00 → $240.00); supersede it with a new version dated after "
        "2026-11-29"
    ]
    with transaction(engine) as session:
        assert count(session, CatalogPublication) == 1


def test_a_past_version_cannot_be_removed(engine: Engine, catalog_dir: Path) -> None:
    publish_folder(engine, catalog_dir)
    edit(
        catalog_dir / "public-order.yaml",
        "      - effective: 2025-01-01\n        disposition: repealed\n"
        "        source: Ordinance 210,000\n",
        "",
    )
    with pytest.raises(
        PublicationRefused,
        match=r"TC 63\.44, version effective 2025-01-01, is in "
        r"effect or past and cannot be removed",
    ):
        publish_folder(engine, catalog_dir)


def test_a_new_version_cannot_rewrite_the_past(engine: Engine, catalog_dir: Path) -> None:
    publish_folder(engine, catalog_dir)
    add_future_version(catalog_dir)
    edit(catalog_dir / "public-order.yaml", "effective: 2027-07-01", "effective: 2026-11-29")
    with pytest.raises(
        PublicationRefused,
        match=r"version effective 2026-11-29, is new but dated on "
        r"or before today \(2026-11-29\)",
    ):
        publish_folder(engine, catalog_dir)


def test_a_published_ordinance_is_never_deleted(engine: Engine, catalog_dir: Path) -> None:
    publish_folder(engine, catalog_dir)
    text = (catalog_dir / "public-order.yaml").read_text(encoding="utf-8")
    start = text.index('  - code: "TC 41.18(d)"')
    end = text.index('  - code: "TC 63.44"')
    (catalog_dir / "public-order.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(PublicationRefused, match=r"TC 41\.18\(d\) is published but missing"):
        publish_folder(engine, catalog_dir)


def test_future_versions_can_be_added_replaced_and_withdrawn(
    engine: Engine, catalog_dir: Path
) -> None:
    publish_folder(engine, catalog_dir)
    add_future_version(catalog_dir)
    added = publish_folder(engine, catalog_dir)
    assert [c.kind for c in added.plan.changes] == ["new_version"]
    assert "1st-offense fine: $200.00 → $225.00" in added.plan.changes[0].details

    edit(catalog_dir / "public-order.yaml", "first: 225.00", "first: 230.00")
    replaced = publish_folder(engine, catalog_dir)
    assert [c.kind for c in replaced.plan.changes] == ["replace_version"]
    assert replaced.plan.changes[0].details == ["1st-offense fine: $225.00 → $230.00"]

    with transaction(engine) as session:
        published = PublishedCatalog(session)
        assert published.resolve("TC 41.27(c)", date(2027, 7, 1)).version.fines is not None
        fines = published.resolve("TC 41.27(c)", date(2027, 7, 1)).version.fines
        assert fines is not None and str(fines.first) == "230.00"
        assert published.resolve("TC 41.27(c)", date(2027, 6, 30)).effective_to == date(2027, 7, 1)
        _ordinance, history = published.history("TC 41.27(c)")
        assert [(h.effective_from, h.withdrawn is not None) for h in history] == [
            (date(2020, 1, 1), False),
            (date(2024, 7, 1), False),
            (date(2027, 7, 1), True),
            (date(2027, 7, 1), False),
        ]

    text = (catalog_dir / "public-order.yaml").read_text(encoding="utf-8")
    future = FUTURE_VERSION.lstrip("\n").replace("first: 225.00", "first: 230.00")
    (catalog_dir / "public-order.yaml").write_text(text.replace(future, ""), encoding="utf-8")
    withdrawn = publish_folder(engine, catalog_dir)
    assert [c.kind for c in withdrawn.plan.changes] == ["withdraw_version"]
    with transaction(engine) as session:
        resolved = PublishedCatalog(session).resolve("TC 41.27(c)", date(2027, 7, 1))
        assert resolved.effective_from == date(2024, 7, 1)
        assert resolved.effective_to is None


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        # 23:59 on 2027-06-30 in Los Angeles: the version has not taken effect yet.
        (datetime(2027, 7, 1, 6, 59, tzinfo=UTC), True),
        # 00:00 on 2027-07-01 in Los Angeles: in effect, so frozen.
        (datetime(2027, 7, 1, 7, 0, tzinfo=UTC), False),
    ],
)
def test_a_version_freezes_when_it_takes_effect_in_the_jurisdictions_zone(
    engine: Engine, catalog_dir: Path, now: datetime, allowed: bool
) -> None:
    add_future_version(catalog_dir)
    publish_folder(engine, catalog_dir)
    edit(catalog_dir / "public-order.yaml", "first: 225.00", "first: 230.00")
    if allowed:
        assert publish_folder(engine, catalog_dir, now=now).publication_id is not None
    else:
        with pytest.raises(PublicationRefused, match="2027-07-01, is in effect or past"):
            publish_folder(engine, catalog_dir, now=now)


def test_wording_and_profile_changes_are_published_and_described(
    engine: Engine, catalog_dir: Path
) -> None:
    publish_folder(engine, catalog_dir)
    edit(catalog_dir / "jurisdiction.yaml", "days_to_pay: 20", "days_to_pay: 30")
    edit(
        catalog_dir / "public-order.yaml",
        "title: {en: Park after hours,",
        "title: {en: In a park after hours,",
    )
    with transaction(engine) as session:
        plan = plan_publication(session, load_catalog(catalog_dir), NOW)
    assert [(c.kind, c.details) for c in plan.changes] == [
        ("profile", ["deadlines / days_to_pay: 20 → 30"]),
        ("wording", ["title (en): Park after hours → In a park after hours"]),
    ]
    publish_folder(engine, catalog_dir)
    with transaction(engine) as session:
        published = PublishedCatalog(session)
        assert published.jurisdiction().deadlines.days_to_pay == 30
        assert (
            published.resolve("TC 63.44", date(2023, 1, 1)).title["en"] == "In a park after hours"
        )
        assert count(session, JurisdictionProfileRow) == 2


def test_an_empty_database_says_nothing_is_published(session: Session) -> None:
    published = PublishedCatalog(session)
    with pytest.raises(NothingPublished, match="run `citations ordinances publish"):
        published.resolve("TC 41.27(c)", date(2025, 1, 1))
    with pytest.raises(NothingPublished):
        published.in_effect(date(2025, 1, 1))


def test_in_effect_lists_every_ordinance_with_its_state(engine: Engine) -> None:
    publish_folder(engine, GOOD_CATALOG)
    with transaction(engine) as session:
        listing = PublishedCatalog(session).in_effect(date(2025, 1, 1))
    assert [r.code for r in listing.in_force] == ["TC 41.18(d)", "TC 41.27(c)"]
    assert [(n.code, n.reason) for n in listing.not_in_force] == [
        ("TC 63.44", "repealed effective 2025-01-01 (Ordinance 210,000)")
    ]
