"""The seed's main loop: draw a stop, decide it with the rules, write what became of it, and
keep the agency's number sequences and the audit chain continuous across the bulk load."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, select

from citations.audit import BULK_LANE, AuditEvent, chain_head, event_hash, move_chain_head
from citations.calendar import local_date, pay_deadline, zone_of
from citations.database import transaction
from citations.record.agencies import widen_numbers
from citations.record.numbering import SEQUENCE_DIGITS, CitationNumber
from citations.record.status import CitationStatus
from citations.record.tables import Agency, NumberSequence
from citations.roles import OPERATOR
from ordinances.models import Disposition

from .contests import HEARING_DAY, draw_officers
from .decide import Rules, count_priors, ineligible
from .issue import write_citation, write_intake
from .life import PAID_BY_PLAN, acted_after, life_of, write_life
from .people import WEIGHTS, Population
from .prepare import prepare
from .reminders import assign, nudge, write_reminders
from .rows import ACTOR, ORDER, Rows, advance_sequences, table
from .settle import settle

S = CitationStatus


@dataclass
class SeedReport:
    citations: int
    referred: int
    declined: int
    by_status: dict[str, int]
    seconds: float


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
    profile, agency_id, session_ids = prepare(engine, now)
    rng = random.Random(seed)
    officers = draw_officers(rng)
    rules = Rules(engine)
    rows = Rows(engine)
    population = Population(citations, seed, rng)
    codes = list(WEIGHTS)
    code_weights = [WEIGHTS[c] for c in codes]
    zone = zone_of(profile)
    today = local_date(now, profile)
    first_day = today - timedelta(days=400)
    moments = sorted(
        datetime.combine(
            first_day + timedelta(days=rng.randrange(399)),
            time(rng.randrange(7, 24), rng.randrange(60)),
            tzinfo=zone,
        )
        for _ in range(int(citations * 1.08))
    )
    sequences = _read_sequences(engine, agency_id)
    digits = _widen_for(engine, agency_id, sequences, moments, now)
    rows.start_ids(ORDER)  # after widening, whose audit event takes an id
    counts: dict[str, int] = defaultdict(int)
    issued = referred = declined = 0
    # The audit trail's bulk lane continues from its head. The seed is a bulk load: nothing
    # else may write to the database while it runs (it is not locked out; the lane would
    # break).
    with transaction(engine) as session:
        chain = chain_head(session)
    try:
        for moment in moments:
            person = population.draw()
            code = rng.choices(codes, weights=code_weights)[0]
            day = moment.date()
            resolved = rules.resolve(code, day)
            if resolved is None:
                continue
            version = resolved.version
            priors = count_priors(person, resolved, day)
            reasons = ineligible(person, resolved, priors, day, rng)
            outcome = "referred" if reasons else ("declined" if rng.random() < 0.02 else "issued")
            intake_id = write_intake(
                rows,
                message_id=str(uuid.UUID(int=rng.getrandbits(128))),
                agency_id=agency_id,
                moment=moment,
                person=person,
                outcome=outcome,
                reasons=reasons,
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
            number = str(CitationNumber("DCPD", year, sequence, digits))
            assignment = assign(profile, number, day)
            pay_by = pay_deadline(day, profile)
            status, ledger, closed, contest = life_of(
                rng, resolved, fine, moment, today, profile, officers, nudge(rng, assignment)
            )
            planned = status in (PAID_BY_PLAN, S.ON_PLAN.value)
            status = S.PAID.value if status == PAID_BY_PLAN else status
            citation_id = write_citation(
                rows,
                rng,
                number=number,
                agency_id=agency_id,
                intake_id=intake_id,
                status=status,
                moment=moment,
                closed=closed,
                person=person,
                profile=profile,
                resolved=resolved,
                version_id=rules.version_id(resolved),
                priors=priors,
                fine=fine,
                assignment=assignment,
                pay_by=pay_by,
            )
            write_life(
                rows, citation_id, status, ledger, moment, closed, planned, contest, session_ids
            )
            write_reminders(
                rows,
                citation_id,
                assignment=assignment,
                person=person,
                language=person.language if person.language in profile.notice_languages else "en",
                moment=moment,
                pay_by=pay_by,
                acted_after=acted_after(status, ledger, planned, contest),
                hearing_after=HEARING_DAY if contest is not None and contest.hearing else None,
                now=now,
                profile=profile,
            )
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
                event | {"lane": BULK_LANE, "prev_hash": previous, "hash": chain},
            )
            person.history.append((day, code, resolved.category))
            counts[status] += 1
            issued += 1
            if progress is not None:
                progress(1)
            rows.flush()
        rows.flush(force=True)
    finally:
        rows.close()  # the batch in flight, and the writer thread
    _save_sequences(engine, agency_id, sequences)
    with transaction(engine) as session:
        move_chain_head(session, chain)
    # Next citation days and balances for everyone at the end, cheaper than keeping them
    # citation by citation; the ledger rows went in without `post`.
    settle(engine)
    advance_sequences(engine)
    return SeedReport(
        issued, referred, declined, dict(counts), (datetime.now(UTC) - started).total_seconds()
    )


def _read_sequences(engine: Engine, agency_id: int) -> dict[int, int]:
    """The agency's next citation sequence per year, so seeded numbers follow issued ones."""
    with engine.connect() as connection:
        query = select(NumberSequence.year, NumberSequence.next_sequence).where(
            NumberSequence.agency_id == agency_id
        )
        return dict(connection.execute(query).all())


def _widen_for(
    engine: Engine,
    agency_id: int,
    sequences: dict[int, int],
    moments: list[datetime],
    now: datetime,
) -> int:
    """The width of the seeded numbers: the agency's, widened first if a year of this load
    could pass its last number (every stop drawn that year issued, after the numbers already
    used), as a city would before a year that large."""
    per_year: dict[int, int] = defaultdict(int)
    for moment in moments:
        per_year[moment.year] += 1
    last = max((sequences.get(year, 1) - 1 + n for year, n in per_year.items()), default=0)
    needed = max(SEQUENCE_DIGITS, len(str(last)))
    with transaction(engine) as session:
        agency = session.get_one(Agency, agency_id)
        if needed > agency.sequence_digits:
            widen_numbers(session, agency.code, needed, actor=OPERATOR, now=now)
        return agency.sequence_digits


def _save_sequences(engine: Engine, agency_id: int, sequences: dict[int, int]) -> None:
    """Advance the agency's sequences past the seeded numbers (never back)."""
    with transaction(engine) as session:
        for year, nxt in sequences.items():
            existing = session.get(NumberSequence, (agency_id, year))
            if existing is None:
                session.add(NumberSequence(agency_id=agency_id, year=year, next_sequence=nxt))
            else:
                existing.next_sequence = max(existing.next_sequence, nxt)
