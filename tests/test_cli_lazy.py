"""The command line loads its commands lazily: the listing's table in `cli.py` says what the
commands themselves say, every command is in it, and starting the CLI imports no more than the
command used. Nothing here is timed; `bench/cli_startup.py` measures, by hand."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import citations.commands
from cli import COMMANDS, cli


def test_each_listed_short_help_is_the_commands_own() -> None:
    for name, entry in COMMANDS.items():
        command = entry.load()
        assert command.name == name, f"{entry.target} is named {command.name!r}, not {name!r}"
        for limit in (20, 45, 66, 1000):
            listed = entry.stand_in(name).get_short_help_str(limit)
            assert listed == command.get_short_help_str(limit), (
                f"cli.COMMANDS[{name!r}] says {entry.summary!r}; the command's own help begins "
                f"{command.get_short_help_str(1000)!r}"
            )


@pytest.mark.parametrize("width", [50, 80, 120])
def test_the_listing_is_the_one_click_prints_from_the_commands_themselves(width: int) -> None:
    eager = click.Group(
        "citations",
        commands=[entry.load() for entry in COMMANDS.values()],
        params=cli.params,
        help=cli.help,
    )
    lazy_help = cli.get_help(click.Context(cli, info_name="citations", terminal_width=width))
    eager_help = eager.get_help(click.Context(eager, info_name="citations", terminal_width=width))
    assert lazy_help == eager_help


def test_every_command_of_the_commands_package_is_reachable_from_the_table() -> None:
    reachable: set[int] = set()

    def walk(command: click.Command) -> None:
        reachable.add(id(command))
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                walk(sub)

    for entry in COMMANDS.values():
        walk(entry.load())
    missing = []
    for found in pkgutil.iter_modules(citations.commands.__path__, "citations.commands."):
        module = importlib.import_module(found.name)
        for attribute, value in vars(module).items():
            if isinstance(value, click.Command) and id(value) not in reachable:
                missing.append(f"{found.name}:{attribute}")
    assert not missing, f"commands missing from cli.COMMANDS (or from their group): {missing}"


def test_a_mistyped_command_still_gets_a_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["isue"])
    assert result.exit_code == 2
    assert "No such command 'isue'. Did you mean 'issue'?" in result.output


HEAVY = (
    "alembic",
    "babel",
    "fastapi",
    "holidays",
    "jinja2",
    "ordinances",
    "pydantic",
    "reportlab",
    "sqlalchemy",
    "starlette",
    "uvicorn",
    "yaml",
)
"""What a command line must not import just to start or to print help."""

LOADED = """
import json, sys
import cli
try:
    cli.main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_loaded_by(*args: str) -> list[str]:
    """The modules a fresh `citations ARGS` process has imported when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stderr.splitlines()[-1])
    return loaded


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_the_top_level_imports_no_command_module(args: list[str]) -> None:
    loaded = modules_loaded_by(*args)
    commands = [m for m in loaded if m.startswith("citations.commands.")]
    assert commands == ["citations.commands.lazy"]
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_commands_help_imports_nothing_heavy(name: str) -> None:
    loaded = modules_loaded_by(name, "--help")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
