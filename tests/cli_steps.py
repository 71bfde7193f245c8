"""Running the CLI in tests: `citations ARGS` through click's runner, with its exit code checked."""

from __future__ import annotations

from click.testing import CliRunner, Result

from cli import cli


def run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    """`citations ARGS` in this process; fails the test unless it exits with `code`."""
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result
