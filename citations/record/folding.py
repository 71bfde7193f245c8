"""Folded search keys of a citation's person: how a clerk's typing is matched to names and
addresses whatever their accents, case and punctuation.

These keys are looser than `Subject.name_key` (which decides priors, and so must not join
`José` to `Jose`): a search only shows candidates, a person reads them. They are stored on
the citation (`subject_last_folded`, `subject_first_folded`, `subject_address_folded`) so an
index answers a search at a million citations, and are written wherever the subject is:
issuing and amending (`citation_fields`), a changed address, the seed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

_DROPPED = {"'", "\u2019", "\u02bc", "."}
"""Marks that join a name's parts (`O'Brien`, `St. John`): dropped, so `obrien` finds it."""


def fold(text: str) -> str:
    """Text as searches compare it: compatibility-decomposed (NFKD), accents and other
    combining marks dropped, case folded, apostrophes dropped, every other character that is
    not a letter or digit a space, runs of spaces one.

    >>> fold("  López-GARCÍA ")
    'lopez garcia'
    >>> fold("O\u2019Brien, ﬁona")
    'obrien fiona'
    """
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) or char in _DROPPED:
            continue
        out.append(char if char.isalnum() else " ")
    return " ".join("".join(out).casefold().split())


def address_line(address: Any) -> str:
    """An address (the intake's `Address` as JSON) on one line, for folding."""
    if not isinstance(address, dict):
        return ""
    parts = ("line1", "line2", "city", "state", "postal_code")
    return " ".join(str(address[p]) for p in parts if address.get(p))


def folded_subject(subject: Any) -> dict[str, str]:
    """The folded columns of a citation from its `subject` JSON (first, last, address).

    >>> folded_subject({"first_name": "José", "last_name": "López",
    ...                 "address": {"line1": "12 Calle Ñandú", "city": "Demo City"}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'subject_last_folded': 'lopez', 'subject_first_folded': 'jose',
     'subject_address_folded': '12 calle nandu demo city'}
    """
    subject = subject if isinstance(subject, dict) else {}
    return {
        "subject_last_folded": fold(str(subject.get("last_name") or ""))[:200],
        "subject_first_folded": fold(str(subject.get("first_name") or ""))[:200],
        "subject_address_folded": fold(address_line(subject.get("address")))[:400],
    }
