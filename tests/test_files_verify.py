"""`citations audit verify` reads back every attachment's file and checks its hash: a good
store passes, a damaged file and a missing one are each named (the attachment, its citation,
which copy), and bytes no row names are a note, not a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from citations.attachments.store import FileStore, FolderStore, S3Store, digest
from citations.attachments.tables import Attachment
from citations.attachments.verify import FileProblem, check_files
from citations.database import transaction
from citations.settings import get_settings
from cli import cli
from tests.s3_steps import s3_bucket, s3_endpoint, s3_store
from tests.stored_files_steps import attach_some

__all__ = ["s3_bucket", "s3_endpoint", "s3_store"]  # fixtures, used by name


def named_files(engine: Engine) -> tuple[set[str], int]:
    """The hashes the rows with bytes name, and how many such rows."""
    with transaction(engine) as session:
        rows = session.scalars(select(Attachment).where(Attachment.received_at.is_not(None)))
        names, count = set(), 0
        for row in rows:
            count += 1
            names |= {row.sha256, row.shown_sha256 or row.sha256}
    return names, count


def row(engine: Engine, key: str) -> Attachment:
    with transaction(engine) as session:
        found = session.scalars(select(Attachment).where(Attachment.key == key)).one()
        session.expunge(found)
        return found


def damage(store: FileStore, sha256: str) -> None:
    """Other bytes under the file's name, as a disk or a hand might leave them."""
    if isinstance(store, FolderStore):
        path = store.path_of(sha256)
        path.chmod(0o640)
        path.write_bytes(b"bit rot")
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store.key_of(sha256), Body=b"bit rot")


def remove(store: FileStore, sha256: str) -> None:
    if isinstance(store, FolderStore):
        store.path_of(sha256).unlink()
    else:
        assert isinstance(store, S3Store)
        store.client.delete_object(Bucket=store.bucket, Key=store.key_of(sha256))


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "folder":
        return FolderStore(tmp_path / "files")
    made: S3Store = request.getfixturevalue("s3_store")
    return made


def test_a_good_store_passes(engine: Engine, db: str, store: FileStore) -> None:
    attach_some(engine, store)
    store.put(b"bytes an interrupted upload left")
    names, rows = named_files(engine)
    with transaction(engine) as session:
        check = check_files(session, store)
    assert check.intact and check.problems == []
    assert (check.files, check.attachments, check.unnamed) == (len(names), rows, 1)
    assert rows == 5 and len(names) >= 8  # the awaited file is not expected in the store


def test_a_damaged_and_a_missing_file_are_named(engine: Engine, db: str, store: FileStore) -> None:
    attached = attach_some(engine, store)
    photo, letter = row(engine, attached.photo), row(engine, attached.letter)
    assert photo.shown_sha256 is not None and letter.shown_sha256 == letter.sha256
    damage(store, photo.sha256)
    remove(store, letter.sha256)
    with transaction(engine) as session:
        check = check_files(session, store)
    assert not check.intact
    number = attached.number
    assert check.problems == [  # oldest attachment first
        FileProblem(
            attached.photo, number, "original", photo.sha256, "damaged", digest(b"bit rot")
        ),
        FileProblem(attached.letter, number, "original", letter.sha256, "missing"),
        FileProblem(attached.letter, number, "shown", letter.sha256, "missing"),
    ]
    assert str(check.problems[0]) == (
        f"{attached.photo} (citation {number}), original: {photo.sha256[:12]}... is damaged: "
        f"its bytes hash to {digest(b'bit rot')}"
    )
    assert str(check.problems[2]).endswith(
        f"shown copy: {letter.sha256[:12]}... is missing from the store"
    )


@pytest.fixture
def private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FolderStore]:
    """The command's files store: a folder of this test's own."""
    folder = tmp_path / "files"
    monkeypatch.setenv("CITATIONS_FILES_FOLDER", str(folder))
    get_settings.cache_clear()
    try:
        yield FolderStore(folder)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_command_reports_each_problem_and_fails(
    engine: Engine, db: str, private_folder: FolderStore
) -> None:
    attached = attach_some(engine, private_folder)
    names, rows = named_files(engine)
    private_folder.put(b"bytes an interrupted upload left")
    runner = CliRunner()
    good = runner.invoke(cli, ["audit", "verify", "--database", db])
    assert good.exit_code == 0, good.output
    assert good.stdout.splitlines()[1:] == [
        "Note: 1 file in the store named by no attachment (an upload stopped between the "
        "store and the database leaves them; they harm nothing).",
        f"The files are intact: {len(names)} files of {rows} attachments read back from the "
        f"files store ({private_folder.where}).",
    ]
    png = row(engine, attached.png)
    assert png.shown_sha256 is not None
    damage(private_folder, png.shown_sha256)
    os.remove(private_folder.path_of(png.sha256))
    bad = runner.invoke(cli, ["audit", "verify", "--database", db])
    assert bad.exit_code == 1
    assert "The audit trail is intact: " in bad.stdout
    n = attached.number
    assert bad.stderr.splitlines() == [
        f"File problem: {attached.png} (citation {n}), original: {png.sha256[:12]}... is "
        "missing from the store",
        f"File problem: {attached.png} (citation {n}), shown copy: {png.shown_sha256[:12]}... "
        f"is damaged: its bytes hash to {digest(b'bit rot')}",
        f"Error: 2 of {len(names)} files are missing or damaged in the files store "
        f"({private_folder.where}); each attachment that names one is listed above",
    ]
    skipped = runner.invoke(cli, ["audit", "verify", "--no-files", "--database", db])
    assert skipped.exit_code == 0 and "files" not in skipped.stdout
