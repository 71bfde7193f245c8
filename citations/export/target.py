"""Where an export or a report file is written: a new file, readable by its owner only, that
appears under its name only when complete (written under `NAME.partial` and renamed).

The command line and the job queue's workers write through it alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from citations.errors import CitationsError


class TargetRefused(CitationsError):
    """The file to write exists, or a partial one is left from another export."""


@contextmanager
def new_file(target: Path) -> Iterator[TextIO]:
    """A new text file (UTF-8, plain newlines) for the owner's eyes only, which appears under
    its name only when complete.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with new_file(folder / "a.txt") as out:
    ...     _ = out.write("hello")
    >>> (folder / "a.txt").read_text(), oct((folder / "a.txt").stat().st_mode & 0o777)
    ('hello', '0o600')
    """
    with (
        _partial(target) as descriptor,
        open(descriptor, "w", encoding="utf-8", newline="\n") as out,
    ):
        yield out


@contextmanager
def new_binary_file(target: Path) -> Iterator[BinaryIO]:
    """`new_file` for bytes (a PDF)."""
    with _partial(target) as descriptor, open(descriptor, "wb") as out:
        yield out


@contextmanager
def _partial(target: Path) -> Iterator[int]:
    """The descriptor of `NAME.partial`, renamed to `target` when the block ends well and
    removed when it fails."""
    if target.exists():
        raise TargetRefused(f"{target} exists: name a new file for the export")
    partial = target.with_name(target.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Not removed for the operator: it may be another export still writing.
        raise TargetRefused(
            f"{partial} exists: an export to {target} is running, or one stopped before it "
            "finished. Once no export is running, delete it (it holds personal data) and "
            "export again."
        ) from None
    try:
        yield descriptor
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
