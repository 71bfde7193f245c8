"""What issuing gives back (`IntakeResult`, `Issued`) and what it has decided for one message
of a batch before anything is written (`Planned`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from citations.issuing.decision import Decision, Outcome
from citations.issuing.intake import IntakeMessage
from citations.issuing.priors import PriorViolation
from citations.issuing.service import Service
from citations.record.status import CitationStatus
from citations.record.tables import Agency


class ViolationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    ordinance: str
    version_effective: str
    offense_count: int
    prior_count: int
    fine: Decimal


class IntakeResult(BaseModel):
    """What the sender gets back; a replay of the same message gets exactly the same."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    outcome: Outcome
    citation_number: str | None
    reasons: list[str]
    violations: list[ViolationResult]
    total_fine: Decimal
    notice_language: str | None
    service: str | None = None
    """How the notice is served (`personal` or `mail`), for an issued citation."""
    pay_by: date | None = None
    """The notice's payment deadline; None while a notice waits to be mailed."""


class Issued(BaseModel):
    """The result of one `issue` call, and whether it was a replay of an earlier one."""

    model_config = ConfigDict(frozen=True)

    result: IntakeResult
    replayed: bool


@dataclass(frozen=True)
class Planned:
    """One message of a batch, decided: what `write_outcomes` records for it."""

    position: int
    """Where the message is in the batch."""
    message: IntakeMessage
    body: dict[str, Any]
    """The message as JSON, stored with the intake record and the citation's revision."""
    body_hash: str
    agency: Agency
    violation_date: date
    decision: Decision
    language: str
    service: Service
    pay_by: date | None
    """The notice's payment deadline (the citation's first due date), once served."""
    number: str | None = None
    replay: bool = False
    """The same message appeared earlier in the batch: it replays that one's result."""

    @property
    def issued(self) -> bool:
        return self.decision.outcome is Outcome.ISSUED

    def result(self) -> IntakeResult:
        return IntakeResult(
            message_id=str(self.message.message_id),
            outcome=self.decision.outcome,
            citation_number=self.number,
            reasons=self.decision.reasons
            + ([self.service.note] if self.issued and self.service.note else []),
            violations=[
                ViolationResult(
                    ordinance=v.ordinance,
                    version_effective=v.resolved.effective_from.isoformat(),
                    offense_count=v.offense_count,
                    prior_count=v.prior_count,
                    fine=v.fine,
                )
                for v in self.decision.violations
            ],
            total_fine=self.decision.total_fine,
            notice_language=self.language if self.number is not None else None,
            service=self.service.method if self.number is not None else None,
            pay_by=self.pay_by if self.number is not None else None,
        )

    def prior_violations(self, citation_id: int) -> list[PriorViolation]:
        """The citation this plan issues, as later messages of the batch count it."""
        return [
            PriorViolation(
                citation_id=citation_id,
                ordinance_code=v.ordinance,
                category=v.resolved.category,
                violation_date=self.violation_date,
                violation_at=self.message.violation_at,
                status=CitationStatus.ISSUED.value,
            )
            for v in self.decision.violations
        ]
