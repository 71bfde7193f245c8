"""The password policy, one case a line, and the Argon2id hash that is all that is kept."""

from __future__ import annotations

import pytest

from citations.record.passwords import (
    common_passwords,
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)

LENGTH = "Use at least 12 characters"
COMMON = "one of the most common passwords"
DRESSED = "common password with digits or signs added"
REPEATS = "repeats a few characters"
USERNAME = "Do not use your username"
NAME = "Do not use your name"


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("lantern orchard velvet", []),
        ("correct horse battery staple", []),
        ("Xq7!vB9#mL2@", []),
        ("short", [LENGTH]),
        ("elevenchars", [LENGTH]),
        ("twelve chars", []),
        ("qwerty123456", [COMMON]),
        ("QWERTY123456", [COMMON]),  # case does not make a common password rare
        ("1qaz2wsx3edc", [COMMON]),
        ("Password2026!!", [DRESSED]),
        ("!!sunshine!!2026", [DRESSED]),
        ("aaaaaaaaaaaa", [REPEATS]),
        ("zqzqzqzqzqzqzqzq", [REPEATS]),
        ("xyz1xyz1xyz1", [REPEATS]),
        ("jlee-the-clerk-2026", [USERNAME]),
        ("Jordan Lee 1985 ok", [NAME]),
        ("jordanlee is here", [USERNAME, NAME]),
        ("JordanLee", [LENGTH, USERNAME, NAME]),
        ("x" * 1025, ["Use at most 1024", REPEATS]),
    ],
)
def test_the_policy_names_each_reason(password: str, expected: list[str]) -> None:
    problems = password_problems(
        password,
        username="jordanlee" if "jordanlee" in password.lower() else "jlee",
        name="Jordan Lee",
    )
    assert [p.field for p in problems] == ["password"] * len(problems)
    messages = [p.message for p in problems]
    assert len(messages) == len(expected), messages
    for message, start in zip(messages, expected, strict=True):
        assert start in message


def test_the_common_list_ships_in_the_package() -> None:
    common = common_passwords()
    assert len(common) > 25_000
    assert {"password", "123456", "qwerty123456"} <= common


def test_only_a_salted_argon2id_hash_is_kept() -> None:
    first, second = hash_password("lantern orchard velvet"), hash_password("lantern orchard velvet")
    assert first.startswith("$argon2id$")
    assert "lantern" not in first
    assert first != second  # salted
    assert verify_password(first, "lantern orchard velvet")
    assert not verify_password(first, "lantern orchard velvex")
    assert not verify_password(None, "lantern orchard velvet")
    assert not verify_password("not a hash", "lantern orchard velvet")
    assert not needs_rehash(first)


def test_an_older_hash_is_due_for_rehashing() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("lantern orchard")
    assert verify_password(weak, "lantern orchard")
    assert needs_rehash(weak)
