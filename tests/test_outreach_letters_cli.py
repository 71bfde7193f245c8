"""`citations outreach letters` (both backends): makes a batch of the letters due and writes
its files; says so when nothing is due; writes a batch made earlier again, the same bytes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from citations.commands.outreach_letters import letters_command
from tests.letters_steps import cited, message_row, queue


def test_a_batch_is_made_written_and_written_again(
    db: str, runner: CliRunner, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db)
    first = queue(engine, cited(engine))
    queue(engine, cited(engine, first_name="Ana"))
    engine.dispose()
    out = tmp_path / "outgoing"

    made = runner.invoke(letters_command, ["--out", str(out), "--database", db])
    assert made.exit_code == 0, made.output
    assert made.output == (
        "Made batch 1: 2 letters, marked sent.\n"
        "Wrote batch 1: 2 letters, 2 pages.\n"
        f"  {out / 'letter-batch-1.pdf'}\n"
        f"  {out / 'letter-batch-1.csv'}\n"
    )
    pdf = (out / "letter-batch-1.pdf").read_bytes()
    listing = (out / "letter-batch-1.csv").read_bytes()

    again = runner.invoke(letters_command, ["--out", str(out), "--database", db])
    assert (again.exit_code, again.output) == (0, "No letters are due: no batch made.\n")

    lost = tmp_path / "lost"
    rewritten = runner.invoke(
        letters_command, ["--out", str(lost), "--batch", "1", "--database", db]
    )
    assert rewritten.exit_code == 0, rewritten.output
    assert rewritten.output.startswith("Wrote batch 1: 2 letters, 2 pages.\n")
    assert (lost / "letter-batch-1.pdf").read_bytes() == pdf
    assert (lost / "letter-batch-1.csv").read_bytes() == listing

    engine = create_engine(db)
    assert message_row(engine, first).batch_id == 1  # sent once, in batch 1
    engine.dispose()


def test_a_batch_never_made_is_refused(db: str, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "outgoing"
    result = runner.invoke(letters_command, ["--out", str(out), "--batch", "7", "--database", db])
    assert result.exit_code == 1
    assert result.output == "Error: no letter batch '7'\n"
    assert not out.exists()


def test_files_that_cannot_be_written_name_the_batch_to_write_again(
    db: str, runner: CliRunner, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db)
    queue(engine, cited(engine))
    engine.dispose()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    out = blocked / "outgoing"  # a folder inside a file cannot be made
    result = runner.invoke(letters_command, ["--out", str(out), "--database", db])
    assert result.exit_code == 1
    assert result.output.startswith("Made batch 1: 1 letter, marked sent.\n")
    assert "batch 1 is kept" in result.output and "--batch 1" in result.output


def test_the_help_ends_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(letters_command, ["--help"])
    assert result.exit_code == 0
    words = result.output.split("Options:")[0].rstrip()
    assert words.endswith(
        "Example:\n      citations outreach letters --out /srv/mail/outgoing\n"
        "      citations outreach letters --out /srv/mail/outgoing --batch 12"
    )
