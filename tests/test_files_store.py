"""The files store: the folder and the S3-compatible store pass the same tests.

The S3 store runs against moto's server (tests/s3_steps.py), through boto3 over HTTP as it
would reach MinIO or Amazon S3. Then the settings choose each, and a photo uploaded to a
citation with the S3 store configured is read back, original and shown copy.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from citations.attachments.access import read_content
from citations.attachments.service import upload
from citations.attachments.store import (
    FileMissing,
    FileStore,
    FolderStore,
    S3Store,
    StoreError,
    digest,
    open_store,
)
from citations.database import transaction
from citations.settings import Settings, get_settings
from tests.conftest import NOW
from tests.evidence_steps import evidence_photo
from tests.hearing_steps import CLERK, issue_one
from tests.s3_steps import KEY, SECRET, s3_bucket, s3_client, s3_endpoint, s3_store

__all__ = ["s3_bucket", "s3_endpoint", "s3_store"]  # fixtures, used by name

PHOTO = b"\xff\xd8\xff\xe0 not really a photo, but bytes all the same"


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    """An empty store of each kind."""
    if request.param == "folder":
        return FolderStore(tmp_path / "files")
    made: S3Store = request.getfixturevalue("s3_store")
    return made


def test_bytes_in_come_back_out_under_their_sha256(store: FileStore) -> None:
    name = store.put(PHOTO)
    assert name == digest(PHOTO) and len(name) == 64
    assert store.get(name) == PHOTO
    assert store.has(name)
    assert store.put(b"") == digest(b"")  # even nothing has a name
    assert store.get(digest(b"")) == b""


def test_the_same_bytes_are_stored_once(store: FileStore) -> None:
    assert store.put(PHOTO) == store.put(PHOTO) == store.put(bytes(PHOTO))
    assert list(store.hashes()) == [digest(PHOTO)]
    if isinstance(store, FolderStore):
        files = [p for p in store.root.rglob("*") if p.is_file()]
        assert files == [store.path_of(digest(PHOTO))]
    else:
        assert isinstance(store, S3Store)
        listed = store.client.list_objects_v2(Bucket=store.bucket)
        assert [o.get("Key") for o in listed.get("Contents", [])] == [
            f"files/sha256/{digest(PHOTO)}"
        ]


def test_hashes_lists_every_file_in_order(store: FileStore) -> None:
    assert list(store.hashes()) == []
    contents = [f"file {n}".encode() for n in range(12)]
    names = [store.put(content) for content in contents]
    assert list(store.hashes()) == sorted(names)
    assert not store.has(digest(b"never stored"))


def test_a_file_not_there_is_file_missing(store: FileStore) -> None:
    absent = digest(b"never stored")
    with pytest.raises(FileMissing) as missing:
        store.get(absent)
    assert missing.value.sha256 == absent
    assert str(missing.value) == f"the file {absent} is not in the files store ({store.where})"


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        digest(PHOTO).upper(),  # the store's names are lower case
        digest(PHOTO) + "\n",  # a trailing line break must not pass for the end
        digest(PHOTO)[:63],
        "",
    ],
    ids=["path", "upper", "newline", "short", "empty"],
)
def test_a_name_that_is_not_a_sha256_is_refused(store: FileStore, bad: str) -> None:
    store.put(PHOTO)
    for call in (store.get, store.has):
        with pytest.raises(ValueError, match=r"not a SHA-256 in lower-case hex: "):
            call(bad)


def test_stored_bytes_are_never_written_again(store: FileStore) -> None:
    name = store.put(PHOTO)
    if isinstance(store, FolderStore):
        path = store.path_of(name)
        before = path.stat()
        store.put(PHOTO)
        after = path.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    else:
        assert isinstance(store, S3Store)
        writes: list[str] = []

        def count(**kwargs: Any) -> None:
            writes.append(kwargs["params"]["Key"])

        store.client.meta.events.register("before-parameter-build.s3.PutObject", count)
        store.put(PHOTO)
        assert writes == []  # the second put only asked whether it was there
        store.put(b"other bytes")
        assert writes == [f"files/sha256/{digest(b'other bytes')}"]
    assert store.get(name) == PHOTO


def test_a_folder_file_is_read_only_and_whole(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "files")
    name = store.put(PHOTO)
    path = store.path_of(name)
    assert path.relative_to(store.root).parts == ("sha256", name[:2], name[2:4], name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o440
    assert [p.name for p in path.parent.iterdir()] == [name]  # no temporary file left
    assert store.where == f"folder {store.root.resolve()}"


def test_a_folder_put_that_fails_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore(tmp_path / "files")

    def disk_full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StoreError, match=r"could not keep [0-9a-f]{64}: .*No space left"):
        store.put(PHOTO)
    assert not store.has(digest(PHOTO))
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_an_s3_store_that_cannot_be_reached_is_a_store_error() -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",  # discard: nothing listens
        region_name="us-east-1",
        # One try, no retry: botocore waits between tries with time.sleep, which the faketime
        # run breaks (tests.clock.pause).
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=1),
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    unreachable = S3Store(client, "evidence")
    for call in (unreachable.get, unreachable.has):
        with pytest.raises(StoreError, match=r"^the files store \(s3://evidence/files/\) could"):
            call(digest(PHOTO))
    with pytest.raises(StoreError, match=r"could not list its files"):
        list(unreachable.hashes())


def test_the_settings_choose_the_store(tmp_path: Path, s3_endpoint: str, s3_bucket: str) -> None:
    folder = open_store(Settings(files_folder=str(tmp_path / "kept")))
    assert isinstance(folder, FolderStore) and folder.root == tmp_path / "kept"
    settings = Settings(
        files_store="s3",
        s3_bucket=s3_bucket,
        s3_prefix="evidence/",
        s3_endpoint_url=s3_endpoint,
        s3_access_key_id="test",
        s3_secret_access_key="test",  # pydantic makes it a SecretStr
    )
    bucket = open_store(settings)
    assert isinstance(bucket, S3Store) and bucket.where == f"s3://{s3_bucket}/evidence/"
    name = bucket.put(PHOTO)
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_bucket)
    assert [o.get("Key") for o in listed.get("Contents", [])] == [f"evidence/sha256/{name}"]


def test_the_s3_store_needs_a_bucket() -> None:
    with pytest.raises(ValidationError, match="the s3 files store needs CITATIONS_S3_BUCKET"):
        Settings(files_store="s3")


@pytest.fixture
def s3_configured(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, s3_bucket: str
) -> Iterator[str]:
    """The application's settings name the S3 store on moto; the bucket's name."""
    for name, value in {
        "CITATIONS_FILES_STORE": "s3",
        "CITATIONS_S3_BUCKET": s3_bucket,
        "CITATIONS_S3_ENDPOINT_URL": s3_endpoint,
        "CITATIONS_S3_ACCESS_KEY_ID": "test",
        "CITATIONS_S3_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        yield s3_bucket
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_photo_uploaded_with_the_s3_store_is_read_back(
    engine: Engine, db: str, s3_configured: str, s3_endpoint: str
) -> None:
    number = issue_one(engine)
    # A photo of its own: the run's folder store may hold other tests' photos.
    photo = evidence_photo((17, 171, 71), (97, 61))
    with transaction(engine) as session:
        row = upload(
            session,
            photo,
            filename="scene.jpg",
            declared_type="image/jpeg",
            actor=CLERK,
            now=NOW,
            added_from="test",
            citation_number=number,
        )
        original = read_content(row, CLERK, "original")
        shown = read_content(row, CLERK, "shown")
        sha, shown_sha = row.sha256, row.shown_sha256
    assert original.content == photo and original.content_type == "image/jpeg"
    assert shown.content != photo and digest(shown.content) == shown_sha
    assert b"Apple" not in shown.content  # the shown copy is re-encoded without metadata
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_configured)
    keys = sorted(o.get("Key", "") for o in listed.get("Contents", []))
    assert keys == sorted(f"files/sha256/{name}" for name in (sha, shown_sha))
    assert not FolderStore(os.environ["CITATIONS_FILES_FOLDER"]).has(sha)  # not in the folder
