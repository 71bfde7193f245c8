"""Issuing: decisions, priors, numbers, idempotency, snapshots and roles (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.database import transaction
from citations.errors import IdempotencyConflict, InputRejected, NotFound, PermissionDenied
from citations.issuing.decision import Outcome
from citations.issuing.void import void_citation
from citations.record.agencies import allocate_block
from citations.record.lookup import get_citation
from citations.record.numbering import CitationNumber
from citations.record.tables import Citation, IntakeRecord
from citations.roles import OPERATOR, Actor, Role
from tests.conftest import NOW, edit
from tests.factories import message, prepare, send, subject

OFFICER = Actor("officer 4471", Role.OFFICER, "DCPD")
OTHER_OFFICER = Actor("officer 9", Role.OFFICER, "OTHR")


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def count(engine: Engine, model: type[Any]) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def rejected(engine: Engine, body: dict[str, Any], actor: Actor = OPERATOR) -> list[dict[str, str]]:
    with pytest.raises(InputRejected) as raised:
        send(engine, body, actor)
    return [e.as_dict() for e in raised.value.errors]


def test_a_first_offense_is_issued_with_a_checked_number(ready: Engine) -> None:
    issued = send(ready, message(), OFFICER)
    result = issued.result
    assert not issued.replayed
    assert result.outcome is Outcome.ISSUED
    assert result.citation_number is not None
    number = CitationNumber.parse(result.citation_number)
    assert (number.prefix, number.year, number.sequence) == ("DCPD", 2026, 1)
    assert result.violations[0].offense_count == 1
    assert result.total_fine == Decimal("200.00")  # the 2024-07-01 version
    assert result.notice_language == "es"
    with transaction(ready) as session:
        public = get_citation(session, result.citation_number, OFFICER)
        assert public.violations[0].version_effective.isoformat() == "2024-07-01"
        assert public.subject["last_name"] == "Lopez"


def test_replaying_a_message_returns_the_first_result_and_creates_nothing(ready: Engine) -> None:
    body = message()
    first = send(ready, body)
    again = send(ready, body)
    assert again.replayed
    assert again.result == first.result
    assert count(ready, Citation) == 1
    assert count(ready, IntakeRecord) == 1


def test_the_same_message_id_with_another_body_is_a_conflict(ready: Engine) -> None:
    body = message()
    send(ready, body)
    changed = {**body, "location": {"address": "200 Main St"}}
    with pytest.raises(IdempotencyConflict, match=body["message_id"]):
        send(ready, changed)
    assert count(ready, Citation) == 1


def test_priors_raise_the_fine_tier(ready: Engine) -> None:
    fines = [
        send(ready, message(violation_at=f"2026-0{month}-10T12:00:00-07:00")).result.total_fine
        for month in (6, 7, 8)
    ]
    assert fines == [Decimal("200.00"), Decimal("400.00"), Decimal("800.00")]


@pytest.mark.parametrize(
    ("person", "counts"),
    [
        (subject(), True),  # same identifier, same name
        (subject(first_name="M.", last_name="Lopez-Garcia"), True),  # same identifier only
        (subject(identifiers=[]), True),  # same name and date of birth
        (subject(identifiers=[], date_of_birth="1990-04-03"), False),
        (subject(identifiers=[{"type": "ca-dl", "number": "d123 4567"}], first_name="X"), True),
        (subject(identifiers=[{"type": "CA-DL", "number": "D7654321"}], first_name="X"), False),
    ],
)
def test_who_counts_as_the_same_person(ready: Engine, person: dict[str, Any], counts: bool) -> None:
    send(ready, message(violation_at="2026-06-10T12:00:00-07:00"))
    later = send(ready, message(subject=person)).result
    assert later.violations[0].prior_count == (1 if counts else 0)


# The 2020 version counts priors of the same ordinance within 12 months (calendar months).
@pytest.mark.parametrize(
    ("prior_at", "counts"),
    [
        ("2022-03-15T00:00:00-07:00", True),  # first day of the window
        ("2022-03-14T23:59:00-07:00", False),  # the day before
        ("2023-03-15T07:59:00-07:00", True),  # same day, earlier
    ],
)
def test_priors_at_the_lookback_edge(ready: Engine, prior_at: str, counts: bool) -> None:
    send(ready, message(violation_at=prior_at))
    result = send(ready, message(violation_at="2023-03-15T08:00:00-07:00")).result
    assert result.violations[0].version_effective == "2020-01-01"
    assert result.violations[0].prior_count == (1 if counts else 0)


@pytest.mark.parametrize(
    ("prior_at", "counts"),
    [("2025-11-20T09:00:00-08:00", True), ("2025-11-19T23:00:00-08:00", False)],
)
def test_priors_at_a_365_day_category_lookback_edge(
    ready: Engine, prior_at: str, counts: bool
) -> None:
    send(ready, message(violation_at=prior_at))
    result = send(ready, message(violation_at="2026-11-20T08:00:00-08:00")).result
    assert result.violations[0].prior_count == (1 if counts else 0)


def test_voided_and_dismissed_citations_are_not_priors(ready: Engine) -> None:
    first = send(ready, message(violation_at="2026-06-10T12:00:00-07:00")).result
    second = send(ready, message(violation_at="2026-07-10T12:00:00-07:00")).result
    assert first.citation_number and second.citation_number
    with transaction(ready) as session:
        void_citation(
            session, first.citation_number, "wrong person stopped", actor=OPERATOR, now=NOW
        )
        dismissed = session.scalars(
            select(Citation).where(Citation.number == second.citation_number)
        ).one()
        dismissed.status = "dismissed"
    assert send(ready, message()).result.violations[0].prior_count == 0


def test_the_version_in_force_on_the_local_violation_date_decides(ready: Engine) -> None:
    # 23:30 on 30 June 2024 in Los Angeles is already 1 July in UTC: the old version applies.
    result = send(ready, message(violation_at="2024-07-01T06:30:00Z")).result
    assert result.violations[0].version_effective == "2020-01-01"
    assert result.total_fine == Decimal("250.00")
    result = send(ready, message(violation_at="2024-07-01T07:00:00Z")).result
    assert result.violations[0].version_effective == "2024-07-01"


def test_a_later_catalog_change_never_alters_an_issued_citation(
    engine: Engine, catalog_dir: Path
) -> None:
    prepare(engine, catalog_dir)
    number = send(engine, message()).result.citation_number
    assert number is not None
    edit(
        catalog_dir / "public-order.yaml",
        "          lookback: {days: 365}\n",
        "          lookback: {days: 365}\n      - effective: 2027-01-01\n"
        "        disposition: civil_citation\n        source: Ord. 2\n"
        "        fines: {first: 225.00, second: 450.00, third_and_later: 900.00}\n"
        "        priors: {scope: ordinance, lookback: {months: 12}}\n",
    )
    from citations.catalog.publishing import publish
    from ordinances import load_catalog

    with transaction(engine) as session:
        publish(
            session, load_catalog(catalog_dir), author="A", approved_by="B", reason="r", now=NOW
        )
    with transaction(engine) as session:
        public = get_citation(session, number, OPERATOR)
    assert public.total_fine == Decimal("200.00")
    assert public.violations[0].version_effective.isoformat() == "2024-07-01"


def test_under_age_subjects_are_referred_with_the_reason(ready: Engine) -> None:
    body = message(
        violation_at="2020-06-01T12:00:00-07:00", subject=subject(date_of_birth="2002-06-02")
    )
    result = send(ready, body).result
    assert result.outcome is Outcome.REFERRED
    assert result.citation_number is None
    assert result.reasons == ["the subject is 17, under the minimum age of 18 for TC 41.27(c)"]
    assert count(ready, Citation) == 0
    assert send(ready, body).result == result  # referrals replay too


def test_a_screening_answer_can_refer_the_case(ready: Engine) -> None:
    body = message(violation_at="2021-06-01T12:00:00-07:00", screening={"no-violence": True})
    result = send(ready, body).result
    assert result.outcome is Outcome.REFERRED
    assert result.reasons == [
        "TC 41.27(c): Was violence or a threat involved? The officer answered yes."
    ]


def test_too_many_priors_refer_instead_of_citing(ready: Engine) -> None:
    for month in ("01", "02", "03", "04"):
        send(ready, message(violation_at=f"2021-{month}-10T12:00:00-08:00"))
    result = send(ready, message(violation_at="2021-05-10T12:00:00-07:00")).result
    assert result.outcome is Outcome.REFERRED
    assert result.reasons == [
        "4 prior citations within 12 months exceed the limit of 3 for TC 41.27(c)"
    ]


def test_criminal_only_ordinances_are_referred(ready: Engine) -> None:
    body = message(
        violations=[
            {"ordinance": "TC 41.27(c)", "narrative": "Drinking."},
            {"ordinance": "TC 41.18(d)", "narrative": "Blocked the door and threatened staff."},
        ]
    )
    result = send(ready, body).result
    assert result.outcome is Outcome.REFERRED
    assert result.reasons == [
        "TC 41.18(d) is criminal only: no civil citation may be issued "
        "(Test City Code 41.18(d) is a misdemeanor only)"
    ]


def test_warning_only_versions_give_a_warning(ready: Engine) -> None:
    body = message(
        violation_at="2021-05-01T21:00:00-07:00",
        screening={},
        violations=[{"ordinance": "TC 63.44", "narrative": "In the park at 11 pm."}],
    )
    result = send(ready, body).result
    assert (result.outcome, result.total_fine, result.citation_number) == (
        Outcome.WARNING,
        Decimal("0.00"),
        None,
    )


def test_an_officer_declining_an_eligible_case_is_recorded(ready: Engine) -> None:
    result = send(ready, message(declined={"reason": "Person poured it out and left."})).result
    assert result.outcome is Outcome.DECLINED
    assert result.reasons == ["officer declined to cite: Person poured it out and left."]
    with transaction(ready) as session:
        stored = session.scalars(select(IntakeRecord)).one()
        assert (stored.outcome, stored.area) == ("declined", "Central")


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"violations": [{"ordinance": "TC 99", "narrative": "x"}]},
            [{"field": "violations[0].ordinance", "message": "no ordinance 'TC 99' is published"}],
        ),
        (
            {"violation_at": "2030-01-01T00:00:00Z"},
            [{"field": "violation_at", "message": "2030-01-01T00:00:00+00:00 is in the future"}],
        ),
        (
            {"violation_at": "2019-12-31T12:00:00-08:00"},
            [
                {
                    "field": "violations[0].ordinance",
                    "message": "not in effect on 2019-12-31: "
                    "its first version takes effect on 2020-01-01",
                }
            ],
        ),
        (
            {"screening": {}, "violation_at": "2023-01-05T10:00:00-08:00"},
            [
                {
                    "field": "screening.no-violence",
                    "message": "answer required: Was violence or a threat involved?",
                }
            ],
        ),
        (
            {"subject": subject(date_of_birth=None), "violation_at": "2023-01-05T10:00:00-08:00"},
            [
                {
                    "field": "subject.date_of_birth",
                    "message": "required: TC 41.27(c) is for people aged 18 or older",
                }
            ],
        ),
        ({"agency": "NOPE"}, [{"field": "agency", "message": "unknown agency 'NOPE'"}]),
    ],
)
def test_messages_that_cannot_be_decided_are_rejected_with_every_reason(
    ready: Engine, overrides: dict[str, Any], errors: list[dict[str, str]]
) -> None:
    assert rejected(ready, message(**overrides)) == errors
    assert count(ready, IntakeRecord) == 0


def test_device_numbers_come_from_the_devices_blocks(ready: Engine) -> None:
    with transaction(ready) as session:
        block = allocate_block(session, "DCPD", "unit-12", 5, year=2026, actor=OFFICER, now=NOW)
        assert (block.first_sequence, block.last_sequence) == (1, 5)
    inside = str(CitationNumber("DCPD", 2026, 3))
    result = send(ready, message(citation_number=inside), OFFICER).result
    assert result.citation_number == inside
    # online numbers continue after the block, never inside it
    assert send(ready, message(), OFFICER).result.citation_number == str(
        CitationNumber("DCPD", 2026, 6)
    )
    assert rejected(ready, message(citation_number=inside)) == [
        {"field": "citation_number", "message": f"{inside} has already been used"}
    ]
    outside = str(CitationNumber("DCPD", 2026, 6))
    assert rejected(ready, message(citation_number=str(CitationNumber("DCPD", 2026, 7)))) == [
        {
            "field": "citation_number",
            "message": "DCPD-2026-000007-"
            + str(CitationNumber("DCPD", 2026, 7).check_digit)
            + " is outside every number block of device unit-12",
        }
    ]
    other_device = message(
        citation_number=str(CitationNumber("DCPD", 2026, 4)), device_id="unit-99"
    )
    assert rejected(ready, other_device)[0]["message"].endswith(
        "is outside every number block of device unit-99"
    )
    mistyped = inside[:-1] + str((int(inside[-1]) + 1) % 10)
    assert rejected(ready, message(citation_number=mistyped)) == [
        {"field": "citation_number", "message": "the check digit does not match (mistyped?)"}
    ]
    assert outside  # the online number above


def test_officers_act_only_for_their_own_agency(ready: Engine) -> None:
    number = send(ready, message(), OFFICER).result.citation_number
    assert number is not None
    with pytest.raises(PermissionDenied, match="only for agency OTHR, not DCPD"):
        send(ready, message(), OTHER_OFFICER)
    with transaction(ready) as session, pytest.raises(NotFound):
        get_citation(session, number, OTHER_OFFICER)
    with pytest.raises(PermissionDenied, match="a clerk may not issue citation"):
        send(ready, message(), Actor("clerk", Role.CLERK))
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        allocate_block(session, "DCPD", "unit-1", 10, year=2026, actor=OTHER_OFFICER, now=NOW)


def test_numbers_restart_each_year_per_agency(ready: Engine) -> None:
    december = send(ready, message(violation_at="2026-11-20T12:00:00-08:00")).result
    january_now = datetime(2027, 1, 2, 18, 0, tzinfo=UTC)
    january = send(ready, message(violation_at="2027-01-02T09:00:00-08:00"), now=january_now).result
    assert december.citation_number and january.citation_number
    assert CitationNumber.parse(january.citation_number).year == 2027
    assert CitationNumber.parse(january.citation_number).sequence == 1
