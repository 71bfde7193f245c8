"""The bad-input corpus: every kind of broken intake a device or records system might send,
fed through the batch (library and `citations issue`) and the API, each checked against the
exact result it must get. None may give a server error, and no valid record beside a bad one
may be lost.

Each file in tests/bad_input/ holds what would be sent, then `#` lines (never part of it):

- `# expect: line N: ...` what `citations issue` prints for record N; the complete list, in
  order (an empty file expects none);
- `# api: line N: STATUS ...` what `POST /v1/citations` answers when line N is sent alone as
  the body (`file` instead of `line N` sends the whole file); every line the file holds is
  sent, in order, so the citation numbers match the batch's;
- `# notice: line N: TEXT` text the notice of record N's citation must show, literally
  (`\\uXXXX` writes a character that is invisible or hard to type);
- `# fill: line N: TOKEN TEXT COUNT` replace TOKEN in line N by TEXT repeated COUNT times,
  for payloads too large to keep in the repository;
- any other `#` line says what the file is about.

Every test starts from the test catalog, agencies DCPD and OTHR, and two number blocks of
2026: device unit-77 has DCPD numbers 1 to 50 and unit-88 has 51 to 60, so the first number
assigned online is DCPD-2026-000061-3.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from citations.app import create_app
from citations.commands.issuing import describe_result
from citations.database import transaction
from citations.issuing.batch import issue_records, read_records
from citations.record.agencies import allocate_block
from citations.record.tables import Citation, IntakeRecord
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from cli import cli
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.pdfs import pdf_text

CORPUS = Path(__file__).parent / "bad_input"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".jsonl", ".json"))


@dataclass(frozen=True)
class Case:
    """A corpus file split into what is sent and what must come of it."""

    name: str
    content: bytes
    expect: list[str]
    api: list[tuple[str, str]]
    """(`line N` or `file`, expected answer)"""
    notices: list[tuple[int, str]]

    @property
    def lines(self) -> list[bytes]:
        return self.content.split(b"\n")

    def body(self, where: str) -> bytes:
        if where == "file":
            return self.content
        return self.lines[int(where.removeprefix("line ")) - 1]

    def summary(self) -> str:
        """The count line `citations issue` prints after the records: what the batch created
        by outcome, and right after "issued", the records received before (replayed)."""
        counts: dict[str, int] = {}
        replayed = sum(1 for line in self.expect if line.endswith("(already received)"))
        for line in self.expect:
            if not line.endswith("(already received)"):
                kind = re.match(r"line \d+: (\w+)", line).group(1)  # type: ignore[union-attr]
                counts[kind] = counts.get(kind, 0) + 1
        if replayed:
            counts.setdefault("issued", 0)
        parts = []
        for kind, n in sorted(counts.items()):
            parts.append(f"{n} {kind}")
            if kind == "issued" and replayed:
                parts.append(f"{replayed} already recorded")
        total = len(self.expect)
        return f"{total} record{'s' if total != 1 else ''}: {', '.join(parts) or 'none'}"


def load(path: Path) -> Case:
    raw = path.read_bytes()
    start = 0 if raw.startswith(b"# ") else raw.find(b"\n# ") + 1
    assert start > 0 or raw.startswith(b"# "), f"{path.name} has no '#' lines"
    content, trailer = raw[:start], raw[start:].decode("utf-8").splitlines()
    expect, api, notices = [], [], []
    lines = content.split(b"\n")
    for line in trailer:
        kind, _, rest = line.partition(": ")
        if kind == "# expect":
            expect.append(rest)
        elif kind == "# api":
            where, _, answer = rest.partition(": ")
            api.append((where, answer))
        elif kind == "# notice":
            where, _, text = rest.partition(": ")
            shown = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m[1], 16)), text)
            notices.append((int(where.removeprefix("line ")), shown))
        elif kind == "# fill":
            where, _, fill = rest.partition(": ")
            token, text, count = fill.split(" ")
            number = int(where.removeprefix("line ")) - 1
            lines[number] = lines[number].replace(token.encode(), text.encode() * int(count))
    return Case(path.stem, b"\n".join(lines), expect, api, notices)


CASES = [load(path) for path in FILES]


def test_the_corpus_covers_every_failure_mode() -> None:
    names = {case.name for case in CASES}
    required = {
        "malformed-json",
        "wrong-types",
        "missing-fields",
        "unknown-ordinance",
        "violation-dates",
        "too-many-violations",
        "huge-payload",
        "wrong-check-digit",
        "markup-in-text",
        "control-characters",
        "scripts-and-combining",
        "minor",
        "empty",
        "bom",
        "crlf",
        "trailing-garbage",
        "duplicate-message-id",
        "numbers-outside-block",
        "time-zones",
        "not-utf8",
        "format-characters",
        "extreme-values",
    }
    assert required <= names, sorted(required - names)
    for case in CASES:
        assert case.expect or case.name == "empty", f"{case.name} has no '# expect:' lines"
        sent = [where for where, _ in case.api]
        every_line = [f"line {n}" for n, line in enumerate(case.lines, 1) if line.strip()]
        assert sent in (["file"], every_line), f"{case.name}: the API must get every line"


@pytest.fixture
def ready(engine: Engine) -> Engine:
    """The test catalog, two agencies, and the number blocks the corpus refers to."""
    prepare(engine)
    with transaction(engine) as session:
        for device, size in [("unit-77", 50), ("unit-88", 10)]:
            allocate_block(session, "DCPD", device, size, year=2026, actor=OPERATOR, now=NOW)
    return engine


def batch_file(case: Case, folder: Path) -> Path:
    path = folder / f"{case.name}.jsonl"
    path.write_bytes(case.content)
    return path


def count(engine: Engine, model: type[Any]) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def new_records(case: Case) -> tuple[int, int]:
    """(citations, intake records) the expected results create: replays and rejects none."""
    outcomes = [line.split(": ", 2)[1] for line in case.expect]
    fresh = [o for o in outcomes if not o.endswith("(already received)")]
    citations = sum(1 for o in fresh if o.startswith("issued "))
    return citations, sum(1 for o in fresh if not o.startswith("rejected"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_batch_library_decides_each_record_as_expected(
    case: Case, ready: Engine, tmp_path: Path
) -> None:
    results = issue_records(
        ready, read_records(batch_file(case, tmp_path)), actor=OPERATOR, clock=lambda: NOW
    )
    assert [describe_result(r, "USD") for r in results] == case.expect
    citations, intakes = new_records(case)
    assert count(ready, Citation) == citations
    assert count(ready, IntakeRecord) == intakes


# The command and the API only shape the library's results, so they run on SQLite alone: the
# library test above already stores every record on both backends.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_issue_command_prints_each_record_and_keeps_the_rejects(
    case: Case, ready: Engine, database_url: str, tmp_path: Path
) -> None:
    path = batch_file(case, tmp_path)
    rejects, notices = tmp_path / "rejects.jsonl", tmp_path / "notices"
    args = ["issue", str(path), "--rejects", str(rejects), "--database", database_url]
    if case.notices:
        args += ["--notices", str(notices)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    rejected = [line for line in case.expect if ": rejected: " in line]
    assert result.exit_code == (1 if rejected else 0), result.output
    printed = result.stdout.splitlines()
    assert printed[: len(case.expect) + 1] == [*case.expect, case.summary()]
    assert "Traceback" not in result.output
    kept = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    assert [f"line {k['line']}: rejected: " for k in kept] == [
        line[: line.index(": rejected: ") + len(": rejected: ")] for line in rejected
    ]
    assert all(k["file"] == str(path) and k["errors"] for k in kept)
    for line, text in case.notices:
        number = _issued_number(case, line)
        assert text in pdf_text((notices / f"{number}.pdf").read_bytes()), (line, text)


def _issued_number(case: Case, line: int) -> str:
    described = next(e for e in case.expect if e.startswith(f"line {line}: issued "))
    return described.split(" ")[3].rstrip(",")


@pytest.fixture
def client(ready: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with transaction(ready) as session:
        _, secret = create_token(
            session, role="officer", agency="DCPD", name="unit 12", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(database_url), raise_server_exceptions=False) as api:
        yield api, {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def describe_answer(response: Any) -> str:
    """An API answer in the corpus's words: `201 issued NUMBER`, `422 input-rejected: ...`."""
    status = response.status_code
    if response.headers["content-type"] == "application/problem+json":
        problem = response.json()
        kind = problem["type"].removeprefix("/problems/")
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in problem.get("errors", []))
        return f"{status} {kind}: {errors or problem['detail']}"
    result = response.json()
    again = " (replayed)" if response.headers.get("Idempotent-Replayed") == "true" else ""
    if result["outcome"] == "issued":
        return f"{status} issued {result['citation_number']}{again}"
    return f"{status} {result['outcome']}{again}: {'; '.join(result['reasons'])}"


@SQLITE_ONLY
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_api_answers_each_message_as_expected(
    case: Case, client: tuple[TestClient, dict[str, str]]
) -> None:
    api, headers = client
    answers = []
    for where, _ in case.api:
        response = api.post("/v1/citations", content=case.body(where), headers=headers)
        assert response.status_code < 500, response.text
        answers.append((where, describe_answer(response)))
    assert answers == case.api
    for line, text in case.notices:
        number = _issued_number(case, line)
        pdf = api.get(f"/v1/citations/{number}/notice.pdf", headers=headers)
        assert pdf.status_code == 200, pdf.text
        assert text in pdf_text(pdf.content), (line, text)


@SQLITE_ONLY
def test_a_huge_body_sent_without_its_length_is_refused_too(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    """Chunked upload: no Content-Length to refuse by, so the bytes are counted as they come;
    a body under the limit sent the same way still arrives whole."""
    api, headers = client
    chunks = (b"x" * 600_000 for _ in range(2))
    refused = api.post("/v1/citations", content=chunks, headers=headers)
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        "the request body is larger than allowed: the limit is 1,048,576 bytes"
    )
    body = json.dumps(message()).encode()
    halves = iter([body[:100], body[100:]])
    assert api.post("/v1/citations", content=halves, headers=headers).status_code == 201


def test_a_name_with_decomposed_accents_is_the_same_person(ready: Engine) -> None:
    """`José` typed as one character or as `e` and a combining accent (as some phones send
    it) names the same person, so the earlier citation counts as a prior."""
    earlier = subject(first_name="José", identifiers=[])
    send(ready, message(subject=earlier, violation_at="2026-06-10T12:00:00-07:00"))
    later = send(ready, message(subject=subject(first_name="Jose\u0301", identifiers=[])))
    assert later.result.violations[0].prior_count == 1
