"""Typed models of the catalog: exactly what a city attorney writes in the YAML files.

Every model forbids unknown keys, so a misspelt key is reported instead of silently ignored.
Amounts are Decimal (the YAML loader never produces floats); dates are plain calendar dates
read in the jurisdiction's time zone.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)


def _is_money(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount of money")
    if value < 0:
        raise ValueError(f"amount {value} is negative")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"amount {value} has fractions of a cent (at most 2 decimal places)")
    return value.quantize(Decimal("0.01"))


Money = Annotated[Decimal, AfterValidator(_is_money)]
"""A non-negative amount in the jurisdiction's currency, exact to the cent."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
"""An identifier written by people: lower case letters, digits, '-' and '_'."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

Translated = dict[str, Text]
"""Text keyed by language code (`en`, `es`, ...); every notice language must be present."""


class CatalogModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Disposition(StrEnum):
    """What an officer may do about a violation of an ordinance version."""

    CIVIL_CITATION = "civil_citation"
    WARNING_ONLY = "warning_only"
    NOT_MAPPABLE = "not_mappable"  # criminal only: no civil citation may be issued
    REPEALED = "repealed"  # the explicit end of an ordinance; versions are never deleted


class FineSchedule(CatalogModel):
    """Fines by offense count: the count includes this violation (1st, 2nd, 3rd and later)."""

    first: Money
    second: Money
    third_and_later: Money
    source: Text | None = None

    def for_offense(self, count: int) -> Decimal:
        """The fine for the `count`-th offense.

        >>> FineSchedule(first=250, second=500, third_and_later=1000).for_offense(4)
        Decimal('1000.00')
        """
        if count < 1:
            raise ValueError(f"offense count must be at least 1, not {count}")
        return (self.first, self.second, self.third_and_later)[min(count, 3) - 1]

    def tiers(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.first, self.second, self.third_and_later)


class Lookback(CatalogModel):
    """How far back from the violation date prior violations count: months or days, not both."""

    months: Annotated[int, Field(ge=1, le=120)] | None = None
    days: Annotated[int, Field(ge=1, le=3650)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.months is None) == (self.days is None):
            raise ValueError("lookback needs exactly one of 'months' or 'days'")
        return self

    def window_start(self, violation_date: date) -> date:
        """First day on which a prior still counts (inclusive).

        Months step back by calendar month and clamp to the month's last day, so a
        12-month lookback from 2028-02-29 starts on 2027-02-28.

        >>> Lookback(months=12).window_start(date(2026, 3, 15))
        datetime.date(2025, 3, 15)
        """
        if self.days is not None:
            return violation_date - timedelta(days=self.days)
        assert self.months is not None
        month_index = violation_date.year * 12 + violation_date.month - 1 - self.months
        year, month = divmod(month_index, 12)
        last_day = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(violation_date.day, last_day))

    def describe(self) -> str:
        if self.months is not None:
            return f"{self.months} month{'s' if self.months != 1 else ''}"
        return f"{self.days} day{'s' if self.days != 1 else ''}"


class Priors(CatalogModel):
    """Which earlier citations of the same person count toward the offense count."""

    scope: Literal["ordinance", "category"]
    lookback: Lookback
    source: Text | None = None


class ScreeningQuestion(CatalogModel):
    """A written criterion the officer answers yes or no before citing."""

    id: Slug
    text: Translated
    eligible_answer: bool
    """The answer that keeps the case eligible; the other answer refers it instead."""


class Eligibility(CatalogModel):
    min_age: Annotated[int, Field(ge=0, le=120)] | None = None
    max_priors: Annotated[int, Field(ge=0)] | None = None
    """More priors than this within the lookback means refer instead of citing."""
    questions: list[ScreeningQuestion] = []
    source: Text | None = None

    @model_validator(mode="after")
    def _unique_questions(self) -> Self:
        ids = [q.id for q in self.questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"screening question ids repeat: {', '.join(duplicates)}")
        return self


class CommunityService(CatalogModel):
    dollars_per_hour: Money
    max_hours: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _positive_rate(self) -> Self:
        if self.dollars_per_hour <= 0:
            raise ValueError("community service 'dollars_per_hour' must be more than zero")
        return self


class AbilityToPay(CatalogModel):
    """What a person who proves inability to pay is offered."""

    rule: Literal["reduced_payment", "waiver", "community_service"]
    percent: Annotated[Decimal, Field(gt=0, le=100)] | None = None
    """For `reduced_payment`: the share of the fine that satisfies it in full."""

    @model_validator(mode="after")
    def _percent_matches_rule(self) -> Self:
        if self.rule == "reduced_payment" and self.percent is None:
            raise ValueError("ability_to_pay rule 'reduced_payment' needs a 'percent'")
        if self.rule != "reduced_payment" and self.percent is not None:
            raise ValueError(f"ability_to_pay rule {self.rule!r} takes no 'percent'")
        return self


class Alternatives(CatalogModel):
    community_service: CommunityService | None = None
    programs: list[Slug] = []
    """Ids of diversion or restorative programs defined in the jurisdiction profile."""
    ability_to_pay: AbilityToPay | None = None
    source: Text | None = None


class Correction(CatalogModel):
    required: bool
    within_days: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _days_when_required(self) -> Self:
        if self.required and self.within_days is None:
            raise ValueError("a required correction needs 'within_days'")
        if not self.required and self.within_days is not None:
            raise ValueError("'within_days' only applies when correction is required")
        return self


_CITATION_ONLY = ("fines", "priors", "eligibility", "alternatives", "correction")


class Version(CatalogModel):
    """One dated version of an ordinance's mapping, in force over [effective, next effective)."""

    effective: date
    disposition: Disposition
    source: Text
    """The legal source of this version's values; a section can name its own `source`."""
    fines: FineSchedule | None = None
    priors: Priors | None = None
    eligibility: Eligibility | None = None
    alternatives: Alternatives | None = None
    correction: Correction | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _fields_match_disposition(self) -> Self:
        if self.disposition is Disposition.CIVIL_CITATION:
            missing = [name for name in ("fines", "priors") if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"a civil_citation version needs {' and '.join(repr(m) for m in missing)}"
                )
        else:
            present = [name for name in _CITATION_ONLY if getattr(self, name) is not None]
            if present:
                raise ValueError(
                    f"a {self.disposition.value} version cannot have "
                    f"{', '.join(repr(p) for p in present)}: only civil citations carry them"
                )
        return self


class Ordinance(CatalogModel):
    code: Text
    title: Translated
    description: Translated
    """Plain-language description of the violation, as printed on the notice."""
    category: Slug
    legal_reference: Text
    versions: Annotated[list[Version], Field(min_length=1)]


class ChapterFile(CatalogModel):
    """One catalog file: a chapter or category of ordinances."""

    chapter: Text | None = None
    ordinances: list[Ordinance]


class FineCap(CatalogModel):
    """A statutory ceiling on the fine for the 1st, 2nd and 3rd-and-later offense."""

    first: Money
    second: Money
    third_and_later: Money
    source: Text

    def tiers(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.first, self.second, self.third_and_later)


class Category(CatalogModel):
    name: Translated
    cap: FineCap | None = None
    """Own statutory cap; without one the profile's `default_fine_cap` applies."""
    added_fees_barred_by: Text | None = None
    """The law that forbids late penalties and collection fees on this category's citations
    (e.g. Cal. Gov. Code § 51039 for sidewalk vending); None means they apply."""


class Program(CatalogModel):
    """A diversion or restorative program a version may offer instead of the fine."""

    id: Slug
    name: Translated
    kind: Literal["restorative", "diversion", "class"]
    description: Translated | None = None
    days_to_complete: Annotated[int, Field(ge=1)] = 60
    """How long a person has to complete the agreed obligations."""


class PovertyGuideline(CatalogModel):
    """Annual income at the poverty line: the first person, plus each additional person."""

    year: int
    first_person: Money
    each_additional: Money
    source: Text

    def for_household(self, size: int) -> Decimal:
        return self.first_person + self.each_additional * max(size - 1, 0)


class AbilityToPayRules(CatalogModel):
    """Who qualifies for the ability-to-pay rule of a citation's version."""

    qualifying_benefits: list[Slug]
    """Receiving any of these public benefits qualifies."""
    income_percent_of_guideline: Annotated[Decimal, Field(gt=0, le=1000)]
    """Or annual household income at or below this percent of the poverty guideline."""
    guideline: PovertyGuideline
    source: Text


class ServiceProvider(CatalogModel):
    id: Slug
    name: Text
    contact: Text | None = None


class CommunityServiceRules(CatalogModel):
    days_to_complete: Annotated[int, Field(ge=1)]
    extension_days: Annotated[int, Field(ge=1)]
    max_extensions: Annotated[int, Field(ge=0)]
    providers: Annotated[list[ServiceProvider], Field(min_length=1)]
    source: Text


class PlanRules(CatalogModel):
    """Payment plans: how many installments, how small, and when a missed one defaults."""

    max_installments: Annotated[int, Field(ge=1, le=60)]
    min_installment: Money
    grace_days: Annotated[int, Field(ge=0)]
    """Days after an installment's due date before the plan defaults; on default the whole
    remaining balance is due at once."""
    source: Text


CountedAs = Literal["cash", "check", "terminal"]
COUNTER_DEFAULT: dict[str, CountedAs] = {
    "cash": "cash",
    "check": "check",
    "money_order": "check",
    "card": "terminal",
}
"""What the counter offers when a profile says nothing: the common methods of a city's
cashier window."""


class PaymentRules(CatalogModel):
    methods: Annotated[list[Slug], Field(min_length=1)]
    """Accepted payment methods, e.g. card, cash, check, money_order, online, lockbox."""
    counter: dict[Slug, CountedAs] = Field(default_factory=lambda: dict(COUNTER_DEFAULT))
    """The methods the clerks' counter offers, each with how the cashier's drawer counts it:
    `cash` and `check` are counted at close, `terminal` (a card terminal) is settled by the
    processor and only listed. Only methods also in `methods` are offered."""
    plans: PlanRules
    ability_to_pay: AbilityToPayRules
    community_service: CommunityServiceRules


class LatePenalty(CatalogModel):
    kind: Literal["percent", "flat"]
    percent: Annotated[Decimal, Field(gt=0, le=100)] | None = None
    """For `percent`: the share of the unpaid fine added."""
    amount: Money | None = None
    after_days: Annotated[int, Field(ge=1)]
    """Calendar days after the payment deadline (not the notice) that the penalty is added."""
    source: Text

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Self:
        if self.kind == "percent" and (self.percent is None or self.amount is not None):
            raise ValueError("a 'percent' late penalty needs 'percent' and no 'amount'")
        if self.kind == "flat" and (self.amount is None or self.percent is not None):
            raise ValueError("a 'flat' late penalty needs 'amount' and no 'percent'")
        return self


class CollectionFee(CatalogModel):
    amount: Money
    after_days: Annotated[int, Field(ge=1)]
    """Calendar days after the payment deadline that an unpaid citation is referred to
    collections (with this fee added)."""
    source: Text


class HolidayCalendar(CatalogModel):
    """Which public holidays close the city's offices (from the `holidays` library)."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    subdivision: str | None = None
    extra_closures: list[date] = []


class Deadlines(CatalogModel):
    """Response deadlines in days from the notice (or decision) date.

    `counting: calendar_days` counts every day and moves a deadline that lands on a weekend
    or holiday to the next business day; `business_days` counts business days only.
    """

    counting: Literal["calendar_days", "business_days"]
    days_to_pay: Annotated[int, Field(ge=1)]
    days_to_request_review: Annotated[int, Field(ge=1)]
    days_to_request_hearing: Annotated[int, Field(ge=1)]
    days_to_pay_deposit_after_waiver_denied: Annotated[int, Field(ge=1)]
    hearing_notice_lead_days: Annotated[int, Field(ge=0)]
    days_to_set_aside_default: Annotated[int, Field(ge=1)]
    days_to_appeal_to_court: Annotated[int, Field(ge=1)]
    source: Text


class Service(CatalogModel):
    """How a notice reaches the person, and what that does to its deadlines."""

    days_added_for_mail: Annotated[int, Field(ge=0, le=30)]
    """Calendar days added for a notice served by mail: its deadlines count from the mailing
    date plus these (California adds 5: Code Civ. Proc. § 1013(a))."""
    min_days_left_on_arrival: Annotated[int, Field(ge=0, le=60)]
    """A notice handed over at the scene whose record reaches the city with fewer days than
    this left before its first deadline is served again by mail, with new deadlines: a late
    upload never leaves the person less time than the law gives."""
    source: Text


class Contact(CatalogModel):
    """Where and how people reach the city: printed on every notice."""

    office_name: Translated
    """E.g. "Administrative Citation Office"."""
    phone: Text
    website: Text
    """The public site: every document printed for a person links to `<website>/c/<code>`
    with its own access code (printed, and in its QR code)."""
    payment_url: Text
    """Where to pay online, printed on the documents."""
    mailing_address: Text
    """Where to mail payments and contest forms."""
    office_address: Text
    office_hours: Translated


HEARING_MODES = ("in_person", "phone", "video", "written")
"""How a hearing can be held: in person, by phone, by video, or decided on what was written."""


class Online(CatalogModel):
    """The cited person's own pages (the public door): how a person finds their citation,
    how many tries they get, what they may upload, and what they may ask for online."""

    lookup_tries: Annotated[int, Field(ge=1, le=100)] = 5
    """Failed tries (a number and date of birth that match nothing) allowed per citation
    number and per client address within `lookup_window_minutes`; then a wait."""
    lookup_window_minutes: Annotated[int, Field(ge=1, le=1440)] = 60
    session_idle_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    """A person's session ends after this long without a page."""
    upload_max_files: Annotated[int, Field(ge=1, le=20)] = 5
    upload_max_megabytes: Annotated[int, Field(ge=1, le=50)] = 10
    hearing_modes: Annotated[
        list[Literal["in_person", "phone", "video", "written"]], Field(min_length=1)
    ] = ["in_person"]
    """How a person may choose to attend their hearing; the first is the default."""
    hearing_moves: Annotated[int, Field(ge=0, le=5)] = 1
    """How many times a person may move their hearing online, without a clerk."""
    move_days_before: Annotated[int, Field(ge=0, le=60)] = 2
    """A hearing can be moved online until this many days before its day; later, only by
    calling the office."""
    source: Text | None = None


LocalTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day on the jurisdiction's clock, `HH:MM` (24 hours)."""

Offsets = list[Annotated[int, Field(ge=0, le=60)]]
"""Whole days before (or after) a date; 0 is the day itself."""


class QuietHours(CatalogModel):
    """When nothing is sent, on the jurisdiction's clock: from `start` to `end`, across
    midnight when `start` is later than `end` (20:00 to 08:00)."""

    start: LocalTime = "20:00"
    end: LocalTime = "08:00"


class Arm(CatalogModel):
    """One group of an experiment: its share of citations, and what it gets."""

    id: Slug
    share: Annotated[int, Field(ge=1, le=100)]
    """Percent of the citations issued during the experiment."""
    reminders: bool = True
    """False: the group gets no reminders (the comparison group)."""
    wording: Slug = "standard"
    """Which wording of `templates/reminders/<language>.yaml` the group gets."""


class Experiment(CatalogModel):
    """A randomized comparison of reminders, decided when each citation is issued.

    The arm is drawn from `seed` and the citation's number (SHA-256), so the same
    citation always lands in the same arm and anyone can check the draw.
    """

    id: Slug
    starts: date
    ends: date | None = None
    """The last issue day in the experiment; None: until the profile changes."""
    seed: Text
    arms: Annotated[list[Arm], Field(min_length=2)]
    source: Text | None = None
    """Who approved it and why (a council resolution, the program's evaluation plan)."""

    @model_validator(mode="after")
    def _shares_complete(self) -> Self:
        if sum(a.share for a in self.arms) != 100:
            raise ValueError("the arms' shares must add up to 100")
        if len({a.id for a in self.arms}) != len(self.arms):
            raise ValueError("two arms have the same id")
        if self.ends is not None and self.ends < self.starts:
            raise ValueError("the experiment ends before it starts")
        return self

    def runs_on(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)

    def arm_for(self, number: str) -> Arm:
        """The arm of citation `number`: a uniform draw in [0, 100) from SHA-256 of the seed
        and the number, walked along the arms' shares.

        >>> e = Experiment(id="x", starts=date(2026, 1, 1), seed="s",
        ...                arms=[Arm(id="a", share=50), Arm(id="b", share=50)])
        >>> e.arm_for("C-1").id == e.arm_for("C-1").id
        True
        """
        digest = hashlib.sha256(f"{self.seed}\x00{number}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") % 10_000  # hundredths of a percent
        edge = 0
        for arm in self.arms:
            edge += arm.share * 100
            if draw < edge:
                return arm
        return self.arms[-1]  # unreachable: the shares add up to 100


class Reminders(CatalogModel):
    """Texts, emails and letters before every date that binds the person, after a missed
    step, and when a hearing is set or moved (`citations.outreach`).

    Each list is days before the date (0: the day itself); `after_missed` is days after a
    date that passed with the step not taken. Nothing goes out in the quiet hours: a message
    due then waits for their end.
    """

    send_at: LocalTime = "10:00"
    """The local time a dated reminder goes out on its day."""
    quiet_hours: QuietHours = QuietHours()
    pay_by: Offsets = [7, 1]
    """Before the notice's deadline to pay or contest."""
    hearing_request_by: Offsets = [3]
    deposit_due: Offsets = [3]
    hearing: Offsets = [7, 1]
    hearing_hours_before: Annotated[int, Field(ge=0, le=12)] | None = 2
    """The morning-of reminder: this many hours before the hearing (moved out of the quiet
    hours, never after the hearing); None sends none."""
    installment: Offsets = [3]
    service_deadline: Offsets = [7]
    program_deadline: Offsets = [7]
    set_aside_by: Offsets = [3]
    after_missed: Annotated[int, Field(ge=1, le=30)] | None = 1
    """Days after a missed payment deadline or installment to say what can still be done;
    None sends none."""
    hearing_changes: bool = True
    """A message when a hearing is set or moved."""
    letters: list[Literal["missed", "hearing_set", "hearing_moved"]] = []
    """Which messages also go as a printed letter to a person with no phone or email to
    reach (a mail house prints and posts them)."""
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    """Tries of a message that fails for a passing reason (a server down), with waits that
    double from `retry_minutes`; then it is marked failed."""
    retry_minutes: Annotated[int, Field(ge=1, le=240)] = 5
    experiment: Experiment | None = None
    source: Text | None = None

    def send_time(self) -> time:
        return time.fromisoformat(self.send_at)


PHONE = "{phone}"
"""Where a language line names the office's phone number (`contact.phone`)."""


class LanguageLine(CatalogModel):
    """One line of the language block every document carries: in its language and script,
    that this is an important notice and whom to call for free help in that language."""

    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$")]
    """ISO 639 code, with the script when a language has two (`zh-Hant`, `zh-Hans`)."""
    text: Text
    """The line, with `{phone}` where the office's phone number goes."""

    @model_validator(mode="after")
    def _names_the_phone(self) -> Self:
        if self.text.count(PHONE) != 1:
            raise ValueError(f"the {self.language} line must contain {PHONE} exactly once")
        if "{" in self.text.replace(PHONE, "") or "}" in self.text.replace(PHONE, ""):
            raise ValueError(f"the {self.language} line has a brace other than {PHONE}")
        return self


def _one_line_per_language(lines: list[LanguageLine]) -> list[LanguageLine]:
    seen: set[str] = set()
    for line in lines:
        if line.language in seen:
            raise ValueError(f"two language lines for {line.language}")
        seen.add(line.language)
    return lines


class Court(CatalogModel):
    """Where a hearing decision is appealed, as every order must say."""

    name: Translated
    address: Text
    filing_fee: Money
    source: Text
    """The law that gives the appeal, e.g. Cal. Gov. Code § 53069.4(b)(1)."""


class Jurisdiction(CatalogModel):
    """The jurisdiction profile: everything about the city that is not one ordinance."""

    name: Text
    time_zone: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    locale: Text = "en_US"
    notice_languages: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]], Field(min_length=1)
    ]
    """Languages every notice text must exist in; the first is the default."""
    holiday_calendar: HolidayCalendar
    deadlines: Deadlines
    service: Service
    late_penalty: LatePenalty
    collection_fee: CollectionFee
    default_fine_cap: FineCap
    categories: dict[Slug, Category]
    programs: list[Program] = []
    contact: Contact
    court: Court
    payments: PaymentRules
    language_lines: Annotated[list[LanguageLine], AfterValidator(_one_line_per_language)] = []
    """Help lines in the languages the city serves, printed on every document a person gets."""
    online: Online = Online()
    """The cited person's own pages: tries, uploads, and what may be asked online."""
    reminders: Reminders = Reminders()
    """Texts, emails and letters before each date, and the experiment that measures them."""

    def added_fees_allowed(self, category: str) -> bool:
        known = self.categories.get(category)
        return known is None or known.added_fees_barred_by is None

    def cap_for(self, category: str) -> FineCap:
        own = self.categories[category].cap if category in self.categories else None
        return own or self.default_fine_cap

    def program_ids(self) -> list[str]:
        return [p.id for p in self.programs]
