"""Database tables of the published catalog.

Published rows are never updated in place except to mark a future version withdrawn; a version
that has taken effect is immutable and can only be superseded by a later dated version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citations.orm import Base, JSONDocument


class CatalogPublication(Base):
    """One act of publishing: who wrote it, who approved it, why and when."""

    __tablename__ = "catalog_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(200))
    approved_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    catalog_digest: Mapped[str] = mapped_column(String(64))


class JurisdictionProfileRow(Base):
    """A revision of the jurisdiction profile; the newest is in force."""

    __tablename__ = "jurisdiction_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("catalog_publications.id"), index=True)
    content: Mapped[Any] = mapped_column(JSONDocument)
    content_hash: Mapped[str] = mapped_column(String(64))

    publication: Mapped[CatalogPublication] = relationship()


class OrdinanceRow(Base):
    """An ordinance's identity and wording; its rules live in its versions."""

    __tablename__ = "ordinances"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[Any] = mapped_column(JSONDocument)
    description: Mapped[Any] = mapped_column(JSONDocument)
    category: Mapped[str] = mapped_column(String(64), index=True)
    legal_reference: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    publication_id: Mapped[int] = mapped_column(ForeignKey("catalog_publications.id"), index=True)
    """The publication that last changed the identity or wording."""

    versions: Mapped[list[OrdinanceVersionRow]] = relationship(
        back_populates="ordinance", order_by="OrdinanceVersionRow.effective_from"
    )


class OrdinanceVersionRow(Base):
    __tablename__ = "ordinance_versions"
    __table_args__ = (
        # One active version per ordinance and date; withdrawn rows stay for history.
        Index(
            "uq_ordinance_versions_active",
            "ordinance_id",
            "effective_from",
            unique=True,
            sqlite_where=text("withdrawn_by_id IS NULL"),
            postgresql_where=text("withdrawn_by_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ordinance_id: Mapped[int] = mapped_column(ForeignKey("ordinances.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    disposition: Mapped[str] = mapped_column(String(32))
    content: Mapped[Any] = mapped_column(JSONDocument)
    content_hash: Mapped[str] = mapped_column(String(64))
    publication_id: Mapped[int] = mapped_column(ForeignKey("catalog_publications.id"), index=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_publications.id"), index=True
    )
    """Set when a future version is replaced or dropped before it took effect."""

    ordinance: Mapped[OrdinanceRow] = relationship(back_populates="versions")
    publication: Mapped[CatalogPublication] = relationship(foreign_keys=[publication_id])
    withdrawn_by: Mapped[CatalogPublication | None] = relationship(foreign_keys=[withdrawn_by_id])
