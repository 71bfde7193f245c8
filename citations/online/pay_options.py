"""Which online payments are open now, by the library's own rules: the citation's status,
its balance, its plan, the hearing deposit's deadline, the hearing request's deadline, and
whether the city takes payments online at all. A way that is not open raises NotOpen with a
reason the public pages word in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.hearings.tables import Contest, Order
from citations.money import from_cents, to_cents
from citations.payments.posting import active_plan
from citations.payments.receipts import next_installment
from citations.record.ledger import balance
from citations.record.lookup import find_citation
from citations.record.status import CLOSED, OWED, CitationStatus
from citations.record.tables import Citation
from citations.roles import Actor
from ordinances.models import Jurisdiction

S = CitationStatus
METHOD = "online"
"""The payment method online payments post with (the profile's payments.methods lists it
where the city takes payments online)."""
HEARING_DETAILS = ("hearing_mode", "interpreter_language", "accommodation")


class Purpose(StrEnum):
    BALANCE = "balance"
    """The whole balance."""
    PART = "part"
    """Any amount up to the balance."""
    INSTALLMENT = "installment"
    """What is left of the active plan's next installment."""
    DEPOSIT = "deposit"
    """The hearing deposit due after the hardship waiver was refused."""
    HEARING = "hearing"
    """A hearing request with its advance deposit: the request is made when the deposit is
    paid."""


MONEY = frozenset({Purpose.BALANCE, Purpose.PART, Purpose.INSTALLMENT})
CONTESTED = frozenset({S.IN_REVIEW, S.HEARING_REQUESTED, S.HEARING_SCHEDULED})


class NotOpen(InputRejected):
    """A payment the person cannot start now. `reason` is a short code the public pages
    word in the person's language (with `values`: the balance, a deadline, a status); the
    message says it in English for the API and the logs."""

    def __init__(self, purpose: Purpose, reason: str, message: str, **values: Any) -> None:
        self.purpose = purpose
        self.reason = reason
        self.values = values
        super().__init__([FieldError("purpose", message)], f"cannot pay the {purpose} online now")


@dataclass(frozen=True)
class Choice:
    """One way to pay now, or why it is not open."""

    purpose: Purpose
    amount: Decimal | None
    """What it costs (None for a part payment: the person says how much)."""
    due_on: date | None
    not_open: NotOpen | None = None


@dataclass(frozen=True)
class PayOptions:
    """What the /pay page shows: what is owed, by when, and each way to pay now."""

    number: str
    balance: Decimal
    currency: str
    due_on: date | None
    status: str
    choices: dict[Purpose, Choice] = field(default_factory=dict)


def check_open(
    session: Session,
    citation: Citation,
    purpose: Purpose,
    amount: Decimal | None,
    details: Mapping[str, Any] | None,
    *,
    profile: Jurisdiction,
    today: date,
    minimum_cents: int,
) -> tuple[Decimal, date | None]:
    """(amount, due date) of a payment for `purpose` if it is open today; else NotOpen."""
    total, due = _check(session, citation, purpose, amount, details, profile=profile, today=today)
    if to_cents(total) < minimum_cents:
        least = from_cents(minimum_cents)
        raise NotOpen(purpose, "under_minimum", f"the least paid online is {least}", minimum=least)
    return total, due


def _check(
    session: Session,
    citation: Citation,
    purpose: Purpose,
    amount: Decimal | None,
    details: Mapping[str, Any] | None,
    *,
    profile: Jurisdiction,
    today: date,
) -> tuple[Decimal, date | None]:
    if METHOD not in profile.payments.methods:
        raise NotOpen(purpose, "method", "the city does not take payments online")
    owed = balance(session, citation)
    if purpose in MONEY:
        _payable(citation, purpose, owed)
    if purpose is Purpose.BALANCE:
        return owed, citation.due_on
    if purpose is Purpose.PART:
        if amount is None or amount <= 0:
            raise NotOpen(purpose, "no_amount", "say how much to pay", balance=owed)
        if amount > owed:
            raise NotOpen(
                purpose,
                "over_balance",
                f"{amount} is more than the balance of {owed}",
                balance=owed,
                amount=amount,
            )
        return amount, citation.due_on
    if purpose is Purpose.INSTALLMENT:
        upcoming = next_installment(active_plan(session, citation))
        if upcoming is None:
            raise NotOpen(purpose, "no_plan", "there is no payment plan with an installment due")
        return min(upcoming[1], owed), upcoming[0]
    if purpose is Purpose.DEPOSIT:
        due = _deposit_due(session, citation, today)
    else:
        due = _hearing_open(session, citation, details or {}, profile, today)
    if owed <= 0:  # a deposit of nothing: there is nothing to hold for the hearing
        raise NotOpen(purpose, "nothing_owed", "nothing is owed", balance=owed)
    return owed, due


def _payable(citation: Citation, purpose: Purpose, owed: Decimal) -> None:
    status = CitationStatus(citation.status)
    if status in CLOSED:
        raise NotOpen(purpose, "closed", f"it is {status.value}: nothing is owed", status=status)
    if status in CONTESTED:
        raise NotOpen(purpose, "contested", "pay once the contest is decided", status=status)
    if status not in OWED:  # in community service or a diversion program
        raise NotOpen(
            purpose, "alternative", f"it is {status.value.replace('_', ' ')}", status=status
        )
    if owed <= 0:
        raise NotOpen(purpose, "nothing_owed", "nothing is owed", balance=owed)


def _deposit_due(session: Session, citation: Citation, today: date) -> date:
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    due = contest.deposit_due_on if contest else None
    if contest is None or contest.deposit_status != "waiver_denied" or due is None:
        raise NotOpen(Purpose.DEPOSIT, "no_deposit", "no hearing deposit is due")
    if today > due:
        raise NotOpen(
            Purpose.DEPOSIT, "deposit_late", f"the deposit was due by {due}", deadline=due
        )
    return due


def _hearing_open(
    session: Session,
    citation: Citation,
    details: Mapping[str, Any],
    profile: Jurisdiction,
    today: date,
) -> date:
    """The deadline to ask for the hearing, if it is open today (request_hearing's rules)."""
    purpose = Purpose.HEARING
    if citation.status != S.REVIEW_UPHELD.value:
        raise NotOpen(
            purpose,
            "hearing_closed",
            "a hearing follows an initial review that upheld the citation",
            status=citation.status,
        )
    unknown = set(details) - set(HEARING_DETAILS)
    if unknown:
        raise NotOpen(purpose, "details", f"unknown details: {', '.join(sorted(unknown))}")
    mode = details.get("hearing_mode")
    modes = profile.online.hearing_modes
    if mode is not None and mode not in modes:
        raise NotOpen(purpose, "hearing_mode", f"a hearing is not held {mode}", modes=modes)
    review = session.scalars(
        select(Order)
        .join(Contest, Order.contest_id == Contest.id)
        .where(Contest.citation_id == citation.id, Order.tier == "review")
        .order_by(Order.id.desc())
        .limit(1)
    ).first()
    deadline = review.next_deadline if review else None
    if deadline is None:
        raise NotOpen(purpose, "hearing_closed", "there is no review decision to answer")
    if today > deadline:
        raise NotOpen(
            purpose,
            "hearing_late",
            f"a hearing had to be asked for by {deadline}",
            deadline=deadline,
        )
    return deadline


def payment_options(
    session: Session, number: str, *, actor: Actor, now: datetime, minimum_cents: int = 1
) -> PayOptions:
    """What the person owes, by when, and each way to pay it online now (or why not)."""
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)
    choices = {}
    for purpose in (Purpose.BALANCE, Purpose.INSTALLMENT, Purpose.DEPOSIT):
        try:
            amount, due = check_open(
                session,
                citation,
                purpose,
                None,
                None,
                profile=profile,
                today=today,
                minimum_cents=minimum_cents,
            )
            choices[purpose] = Choice(purpose, amount, due)
        except NotOpen as closed:
            choices[purpose] = Choice(purpose, None, None, closed)
    whole = choices[Purpose.BALANCE]
    # A part of the balance is open when the whole is (the amount is checked when sent).
    choices[Purpose.PART] = Choice(Purpose.PART, None, whole.due_on, whole.not_open)
    return PayOptions(
        number=citation.number,
        balance=balance(session, citation),
        currency=profile.currency,
        due_on=citation.due_on,
        status=citation.status,
        choices=choices,
    )


def hearing_details(purpose: Purpose, details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A hearing request's choices, as plain strings (None where not given)."""
    if purpose is not Purpose.HEARING:
        return None
    given = dict(details or {})
    clean: dict[str, Any] = {}
    for key, value in given.items():
        text = str(value).strip() if value is not None else ""
        clean[key] = text or None
    for key in HEARING_DETAILS:
        clean.setdefault(key, None)
    return clean
