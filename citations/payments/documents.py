"""What the money documents print: the payment receipt and the late notice.

Gathered as typed values; `citations.payments.render` lays them out with the wording in
templates/receipt/ and templates/late-notice/.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from citations.documents.access import OnlineAccess
from citations.documents.contact import OfficeContact


class DocumentModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReceiptContext(DocumentModel):
    """Given to the person for every payment (and for a reversal or refund of one)."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    receipt_number: str
    """E.g. R-000123: unique, printed large."""
    citation_number: str
    subject_name: str
    kind: str
    """payment, deposit, reversal or refund."""
    amount: Decimal
    method: str
    """card, cash, check, money_order, lockbox, online..."""
    reference: str | None
    received_at: datetime
    """Aware, in the jurisdiction's time zone."""
    recorded_by: str
    recorded_online: bool = False
    """Recorded by the cited person online (the receipt says so in its language, not with
    the audit trail's English name)."""
    balance_before: Decimal
    balance_after: Decimal
    status_after: str
    """The citation's status after this payment, e.g. paid, on_plan, upheld."""
    next_installment_due: date | None
    next_installment_amount: Decimal | None
    contact: OfficeContact
    access: OnlineAccess | None = None
    """The access code printed on this document and its link (`citations.documents.access`);
    None on a document built without one (a preview): only the site's address is printed."""


class LateNoticeLine(DocumentModel):
    posted_on: date
    description: str
    """E.g. "Fine (LAMC 41.27(c), 2nd offense)", "Late penalty", "Payment (card)"."""
    amount: Decimal
    """Positive for charges, negative for credits."""


class LateNoticeContext(DocumentModel):
    """Sent when a citation becomes delinquent (or is about to be referred to collections)."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    citation_number: str
    subject_name: str
    subject_address: str | None
    notice_date: date
    original_due_on: date
    penalty_added: Decimal | None
    """The late penalty just added (None when the law bars added fees)."""
    balance: Decimal
    pay_by: date
    """The last day to pay before referral to collections."""
    collection_fee: Decimal | None
    """Added on referral to collections (None when barred)."""
    lines: list[LateNoticeLine]
    """The account so far, oldest first."""
    ability_to_pay_offered: bool
    community_service_rate: Decimal | None
    community_service_max_hours: int | None
    payment_plan_offered: bool
    contact: OfficeContact
    access: OnlineAccess | None = None
    """The access code printed on this document and its link (`citations.documents.access`);
    None on a document built without one (a preview): only the site's address is printed."""
