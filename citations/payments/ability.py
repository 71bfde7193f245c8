"""Ability to pay: a declaration judged by the profile's rule, then the version's remedy.

A person qualifies by receiving a listed public benefit, or with household income at or
below the profile's percent of the poverty guideline for the household's size. The remedy is
the citation's ordinance version's `ability_to_pay` rule: pay a percent of the fine in full
satisfaction, a waiver, or conversion to community service. Every reason is recorded.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from citations.audit import record
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.inputs import Amount, InputModel
from citations.money import from_cents, percent_of, to_cents
from citations.payments.posting import settle
from citations.payments.tables import AbilityRequest
from citations.record.ledger import EntryKind, balance, paid, post
from citations.record.lookup import lock_citation
from citations.record.status import OWED, CitationStatus, require
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import AbilityToPay, Jurisdiction
from ordinances.resolve import ResolvedVersion

S = CitationStatus


class Declaration(InputModel):
    """What the person declares, under penalty of perjury."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    benefits: list[str] = Field(default_factory=list)
    """Public benefits received, by the profile's ids (e.g. calfresh, medi-cal)."""
    household_size: Annotated[int, Field(ge=1, le=30)]
    monthly_income: Amount
    sworn: bool
    """The person signed the declaration under penalty of perjury."""
    statement: str = ""


class AbilityDecision(BaseModel):
    qualifies: bool
    reasons: list[str]
    rule: str | None
    amount_due: Decimal
    status: str


def judge(declaration: Declaration, profile: Jurisdiction) -> tuple[bool, list[str]]:
    """Whether the declaration qualifies under the profile's rule, and why (pure)."""
    rules = profile.payments.ability_to_pay
    benefits = sorted(set(declaration.benefits) & set(rules.qualifying_benefits))
    if benefits:
        return True, [f"receives {', '.join(benefits)} (a qualifying benefit)"]
    annual = declaration.monthly_income * 12
    line = rules.guideline.for_household(declaration.household_size)
    limit = percent_of(line, rules.income_percent_of_guideline)
    words = (
        f"annual income {annual} for a household of {declaration.household_size}; the limit is "
        f"{rules.income_percent_of_guideline}% of the {rules.guideline.year} poverty guideline "
        f"of {line}, that is {limit}"
    )
    if annual <= limit:
        return True, [f"{words}: qualifies"]
    return False, [f"{words}: above the limit", "no qualifying public benefit declared"]


def remedy_of(citation: Citation) -> AbilityToPay | None:
    """The ability-to-pay rule of the citation's first violation that has one."""
    for violation in citation.violations:
        resolved = ResolvedVersion.model_validate(violation.snapshot)
        alternatives = resolved.version.alternatives
        if alternatives is not None and alternatives.ability_to_pay is not None:
            return alternatives.ability_to_pay
    return None


def request_ability_to_pay(
    session: Session, number: str, declaration: Declaration, *, actor: Actor, now: datetime
) -> AbilityDecision:
    """Decide an ability-to-pay request by the profile's rule and the version's remedy."""
    actor.require(Action.DECIDE_ABILITY_TO_PAY)
    citation = lock_citation(session, number, actor)
    return _decide(session, citation, declaration, actor=actor, now=now)


def decide_plain_case(
    session: Session, citation: Citation, declaration: Declaration, *, actor: Actor, now: datetime
) -> AbilityDecision | None:
    """The rule's own decision, when the rule qualifies the declaration plainly (a listed
    benefit, or income at or under the line); None, with nothing recorded, otherwise.

    No one's power is needed for what the law itself grants: the person's own online
    request is decided here, with the person as the actor. It never denies (a case the rule
    does not qualify goes to staff) and never grants beyond the rule (that is
    `decide_as_staff`, which needs DECIDE_ABILITY_TO_PAY). The caller holds the citation's
    lock (`lock_citation` with its own actor) and has checked the actor may ask.
    """
    profile = PublishedCatalog(session).jurisdiction()
    if not judge(declaration, profile)[0]:
        return None
    return _decide(session, citation, declaration, actor=actor, now=now, profile=profile)


def decide_as_staff(
    session: Session,
    number: str,
    declaration: Declaration,
    *,
    granted: bool,
    reason: str,
    actor: Actor,
    now: datetime,
) -> AbilityDecision:
    """Staff decide a declaration the rule does not qualify plainly (a person's request
    waiting in the queue): granting applies the version's remedy as if the rule had
    qualified it, with the staff member's reason among the decision's reasons; denying
    records the rule's own decision with the reason. A declaration the rule qualifies
    cannot be denied: the law grants it.
    """
    actor.require(Action.DECIDE_ABILITY_TO_PAY)
    citation = lock_citation(session, number, actor)
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "say in a sentence why")])
    profile = PublishedCatalog(session).jurisdiction()
    if not granted and judge(declaration, profile)[0]:
        raise InputRejected(
            [FieldError("granted", "the rule qualifies this declaration: it cannot be denied")]
        )
    verb = "granted beyond the rule" if granted else "denied"
    return _decide(
        session,
        citation,
        declaration,
        actor=actor,
        now=now,
        profile=profile,
        staff=(granted, f"{verb} by {actor.name}: {reason.strip()}"),
    )


def _decide(
    session: Session,
    citation: Citation,
    declaration: Declaration,
    *,
    actor: Actor,
    now: datetime,
    profile: Jurisdiction | None = None,
    staff: tuple[bool, str] | None = None,
) -> AbilityDecision:
    """Judge the declaration, apply the remedy, record the decision (the caller holds the
    citation's lock and has checked the actor's power). `staff` is a staff member's
    decision beyond the rule: (granted, the reason in words)."""
    profile = profile or PublishedCatalog(session).jurisdiction()
    require(citation, OWED - {S.ON_PLAN}, "decide ability to pay")
    if not declaration.sworn:
        raise InputRejected(
            [FieldError("sworn", "the declaration must be signed under penalty of perjury")]
        )
    unknown = sorted(
        set(declaration.benefits) - set(profile.payments.ability_to_pay.qualifying_benefits)
    )
    qualifies, reasons = judge(declaration, profile)
    if staff is not None:
        qualifies = staff[0] or qualifies
        reasons.append(staff[1])
    if unknown:
        reasons.append(f"not listed benefits (not counted): {', '.join(unknown)}")
    remedy = remedy_of(citation)
    rule = remedy.rule if remedy is not None and qualifies else None
    if qualifies and remedy is None:
        reasons.append("the citation's ordinance offers no ability-to-pay remedy")
    fine = from_cents(citation.total_fine_cents)
    if rule == "reduced_payment":
        assert remedy is not None and remedy.percent is not None
        share = percent_of(fine, remedy.percent)
        owed = balance(session, citation)
        # What remains owed becomes the share of the fine not yet paid (never less than 0).
        adjustment = owed - max(share - paid(session, citation), Decimal("0.00"))
        post(
            session,
            citation,
            EntryKind.ABILITY_ADJUSTMENT,
            max(adjustment, Decimal(0)),
            actor=actor.name,
            at=now,
            reason=f"ability to pay: {remedy.percent}% of {fine} satisfies the fine in full",
        )
        reasons.append(f"pay {share} ({remedy.percent}% of {fine}) in full satisfaction")
    elif rule == "waiver":
        post(
            session,
            citation,
            EntryKind.WAIVER,
            balance(session, citation),
            actor=actor.name,
            at=now,
            reason="ability to pay: the fine is waived",
        )
        reasons.append("the fine is waived")
    elif rule == "community_service":
        reasons.append("the fine may be worked off in community service; elect a provider")
    if balance(session, citation) <= 0 and rule in ("reduced_payment", "waiver"):
        settle(
            session,
            citation,
            S.WAIVED if rule == "waiver" else S.PAID,
            "ability to pay",
            now=now,
            profile=profile,
        )
    request = AbilityRequest(
        citation_id=citation.id,
        declaration=declaration.model_dump(mode="json"),
        qualifies=qualifies,
        reasons=reasons,
        rule=rule,
        amount_due_cents=to_cents(balance(session, citation)),
        decided_at=now,
        decided_by=actor.name,
    )
    session.add(request)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action="ability_to_pay.decided",
        entity_type="citation",
        entity_key=citation.number,
        reason="; ".join(reasons),
        after={
            "qualifies": qualifies,
            "rule": rule,
            "amount_due": str(from_cents(request.amount_due_cents)),
        },
    )
    return AbilityDecision(
        qualifies=qualifies,
        reasons=reasons,
        rule=rule,
        amount_due=from_cents(request.amount_due_cents),
        status=citation.status,
    )
