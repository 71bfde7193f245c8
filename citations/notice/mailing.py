"""TEMPORARY STUB (branch h14-sent only): the lead writes `mail_notice` here; replace this
whole file with the lead's.

The lead's function renders the notice, keeps it, logs the mailing and sets the new
deadlines. This stand-in does the first three only (no new deadlines), so that the faces
calling `citations.notice.address.change_address` run end to end before the merge (the
real server of tests/test_live_commit.py cannot take a test's monkeypatch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.notice.build import build_notice
from citations.notice.render import render_notice
from citations.record.sent import Delivery, Kind, keep_document, log_mailing
from citations.record.tables import Citation, SentDocument
from citations.roles import Actor


def mail_notice(
    session: Session,
    citation: Citation,
    *,
    address: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> SentDocument:
    """Mail the citation's notice to `address` (a stand-in for the lead's)."""
    profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)
    context = build_notice(citation, profile)
    mailed = session.scalar(
        select(func.count())
        .select_from(SentDocument)
        .where(SentDocument.citation_id == citation.id, SentDocument.delivery == "mailed")
    )
    document = keep_document(
        session,
        citation,
        kind=Kind.NOTICE.value,
        about=f"revision:{citation.revision}:mailing:{(mailed or 0) + 1}",
        language=context.language,
        issued_on=today,
        delivery=Delivery.MAILED,
        address=address,
        content=render_notice(context),
        actor=actor.name,
        now=now,
    )
    log_mailing(session, document, mailed_on=today, address=address, actor=actor.name, now=now)
    return document
