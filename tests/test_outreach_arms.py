"""The reminders experiment's arm, drawn when a citation is issued: reproducible (the same
number always lands in the same arm), balanced (the shares hold over many numbers), only on
the experiment's days, on the one-by-one and the batch paths; the arm without reminders gets
none, the other arm its own wording."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from citations.database import transaction
from citations.issuing.batch import Record, issue_records
from citations.issuing.write import arm_fields
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from citations.roles import OPERATOR
from ordinances import load_catalog
from ordinances.catalog import DEMO_CATALOG
from ordinances.models import Experiment
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.test_outreach_sync import outbox, reach

DEMO = load_catalog(DEMO_CATALOG).jurisdiction
EXPERIMENT = DEMO.reminders.experiment
assert EXPERIMENT is not None


def numbers(count: int) -> list[str]:
    return [f"DCPD-2026-{i:06d}" for i in range(1, count + 1)]


def test_the_same_number_always_lands_in_the_same_arm() -> None:
    assert EXPERIMENT is not None
    first = [EXPERIMENT.arm_for(n).id for n in numbers(500)]
    assert [EXPERIMENT.arm_for(n).id for n in numbers(500)] == first
    reseeded = EXPERIMENT.model_copy(update={"seed": "another seed"})
    assert [reseeded.arm_for(n).id for n in numbers(500)] != first


def test_the_arms_keep_their_shares_over_ten_thousand_numbers() -> None:
    assert EXPERIMENT is not None
    counts = Counter(EXPERIMENT.arm_for(n).id for n in numbers(10_000))
    # 20% / 40% / 40%: each within one percentage point (the draw is SHA-256 of the seed
    # and the number, so this is a fixed fact of these numbers, not a chance).
    for arm in EXPERIMENT.arms:
        assert abs(counts[arm.id] - arm.share * 100) <= 100, counts


@pytest.mark.parametrize(
    ("day", "assigned"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 6, 30), True),
        (date(2026, 7, 1), False),
    ],
)
def test_an_arm_only_on_the_experiments_days(day: date, assigned: bool) -> None:
    assert EXPERIMENT is not None
    ending = EXPERIMENT.model_copy(update={"ends": date(2026, 6, 30)})
    profile = DEMO.model_copy(
        update={"reminders": DEMO.reminders.model_copy(update={"experiment": ending})}
    )
    fields = arm_fields("DCPD-2026-000001", day, profile)
    if assigned:
        assert fields == {
            "experiment": "reminders-2026",
            "arm": ending.arm_for("DCPD-2026-000001").id,
        }
    else:
        assert fields == {"experiment": None, "arm": None}
    no_experiment = DEMO.model_copy(
        update={"reminders": DEMO.reminders.model_copy(update={"experiment": None})}
    )
    assert arm_fields("DCPD-2026-000001", day, no_experiment) == {"experiment": None, "arm": None}


TRIAL = """
reminders:
  experiment:
    id: trial
    starts: {starts}
    seed: test-seed
    arms:
      - {{id: none, share: 50, reminders: false}}
      - {{id: plain, share: 50, wording: plain}}
"""


def with_trial(engine: Engine, catalog_dir: Path, starts: str) -> Experiment:
    path = catalog_dir / "jurisdiction.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + TRIAL.format(starts=starts), encoding="utf-8"
    )
    prepare(engine, catalog_dir)
    experiment = load_catalog(catalog_dir).jurisdiction.reminders.experiment
    assert experiment is not None
    return experiment


def arms(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with transaction(engine) as session:
        return {
            number: (experiment, arm)
            for number, experiment, arm in session.execute(
                select(Citation.number, Citation.experiment, Citation.arm)
            )
        }


def people(count: int, first: int = 0) -> list[dict[str, object]]:
    return [
        message(
            subject=subject(
                first_name=f"P{i}", identifiers=[{"type": "CA-DL", "number": f"T{i:07d}"}]
            )
        )
        for i in range(first, first + count)
    ]


def test_issuing_one_by_one_and_in_a_batch_draws_the_arm(engine: Engine, catalog_dir: Path) -> None:
    trial = with_trial(engine, catalog_dir, "2026-11-01")  # NOW is 2026-11-29 in the city
    for body in people(6):
        send(engine, body)
    records = (Record(i + 1, json.dumps(b)) for i, b in enumerate(people(30, first=100)))
    assert all(r.result for r in issue_records(engine, records, actor=OPERATOR, clock=lambda: NOW))
    drawn = arms(engine)
    assert len(drawn) == 36
    assert drawn == {number: ("trial", trial.arm_for(number).id) for number in drawn}
    assert {arm for _, arm in drawn.values()} == {"none", "plain"}


def test_no_arm_before_the_experiment_starts(engine: Engine, catalog_dir: Path) -> None:
    with_trial(engine, catalog_dir, "2026-11-30")  # the day after NOW in the city
    send(engine, people(1)[0])
    assert set(arms(engine).values()) == {(None, None)}


def test_the_arm_without_reminders_gets_none_the_other_its_wording(
    engine: Engine, catalog_dir: Path
) -> None:
    with_trial(engine, catalog_dir, "2026-11-01")
    for body in people(8):
        send(engine, body)
    drawn = arms(engine)
    assert {arm for _, arm in drawn.values()} == {"none", "plain"}
    for number in drawn:
        reach(engine, number)
    wordings = {number: {m.wording for m in outbox(engine, number)} for number in drawn}
    assert wordings == {
        number: (set() if arm == "none" else {"plain"}) for number, (_, arm) in drawn.items()
    }
    with transaction(engine) as session:
        assert session.scalars(select(OutboxMessage.wording).distinct()).all() == ["plain"]
