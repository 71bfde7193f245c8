"""Citation numbers: format, parsing and the Damm check digit's guarantees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citations.record.numbering import CitationNumber, InvalidCitationNumber, damm

numbers = st.builds(
    CitationNumber,
    prefix=st.sampled_from(["DCPD", "LAPD", "PK"]),
    year=st.integers(2000, 2099),
    sequence=st.integers(0, 999_999),
)


@given(numbers)
def test_a_number_reads_back_as_itself(number: CitationNumber) -> None:
    assert CitationNumber.parse(str(number)) == number
    assert CitationNumber.parse(str(number).lower().replace("-", " ")) == number


@given(numbers, st.integers(0, 9), st.integers(1, 9))
def test_every_single_digit_error_is_caught(number: CitationNumber, index: int, delta: int) -> None:
    digits = f"{number.year:04d}{number.sequence:06d}"
    wrong = digits[:index] + str((int(digits[index]) + delta) % 10) + digits[index + 1 :]
    assert damm(wrong) != damm(digits)


@given(numbers, st.integers(0, 8))
def test_every_adjacent_transposition_is_caught(number: CitationNumber, index: int) -> None:
    digits = f"{number.year:04d}{number.sequence:06d}"
    swapped = digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]
    if swapped != digits:
        assert damm(swapped) != damm(digits)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DCPD-2026-000123-0", "the check digit does not match (mistyped?)"),
        ("DCPD-2026-00123-8", "expected PREFIX-YYYY-NNNNNN-C, e.g. DCPD-2026-000123-8"),
        ("", "expected PREFIX-YYYY-NNNNNN-C, e.g. DCPD-2026-000123-8"),
        ("D-2026-000123-8", "expected PREFIX-YYYY-NNNNNN-C, e.g. DCPD-2026-000123-8"),
    ],
)
def test_bad_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidCitationNumber) as raised:
        CitationNumber.parse(text)
    assert raised.value.reason == reason


def test_leading_zeros_are_kept() -> None:
    assert str(CitationNumber("DCPD", 2026, 7)).startswith("DCPD-2026-000007-")
