"""Everything a notice prints, gathered before rendering so the renderer only lays out.

Values are typed (Decimal, date, aware datetime); the renderer formats them for the notice's
language with babel. Wording comes from templates/notice/<language>.yaml, never from code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from citations.documents.access import OnlineAccess
from citations.documents.contact import OfficeContact


class NoticeModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class NoticeViolation(NoticeModel):
    code: str
    title: str
    """In the notice's language."""
    description: str
    """Plain-language description of the violation, in the notice's language."""
    legal_reference: str
    narrative: str
    """The officer's account, printed as written (any script, any characters)."""
    offense_count: int
    """1 for a first offense; priors within the lookback plus this one."""
    prior_count: int
    lookback: str
    """E.g. "12 months", in the notice's language."""
    fine: Decimal
    correction_due: date | None
    """When correction is required: the date by which to correct."""
    community_service_rate: Decimal | None
    community_service_max_hours: int | None
    programs: list[str]
    """Names of the diversion or restorative programs offered, in the notice's language."""
    ability_to_pay_rule: str | None
    """`reduced_payment`, `waiver` or `community_service`."""
    ability_to_pay_percent: Decimal | None


class NoticeContext(NoticeModel):
    language: str
    """The language the notice is printed in (a key of the templates folder)."""
    locale: str
    """Babel locale for money and dates, e.g. en_US or es_US."""
    add_language_line: str | None
    """A second language to add a one-line offer of help in (e.g. "es" on an English notice
    for a person whose preferred language has no translation); None for no such line."""
    requested_language: str | None
    """The person's preferred language as given, when no notice exists in it."""
    jurisdiction_name: str
    currency: str
    agency_name: str
    citation_number: str
    qr_payload: str
    """What the QR code encodes: the link to the person's page with this notice's access
    code (`<site>/c/<CODE>`), or the site's address on a notice built without a code."""
    revision: int
    """1 for the original notice; 2 and up for amended ones."""
    amendment_reason: str | None
    issued_on: date
    """The notice's date: the violation date when handed over, the mailing date when mailed."""
    mailed_on: date | None
    """When the city mailed it (None when handed over at the scene)."""
    served_on: date
    """The day its deadlines count from."""
    mail_days: int
    """The days the profile adds for service by mail."""
    violation_at: datetime
    """Aware, in the jurisdiction's time zone."""
    location: str
    area: str | None
    officer_name: str
    officer_badge: str
    subject_name: str
    subject_address: str | None
    accommodation: str | None
    violations: list[NoticeViolation]
    total_fine: Decimal
    pay_by: date
    contest_by: date
    days_to_pay: int
    days_to_contest: int
    late_penalty: Decimal | None
    """None when the law bars added fees for this citation (e.g. sidewalk vending)."""
    late_penalty_on: date | None
    collection_fee: Decimal | None
    collection_on: date | None
    contact: OfficeContact
    access: OnlineAccess | None = None
    """The access code printed on this notice and its link; None on a notice built without
    one (a preview), which prints only the site's address."""
