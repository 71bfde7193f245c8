"""`citations seed`: a realistic synthetic program, deterministic for a seed, at city scale.

The bulk path. Issuing a million citations one by one through `issue` would take hours, so
the seed decides each violation with the same rules (the published catalog's version on the
violation date, eligibility, priors in the version's lookback and scope, the fine tier) in
memory, then writes rows in large batches with explicit ids. It keeps every invariant the
library keeps: check-digit numbers from the agency's sequence (and the sequence advanced),
one intake record per message, a snapshot per violation, an append-only ledger whose sum is
each citation's balance, receipts for payments, statuses that match the ledger, and an
audit event per citation.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, func, insert, select, text

from citations.agencies import register_agency
from citations.audit import AuditEvent, chain_head, event_hash, move_chain_head
from citations.database import transaction
from citations.decision import age_on
from citations.hearings.officers import add_availability, add_officer, create_session
from citations.hearings.tables import Contest, Hearing, Order
from citations.ledger import EntryKind, LedgerEntry
from citations.money import to_cents
from citations.numbering import CitationNumber
from citations.payments.payments import pay_deadline
from citations.payments.tables import (
    CollectionReferral,
    DiversionReferral,
    Payment,
    PaymentPlan,
    PlanInstallment,
    ServiceAssignment,
    ServiceHours,
)
from citations.repeats import next_day_update
from citations.roles import OPERATOR, Actor, Role
from citations.status import CitationStatus
from citations.tables import (
    Agency,
    Citation,
    CitationIdentifier,
    CitationViolation,
    IntakeRecord,
    NumberSequence,
)
from ordinances.catalog import DEMO_CATALOG, load_catalog
from ordinances.errors import NothingPublished, NotInEffect
from ordinances.models import Disposition, Jurisdiction
from ordinances.publishing import publish
from ordinances.resolve import ResolvedVersion
from ordinances.store import PublishedCatalog
from ordinances.tables import OrdinanceRow, OrdinanceVersionRow

S = CitationStatus
AREAS = [
    "Central",
    "Westlake",
    "Boyle Heights",
    "Hollywood",
    "Echo Park",
    "Downtown",
    "Harbor",
    "Van Nuys",
    "Watts",
    "Venice",
    "Los Feliz",
    "Sylmar",
]
LANGUAGES = [("en", 55), ("es", 32), ("zh", 3), ("ko", 2), ("vi", 2), ("tl", 3), ("hy", 3)]
FIRST = [
    "Maria",
    "James",
    "Jose",
    "Mary",
    "Luis",
    "Linda",
    "Kevin",
    "Ana",
    "David",
    "Rosa",
    "Juan",
    "Sarah",
    "Carlos",
    "Mei",
    "Min-jun",
    "Thi",
    "Armen",
    "Grace",
    "Tyler",
    "Aisha",
]
LAST = [
    "Lopez",
    "Garcia",
    "Smith",
    "Nguyen",
    "Kim",
    "Hernandez",
    "Martinez",
    "Lee",
    "Johnson",
    "Perez",
    "Gonzalez",
    "Brown",
    "Sanchez",
    "Ramirez",
    "Chen",
    "Petrosyan",
    "Santos",
]
WEIGHTS = {
    "LAMC 41.27(c)": 30,
    "LAMC 41.47.2": 8,
    "LAMC 112.01": 8,
    "LAMC 41.57": 6,
    "LAMC 53.06.2": 10,
    "LAMC 53.49": 6,
    "LAMC 56.11": 9,
    "LAMC 56.15(1)": 5,
    "LAMC 42.13": 8,
    "LAMC 66.25(a)": 4,
    "LAMC 112.04(c)": 3,
    "DCMC 63.44.7": 3,
    "LAMC 41.59": 2,
}
ACTOR = "seed (synthetic data)"
BATCH = 5000


@dataclass
class Person:
    id: int
    first: str
    last: str
    dob: date
    language: str
    area: str
    identifier: str | None
    history: list[tuple[date, str, str]] = field(default_factory=list)
    """(violation date, ordinance, category) of citations issued to them, in order."""


@dataclass
class SeedReport:
    citations: int
    referred: int
    declined: int
    by_status: dict[str, int]
    seconds: float


class Rows:
    """Rows waiting to be written, per table, flushed in batches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pending: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.next_id: dict[Table, int] = {}

    def start_ids(self, tables: list[Table]) -> None:
        with self.engine.connect() as connection:
            for table in tables:
                last = connection.execute(select(func.max(table.c.id))).scalar()
                self.next_id[table] = (last or 0) + 1

    def add(self, table: Table, row: dict[str, Any]) -> int:
        if "id" in table.c and "id" not in row:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.pending[table].append(row)
        return int(row.get("id", 0))

    def flush(self, force: bool = False) -> None:
        if not force and sum(len(v) for v in self.pending.values()) < BATCH * 4:
            return
        with self.engine.begin() as connection:
            for table in ORDER:
                rows = self.pending.pop(table, [])
                for start in range(0, len(rows), BATCH):
                    connection.execute(insert(table), rows[start : start + BATCH])


def table(model: type[Any]) -> Table:
    """The Core table behind an ORM class, for bulk inserts."""
    return cast(Table, model.__table__)


ORDER: list[Table] = [
    table(t)
    for t in (
        IntakeRecord,
        Citation,
        CitationViolation,
        CitationIdentifier,
        LedgerEntry,
        Payment,
        PaymentPlan,
        PlanInstallment,
        ServiceAssignment,
        ServiceHours,
        DiversionReferral,
        Contest,
        Hearing,
        Order,
        CollectionReferral,
        AuditEvent,
    )
]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _prepare(engine: Engine, now: datetime) -> tuple[Jurisdiction, int, int]:
    """Publish the demo catalog and register an agency and a hearing docket, if missing."""
    with transaction(engine) as session:
        catalog = PublishedCatalog(session)
        try:
            catalog.jurisdiction()
        except NothingPublished:
            publish(
                session,
                load_catalog(DEMO_CATALOG),
                author="seed",
                approved_by="seed check",
                reason="synthetic data",
                now=now,
            )
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        agency = session.scalar(select(Agency).where(Agency.code == "DCPD"))
        if agency is None:
            agency = register_agency(
                session, "DCPD", "Demo City Police Department", actor=OPERATOR, now=now
            )
        clerk = Actor(ACTOR, Role.CLERK)
        officer = add_officer(
            session,
            "Hon. Seed Judge (synthetic)",
            "administrative_law_judge",
            "Synthetic data",
            "Synthetic hearing officer, independent of every agency.",
            actor=clerk,
            now=now,
        )
        day = date(2020, 1, 6)  # a Monday; seeded hearings are historical
        add_availability(session, officer.id, day, time(8), time(17), actor=clerk, now=now)
        docket = create_session(
            session,
            day=day,
            start=time(9),
            officer_id=officer.id,
            capacity=200,
            place="Synthetic",
            remote_link=None,
            slot_minutes=None,
            actor=clerk,
            now=now,
        )
        return profile, agency.id, docket.id


def seed(
    engine: Engine,
    citations: int,
    *,
    seed: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Create about `citations` issued citations (plus referrals and declined cases) spread
    over the 400 days before `now`, deterministically for `seed`."""
    started = datetime.now(UTC)
    profile, agency_id, session_id = _prepare(engine, now)
    zone = ZoneInfo(profile.time_zone)
    rng = random.Random(seed)
    with transaction(engine) as session:
        published = PublishedCatalog(session)
        ordinances = {
            o.code: published.history(o.code)[0] for o in load_catalog(DEMO_CATALOG).ordinances
        }
        version_ids = {
            (row.code, v.effective_from): v.id
            for row in session.scalars(select(OrdinanceRow))
            for v in row.versions
            if v.withdrawn_by_id is None
        }
        _ = OrdinanceVersionRow
    resolved_cache: dict[tuple[str, date], ResolvedVersion | None] = {}

    def resolve(code: str, on: date) -> ResolvedVersion | None:
        key = (code, on)
        if key not in resolved_cache:
            try:
                resolved_cache[key] = ResolvedVersion.of(ordinances[code], on)
            except NotInEffect:
                resolved_cache[key] = None
        return resolved_cache[key]

    rows = Rows(engine)
    rows.start_ids(ORDER)
    # The population is three times the citations, so most people are cited once; a few
    # (one in a hundred, drawn a fifth of the time) are cited again and again, as in real
    # programs. People are made when first drawn, so memory follows citations, not population.
    population = max(citations * 3, 1)
    frequent = max(population // 100, 1)
    people: dict[int, Person] = {}

    def draw() -> Person:
        index = rng.randrange(frequent) if rng.random() < 0.2 else rng.randrange(population)
        if index not in people:
            own = random.Random(seed * 1_000_003 + index)
            people[index] = Person(
                index,
                own.choice(FIRST),
                own.choice(LAST),
                date(1950, 1, 1) + timedelta(days=own.randrange(365 * 58)),
                _weighted(own, LANGUAGES),
                own.choice(AREAS),
                f"D{own.randrange(10**7):07d}" if own.random() < 0.7 else None,
            )
        return people[index]

    codes = list(WEIGHTS)
    code_weights = [WEIGHTS[c] for c in codes]
    today = now.astimezone(zone).date()
    first_day = today - timedelta(days=400)
    moments = sorted(
        datetime.combine(
            first_day + timedelta(days=rng.randrange(399)),
            time(rng.randrange(7, 24), rng.randrange(60)),
            tzinfo=zone,
        )
        for _ in range(int(citations * 1.08))
    )
    sequences: dict[int, int] = {}
    with engine.connect() as connection:
        for year, nxt in connection.execute(
            select(NumberSequence.year, NumberSequence.next_sequence).where(
                NumberSequence.agency_id == agency_id
            )
        ):
            sequences[year] = nxt
    counts: dict[str, int] = defaultdict(int)
    issued = referred = declined = 0
    # The audit chain continues from its head. The seed is a bulk load: nothing else may
    # write to the database while it runs (it is not locked out; the chain would break).
    with transaction(engine) as session:
        chain = chain_head(session)
    for moment in moments:
        person = draw()
        code = rng.choices(codes, weights=code_weights)[0]
        day = moment.date()
        resolved = resolve(code, day)
        if resolved is None:
            continue
        version = resolved.version
        priors = _priors(person, resolved, day)
        reasons = _ineligible(person, resolved, priors, day, rng)
        outcome = "referred" if reasons else ("declined" if rng.random() < 0.02 else "issued")
        message_id = str(uuid.UUID(int=rng.getrandbits(128)))
        intake_id = rows.add(
            table(IntakeRecord),
            {
                "message_id": message_id,
                "body_hash": "seed",
                "body": {"seed": True},
                "agency_id": agency_id,
                "device_id": "seed",
                "received_at": moment,
                "received_by": ACTOR,
                "outcome": outcome,
                "reasons": reasons
                or (["officer declined to cite: warned and left"] if outcome == "declined" else []),
                "violation_at": moment,
                "area": person.area,
                "preferred_language": person.language,
                "response": {"seed": True},
            },
        )
        if outcome != "issued" or version.disposition is not Disposition.CIVIL_CITATION:
            referred += outcome == "referred"
            declined += outcome == "declined"
            continue
        assert version.fines is not None
        fine = version.fines.for_offense(priors + 1)
        year = day.year
        sequence = sequences.get(year, 1)
        sequences[year] = sequence + 1
        number = str(CitationNumber("DCPD", year, sequence))
        status, ledger, closed = _life(rng, resolved, fine, moment, today, profile)
        planned = status in (PAID_BY_PLAN, S.ON_PLAN.value)
        status = S.PAID.value if status == PAID_BY_PLAN else status
        language = person.language if person.language in profile.notice_languages else "en"
        citation_id = rows.add(
            table(Citation),
            {
                "number": number,
                "agency_id": agency_id,
                "device_id": "seed",
                "intake_id": intake_id,
                "status": status,
                "status_reason": None,
                "revision": 1,
                "violation_at": moment,
                "violation_date": day,
                "location": {"address": f"{rng.randrange(100, 9999)} Main St", "area": person.area},
                "area": person.area,
                "officer_badge": str(rng.randrange(1000, 9999)),
                "officer_name": "Officer (synthetic)",
                "subject": {
                    "first_name": person.first,
                    "last_name": person.last,
                    "date_of_birth": person.dob.isoformat(),
                    "preferred_language": person.language,
                },
                "subject_name_key": f"{person.first} {person.last}".casefold(),
                "subject_dob": person.dob,
                "preferred_language": person.language,
                "notice_language": language,
                "total_fine_cents": to_cents(fine),
                "due_on": pay_deadline(day, profile),
                "issued_at": moment,
                "closed_at": closed,
                "officer_notes": None,
            },
        )
        rows.add(
            table(CitationViolation),
            {
                "citation_id": citation_id,
                "position": 0,
                "ordinance_code": code,
                "category": resolved.category,
                "violation_date": day,
                "ordinance_version_id": version_ids[(code, resolved.effective_from)],
                "disposition": version.disposition.value,
                "prior_count": priors,
                "offense_count": priors + 1,
                "fine_cents": to_cents(fine),
                "narrative": "Synthetic violation.",
                "snapshot": _snapshot(resolved),
            },
        )
        if person.identifier:
            rows.add(
                table(CitationIdentifier),
                {
                    "citation_id": citation_id,
                    "id_type": "ca-dl",
                    "id_number": person.identifier.casefold(),
                },
            )
        _write_life(rows, rng, citation_id, status, ledger, moment, closed, session_id, planned)
        event: dict[str, Any] = {
            "occurred_at": moment,
            "actor": ACTOR,
            "action": "seed.citation",
            "entity_type": "citation",
            "entity_key": number,
            "reason": None,
            "before": None,
            "after": {"status": status},
        }
        previous, chain = chain, event_hash(chain, **event)
        rows.add(
            table(AuditEvent),
            event | {"prev_hash": previous, "hash": chain},
        )
        person.history.append((day, code, resolved.category))
        counts[status] += 1
        issued += 1
        if progress is not None:
            progress(1)
        rows.flush()
    rows.flush(force=True)
    with transaction(engine) as session:
        for year, nxt in sequences.items():
            existing = session.get(NumberSequence, (agency_id, year))
            if existing is None:
                session.add(NumberSequence(agency_id=agency_id, year=year, next_sequence=nxt))
            else:
                existing.next_sequence = max(existing.next_sequence, nxt)
    with transaction(engine) as session:
        move_chain_head(session, chain)
        # One pass for every person at the end, cheaper than keeping it citation by citation.
        session.execute(next_day_update())
    _advance_sequences(engine)
    return SeedReport(
        issued, referred, declined, dict(counts), (datetime.now(UTC) - started).total_seconds()
    )


_SNAPSHOTS: dict[tuple[str, date], dict[str, Any]] = {}


def _snapshot(resolved: ResolvedVersion) -> dict[str, Any]:
    key = (resolved.code, resolved.effective_from)
    if key not in _SNAPSHOTS:
        _SNAPSHOTS[key] = resolved.model_dump(mode="json")
    return _SNAPSHOTS[key]


def _priors(person: Person, resolved: ResolvedVersion, day: date) -> int:
    rules = resolved.version.priors
    if rules is None:
        return 0
    start = rules.lookback.window_start(day)
    history = person.history
    first = bisect_left(history, (start, "", ""))
    if rules.scope == "ordinance":
        return sum(1 for d, c, _ in history[first:] if c == resolved.code and d <= day)
    return sum(1 for d, _, cat in history[first:] if cat == resolved.category and d <= day)


def _ineligible(
    person: Person, resolved: ResolvedVersion, priors: int, day: date, rng: random.Random
) -> list[str]:
    version = resolved.version
    if version.disposition is Disposition.NOT_MAPPABLE:
        return [f"{resolved.code} is criminal only: no civil citation may be issued"]
    rules = version.eligibility
    if rules is None:
        return []
    reasons = []
    age = age_on(person.dob, day)
    if rules.min_age is not None and age < rules.min_age:
        reasons.append(
            f"the subject is {age}, under the minimum age of {rules.min_age} for {resolved.code}"
        )
    if rules.max_priors is not None and priors > rules.max_priors:
        reasons.append(
            f"{priors} prior citations within the lookback exceed the limit of "
            f"{rules.max_priors} for {resolved.code}"
        )
    if rules.questions and rng.random() < 0.03:
        question = rules.questions[0]
        answer = "yes" if not question.eligible_answer else "no"
        reasons.append(f"{resolved.code}: {question.text['en']} The officer answered {answer}.")
    return reasons


Ledger = list[tuple[EntryKind, Decimal, int]]
"""(kind, amount, days after the violation)."""
PAID_BY_PLAN = "paid by plan"
"""Written as `paid`, with a completed plan."""


def _life(
    rng: random.Random,
    resolved: ResolvedVersion,
    fine: Decimal,
    moment: datetime,
    today: date,
    profile: Jurisdiction,
) -> tuple[str, Ledger, datetime | None]:
    """What became of a citation, as a status and its ledger, by today."""
    age = (today - moment.date()).days
    ledger: Ledger = [(EntryKind.FINE_ASSESSED, fine, 0)]
    roll = rng.random()
    fees = profile.added_fees_allowed(resolved.category)
    penalty = profile.late_penalty.amount or Decimal("50.00")
    if age < 25 and roll < 0.6:
        return S.ISSUED.value, ledger, None
    alternatives = resolved.version.alternatives

    def closed_after(days: int) -> datetime:
        return moment + timedelta(days=days)

    if roll < 0.42:
        days = rng.randrange(1, min(age, 20) + 1)
        ledger.append((EntryKind.PAYMENT, fine, days))
        return S.PAID.value, ledger, closed_after(days)
    if roll < 0.50:
        half = (fine / 2).quantize(Decimal("0.01"))
        ledger += [(EntryKind.PAYMENT, half, 10), (EntryKind.PAYMENT, fine - half, 40)]
        if age > 45:
            return PAID_BY_PLAN, ledger, closed_after(40)
        return S.ON_PLAN.value, ledger[:2], None
    if roll < 0.57 and alternatives and alternatives.community_service and age > 60:
        ledger.append((EntryKind.SERVICE_CREDIT, fine, 50))
        return S.SERVED.value, ledger, closed_after(50)
    if roll < 0.61 and alternatives and alternatives.programs and age > 60:
        ledger.append((EntryKind.DISMISSAL, fine, 55))
        return S.DIVERTED.value, ledger, closed_after(55)
    if roll < 0.66:
        ledger.append((EntryKind.DISMISSAL, fine, 30))
        return S.DISMISSED.value, ledger, closed_after(30)
    if roll < 0.69:
        reduced = (fine / 2).quantize(Decimal("0.01"))
        ledger += [(EntryKind.REDUCTION, fine - reduced, 45), (EntryKind.PAYMENT, reduced, 50)]
        return S.PAID.value, ledger, closed_after(50)
    if roll < 0.72:
        ledger.append((EntryKind.WAIVER, fine, 15))
        return S.WAIVED.value, ledger, closed_after(15)
    if age < 36:
        return S.ISSUED.value, ledger, None
    if fees:
        ledger.append((EntryKind.LATE_PENALTY, penalty, 36))
    # Delinquent long enough, a citation has been referred to collections (as daily
    # processing would have done), unless the person paid first.
    if age > 20 + profile.collection_fee.after_days and roll > 0.80:
        if fees:
            ledger.append((EntryKind.COLLECTION_FEE, profile.collection_fee.amount, 104))
        return S.IN_COLLECTIONS.value, ledger, None
    if age > 20 + profile.collection_fee.after_days:
        ledger.append((EntryKind.PAYMENT, fine + (penalty if fees else 0), 90))
        return S.PAID.value, ledger, closed_after(90)
    return S.DELINQUENT.value, ledger, None


def _write_life(
    rows: Rows,
    rng: random.Random,
    citation_id: int,
    status: str,
    ledger: Ledger,
    moment: datetime,
    closed: datetime | None,
    session_id: int,
    planned: bool,
) -> None:
    balance = Decimal(0)
    charges = {EntryKind.FINE_ASSESSED, EntryKind.LATE_PENALTY, EntryKind.COLLECTION_FEE}
    for kind, amount, days in ledger:
        if amount <= 0:
            continue
        at = moment + timedelta(days=days, hours=1)
        before = balance
        balance += amount if kind in charges else -amount
        entry_id = rows.add(
            table(LedgerEntry),
            {
                "citation_id": citation_id,
                "kind": kind.value,
                "amount_cents": to_cents(amount),
                "method": "card" if kind is EntryKind.PAYMENT else None,
                "reference": None,
                "created_at": at,
                "created_by": ACTOR,
                "reason": "synthetic",
            },
        )
        if kind is EntryKind.PAYMENT:
            rows.add(
                table(Payment),
                {
                    "citation_id": citation_id,
                    "ledger_entry_id": entry_id,
                    "receipt_number": f"R-{entry_id:07d}",
                    "kind": "payment",
                    "amount_cents": to_cents(amount),
                    "method": "card",
                    "reference": None,
                    "received_at": at,
                    "received_on": at.date(),
                    "recorded_at": at,
                    "recorded_by": ACTOR,
                    "source": "seed",
                    "idempotency_key": None,
                    "body_hash": None,
                    "reverses_id": None,
                    "balance_before_cents": to_cents(before),
                    "balance_after_cents": to_cents(balance),
                    "status_after": status,
                },
            )
    if planned:
        plan_id = rows.add(
            table(PaymentPlan),
            {
                "citation_id": citation_id,
                "status": "active" if status == S.ON_PLAN.value else "completed",
                "created_at": moment + timedelta(days=5),
                "created_by": ACTOR,
                "ended_at": closed,
            },
        )
        fine = ledger[0][1]
        half = (fine / 2).quantize(Decimal("0.01"))
        for index, (amount, days) in enumerate(((half, 10), (fine - half, 40)), start=1):
            paid = status != S.ON_PLAN.value or index == 1
            rows.add(
                table(PlanInstallment),
                {
                    "plan_id": plan_id,
                    "number": index,
                    "due_on": (moment + timedelta(days=days)).date(),
                    "amount_cents": to_cents(amount),
                    "paid_cents": to_cents(amount) if paid else 0,
                },
            )
    if status == S.SERVED.value:
        assignment = rows.add(
            table(ServiceAssignment),
            {
                "citation_id": citation_id,
                "provider_id": "food-bank",
                "rate_cents": 2000,
                "minutes_required": int(ledger[0][1] / 20 * 60),
                "deadline": (moment + timedelta(days=90)).date(),
                "extensions": 0,
                "status": "completed",
                "elected_at": moment + timedelta(days=5),
                "elected_by": ACTOR,
                "ended_at": closed,
            },
        )
        rows.add(
            table(ServiceHours),
            {
                "assignment_id": assignment,
                "worked_on": (moment + timedelta(days=30)).date(),
                "minutes": int(ledger[0][1] / 20 * 60),
                "logged_at": moment + timedelta(days=31),
                "logged_by": ACTOR,
                "signed_off_by": "provider (synthetic)",
                "signed_off_at": moment + timedelta(days=31),
            },
        )
    if status == S.DIVERTED.value:
        rows.add(
            table(DiversionReferral),
            {
                "citation_id": citation_id,
                "program_id": "neighborhood-justice",
                "obligations": [
                    {
                        "kind": "apology_letter",
                        "description": "letter",
                        "done_on": (moment + timedelta(days=50)).date().isoformat(),
                        "recorded_by": ACTOR,
                    }
                ],
                "deadline": (moment + timedelta(days=60)).date(),
                "status": "completed",
                "referred_at": moment + timedelta(days=5),
                "referred_by": ACTOR,
                "ended_at": closed,
                "end_reason": None,
            },
        )
    contested = any(
        k in (EntryKind.DISMISSAL, EntryKind.REDUCTION) for k, _, _ in ledger
    ) and status not in (S.DIVERTED.value,)
    if contested:
        _write_contest(rows, rng, citation_id, status, ledger, moment, session_id)
    if status == S.IN_COLLECTIONS.value:
        rows.add(
            table(CollectionReferral),
            {
                "citation_id": citation_id,
                "referred_on": (moment + timedelta(days=104)).date(),
                "amount_cents": to_cents(balance),
                "recalled_on": None,
                "recall_reason": None,
            },
        )


def _write_contest(
    rows: Rows,
    rng: random.Random,
    citation_id: int,
    status: str,
    ledger: Ledger,
    moment: datetime,
    session_id: int,
) -> None:
    fine = ledger[0][1]
    dismissed = status == S.DISMISSED.value
    to_hearing = not dismissed or rng.random() < 0.4
    contest_id = rows.add(
        table(Contest),
        {
            "citation_id": citation_id,
            "stage": "decided",
            "review_requested_at": moment + timedelta(days=5),
            "review_statement": "synthetic contest",
            "review_deadline": (moment + timedelta(days=20)).date(),
            "review_late_reason": None,
            "review_decided_at": moment + timedelta(days=12),
            "hearing_requested_at": moment + timedelta(days=15) if to_hearing else None,
            "hearing_deadline": None,
            "hearing_late_reason": None,
            "interpreter_language": None,
            "deposit_status": "waived" if to_hearing else None,
            "deposit_due_on": None,
            "waiver_declaration": None,
            "waiver_decided_at": None,
            "waiver_decided_by": None,
            "waiver_reason": None,
        },
    )
    review_outcome = "dismissed" if dismissed and not to_hearing else "upheld"
    rows.add(
        table(Order),
        {
            "citation_id": citation_id,
            "contest_id": contest_id,
            "hearing_id": None,
            "tier": "review",
            "outcome": review_outcome,
            "findings": "synthetic findings",
            "original_cents": to_cents(fine),
            "new_cents": 0 if review_outcome == "dismissed" else to_cents(fine),
            "reduction_reason": None,
            "payment_schedule": [],
            "refund_cents": 0,
            "decided_at": moment + timedelta(days=12),
            "decided_by": ACTOR,
            "next_deadline": None,
            "set_aside_at": None,
            "set_aside_reason": None,
        },
    )
    if not to_hearing:
        return
    hearing_id = rows.add(
        table(Hearing),
        {
            "contest_id": contest_id,
            "session_id": session_id,
            "position": 1,
            "slot_time": None,
            "status": "held",
            "placed_by_hand": False,
            "scheduled_at": moment + timedelta(days=16),
            "scheduled_by": ACTOR,
            "postponed_at": None,
            "postponed_reason": None,
            "replaced_by_id": None,
        },
    )
    outcome = "dismissed" if dismissed else "reduced"
    reduced = next((a for k, a, _ in ledger if k is EntryKind.REDUCTION), Decimal(0))
    rows.add(
        table(Order),
        {
            "citation_id": citation_id,
            "contest_id": contest_id,
            "hearing_id": hearing_id,
            "tier": "hearing",
            "outcome": outcome,
            "findings": "synthetic findings",
            "original_cents": to_cents(fine),
            "new_cents": 0 if dismissed else to_cents(fine - reduced),
            "reduction_reason": None if dismissed else "synthetic",
            "payment_schedule": [],
            "refund_cents": 0,
            "decided_at": moment + timedelta(days=30),
            "decided_by": ACTOR,
            "next_deadline": None,
            "set_aside_at": None,
            "set_aside_reason": None,
        },
    )


def _advance_sequences(engine: Engine) -> None:
    """Explicit ids bypass PostgreSQL's sequences: move each past the highest id. Then
    refresh the planner's statistics, which a bulk load leaves stale (the report ran 25%
    slower on a freshly seeded million until ANALYZE)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ORDER:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                )
            )
            # This schema's tables only: a bare ANALYZE would visit the whole database.
            connection.execute(text(f"ANALYZE {table.name}"))
