"""Contests in a seeded program: the synthetic hearing officers, each with outcome rates of
their own drawn from the seed, what becomes of a contest (an initial review, then for most a
hearing before one of them), and the rows that record it.

Hearing officers differ in practice, and the report compares them: so each seeded officer
upholds, reduces and dismisses at their own rates, and hears a share of the hearings of their
own. Every name ends in "(synthetic)".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from citations.hearings.officers import Qualification
from citations.hearings.tables import Contest, Hearing, Order
from citations.money import to_cents

from .rows import ACTOR, Rows, table

BENCH: tuple[tuple[str, Qualification, int | None, tuple[float, float, float]], ...] = (
    ("Hon. Alma Reyes (synthetic)", "administrative_law_judge", None, (0.62, 0.18, 0.20)),
    ("Hon. Marcus Bell (synthetic)", "pro_tem_judge", None, (0.48, 0.34, 0.18)),
    ("Dana Whitfield (synthetic)", "trained_neutral", 40, (0.40, 0.22, 0.38)),
    ("Hon. Priya Natarajan (synthetic)", "administrative_law_judge", None, (0.72, 0.16, 0.12)),
)
"""The seed's hearing officers: name, qualification, hours of dispute-resolution training
(a trained neutral), and how they tend to decide: shares upheld, reduced and dismissed. One
upholds most citations, one reduces often, one dismisses often; the seed varies each share."""

REVIEW_DISMISSES = 0.2
"""The share of initial reviews that dismiss the citation (the rest uphold it)."""
HEARING_REQUESTED = 0.75
"""The share of people whose review upheld the citation who ask for a hearing."""
REVIEW_DAY, HEARING_DAY = 12, 30
"""Days after the violation on which the review and the hearing are decided."""


@dataclass(frozen=True)
class SeedOfficer:
    """A seeded hearing officer: how they decide (shares adding up to 1) and how many
    hearings they sit, relative to the others."""

    name: str
    upheld: float
    reduced: float
    dismissed: float
    caseload: float


def draw_officers(rng: random.Random) -> list[SeedOfficer]:
    """The bench's outcome rates and caseloads, drawn from the seed: each officer's shares
    varied by up to 15% around their tendency, then made to add up to 1.

    >>> officers = draw_officers(random.Random(7))
    >>> [o.name for o in officers] == [name for name, *_ in BENCH]
    True
    >>> all(abs(o.upheld + o.reduced + o.dismissed - 1) < 1e-9 for o in officers)
    True
    >>> officers == draw_officers(random.Random(7)) != draw_officers(random.Random(8))
    True
    """
    officers = []
    for name, _, _, tendency in BENCH:
        upheld, reduced, dismissed = (share * rng.uniform(0.85, 1.15) for share in tendency)
        total = upheld + reduced + dismissed
        officers.append(
            SeedOfficer(
                name=name,
                upheld=upheld / total,
                reduced=reduced / total,
                dismissed=dismissed / total,
                caseload=rng.uniform(0.6, 1.4),
            )
        )
    return officers


@dataclass(frozen=True)
class SeedContest:
    """A decided contest: the review's outcome, and the hearing's (with the index of the
    officer in the bench) when there was one: upheld, reduced, dismissed, or default when the
    person did not come (`life.life_of` decides that, by the experiment's arm)."""

    review: str
    hearing: str | None = None
    officer: int | None = None

    @property
    def outcome(self) -> str:
        """The decision that stands: the hearing's, or the review's without a hearing."""
        return self.hearing or self.review


def decide_contest(rng: random.Random, officers: list[SeedOfficer]) -> SeedContest:
    """What a contest came to: dismissed at review, upheld at review and left there, or a
    hearing before an officer (chosen by caseload) who decides at their own rates."""
    if rng.random() < REVIEW_DISMISSES:
        return SeedContest(review="dismissed")
    if rng.random() >= HEARING_REQUESTED:
        return SeedContest(review="upheld")
    index = rng.choices(range(len(officers)), weights=[o.caseload for o in officers])[0]
    officer = officers[index]
    outcome = rng.choices(
        ("upheld", "reduced", "dismissed"),
        weights=(officer.upheld, officer.reduced, officer.dismissed),
    )[0]
    return SeedContest(review="upheld", hearing=outcome, officer=index)


def write_contest(
    rows: Rows,
    citation_id: int,
    contest: SeedContest,
    fine: Decimal,
    reduced_to: Decimal,
    moment: datetime,
    session_ids: list[int],
) -> None:
    """Queue a decided contest: its review order, and its hearing and order if it had one
    (in the session of the officer who heard it). `reduced_to` is the fine after a
    reduction."""
    heard = contest.hearing is not None
    contest_id = rows.add(
        table(Contest),
        {
            "citation_id": citation_id,
            "stage": "decided",
            "review_requested_at": moment + timedelta(days=5),
            "review_statement": "synthetic contest",
            "review_deadline": (moment + timedelta(days=20)).date(),
            "review_late_reason": None,
            "review_decided_at": moment + timedelta(days=REVIEW_DAY),
            "hearing_requested_at": moment + timedelta(days=15) if heard else None,
            "hearing_deadline": None,
            "hearing_late_reason": None,
            "interpreter_language": None,
            "deposit_status": "waived" if heard else None,
            "deposit_due_on": None,
            "waiver_declaration": None,
            "waiver_decided_at": None,
            "waiver_decided_by": None,
            "waiver_reason": None,
        },
    )
    _write_order(
        rows,
        citation_id,
        contest_id,
        hearing_id=None,
        tier="review",
        outcome=contest.review,
        fine=fine,
        new_cents=0 if contest.review == "dismissed" else to_cents(fine),
        decided_at=moment + timedelta(days=REVIEW_DAY),
    )
    if contest.hearing is None or contest.officer is None:
        return
    hearing_id = rows.add(
        table(Hearing),
        {
            "contest_id": contest_id,
            "session_id": session_ids[contest.officer],
            "position": 1,
            "slot_time": None,
            "status": "no_show" if contest.hearing == "default" else "held",
            "placed_by_hand": False,
            "scheduled_at": moment + timedelta(days=16),
            "scheduled_by": ACTOR,
            "postponed_at": None,
            "postponed_reason": None,
            "replaced_by_id": None,
        },
    )
    new = {"dismissed": Decimal(0), "reduced": reduced_to}.get(contest.hearing, fine)
    _write_order(
        rows,
        citation_id,
        contest_id,
        hearing_id=hearing_id,
        tier="hearing",
        outcome=contest.hearing,
        fine=fine,
        new_cents=to_cents(new),
        decided_at=moment + timedelta(days=HEARING_DAY),
    )


def _write_order(
    rows: Rows,
    citation_id: int,
    contest_id: int,
    *,
    hearing_id: int | None,
    tier: str,
    outcome: str,
    fine: Decimal,
    new_cents: int,
    decided_at: datetime,
) -> None:
    """A decision in a contest, at review (no hearing) or after a hearing."""
    rows.add(
        table(Order),
        {
            "citation_id": citation_id,
            "contest_id": contest_id,
            "hearing_id": hearing_id,
            "tier": tier,
            "outcome": outcome,
            "findings": "synthetic findings",
            "original_cents": to_cents(fine),
            "new_cents": new_cents,
            "reduction_reason": "synthetic" if outcome == "reduced" else None,
            "payment_schedule": [],
            "refund_cents": 0,
            "decided_at": decided_at,
            "decided_by": ACTOR,
            "next_deadline": None,
            "set_aside_at": None,
            "set_aside_reason": None,
        },
    )
