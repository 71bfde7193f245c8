"""The command line as a user meets it, through click's CliRunner, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import cli
from tests.cli_steps import run
from tests.conftest import CATALOGS, GOOD_CATALOG, edit

PUBLISH = ["--author", "Dana Reyes", "--approved-by", "Sam Okafor", "--reason", "Ord. 182,610"]


@pytest.fixture
def database(database_url: str) -> str:
    """A migrated database (`citations db upgrade` is tested where the database is empty)."""
    return database_url


def published(runner: CliRunner, database: str, folder: Path = GOOD_CATALOG) -> str:
    run(runner, "ordinances", "publish", str(folder), *PUBLISH, "--database", database)
    return database


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    def walk(command: click.Command, path: list[str]) -> list[list[str]]:
        found = [path]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += walk(sub, [*path, name])
        return found

    paths = walk(cli, [])
    assert len(paths) >= 10
    for path in paths:
        result = run(runner, *path, "--help")
        assert "Example:" in result.output, f"`citations {' '.join(path)}` has no example"


def test_check_good_catalog(runner: CliRunner) -> None:
    result = run(runner, "ordinances", "check", str(GOOD_CATALOG))
    assert "3 ordinances for Test City, no problems." in result.output


def test_check_reports_every_problem_as_file_line_message(
    runner: CliRunner, catalog_dir: Path
) -> None:
    edit(
        catalog_dir / "public-order.yaml",
        "programs: [neighborhood-justice]",
        "programs: [teen-court]",
    )
    edit(catalog_dir / "public-order.yaml", "fines: {first: 100.00,", "fines: {first: -100.00,")
    result = run(runner, "ordinances", "check", str(catalog_dir), code=1)
    assert result.output.splitlines() == [
        "public-order.yaml:27: unknown program 'teen-court' (programs in the profile: "
        "neighborhood-justice)",
        "public-order.yaml:66: 'first': amount -100.00 is negative",
        "the catalog has 2 problems",
    ]
    assert "Traceback" not in result.output


def test_check_a_syntax_error_is_a_message_not_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "jurisdiction.yaml").write_text((GOOD_CATALOG / "jurisdiction.yaml").read_text())
    (folder / "broken.yaml").write_bytes((CATALOGS / "bad" / "yaml-syntax.yaml").read_bytes())
    result = run(runner, "ordinances", "check", str(folder), code=1)
    assert result.output.startswith("broken.yaml:12: YAML syntax error")


def test_commands_on_a_database_without_schema_say_what_to_do(
    runner: CliRunner, empty_database_url: str
) -> None:
    result = run(runner, "ordinances", "list", "--database", empty_database_url, code=1)
    assert "run `citations db upgrade` first" in result.output
    result = run(runner, "ordinances", "list", "--database", "mysql://x/y", code=1)
    assert "unsupported database URL 'mysql://x/y'" in result.output


def test_diff_publish_and_publish_again(runner: CliRunner, database: str) -> None:
    diff = run(runner, "ordinances", "diff", str(GOOD_CATALOG), "--database", database)
    assert "+ New ordinance TC 41.27(c) (Drinking in public)" in diff.output
    assert "version effective 2025-01-01: repealed" in diff.output
    first = run(
        runner, "ordinances", "publish", str(GOOD_CATALOG), *PUBLISH, "--database", database
    )
    assert "Published as publication 1." in first.output
    again = run(
        runner, "ordinances", "publish", str(GOOD_CATALOG), *PUBLISH, "--database", database
    )
    assert again.output.strip() == "Nothing to publish: the catalog matches what is published."
    diff = run(runner, "ordinances", "diff", str(GOOD_CATALOG), "--database", database)
    assert diff.output.strip() == "No changes: the catalog matches what is published."


def test_publish_refuses_self_approval(runner: CliRunner, database: str) -> None:
    result = run(
        runner,
        "ordinances",
        "publish",
        str(GOOD_CATALOG),
        "--author",
        "Dana Reyes",
        "--approved-by",
        "Dana Reyes",
        "--reason",
        "x",
        "--database",
        database,
        code=1,
    )
    assert "the approver must be someone other than the author" in result.output


def test_publish_refuses_changing_the_past_and_names_the_version(
    runner: CliRunner, database: str, catalog_dir: Path
) -> None:
    published(runner, database, catalog_dir)
    edit(
        catalog_dir / "public-order.yaml",
        "lookback: {months: 12}\n        eligibility",
        "lookback: {months: 24}\n        eligibility",
    )
    diff = run(runner, "ordinances", "diff", str(catalog_dir), "--database", database)
    assert "These changes would be refused:" in diff.output
    result = run(
        runner, "ordinances", "publish", str(catalog_dir), *PUBLISH, "--database", database, code=1
    )
    assert (
        "- TC 41.27(c), version effective 2020-01-01, is in effect or past and cannot be changed "
        "(priors counted: citations for the same ordinance within 12 months before the violation "
        "date → citations for the same ordinance within 24 months before the violation date)"
    ) in result.output


def test_show_text_and_json(runner: CliRunner, database: str) -> None:
    published(runner, database)
    text = run(
        runner, "ordinances", "show", "TC 41.27(c)", "--on", "2024-06-30", "--database", database
    )
    assert "TC 41.27(c) — Drinking in public" in text.output
    assert "Version effective 2020-01-01 (until 2024-07-01)" in text.output
    assert "1st-offense fine            $250.00" in text.output
    assert "approved by Sam Okafor: Ord. 182,610" in text.output
    spanish = run(
        runner, "ordinances", "show", "TC 41.27(c)", "--lang", "es", "--database", database
    )
    assert "TC 41.27(c) — Beber en público" in spanish.output
    document = json.loads(
        run(
            runner,
            "ordinances",
            "show",
            "TC 41.27(c)",
            "--on",
            "2024-07-01",
            "--json",
            "--database",
            database,
        ).output
    )
    assert document["effective_from"] == "2024-07-01"
    assert document["version"]["fines"] == {
        "first": "200.00",
        "second": "400.00",
        "third_and_later": "800.00",
        "source": None,
    }
    assert document["publication"]["approved_by"] == "Sam Okafor"


def test_show_explains_when_nothing_is_in_effect(runner: CliRunner, database: str) -> None:
    published(runner, database)
    result = run(
        runner,
        "ordinances",
        "show",
        "TC 63.44",
        "--on",
        "2025-01-01",
        "--database",
        database,
        code=1,
    )
    assert result.output.strip() == (
        "Error: TC 63.44 is not in effect on 2025-01-01: repealed effective 2025-01-01 "
        "(Ordinance 210,000)"
    )
    result = run(runner, "ordinances", "show", "TC 1", "--database", database, code=1)
    assert "no ordinance 'TC 1' is published" in result.output
    result = run(
        runner, "ordinances", "show", "TC 1", "--on", "2025-02-30", "--database", database, code=2
    )
    assert "'2025-02-30' does not match the format '%Y-%m-%d'" in result.output


def test_list_text_and_json(runner: CliRunner, database: str) -> None:
    published(runner, database)
    text = run(runner, "ordinances", "list", "--on", "2024-01-01", "--database", database)
    assert text.output.splitlines()[0] == "In effect in Test City on 2024-01-01:"
    assert (
        "TC 63.44     Park after hours: civil citation allowed; fines $100.00 / $200.00 / $500.00"
        in text.output
    )
    document = json.loads(
        run(
            runner, "ordinances", "list", "--on", "2025-06-01", "--json", "--database", database
        ).output
    )
    assert [r["code"] for r in document["in_effect"]] == ["TC 41.18(d)", "TC 41.27(c)"]
    assert document["not_in_effect"] == [
        {"code": "TC 63.44", "reason": "repealed effective 2025-01-01 (Ordinance 210,000)"}
    ]


def test_list_defaults_to_today_in_the_jurisdiction(runner: CliRunner, database: str) -> None:
    published(runner, database)
    document = json.loads(
        run(runner, "ordinances", "list", "--json", "--database", database).output
    )
    assert document["on"] == "2026-11-29"  # NOW, the pinned clock, in Los Angeles


def test_history(runner: CliRunner, database: str) -> None:
    published(runner, database)
    text = run(runner, "ordinances", "history", "TC 63.44", "--database", database).output
    assert text.splitlines()[0] == "TC 63.44 — Park after hours"
    assert "  effective 2022-03-01 (until 2025-01-01)" in text
    assert text.count("by Dana Reyes, approved by Sam Okafor: Ord. 182,610") == 3
    document = json.loads(
        run(runner, "ordinances", "history", "TC 63.44", "--json", "--database", database).output
    )
    assert [v["effective_from"] for v in document["versions"]] == [
        "2020-01-01",
        "2022-03-01",
        "2025-01-01",
    ]


def test_database_from_the_environment(runner: CliRunner, database: str) -> None:
    published(runner, database)
    result = runner.invoke(
        cli, ["ordinances", "list", "--on", "2024-01-01"], env={"CITATIONS_DATABASE_URL": database}
    )
    assert result.exit_code == 0, result.output
    assert "TC 41.27(c)" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["void", "DCPD-2026-000001-5", "--reason", "Wrong\x07person"], "'--reason'"),
        (
            [
                "pay",
                "DCPD-2026-000001-5",
                "--amount",
                "5",
                "--method",
                "cash",
                "--reference",
                "chk\x00",
            ],
            "'--reference'",
        ),
        (
            ["hearings", "request-review", "DCPD-2026-000001-5", "--statement", "soda\x1b"],
            "'--statement'",
        ),
        (["agencies", "add", "XY\x07", "--name", "Bell"], "'CODE'"),
        (["show", "DCPD\x01"], "'NUMBER'"),
    ],
    ids=["void-reason", "pay-reference", "review-statement", "agency-code", "show-number"],
)
def test_a_control_character_in_any_option_is_refused_by_name(
    runner: CliRunner, tmp_path: Path, args: list[str], option: str
) -> None:
    """The CLI refuses control characters as the API and the forms do, naming the option,
    before it opens the database (this one does not even exist)."""
    database = f"sqlite:///{tmp_path / 'never-made.db'}"
    result = runner.invoke(cli, [*args, "--database", database])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: contains control character U+" in result.output
    assert not (tmp_path / "never-made.db").exists()
