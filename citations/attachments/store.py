"""Where the files' bytes are kept: a content-addressed store behind one interface.

A file's bytes are stored under their SHA-256, so the same bytes are stored once however many
citations name them, a stored file never changes (new bytes are a new name), and anyone can
check a file against its name. The database keeps only the hash and who added the file.

Two stores, chosen in settings (`CITATIONS_FILES_STORE`):
- `FolderStore`, the default: a folder on this machine, `sha256/ab/cd/abcd...`. Each file is
  written to a temporary name, flushed to disk, then renamed into place, so a file under its
  hash is always whole, even after a power cut.
- `S3Store`: an S3-compatible object store (Amazon S3, MinIO, Ceph...) for installations on
  several machines, through boto3.

The bytes are written before the row that names them is committed: a crash between the two
leaves bytes no row names (harmless, and `audit verify` counts them), never a row without
bytes.

>>> import tempfile
>>> store = FolderStore(tempfile.mkdtemp())
>>> digest = store.put(b"hello")
>>> digest[:12], store.get(digest), store.has(digest)
('2cf24dba5fb0', b'hello', True)
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from citations.errors import CitationsError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_s3 import S3Client

    from citations.settings import Settings

T = TypeVar("T")

HASH = re.compile(r"\A[0-9a-f]{64}\Z")
"""A SHA-256 as the store names files: 64 lower-case hex digits and nothing else (`\\Z`, not
`$`, which would let a trailing line break through into a path or a key)."""


class StoreError(CitationsError):
    """The files store could not be reached, or a file it should hold is not there."""


class FileMissing(StoreError):
    """A file the record names is not in the store (or its bytes no longer match)."""

    def __init__(self, sha256: str, where: str) -> None:
        self.sha256 = sha256
        super().__init__(f"the file {sha256} is not in the files store ({where})")


class FileStore(Protocol):
    """A content-addressed store: bytes in, their SHA-256 out; never changed, never deleted."""

    @property
    def where(self) -> str:
        """The store in words, for messages and `audit verify` (a folder, an s3:// address)."""
        ...

    def put(self, data: bytes) -> str:
        """Keep the bytes (once) and answer their SHA-256 (lower-case hex)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under the hash; FileMissing if none."""
        ...

    def has(self, sha256: str) -> bool: ...

    def hashes(self) -> Iterator[str]:
        """Every hash the store holds (for verifying and copying a store)."""
        ...


def digest(data: bytes) -> str:
    """The name the store gives these bytes.

    >>> digest(b"hello")[:16]
    '2cf24dba5fb0a30e'
    """
    return hashlib.sha256(data).hexdigest()


def _checked(sha256: str) -> str:
    """The hash itself, or ValueError: a name that is not a SHA-256 never reaches a path or
    a key (`../`, a line break)."""
    if not isinstance(sha256, str) or not HASH.match(sha256):
        raise ValueError(f"not a SHA-256 in lower-case hex: {sha256!r}")
    return sha256


class FolderStore:
    """Files in a folder: `sha256/ab/cd/<hash>`, written whole or not at all, read-only, and
    never replaced once there."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def where(self) -> str:
        return f"folder {self.root.resolve()}"

    def path_of(self, sha256: str) -> Path:
        name = _checked(sha256)
        return self.root / "sha256" / name[:2] / name[2:4] / name

    def put(self, data: bytes) -> str:
        name = digest(data)
        target = self.path_of(name)
        try:
            if target.exists():
                return name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        except OSError as exc:
            raise StoreError(
                f"the files store ({self.where}) could not keep {name}: {exc}"
            ) from None
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o440)
            _place(temporary, target)
        except OSError as exc:
            raise StoreError(
                f"the files store ({self.where}) could not keep {name}: {exc}"
            ) from None
        finally:
            Path(temporary).unlink(missing_ok=True)
        _sync_folder(target.parent)
        return name

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise FileMissing(sha256, self.where) from None
        except OSError as exc:
            raise StoreError(
                f"the files store ({self.where}) could not read {sha256}: {exc}"
            ) from None

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def hashes(self) -> Iterator[str]:
        """In order, one folder at a time (a store of a million files is not listed into
        memory); only files where their name puts them."""
        base = self.root / "sha256"
        for first in _sorted_folders(base):
            for second in _sorted_folders(base / first):
                folder = base / first / second
                for name in sorted(os.listdir(folder)):
                    if HASH.match(name) and name[:2] == first and name[2:4] == second:
                        yield name


def _sorted_folders(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in os.scandir(folder) if entry.is_dir())


def _place(temporary: str, target: Path) -> None:
    """Give the written file its name, unless a file has it already (another process put
    the same bytes meanwhile): a hard link, which unlike a rename never replaces. On a file
    system without hard links, the rename (the bytes under that name are the same)."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        return
    except OSError:
        os.replace(temporary, target)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file (POSIX: the rename itself is durable
    only once its folder is)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class S3Store:
    """Files in an S3-compatible bucket, under `<prefix>sha256/<hash>`.

    `client` is a boto3 S3 client; `open_store` makes one from the settings.
    """

    def __init__(self, client: S3Client, bucket: str, prefix: str = "files/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key_of(self, sha256: str) -> str:
        return f"{self.prefix}sha256/{_checked(sha256)}"

    def put(self, data: bytes) -> str:
        name = digest(data)
        if self.has(name):
            return name  # never written twice: the object under a name never changes
        # The store checks the bytes it receives against their SHA-256 (ChecksumSHA256),
        # so a body damaged on the way is refused rather than kept under a wrong name.
        checksum = base64.b64encode(bytes.fromhex(name)).decode()
        key = self.key_of(name)
        self._call(
            f"keep {name}",
            lambda: self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ChecksumSHA256=checksum,
                ContentType="application/octet-stream",
            ),
        )
        return name

    def get(self, sha256: str) -> bytes:
        key = self.key_of(sha256)

        def read() -> bytes:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            return answer["Body"].read()

        return self._call(f"read {sha256}", read, missing=sha256)

    def has(self, sha256: str) -> bool:
        key = self.key_of(sha256)
        try:
            self._call(
                f"look for {sha256}",
                lambda: self.client.head_object(Bucket=self.bucket, Key=key),
                missing=sha256,
            )
        except FileMissing:
            return False
        return True

    def hashes(self) -> Iterator[str]:
        """In order (S3 lists keys in byte order), a page of 1,000 at a time."""
        start = f"{self.prefix}sha256/"
        paginator = self.client.get_paginator("list_objects_v2")
        pages = iter(paginator.paginate(Bucket=self.bucket, Prefix=start))
        while True:
            page = self._call("list its files", lambda: next(pages, None))
            if page is None:
                return
            for item in page.get("Contents", []):
                name = item.get("Key", "")[len(start) :]
                if HASH.match(name):
                    yield name

    def _call(self, doing: str, call: Callable[[], T], missing: str | None = None) -> T:
        """The call's answer; FileMissing for a missing object when `missing` names it; else
        StoreError saying what could not be done (the store unreachable, access refused)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if missing is not None and code in ("NoSuchKey", "404", "NotFound"):
                raise FileMissing(missing, self.where) from None
            raise StoreError(f"the files store ({self.where}) could not {doing}: {exc}") from None
        except BotoCoreError as exc:
            raise StoreError(f"the files store ({self.where}) could not {doing}: {exc}") from None


def open_store(settings: Settings | None = None) -> FileStore:
    """The store the settings name (the folder by default)."""
    if settings is None:
        from citations.settings import get_settings

        settings = get_settings()
    if settings.files_store == "s3":
        assert settings.s3_bucket is not None  # the settings' validator checks it
        secret = settings.s3_secret_access_key
        client = _s3_client(
            settings.s3_endpoint_url,
            settings.s3_region,
            settings.s3_access_key_id,
            None if secret is None else secret.get_secret_value(),
        )
        return S3Store(client, settings.s3_bucket, settings.s3_prefix)
    return FolderStore(settings.files_folder)


@lru_cache(maxsize=8)
def _s3_client(
    endpoint: str | None, region: str, key_id: str | None, secret: str | None
) -> S3Client:
    """One boto3 client per configuration (making one costs tens of milliseconds; a client is
    safe to share between threads)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )
