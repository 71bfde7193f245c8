"""Export and restore carry the attachments' files: one self-contained export, restored into
an empty database and an empty store (a folder or S3), gives back every file byte for byte,
and exporting again gives the same file. A damaged or missing file is refused by its line;
an export of hashes only restores once the store is copied."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from citations.attachments.access import read_content
from citations.attachments.store import FileStore, FolderStore, S3Store, StoreError, digest
from citations.attachments.tables import Attachment
from citations.database import make_engine, transaction
from citations.errors import ExportFileInvalid
from citations.export import export_records, import_records
from citations.settings import get_settings
from cli import cli
from tests.databases import Databases
from tests.export_steps import EXPORTED_AT
from tests.hearing_steps import CLERK
from tests.s3_steps import s3_bucket, s3_endpoint, s3_store
from tests.stored_files_steps import Attached, attach_some

__all__ = ["s3_bucket", "s3_endpoint", "s3_store"]  # fixtures, used by name


@pytest.fixture
def source(engine: Engine, db: str, tmp_path: Path) -> tuple[Attached, FolderStore]:
    """A database with photos, a PDF, a withdrawn file, an unnamed upload and an awaited one;
    their bytes in a folder store of its own."""
    store = FolderStore(tmp_path / "source-files")
    return attach_some(engine, store), store


@pytest.fixture
def target(engine: Engine, tmp_path: Path, databases: Databases) -> Iterator[Engine]:
    """An empty database at the newest schema, on the source's backend."""
    backend = make_url(str(engine.url)).get_backend_name()
    folder = tmp_path / "target"
    folder.mkdir()
    with databases.migrated(backend, folder) as url:
        made = make_engine(url)
        try:
            yield made
        finally:
            made.dispose()


@pytest.fixture(params=["folder", "s3"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "folder":
        return FolderStore(tmp_path / "target-files")
    made: S3Store = request.getfixturevalue("s3_store")
    return made


def export(engine: Engine, store: FileStore, *, files: bool = True) -> str:
    out = io.StringIO()
    export_records(engine, out, exported_at=EXPORTED_AT, store=store, files=files)
    return out.getvalue()


def restore(engine: Engine, content: str, store: FileStore) -> None:
    import_records(engine, io.StringIO(content), source="records.jsonl", store=store)


def contents(engine: Engine, store: FileStore) -> dict[str, tuple[bytes, bytes]]:
    """Each attachment whose bytes came: (original, shown copy), read as staff read them."""
    with transaction(engine) as session:
        rows = session.scalars(
            select(Attachment).where(Attachment.received_at.is_not(None)).order_by(Attachment.id)
        )
        return {
            row.key: (
                read_content(row, CLERK, "original", store).content,
                read_content(row, CLERK, "shown", store).content,
            )
            for row in rows
        }


def file_lines(content: str) -> list[tuple[int, dict[str, object]]]:
    """(line number, parsed) of each file line."""
    return [
        (number, json.loads(line))
        for number, line in enumerate(content.splitlines(), 1)
        if line.startswith('{"file"')
    ]


def test_the_files_travel_in_the_export(
    source: tuple[Attached, FolderStore],
    engine: Engine,
    target: Engine,
    empty_store: FileStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attached, kept = source
    monkeypatch.setattr("citations.export.files.PART", 1000)  # a photo takes several lines
    content = export(engine, kept)
    lines = file_lines(content)
    names = [str(item["file"]) for _, item in lines if item["part"] == 1]
    assert names == sorted(set(names)) == sorted(kept.hashes())  # each once, in order
    assert max(int(str(item["parts"])) for _, item in lines) > 1
    assert json.loads(content.splitlines()[0])["files"] == "included"
    trailer = json.loads(content.splitlines()[-1])
    assert trailer["files"] == {
        "count": len(names),
        "bytes": sum(len(kept.get(name)) for name in names),
    }
    assert list(empty_store.hashes()) == []
    restore(target, content, empty_store)
    assert sorted(empty_store.hashes()) == names
    before, after = contents(engine, kept), contents(target, empty_store)
    assert after == before and len(after) == 5  # photos, a PDF, a withdrawn one, an upload
    assert attached.withdrawn in after and attached.letter in after
    assert after[attached.letter][0] == after[attached.letter][1]  # a PDF is shown as it came
    assert export(target, empty_store) == content  # the same file, byte for byte


def test_a_damaged_file_line_is_refused_with_its_line(
    source: tuple[Attached, FolderStore], engine: Engine, target: Engine, tmp_path: Path
) -> None:
    _, kept = source
    content = export(engine, kept)
    number, item = file_lines(content)[2]
    data = str(item["data"])
    middle = len(data) // 2
    forged = data[:middle] + ("A" if data[middle] != "A" else "B") + data[middle + 1 :]
    lines = content.splitlines()
    lines[number - 1] = lines[number - 1].replace(data, forged)
    store = FolderStore(tmp_path / "target-files")
    with pytest.raises(ExportFileInvalid) as raised:
        restore(target, "".join(line + "\n" for line in lines), store)
    sha = str(item["file"])
    assert raised.value.line == number
    assert str(raised.value).startswith(
        f"records.jsonl, line {number}: file {sha} (line {number}) is damaged: its "
    )
    assert not store.has(sha)
    restore(target, content, store)  # nothing was left behind: the good file restores
    assert store.has(sha)


def test_a_file_left_out_is_refused(
    source: tuple[Attached, FolderStore], engine: Engine, target: Engine, tmp_path: Path
) -> None:
    attached, kept = source
    content = export(engine, kept)
    with transaction(engine) as session:
        letter = session.scalars(select(Attachment).where(Attachment.key == attached.letter)).one()
        sha = letter.sha256
    lines = [line for line in content.splitlines() if f'"file":"{sha}"' not in line]
    trailer = len(lines)
    store = FolderStore(tmp_path / "target-files")
    with pytest.raises(ExportFileInvalid) as raised:
        restore(target, "".join(line + "\n" for line in lines), store)
    assert f"the export lacks file {sha}, named by attachment {attached.letter} (citation " in (
        raised.value.problem
    )
    assert raised.value.line < trailer or "SHA-256 of lines" in raised.value.problem


def test_an_export_of_hashes_only_restores_once_the_store_is_copied(
    source: tuple[Attached, FolderStore], engine: Engine, target: Engine, tmp_path: Path
) -> None:
    _, kept = source
    content = export(engine, kept, files=False)
    assert file_lines(content) == []
    assert json.loads(content.splitlines()[0])["files"] == "hashes"
    named = len(set(kept.hashes()))
    assert json.loads(content.splitlines()[-1])["files"] == {"count": named}
    empty = FolderStore(tmp_path / "empty-files")
    with pytest.raises(StoreError) as raised:
        restore(target, content, empty)
    assert f"lacks {named} of the {named} files the records name" in str(raised.value)
    assert "Nothing was restored" in str(raised.value)
    copied = FolderStore(tmp_path / "copied-files")
    shutil.copytree(kept.root, copied.root)  # a plain copy of the store is a backup
    restore(target, content, copied)
    assert contents(target, copied) == contents(engine, kept)
    assert export(target, copied, files=False) == content


def test_an_export_names_a_file_missing_from_the_store(
    source: tuple[Attached, FolderStore], engine: Engine
) -> None:
    attached, kept = source
    with transaction(engine) as session:
        photo = session.scalars(select(Attachment).where(Attachment.key == attached.photo)).one()
        sha = photo.sha256
    kept.path_of(sha).unlink()
    with pytest.raises(StoreError) as raised:
        export(engine, kept)
    assert str(raised.value).startswith(
        f"the export cannot carry file {sha} of attachment {attached.photo} (citation "
        f"{attached.number}): it is missing from the files store ({kept.where}). "
    )


@pytest.fixture
def folder_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test point CITATIONS_FILES_FOLDER elsewhere; settings read afresh each time."""
    get_settings.cache_clear()
    try:
        yield monkeypatch
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_commands_carry_the_files(
    source: tuple[Attached, FolderStore],
    target: Engine,
    db: str,
    tmp_path: Path,
    folder_setting: pytest.MonkeyPatch,
) -> None:
    _, kept = source
    runner = CliRunner()
    written = tmp_path / "records.jsonl"
    folder_setting.setenv("CITATIONS_FILES_FOLDER", str(kept.root))
    get_settings.cache_clear()
    exported = runner.invoke(cli, ["export", "-o", str(written), "--database", db])
    assert exported.exit_code == 0, exported.output
    count = len(set(kept.hashes()))
    size = sum(len(kept.get(name)) for name in kept.hashes())
    assert f"With it, {count} files the attachments name ({size / 1e6:,.1f} MB)." in (
        exported.output
    )
    fresh = tmp_path / "restored-files"
    folder_setting.setenv("CITATIONS_FILES_FOLDER", str(fresh))
    get_settings.cache_clear()
    url = target.url.render_as_string(hide_password=False)
    restored = runner.invoke(cli, ["import-export", str(written), "--database", url])
    assert restored.exit_code == 0, restored.output
    where = FolderStore(fresh).where
    assert f"Restored {count} files into the files store ({where})." in restored.output
    assert sorted(FolderStore(fresh).hashes()) == sorted(kept.hashes())
    assert all(digest(FolderStore(fresh).get(name)) == name for name in kept.hashes())
