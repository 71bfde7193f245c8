"""The audit trail: every state change writes an event in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.orm import Base, JSONDocument


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSONDocument)
    after: Mapped[Any | None] = mapped_column(JSONDocument)


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None = None,
    before: Any | None = None,
    after: Any | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (committed, or rolled back, with it)."""
    event = AuditEvent(
        occurred_at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        reason=reason,
        before=before,
        after=after,
    )
    session.add(event)
    return event
