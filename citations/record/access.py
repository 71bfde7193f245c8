"""Access codes: what the QR code on every document carries, to open the person's own page.

Each document printed for a person gets a fresh code: 16 characters of Crockford's base32
(80 random bits), printed in four groups and put in the QR code's link. Only the code's
SHA-256 is stored, so a copy of the database opens no one's citation; a code opens exactly
one citation, and any code ever printed for it keeps working until it is revoked. Codes are
read forgivingly: case, spaces, dashes and the letters people confuse with digits (O, I, L)
do not matter.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.orm import Base, RecordKey
from citations.record.tables import Citation

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives."""
LENGTH = 16
"""16 characters of 5 bits: 80 random bits."""
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1"})


class AccessCode(Base):
    """One printed access code; only its SHA-256 is kept."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    printed_on: Mapped[str] = mapped_column(String(40))
    """The document it was printed on (a sent document's kind)."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


def normalize(code: str) -> str | None:
    """The code as printed, from what a person typed; None when it cannot be one.

    >>> normalize("7k3m-q9ro-pb2x-1aq4")
    '7K3MQ9R0PB2X1AQ4'
    >>> normalize("too short") is None
    True
    """
    cleaned = "".join(code.split()).replace("-", "").upper().translate(_CONFUSED)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def grouped(code: str) -> str:
    """The code as printed: four groups of four.

    >>> grouped("7K3MQ9R0PB2X1AQ4")
    '7K3M-Q9R0-PB2X-1AQ4'
    """
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def mint_access_code(
    session: Session, citation: Citation, *, printed_on: str, now: datetime
) -> str:
    """A new code for `citation`, to print on a document; only its hash is stored."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    session.add(
        AccessCode(
            citation_id=citation.id,
            code_hash=code_hash(code),
            printed_on=printed_on,
            created_at=now,
            revoked_at=None,
        )
    )
    session.flush()
    return code


def citation_id_for_code(session: Session, code: str) -> int | None:
    """The citation a typed or scanned code opens, or None (unknown, revoked, malformed)."""
    normal = normalize(code)
    if normal is None:
        return None
    return session.scalar(
        select(AccessCode.citation_id).where(
            AccessCode.code_hash == code_hash(normal), AccessCode.revoked_at.is_(None)
        )
    )
