"""Check the files store against the record: every file whose bytes came is there, whole.

Each attachment row whose bytes have come (`received_at` set) names the SHA-256 of its kept
bytes and of its shown copy; both must be in the store, and the bytes the store answers
must hash to that name. A file named by several rows (the same photo on two citations, a
PDF whose shown copy is itself) is read once. Bytes in the store that no row names are
counted as a note: an upload interrupted between the store and the database leaves them,
and they harm nothing.

Used by `citations audit verify`:

    with transaction(engine) as session:
        check = check_files(session, open_store())
    for problem in check.problems:
        print(problem)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import QueryableAttribute, Session

from citations.attachments.store import FileMissing, FileStore, StoreError, digest
from citations.attachments.tables import Attachment
from citations.record.tables import Citation

Copy = Literal["original", "shown"]
Problem = Literal["missing", "damaged", "unreadable"]


@dataclass(frozen=True)
class FileProblem:
    """One attachment whose file is not as the record says, and which copy.

    >>> print(FileProblem("att_x", "DCPD-2026-000001-5", "shown", "ab" * 32, "missing"))
    att_x (citation DCPD-2026-000001-5), shown copy: abababababab... is missing from the store
    """

    key: str
    citation: str | None
    """The citation number, or None for an upload no message has named yet."""
    copy: Copy
    sha256: str
    problem: Problem
    detail: str = ""
    """For a damaged file, the SHA-256 its bytes have now; else what the store said."""

    def __str__(self) -> str:
        on = f"citation {self.citation}" if self.citation else "not on a citation"
        what = "original" if self.copy == "original" else "shown copy"
        name = self.sha256[:12] + "..."
        said = {
            "missing": "is missing from the store",
            "damaged": f"is damaged: its bytes hash to {self.detail}",
            "unreadable": f"could not be read: {self.detail}",
        }[self.problem]
        return f"{self.key} ({on}), {what}: {name} {said}"


@dataclass(frozen=True)
class FilesCheck:
    where: str
    """The store checked, in words."""
    files: int
    """Distinct files read and hashed (each once, however many rows name it)."""
    attachments: int
    """Attachment rows whose bytes have come."""
    problems: list[FileProblem] = field(default_factory=list)
    unnamed: int = 0
    """Files in the store that no row names (a note, not a problem)."""

    @property
    def intact(self) -> bool:
        return not self.problems


def _named(session: Session) -> Iterator[tuple[str, bool]]:
    """Every hash a row names, once, in byte order, and whether any row naming it has its
    bytes (an awaited row names a file that is not expected in the store yet)."""
    came = case((Attachment.received_at.is_(None), 0), else_=1)
    names = union_all(
        select(Attachment.sha256.label("sha"), came.label("came")),
        select(Attachment.shown_sha256.label("sha"), came.label("came")).where(
            Attachment.shown_sha256.is_not(None)
        ),
    ).subquery()
    binary = "C" if session.get_bind().dialect.name == "postgresql" else "BINARY"
    query = (
        select(names.c.sha, func.max(names.c.came))
        .group_by(names.c.sha)
        .order_by(names.c.sha.collate(binary))
        .execution_options(yield_per=1000)
    )
    for sha, came_ in session.execute(query):
        yield str(sha), bool(came_)


def _rows_naming(session: Session, sha256: str) -> list[tuple[int, str, str | None, Copy]]:
    """(id, key, citation number, which copy) of each row with bytes that names the file."""
    found: list[tuple[int, str, str | None, Copy]] = []
    copies: tuple[tuple[Copy, QueryableAttribute[Any]], ...] = (
        ("original", Attachment.sha256),
        ("shown", Attachment.shown_sha256),
    )
    for copy, column in copies:
        query = (
            select(Attachment.id, Attachment.key, Citation.number)
            .outerjoin(Citation, Citation.id == Attachment.citation_id)
            .where(column == sha256, Attachment.received_at.is_not(None))
            .order_by(Attachment.id)
        )
        found.extend((id_, key, number, copy) for id_, key, number in session.execute(query))
    return found


def _read(store: FileStore, sha256: str) -> tuple[Problem, str] | None:
    """None if the store holds the bytes whole; else (problem, detail)."""
    try:
        data = store.get(sha256)
    except FileMissing:
        return "missing", ""
    except (StoreError, ValueError) as exc:
        return "unreadable", str(exc)
    actual = digest(data)
    return None if actual == sha256 else ("damaged", actual)


def check_files(session: Session, store: FileStore) -> FilesCheck:
    """Read back and hash every file the record says the store holds; see the module."""
    problems: list[tuple[int, FileProblem]] = []
    files = unnamed = 0
    stored = _Peekable(store.hashes())
    for sha, came in _named(session):
        while (ahead := stored.peek()) is not None and ahead < sha:
            unnamed += 1
            next(stored)
        if ahead == sha:
            next(stored)
        if not came:
            continue
        files += 1
        found = _read(store, sha)
        if found is not None:
            problem, detail = found
            problems.extend(
                (id_, FileProblem(key, number, copy, sha, problem, detail))
                for id_, key, number, copy in _rows_naming(session, sha)
            )
    unnamed += sum(1 for _ in stored)
    attachments = session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.received_at.is_not(None))
    )
    problems.sort(key=lambda found: (found[0], found[1].copy))  # oldest row first
    listed = [problem for _, problem in problems]
    return FilesCheck(store.where, files, int(attachments or 0), listed, unnamed)


class _Peekable:
    """An iterator whose next item can be looked at first (None at the end)."""

    def __init__(self, items: Iterator[str]) -> None:
        self._items = items
        self._next: str | None = next(items, None)

    def peek(self) -> str | None:
        return self._next

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._next is None:
            raise StopIteration
        current, self._next = self._next, next(self._items, None)
        return current
