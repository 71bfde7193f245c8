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
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from citations.attachments.references import MAX_ATTACHMENTS, FileReference
from citations.errors import FieldError, InputRejected
from citations.inputs import Moment, printable, without_format
from citations.record.contact import email_address

MAX_VIOLATIONS = 4
MAX_MESSAGE_BYTES = 1 << 20
"""The largest message read (1 MiB), in a batch or over the API: a valid one is a few tens of
kilobytes, so anything larger is refused before it is parsed."""


def _visible(value: str) -> str:
    """A name or identifier without format characters (`without_format`), which would make
    `Jo\u200bse` another person than `Jose` when matching priors."""
    cleaned = without_format(value).strip()
    if not cleaned:
        raise ValueError("has only invisible characters")
    return cleaned


def _written(example: str) -> Any:
    """A validator that refuses numbers where a written date is expected: pydantic would read
    `19900402` or `0` as seconds since 1970 and accept a date nobody meant."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float):
            raise ValueError(f"must be written as text, e.g. {example!r}, not a number")
        return value

    return BeforeValidator(check)


Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
]
Prose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(printable),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
    AfterValidator(_visible),
]
"""A person's name: as a `Line`, without format characters (zero-width, direction marks)."""
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(printable),
]


class IntakeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Location(IntakeModel):
    address: Line
    area: Line | None = None
    """Area, district or beat, used for equity reports."""
    lat: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    lon: Annotated[Decimal, Field(ge=-180, le=180)] | None = None


class Officer(IntakeModel):
    badge: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
        AfterValidator(printable),
    ]
    name: Line


class Identifier(IntakeModel):
    type: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
        AfterValidator(printable),
        AfterValidator(_visible),
    ]
    """E.g. `CA-DL` (driver license), `CA-ID`, `passport`, `booking`."""
    number: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
        AfterValidator(printable),
        AfterValidator(_visible),
    ]

    def key(self) -> tuple[str, str]:
        """Normalized for matching: case, spaces, dashes and format characters ignored."""
        number = without_format(self.number)
        return without_format(self.type).casefold(), re.sub(r"[\s-]", "", number).casefold()


class Address(IntakeModel):
    line1: Line
    line2: Line | None = None
    city: Line
    state: Line | None = None
    postal_code: Line | None = None


class Subject(IntakeModel):
    first_name: Name
    middle_name: Name | None = None
    last_name: Name
    date_of_birth: Annotated[date, _written("1990-04-02")] | None = None
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
    name_as_written: Name | None = None
    """The name as the person writes it, in their order and script (e.g. `李小龍`, or family
    name first); documents print it, with the names above in Latin letters after it."""

    def full_name(self) -> str:
        """The name documents print: as the person writes it, then the Latin form if other.

        >>> Subject(first_name="Siu Lung", last_name="Lee", name_as_written="李小龍").full_name()
        '李小龍 (Siu Lung Lee)'
        """
        latin = " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)
        if self.name_as_written is None or self.name_as_written == latin:
            return latin
        return f"{self.name_as_written} ({latin})"

    def name_key(self) -> str:
        """First and last name folded for matching priors by name (with the date of birth).

        Folded, so these are the same name: letter case; runs of spaces and spaces around
        the name; an accent typed as one character or as a letter and a combining accent
        (composed, NFC); format characters (zero-width space and joiners, direction marks).
        The middle name is not part of the key. Not folded, so these are other names: a
        letter with or without its accent (`José`, `Jose`), a hyphen or a space (`Garcia-Lopez`,
        `Garcia Lopez`), and a middle name moved into the last name. A prior raises the fine,
        so a looser match would charge one person for another's citation; an identifier the
        two share (`Identifier.key`) still matches them whatever their names.

        >>> Subject(first_name="Jose\u0301\u200b", last_name="  LÓPEZ").name_key()
        'josé lópez'
        """
        name = without_format(f"{self.first_name} {self.last_name}")
        return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _email(value: str) -> str:
    try:
        return email_address(value)
    except InputRejected as exc:
        raise ValueError(exc.errors[0].message) from None


class Contact(IntakeModel):
    """How the person may be reached with reminders, and their consent, as the officer's
    device recorded it at the scene. The phone is read with the jurisdiction's country as its
    default (`citations.record.contact`), when the message is decided."""

    phone: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
            AfterValidator(printable),
        ]
        | None
    ) = None
    """As the person gave it, e.g. `(510) 555-0123` or `+52 55 1234 5678`; stored in E.164."""
    email: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=254),
            AfterValidator(printable),
            AfterValidator(_email),
        ]
        | None
    ) = None
    """Stored in lower case."""
    texts: bool = False
    """The person agreed to reminders by text at `phone`."""
    emails: bool = False
    """The person agreed to reminders by email at `email` (apart from texts)."""
    consent_at: Annotated[Moment, _written("2026-11-20T22:10:00-08:00")] | None = None
    """When the person agreed; the violation's time if not given."""
    consent_record: Prose | None = None
    """The device's own record of the consent: a signature id, the wording shown."""


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
    violation_at: Annotated[Moment, _written("2026-11-20T22:15:00-08:00")]
    location: Location
    officer: Officer
    subject: Subject
    violations: Annotated[list[ViolationReport], Field(min_length=1, max_length=MAX_VIOLATIONS)]
    screening: Annotated[dict[Code, bool], Field(max_length=100)] = {}
    """The officer's answers to the versions' screening questions, by question id."""
    declined: Decline | None = None
    officer_notes: Prose | None = None
    """Internal; never printed on a notice."""
    contact: Contact | None = None
    """The person's phone and email for reminders, with their consent to each."""
    service: Literal["personal", "mail"] = "personal"
    """How the notice reaches the person: `personal`, handed over at the scene by the
    officer's device (its deadlines count from the violation date), or `mail`, to be mailed
    by the city to `subject.address` (its deadlines count from the mailing date plus the
    profile's days for mail service)."""
    attachments: Annotated[list[FileReference], Field(max_length=MAX_ATTACHMENTS)] = []
    """The officer's photos and documents of the event: each the id an upload answered
    (`POST /v1/attachments`) or the file's SHA-256, for a file the device sends later (it
    joins the citation when its bytes come)."""

    @field_validator("violations")
    @classmethod
    def _distinct_ordinances(cls, violations: list[ViolationReport]) -> list[ViolationReport]:
        codes = [v.ordinance for v in violations]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"ordinance {repeated[0]!r} is listed twice in one message")
        return violations

    @model_serializer(mode="wrap")
    def _without_contact_unless_given(self, dump: SerializerFunctionWrapHandler) -> Any:
        """A message without `contact` (or `attachments`) dumps as it did before the field
        existed, so its fingerprint (the idempotency check) is the same: a device resending a
        message the city received before an upgrade replays its result instead of a
        conflict."""
        data = dump(self)
        if isinstance(data, dict) and data.get("contact") is None:
            data.pop("contact", None)
        if isinstance(data, dict) and not data.get("attachments", True):
            data.pop("attachments", None)
        return data

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if isinstance(data, dict | IntakeMessage):
            return data
        kinds = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}
        kind = kinds.get(type(data), "a number" if isinstance(data, int | float) else "an object")
        raise ValueError(f"expected one JSON object per message, not {kind}")


def intake_schema() -> dict[str, Any]:
    """The published JSON schema of the intake message."""
    schema = IntakeMessage.model_json_schema()
    schema["$id"] = "https://citations.example/schemas/intake-message.json"
    schema["title"] = "Citation intake message"
    return schema


NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type"})
"""pydantic's error types for a value that should have been an object (its words name classes,
`instance of Location`, which mean nothing to the sender)."""


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic's errors as field errors with dotted paths (`violations[0].ordinance`)."""
    errors = []
    for error in exc.errors():
        loc = error["loc"]
        key = loc[-2] if loc[-1:] == ("[key]",) else None  # a bad key of a mapping
        path = ""
        for part in loc[:-2] if key is not None else loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = str(error["msg"]).removeprefix("Value error, ")
        if key is not None:
            message = f"key {key!r} {message}"
        if error["type"] == "missing":
            message = "required"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] in NOT_AN_OBJECT:
            message = "must be a JSON object"
        errors.append(FieldError(path or "(message)", message))
    return errors
