"""The intake message an officer's e-citation device or records system sends.

Its JSON schema is published (`citations issue --schema`, `GET /v1/schemas/intake`) so
integrators can validate before sending. Unknown keys are refused rather than ignored: a
misspelt field must not silently drop an officer's answer.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from citations.errors import FieldError

MAX_VIOLATIONS = 4


def _printable(value: str) -> str:
    """Refuse control characters (other than line breaks and tabs) in free text."""
    bad = [c for c in value if unicodedata.category(c) == "Cc" and c not in "\n\r\t"]
    if bad:
        raise ValueError(f"contains control character U+{ord(bad[0]):04X}")
    return value


Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable),
]
Prose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_printable),
]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class IntakeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Location(IntakeModel):
    address: Line
    area: Line | None = None
    """Area, district or beat, used for equity reports."""
    lat: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    lon: Annotated[Decimal, Field(ge=-180, le=180)] | None = None


class Officer(IntakeModel):
    badge: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    name: Line


class Identifier(IntakeModel):
    type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    """E.g. `CA-DL` (driver license), `CA-ID`, `passport`, `booking`."""
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

    def key(self) -> tuple[str, str]:
        """Normalized for matching: case and spaces or dashes inside the number ignored."""
        return self.type.casefold(), re.sub(r"[\s-]", "", self.number).casefold()


class Address(IntakeModel):
    line1: Line
    line2: Line | None = None
    city: Line
    state: Line | None = None
    postal_code: Line | None = None


class Subject(IntakeModel):
    first_name: Line
    middle_name: Line | None = None
    last_name: Line
    date_of_birth: date | None = None
    identifiers: Annotated[list[Identifier], Field(max_length=5)] = []
    address: Address | None = None
    preferred_language: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z]{2,3}$")
        ]
        | None
    ) = None
    """ISO 639 code, e.g. `es`; decides the notice's language."""
    accommodation: Prose | None = None
    """An accommodation the person asked for (e.g. large print, a sign language interpreter)."""

    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    def name_key(self) -> str:
        """First and last name, case and spacing folded, for matching priors by name."""
        return " ".join(f"{self.first_name} {self.last_name}".casefold().split())


class ViolationReport(IntakeModel):
    ordinance: Code
    narrative: Prose


class Decline(IntakeModel):
    """The officer chose not to cite an eligible case; equity reviews ask why."""

    reason: Prose


class IntakeMessage(IntakeModel):
    """One violation event reported by an officer."""

    message_id: UUID
    """Made by the device; the idempotency key: resending it creates nothing new."""
    agency: Code
    device_id: Code
    citation_number: Code | None = None
    """A number from a block allocated to this device, for citations written offline."""
    violation_at: AwareDatetime
    location: Location
    officer: Officer
    subject: Subject
    violations: Annotated[list[ViolationReport], Field(min_length=1, max_length=MAX_VIOLATIONS)]
    screening: dict[str, bool] = {}
    """The officer's answers to the versions' screening questions, by question id."""
    declined: Decline | None = None
    officer_notes: Prose | None = None
    """Internal; never printed on a notice."""

    @field_validator("violations")
    @classmethod
    def _distinct_ordinances(cls, violations: list[ViolationReport]) -> list[ViolationReport]:
        codes = [v.ordinance for v in violations]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"ordinance {repeated[0]!r} is listed twice in one message")
        return violations

    @model_validator(mode="before")
    @classmethod
    def _not_a_list(cls, data: Any) -> Any:
        if isinstance(data, list):
            raise ValueError("expected one JSON object per message, not a list")
        return data


def intake_schema() -> dict[str, Any]:
    """The published JSON schema of the intake message."""
    schema = IntakeMessage.model_json_schema()
    schema["$id"] = "https://citations.example/schemas/intake-message.json"
    schema["title"] = "Citation intake message"
    return schema


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as field errors with dotted paths (`violations[0].ordinance`)."""
    errors = []
    for error in exc.errors():
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "required"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        errors.append(FieldError(path or "(message)", message))
    return errors
