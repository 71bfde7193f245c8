"""What the hearing documents print: the hearing notice, the docket sheet and the decision
order. Gathered here as typed values; `citations.hearings.render` lays them out with the
wording in templates/hearing-notice/, templates/docket/ and templates/order/.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from citations.documents.access import OnlineAccess
from citations.documents.contact import OfficeContact


class DocumentModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class HearingNoticeContext(DocumentModel):
    """Sent to the person when a hearing is scheduled (or rescheduled)."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    citation_number: str
    subject_name: str
    subject_address: str | None
    hearing_date: date
    start_time: time
    """Local time in the jurisdiction's zone."""
    time_zone: str
    place: str | None
    """A room and address, for an in-person hearing."""
    remote_link: str | None
    """A video link, for a remote hearing (a session may offer both)."""
    hearing_officer_name: str
    interpreter_language: str | None
    """The language an interpreter will be provided in, free of charge; None if none needed."""
    rescheduled_from: datetime | None
    """When the hearing was first set, if this notice reschedules it."""
    sent_on: date
    amount_at_issue: Decimal
    deposit_paid: Decimal | None
    deposit_waived: bool
    contact: OfficeContact
    access: OnlineAccess | None = None
    """The access code printed on this document and its link (`citations.documents.access`);
    None on a document built without one (a preview): only the site's address is printed."""


class DocketEntry(DocumentModel):
    position: int
    slot_time: time | None
    citation_number: str
    subject_name: str
    ordinances: list[str]
    """Codes and titles, e.g. "LAMC 41.27(c) Drinking alcohol in public"."""
    amount_at_issue: Decimal
    interpreter_language: str | None
    deposit: Literal["paid", "waived"]
    rescheduled: bool
    status: str
    """scheduled, held, no_show, postponed."""


class DocketSheetContext(DocumentModel):
    """The printable list of one session's hearings, for the hearing room."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    session_date: date
    start_time: time
    time_zone: str
    place: str | None
    remote_link: str | None
    hearing_officer_name: str
    capacity: int
    entries: list[DocketEntry]
    interpreters_needed: dict[str, int]
    """Language -> number of hearings needing an interpreter in it."""
    printed_at: datetime


class PaymentInstallment(DocumentModel):
    due_on: date
    amount: Decimal


class OrderContext(DocumentModel):
    """The written decision on a review or a hearing, with findings and what comes next."""

    language: str
    locale: str
    jurisdiction_name: str
    currency: str
    citation_number: str
    subject_name: str
    subject_address: str | None
    tier: Literal["review", "hearing"]
    outcome: Literal["upheld", "dismissed", "reduced", "default"]
    """`default`: the person did not appear; the citation is upheld."""
    decided_on: date
    decided_by: str
    """The reviewer or hearing officer's name, as they sign the order (on an order from before
    orders were signed by name: whoever entered it)."""
    decided_by_title: str | None = None
    """Their title as they sign (a reviewer's, e.g. "Senior Review Officer"); None: the
    wording's own ("reviewer", "hearing officer")."""
    findings: str
    """Written findings, printed as written."""
    original_amount: Decimal
    new_amount: Decimal
    """The fine after this decision (0 when dismissed)."""
    reduction_reason: str | None
    amount_paid: Decimal
    """Already paid or deposited toward this citation."""
    amount_due: Decimal
    """What is still owed after this decision (0 if nothing)."""
    pay_by: date | None
    payment_schedule: list[PaymentInstallment]
    refund: Decimal | None
    """Deposit or payments to be refunded because of this decision."""
    hearing_request_by: date | None
    """For a review that upholds or reduces: the last day to request a hearing."""
    appeal_by: date | None
    """For a hearing decision: the last day to appeal to the court."""
    court_name: str | None
    court_address: str | None
    court_filing_fee: Decimal | None
    set_aside_by: date | None
    """For a default: the last day to ask to set it aside for good cause."""
    contact: OfficeContact
    access: OnlineAccess | None = None
    """The access code printed on this document and its link (`citations.documents.access`);
    None on a document built without one (a preview): only the site's address is printed."""
