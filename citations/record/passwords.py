"""Staff passwords: the policy a new password must meet, and its Argon2id hash.

The policy follows NIST SP 800-63B rather than composition rules: long enough (12
characters), not one of the passwords people pick most (the 30,000 most common ones, from
the zxcvbn project's frequency list, shipped inside the package so nothing downloads at run
time), not a common one dressed up with digits or signs ("Summer2026!!"), not one piece
repeated, and not the person's own username or name. Each failure is its own message, next
to the "password" field.

Only the Argon2id hash is stored (argon2-cffi's RFC 9106 parameters); a hash made with older
parameters is replaced at the next successful sign-in (`needs_rehash`).
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from citations.errors import FieldError

MIN_LENGTH = 12
MAX_LENGTH = 1024
"""Hashing a megabyte of "password" is a denial of service, not a password."""

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not anyone's password: compared against for unknown usernames")
"""Checked when no account has the username typed, so that an unknown username takes as
long to refuse as a wrong password (the answer must not tell which usernames exist)."""


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords, lower case (read once from the package's data file)."""
    raw = files("citations.record").joinpath("common_passwords.txt.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


_DRESSING = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$")


def password_problems(password: str, *, username: str = "", name: str = "") -> list[FieldError]:
    """Every reason `password` may not be chosen (an empty list when it may).

    >>> [p.message for p in password_problems("correct horse battery")]
    []
    >>> password_problems("short")[0].message
    'Use at least 12 characters (this one has 5).'
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (this one has {len(password)}).")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    folded = password.casefold()
    common = common_passwords()
    core = _DRESSING.sub(r"\1", folded)
    if folded in common:
        problems.append("This is one of the most common passwords; choose another.")
    elif len(core) >= 3 and core in common and core != folded:
        problems.append("This is a common password with digits or signs added; choose another.")
    elif _repeated(folded):
        problems.append("This repeats a few characters; choose something longer to guess.")
    plain = re.sub(r"[\W_]+", "", folded)
    if username and username.casefold() in folded:
        problems.append("Do not use your username in your password.")
    name_parts = [part for part in re.split(r"[\W_]+", name.casefold()) if len(part) >= 3]
    if name and (
        re.sub(r"[\W_]+", "", name.casefold()) == plain
        or any(part == plain or (len(part) >= 4 and part in plain) for part in name_parts)
    ):
        problems.append("Do not use your name in your password.")
    return [FieldError("password", message) for message in problems]


def _repeated(text: str) -> bool:
    """One short piece over and over ("aaaaaaaaaaaa", "abcabcabcabc", "121212121212")."""
    return bool(text) and any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, 5)
        if len(text) > size
    )


def hash_password(password: str) -> str:
    """The Argon2id hash to store (salted: the same password hashes differently each time)."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash. With no hash (an account without a
    password) a dummy is checked, so the answer takes as long as for a real one."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's (rehash it at sign-in)."""
    return _HASHER.check_needs_rehash(stored)
