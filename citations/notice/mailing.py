"""TEMPORARY STUB (branch h14-sent only): the lead writes `mail_notice` here.

The lead's function renders the notice, keeps it (`citations.record.sent.keep_document`),
logs the mailing (`log_mailing`) and sets the new deadlines. `citations.notice.address`
calls it with this exact signature; replace this whole file with the lead's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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
    """Mail the citation's notice to `address` (the lead's; a stub here)."""
    raise NotImplementedError("mail_notice is the lead's (citations/notice/mailing.py)")
