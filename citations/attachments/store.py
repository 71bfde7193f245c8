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

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from citations.errors import CitationsError

if TYPE_CHECKING:
    from citations.settings import Settings

HASH = re.compile(r"^[0-9a-f]{64}$")


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
    return hashlib.sha256(data).hexdigest()


def _checked(sha256: str) -> str:
    if not HASH.match(sha256):
        raise ValueError(f"not a SHA-256 in lower-case hex: {sha256!r}")
    return sha256


class FolderStore:
    """Files in a folder: `sha256/ab/cd/<hash>`, written whole or not at all."""

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
        if target.exists():
            return name
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o440)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)
        return name

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise FileMissing(sha256, self.where) from None

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def hashes(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for path in sorted(base.glob("??/??/*")):
            if HASH.match(path.name):
                yield path.name


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
    """Files in an S3-compatible bucket, under `<prefix>sha256/<hash>`."""

    def __init__(self, client: Any, bucket: str, prefix: str = "files/") -> None:
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
        if not self.has(name):
            # The store checks the bytes it receives against their SHA-256 (ChecksumSHA256),
            # so a body damaged on the way is refused rather than kept under a wrong name.
            import base64

            checksum = base64.b64encode(bytes.fromhex(name)).decode()
            self._call(
                "put",
                name,
                lambda: self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key_of(name),
                    Body=data,
                    ChecksumSHA256=checksum,
                    ContentType="application/octet-stream",
                ),
            )
        return name

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileMissing(sha256, self.where) from None
            raise StoreError(f"the files store ({self.where}) refused to read: {exc}") from None
        data: bytes = answer["Body"].read()
        return data

    def has(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise StoreError(f"the files store ({self.where}) could not be read: {exc}") from None
        return True

    def hashes(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}sha256/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = str(item["Key"]).rsplit("/", 1)[-1]
                if HASH.match(name):
                    yield name

    def _call(self, verb: str, name: str, call: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(
                f"the files store ({self.where}) could not {verb} {name}: {exc}"
            ) from None


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
def _s3_client(endpoint: str | None, region: str, key_id: str | None, secret: str | None) -> Any:
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
