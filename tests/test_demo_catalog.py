"""The sample catalog shipped for the demo city has what the product promises it has."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ordinances import DEMO_CATALOG, Disposition, NotInEffect, check_catalog, load_catalog

CATALOG = load_catalog(DEMO_CATALOG)
TODAY = date(2026, 11, 29)


def test_the_demo_catalog_checks_clean() -> None:
    assert check_catalog(DEMO_CATALOG) == []


def test_it_covers_the_ace_offenses() -> None:
    titles = " | ".join(o.title["en"].lower() for o in CATALOG.ordinances)
    for words in (
        "drinking",
        "urinating",
        "noise",
        "off leash",
        "after your dog",
        "blocking the sidewalk",
        "bicycle",
        "vending",
        "dumping",
        "leaf blower",
    ):
        assert words in titles, words


def test_general_and_animal_fine_schedules() -> None:
    general = CATALOG.resolve("LAMC 41.27(c)", TODAY).version.fines
    animal = CATALOG.resolve("LAMC 53.06.2", TODAY).version.fines
    assert general is not None and animal is not None
    assert general.tiers() == (Decimal("250.00"), Decimal("500.00"), Decimal("1000.00"))
    assert animal.tiers() == (Decimal("100.00"), Decimal("250.00"), Decimal("500.00"))


def test_it_has_a_criminal_only_ordinance_and_a_future_change() -> None:
    dispositions = {
        o.code: CATALOG.resolve(o.code, TODAY).version.disposition
        for o in CATALOG.ordinances
        if _in_force(o.code)
    }
    assert Disposition.NOT_MAPPABLE in dispositions.values()
    future = [
        (o.code, v.effective) for o in CATALOG.ordinances for v in o.versions if v.effective > TODAY
    ]
    assert future, "the demo needs a fine schedule that changes on a future date"
    code, when = future[0]
    before = CATALOG.resolve(code, date.fromordinal(when.toordinal() - 1)).version.fines
    after = CATALOG.resolve(code, when).version.fines
    assert before is not None and after is not None and before != after


def test_sidewalk_vending_follows_state_law() -> None:
    vending = CATALOG.resolve("LAMC 42.13", TODAY)
    alternatives = vending.version.alternatives
    assert alternatives is not None and alternatives.ability_to_pay is not None
    assert alternatives.ability_to_pay.rule == "reduced_payment"
    assert alternatives.ability_to_pay.percent == Decimal(20)
    assert not CATALOG.jurisdiction.added_fees_allowed(vending.category)
    assert CATALOG.jurisdiction.added_fees_allowed("public_order")


def _in_force(code: str) -> bool:
    try:
        CATALOG.resolve(code, TODAY)
    except NotInEffect:
        return False
    return True
