"""The counter's forms about one citation beside the payment: a payment plan, an
ability-to-pay determination, community service (enrol, log hours) and a diversion
obligation done or the program ended unfinished.

Each reads what the clerk typed and calls the one library function the CLI and API call;
the library decides every rule (how many installments, who qualifies, the hours owed).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from citations.calendar import local_date
from citations.errors import FieldError
from citations.inputs import FIRST_DAY, LAST_DAY
from citations.payments.ability import Declaration, decide_as_staff
from citations.payments.diversion import end_unfinished, fulfil
from citations.payments.plans import create_plan
from citations.payments.service import elect_service, log_hours, sign_off
from citations.payments.tables import DiversionReferral
from citations.roles import Action
from citations.web.forms import Desk, FormPage, Parser, Values


def read_day(read: Parser, name: str) -> date | None:
    """A date such as 2026-12-04 (an HTML date field's value)."""
    raw = read.text(name)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        read.refuse(name, "enter a date such as 2026-12-04")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        read.refuse(name, f"enter a date from {FIRST_DAY.year} to {LAST_DAY.year}")
        return None
    return day


def read_number(read: Parser, name: str, what: str) -> Decimal | None:
    """A plain positive number (hours, a household's monthly income)."""
    raw = read.text(name).replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        read.refuse(name, f"enter the {what} as a number")
        return None
    if not number.is_finite() or number < 0:
        read.refuse(name, f"enter the {what} as a number")
        return None
    return number


def today(desk: Desk) -> str:
    return local_date(desk.now, desk.profile).isoformat()


class Plan(FormPage):
    slug = "plan"
    template = "counter/plan.html"
    fields = frozenset({"installments"})
    action = Action.MANAGE_PLANS

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {"rules": desk.profile.payments.plans}

    def act(self, desk: Desk, read: Parser) -> None:
        schedule = read.installments("installments")
        read.submit(
            lambda: create_plan(
                desk.session, desk.citation.number, schedule, actor=desk.actor, now=desk.now
            )
        )


class Ability(FormPage):
    slug = "ability"
    template = "counter/ability.html"
    fields = frozenset(
        {"benefit", "household_size", "monthly_income", "sworn", "granted", "reason"}
    )
    action = Action.DECIDE_ABILITY_TO_PAY

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {"benefits": desk.profile.payments.ability_to_pay.qualifying_benefits}

    def act(self, desk: Desk, read: Parser) -> None:
        benefits = desk.profile.payments.ability_to_pay.qualifying_benefits
        benefit = read.choice("benefit", ["", *benefits])
        size = read.text("household_size")
        household = int(size) if size.isdigit() and 1 <= int(size) <= 30 else None
        if household is None:
            read.refuse("household_size", "enter the number of people, 1 to 30")
        income = read_number(read, "monthly_income", "monthly income")
        granted = read.choice("granted", ["yes", "no"], "choose grant or deny")
        reason = read.text("reason")
        sworn = read.text("sworn") == "yes"
        if not sworn:
            read.refuse("sworn", "the declaration must be signed under penalty of perjury")
        read.done()
        assert household is not None and income is not None
        declaration = Declaration(
            benefits=[benefit] if benefit else [],
            household_size=household,
            monthly_income=income.quantize(Decimal("0.01")),
            sworn=sworn,
        )
        decide_as_staff(
            desk.session,
            desk.citation.number,
            declaration,
            granted=granted == "yes",
            reason=reason,
            actor=desk.actor,
            now=desk.now,
        )


class Service(FormPage):
    slug = "service"
    template = "counter/service.html"
    fields = frozenset({"provider"})
    action = Action.MANAGE_SERVICE

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {"providers": desk.profile.payments.community_service.providers}

    def act(self, desk: Desk, read: Parser) -> None:
        provider = read.text("provider")
        if not provider:
            read.refuse("provider", "choose the organization")
        read.submit(
            lambda: elect_service(
                desk.session, desk.citation.number, provider, actor=desk.actor, now=desk.now
            )
        )


class ServiceHours(FormPage):
    slug = "service-hours"
    template = "counter/service_hours.html"
    fields = frozenset({"worked_on", "hours", "signer"})
    action = Action.MANAGE_SERVICE

    def defaults(self, desk: Desk) -> Values:
        return {"worked_on": today(desk)}

    def act(self, desk: Desk, read: Parser) -> None:
        worked_on = read_day(read, "worked_on")
        hours = read_number(read, "hours", "hours worked")
        signer = read.text("signer")
        read.done()
        assert worked_on is not None and hours is not None
        number = desk.citation.number
        log_hours(desk.session, number, worked_on, hours, actor=desk.actor, now=desk.now)
        if signer:  # the provider's sheet is signed: the hours count now
            sign_off(desk.session, number, signer, actor=desk.actor, now=desk.now)


class Diversion(FormPage):
    slug = "diversion"
    template = "counter/diversion.html"
    fields = frozenset({"outcome", "obligation", "done_on", "reason"})
    action = Action.MANAGE_DIVERSION

    def defaults(self, desk: Desk) -> Values:
        return {"outcome": "done", "done_on": today(desk)}

    def extra(self, desk: Desk) -> dict[str, Any]:
        referral = desk.session.scalars(
            select(DiversionReferral).where(
                DiversionReferral.citation_id == desk.citation.id,
                DiversionReferral.status == "active",
            )
        ).first()
        return {"referral": referral}

    def act(self, desk: Desk, read: Parser) -> None:
        outcome = read.choice("outcome", ["done", "failed"], "choose done or ended unfinished")
        number = desk.citation.number
        if outcome == "failed":
            reason = read.text("reason")
            read.submit(
                lambda: end_unfinished(desk.session, number, reason, actor=desk.actor, now=desk.now)
            )
            return
        index = read.integer("obligation")
        if index is None:
            read.errors.append(FieldError("obligation", "choose the obligation done"))
        done_on = read_day(read, "done_on")
        read.done()
        assert index is not None and done_on is not None
        fulfil(desk.session, number, index, done_on, actor=desk.actor, now=desk.now)


PAGES: list[FormPage] = [Plan(), Ability(), Service(), ServiceHours(), Diversion()]
