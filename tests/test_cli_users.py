"""`citations users`: add (prompted or temporary), list, disable and reset, on both backends."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine

from citations.audit import history
from citations.database import transaction
from citations.record.accounts import get_user
from citations.record.passwords import verify_password
from cli import cli
from tests.cli_steps import run


def test_add_prompts_for_the_password_twice_and_keeps_only_its_hash(
    runner: CliRunner, db: str, engine: Engine
) -> None:
    typed = "lantern orchard velvet"
    result = runner.invoke(
        cli,
        [
            "users",
            "add",
            "JLee",
            "--name",
            "Jordan Lee",
            "--title",
            "Hearing clerk",
            "--role",
            "clerk",
            "--database",
            db,
        ],
        input=f"{typed}\n{typed}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Account jlee (Jordan Lee, Hearing clerk, clerk) added." in result.output
    assert typed not in result.output
    with transaction(engine) as session:
        user = get_user(session, "jlee")
        assert verify_password(user.password_hash, typed)
        assert user.must_change_password
        [event] = history(session, "staff_user", "jlee")
        assert (event.action, event.actor) == ("staff.create", "operator (command line)")


def test_a_weak_password_is_refused_with_the_reason(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        cli,
        [
            "users",
            "add",
            "jlee",
            "--name",
            "Jordan Lee",
            "--title",
            "Clerk",
            "--role",
            "clerk",
            "--database",
            db,
        ],
        input="qwerty123456\nqwerty123456\n",
    )
    assert result.exit_code == 1
    assert "password: This is one of the most common passwords" in result.output


def test_temporary_list_disable_and_reset(runner: CliRunner, db: str, engine: Engine) -> None:
    added = run(
        runner,
        "users",
        "add",
        "aruiz",
        "--name",
        "Ana Ruiz",
        "--title",
        "Officer",
        "--role",
        "officer",
        "--agency",
        "DCPD",
        "--temporary",
        "--database",
        db,
    )
    temporary = added.stdout.splitlines()[-1]
    assert len(temporary) == 19 and temporary.count("-") == 3
    listed = run(runner, "users", "list", "--database", db)
    assert listed.output.split() == ["aruiz", "officer", "active", "Ana", "Ruiz,", "Officer"]
    run(runner, "users", "disable", "ARUIZ", "--database", db)
    assert "disabled" in run(runner, "users", "list", "--database", db).output
    reset = run(runner, "users", "reset", "aruiz", "--database", db)
    again = reset.stdout.splitlines()[-1]
    assert again != temporary
    with transaction(engine) as session:
        user = get_user(session, "aruiz")
        assert verify_password(user.password_hash, again)
        assert not verify_password(user.password_hash, temporary)
        assert [e.action for e in history(session, "staff_user", "aruiz")] == [
            "staff.create",
            "staff.disable",
            "staff.reset_password",
        ]
    missing = run(runner, "users", "reset", "nobody", "--database", db, code=1)
    assert "no account 'nobody'" in missing.output
