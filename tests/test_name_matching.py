"""Exactly which variants of a name are the same person when priors are counted (README,
"Priors and fines"): each later citation has the same date of birth and another licence, so
it can match the first only by name."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.factories import message, prepare, send, subject

FIRST = {"first_name": "José", "middle_name": "Maria", "last_name": "Garcia-Lopez"}

SAME = {
    "case": {"first_name": "JOSÉ", "last_name": "garcia-lopez"},
    "spaces": {"first_name": "  José ", "last_name": "Garcia-Lopez  "},
    "decomposed accent": {"first_name": "Jose\u0301"},
    "zero-width space": {"first_name": "Jo\u200bsé"},
    "zero-width joiner": {"first_name": "José\u200d"},
    "direction mark and byte order mark": {
        "first_name": "\u200eJosé",
        "last_name": "\ufeffGarcia-Lopez",
    },
    "no middle name": {"middle_name": None},
    "another middle name": {"middle_name": "Luis"},
}
OTHER = {
    "accent left out": {"first_name": "Jose"},
    "hyphen as a space": {"last_name": "Garcia Lopez"},
    "hyphen left out": {"last_name": "GarciaLopez"},
    "middle name moved to the last name": {"middle_name": None, "last_name": "Maria Garcia-Lopez"},
    "first and last swapped": {"first_name": "Garcia-Lopez", "last_name": "José"},
}


def priors_of(engine: Engine, variant: dict[str, Any]) -> int:
    prepare(engine)
    earlier = subject(**FIRST, identifiers=[{"type": "CA-DL", "number": "D1000001"}])
    send(engine, message(subject=earlier, violation_at="2026-06-10T12:00:00-07:00"))
    later = subject(**(FIRST | variant), identifiers=[{"type": "CA-DL", "number": "D1000002"}])
    return send(engine, message(subject=later)).result.violations[0].prior_count


@pytest.mark.parametrize("variant", SAME.values(), ids=SAME.keys())
def test_these_variants_are_the_same_name(engine: Engine, variant: dict[str, Any]) -> None:
    assert priors_of(engine, variant) == 1


@pytest.mark.parametrize("variant", OTHER.values(), ids=OTHER.keys())
def test_these_variants_are_another_name(engine: Engine, variant: dict[str, Any]) -> None:
    assert priors_of(engine, variant) == 0


def test_an_identifier_with_a_format_character_is_the_same_identifier(engine: Engine) -> None:
    prepare(engine)
    first = subject(first_name="Ana", identifiers=[{"type": "CA-DL", "number": "D1000001"}])
    send(engine, message(subject=first, violation_at="2026-06-10T12:00:00-07:00"))
    again = subject(
        first_name="Someone", identifiers=[{"type": "ca-dl", "number": "d100\u200b-0001"}]
    )
    assert send(engine, message(subject=again)).result.violations[0].prior_count == 1
