"""Bring citations' pending messages up to date with their schedules (placeholder: the
planner replaces this module)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from citations.audit import TOUCHED


def bring_up_to_date(session: Session) -> None:
    session.info.pop(TOUCHED, None)
