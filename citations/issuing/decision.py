"""Deciding a case from the catalog in force on the violation date: eligible or referred,
and the fine for each violation by its offense count.

Pure functions: the caller resolves versions and counts priors; nothing here touches the
database, so every rule is testable at its edges.

A message is decided as a whole: if any violation is ineligible, the case is referred (with
every reason) and no civil citation exists for any of its violations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from citations.errors import FieldError, InputRejected
from citations.issuing.intake import IntakeMessage
from ordinances.models import Disposition, Jurisdiction
from ordinances.resolve import ResolvedVersion


class Outcome(StrEnum):
    ISSUED = "issued"
    REFERRED = "referred"
    """Not eligible for a civil citation; recorded with every reason."""
    DECLINED = "declined"
    """Eligible, but the officer chose not to cite; recorded with the officer's reason."""
    WARNING = "warning"
    """Every violation's version allows a warning only; no citation, no fine."""


class ViolationDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    ordinance: str
    resolved: ResolvedVersion
    prior_count: int
    offense_count: int
    fine: Decimal


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    reasons: list[str]
    violations: list[ViolationDecision]
    total_fine: Decimal
    age: int | None
    """The subject's age on the violation date, when the date of birth was given."""


def age_on(born: date, on: date) -> int:
    """Whole years of age on a date; someone born on 29 February turns a year older on 1 March
    in common years.

    >>> age_on(date(2008, 2, 29), date(2026, 2, 28)), age_on(date(2008, 2, 29), date(2026, 3, 1))
    (17, 18)
    """
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_answers(
    message: IntakeMessage,
    resolved: list[ResolvedVersion],
    violation_date: date,
    profile: Jurisdiction,
) -> None:
    """Refuse a message that lacks what the versions' criteria need to be judged."""
    # Answers to questions no version asks are ignored: devices send one standard set.
    errors: list[FieldError] = []
    for item in resolved:
        rules = item.version.eligibility
        if item.version.disposition is not Disposition.CIVIL_CITATION or rules is None:
            continue
        if rules.min_age is not None and message.subject.date_of_birth is None:
            error = FieldError(
                "subject.date_of_birth",
                f"required: {item.code} is for people aged {rules.min_age} or older",
            )
            if error not in errors:
                errors.append(error)
        for question in rules.questions:
            if question.id not in message.screening:
                text = question.text[profile.notice_languages[0]]
                error = FieldError(f"screening.{question.id}", f"answer required: {text}")
                if error not in errors:
                    errors.append(error)
    born = message.subject.date_of_birth
    if born is not None and born > violation_date:
        errors.append(FieldError("subject.date_of_birth", "is after the violation date"))
    if errors:
        raise InputRejected(errors, "the screening answers are incomplete")


def decide(
    message: IntakeMessage,
    resolved: list[ResolvedVersion],
    prior_counts: list[int],
    violation_date: date,
    profile: Jurisdiction,
) -> Decision:
    """Judge a message whose answers `check_answers` accepted.

    `resolved[i]` is the version in force on the violation date for `message.violations[i]`,
    and `prior_counts[i]` the subject's countable prior citations for it.
    """
    check_answers(message, resolved, violation_date, profile)
    born = message.subject.date_of_birth
    age = age_on(born, violation_date) if born is not None else None
    reasons: list[str] = []
    decisions: list[ViolationDecision] = []
    for position, (item, priors) in enumerate(zip(resolved, prior_counts, strict=True)):
        version = item.version
        reasons += _ineligibility(message, item, priors, age, profile.notice_languages[0])
        fine = Decimal("0.00")
        if version.disposition is Disposition.CIVIL_CITATION and version.fines is not None:
            fine = version.fines.for_offense(priors + 1)
        decisions.append(
            ViolationDecision(
                position=position,
                ordinance=item.code,
                resolved=item,
                prior_count=priors,
                offense_count=priors + 1,
                fine=fine,
            )
        )
    total = sum((d.fine for d in decisions), Decimal("0.00"))
    if reasons:
        outcome = Outcome.REFERRED
    elif all(d.resolved.version.disposition is Disposition.WARNING_ONLY for d in decisions):
        outcome = Outcome.WARNING
    elif message.declined is not None:
        outcome = Outcome.DECLINED
        reasons = [f"officer declined to cite: {message.declined.reason}"]
    else:
        outcome = Outcome.ISSUED
    if outcome is not Outcome.ISSUED:
        total = Decimal("0.00")
    return Decision(
        outcome=outcome, reasons=reasons, violations=decisions, total_fine=total, age=age
    )


def _ineligibility(
    message: IntakeMessage, item: ResolvedVersion, priors: int, age: int | None, language: str
) -> list[str]:
    version = item.version
    if version.disposition is Disposition.NOT_MAPPABLE:
        return [f"{item.code} is criminal only: no civil citation may be issued ({version.source})"]
    rules = version.eligibility
    if version.disposition is not Disposition.CIVIL_CITATION or rules is None:
        return []
    reasons = []
    if rules.min_age is not None and age is not None and age < rules.min_age:
        reasons.append(
            f"the subject is {age}, under the minimum age of {rules.min_age} for {item.code}"
        )
    if rules.max_priors is not None and priors > rules.max_priors:
        lookback = version.priors.lookback.describe() if version.priors else "the lookback"
        reasons.append(
            f"{priors} prior citations within {lookback} exceed the limit of "
            f"{rules.max_priors} for {item.code}"
        )
    for question in rules.questions:
        answer = message.screening[question.id]
        if answer != question.eligible_answer:
            text = question.text[language]
            reasons.append(f"{item.code}: {text} The officer answered {'yes' if answer else 'no'}.")
    return reasons
