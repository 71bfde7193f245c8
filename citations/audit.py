"""The audit trail: every state change writes an event in the same transaction as the change.

Events are hash-chained: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any event breaks every hash after it, and `verify` names
the first event that no longer matches. Writers take the chain's head row under a lock, so
events are chained in the order they commit (their ids follow that order).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Index, Integer, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.orm import Base, JSONDocument

GENESIS = "0" * 64


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
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the hash of the newest event. Locking it orders concurrent writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


def event_hash(
    prev_hash: str,
    *,
    occurred_at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None,
    before: Any | None,
    after: Any | None,
) -> str:
    """SHA-256 of the previous hash and the event's content, in a canonical JSON form."""
    content = {
        "prev": prev_hash,
        "at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "entity": [entity_type, entity_key],
        "reason": reason,
        "before": before,
        "after": after,
    }
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _head(session: Session) -> AuditHead:
    """The chain's head, locked for the rest of the transaction (read once per transaction:
    later events in it reuse the row already held)."""
    held = session.info.get("audit_head")
    if isinstance(held, AuditHead) and held in session:
        return held
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, hash=GENESIS)
        session.add(head)
        session.flush()
    session.info["audit_head"] = head
    return head


def chain_head(session: Session) -> str:
    """The newest event's hash (locked until the transaction ends), for bulk writers."""
    return _head(session).hash


def move_chain_head(session: Session, digest: str) -> None:
    """Set the head after a bulk writer chained its own events (see citations.seed)."""
    _head(session).hash = digest


def _jsonable(value: Any) -> Any:
    """What the JSON column will give back, so the stored event hashes the same on reading."""
    return None if value is None else json.loads(json.dumps(value, default=str))


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
    """Add a chained audit event to the session's transaction (committed, or rolled back,
    with the change it records)."""
    head = _head(session)
    fields = event_fields(
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        reason=reason,
        before=before,
        after=after,
    )
    digest = event_hash(head.hash, **fields)
    event = AuditEvent(**fields, prev_hash=head.hash, hash=digest)
    session.add(event)  # inserted in the order added, so ids follow the chain
    head.hash = digest
    return event


def event_fields(
    *,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    reason: str | None = None,
    before: Any | None = None,
    after: Any | None = None,
) -> dict[str, Any]:
    """An event's content as `record` and `record_many` store and hash it."""
    return {
        "occurred_at": at,
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_key": entity_key,
        "reason": reason,
        "before": _jsonable(before),
        "after": _jsonable(after),
    }


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Chain and insert many events (each from `event_fields`) in one statement, in order,
    for writers that insert their rows in bulk (issuing a batch)."""
    if not events:
        return
    head = _head(session)
    session.flush()  # events the ORM still holds must take their ids first
    rows = []
    previous = head.hash
    for fields in events:
        digest = event_hash(previous, **fields)
        rows.append({**fields, "prev_hash": previous, "hash": digest})
        previous = digest
    session.execute(insert(AuditEvent), rows)
    head.hash = previous


class Verification(BaseModel):
    events: int
    intact: bool
    first_broken: int | None
    """The id of the first event whose hash or link does not match."""
    problem: str | None


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Recompute the chain from the first event; stop at the first mismatch."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not events:
            break
        for event in events:
            count += 1
            if event.prev_hash != prev:
                return Verification(
                    events=count,
                    intact=False,
                    first_broken=event.id,
                    problem="its link to the previous event does not match",
                )
            expected = event_hash(
                prev,
                occurred_at=event.occurred_at,
                actor=event.actor,
                action=event.action,
                entity_type=event.entity_type,
                entity_key=event.entity_key,
                reason=event.reason,
                before=event.before,
                after=event.after,
            )
            if expected != event.hash:
                return Verification(
                    events=count,
                    intact=False,
                    first_broken=event.id,
                    problem="its content does not match its hash",
                )
            prev = event.hash
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.hash != prev:
        return Verification(
            events=count,
            intact=False,
            first_broken=None,
            problem="the newest events are missing (the head does not match)",
        )
    return Verification(events=count, intact=True, first_broken=None, problem=None)


def history(session: Session, entity_type: str, entity_key: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_key == entity_key)
            .order_by(AuditEvent.id)
        )
    )
