"""The collections export: a documented CSV a collection agency loads.

Columns (one row per open referral, then one per recall since the given date):
`record` (refer or recall), `citation_number`, `referred_on`, `recalled_on`, `recall_reason`,
`amount_due` (what is owed today, 2 decimals), `first_name`, `last_name`, `date_of_birth`,
`address_line1`, `address_line2`, `city`, `state`, `postal_code`, `agency`, `violation_date`.
A later payment in full, a dismissal or an alternative recalls a referral.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from citations.payments.tables import CollectionReferral
from citations.record.ledger import balance
from citations.record.tables import Citation
from citations.roles import Action, Actor

COLUMNS = [
    "record",
    "citation_number",
    "referred_on",
    "recalled_on",
    "recall_reason",
    "amount_due",
    "first_name",
    "last_name",
    "date_of_birth",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "agency",
    "violation_date",
]


def export_collections(session: Session, *, since: date | None, actor: Actor) -> str:
    """The CSV text: every open referral, and recalls made on or after `since`."""
    actor.require(Action.EXPORT_COLLECTIONS)
    query = (
        select(CollectionReferral)
        .options(selectinload(CollectionReferral.citation).selectinload(Citation.agency))
        .order_by(CollectionReferral.id)
    )
    if since is not None:
        query = query.where(
            or_(CollectionReferral.recalled_on.is_(None), CollectionReferral.recalled_on >= since)
        )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for referral in session.scalars(query):
        citation = referral.citation
        subject = citation.subject
        address = subject.get("address") or {}
        writer.writerow(
            {
                "record": "recall" if referral.recalled_on else "refer",
                "citation_number": citation.number,
                "referred_on": referral.referred_on.isoformat(),
                "recalled_on": referral.recalled_on.isoformat() if referral.recalled_on else "",
                "recall_reason": referral.recall_reason or "",
                "amount_due": f"{max(balance(session, citation), 0):.2f}",
                "first_name": subject.get("first_name", ""),
                "last_name": subject.get("last_name", ""),
                "date_of_birth": subject.get("date_of_birth") or "",
                "address_line1": address.get("line1", ""),
                "address_line2": address.get("line2") or "",
                "city": address.get("city", ""),
                "state": address.get("state") or "",
                "postal_code": address.get("postal_code") or "",
                "agency": citation.agency.code,
                "violation_date": citation.violation_date.isoformat(),
            }
        )
    return out.getvalue()
