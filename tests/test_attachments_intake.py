"""The intake message's `attachments` (both backends): checked with the rest of the message,
joined when the citation is written, in either order of sending, from the API, a batch file
(`citations issue FILE`) and the group commit; a message without them is fingerprinted as
before the field existed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, select

from citations.app import create_app
from citations.attachments.service import upload
from citations.attachments.tables import Attachment
from citations.database import transaction
from citations.errors import InputRejected
from citations.issuing.intake import IntakeMessage, validation_errors
from citations.issuing.pipeline import Issued, issue_together
from citations.record.tokens import create_token
from citations.roles import OPERATOR, Actor, Role
from tests.cli_steps import run
from tests.conftest import NOW
from tests.factories import intake, message, prepare
from tests.test_cli_issuing import write_jsonl
from tests.test_online_files import gps_jpeg, picture

OFFICER = Actor("officer Alvarez", Role.OFFICER, agency="DCPD")


def uploaded(engine: Engine, data: bytes, actor: Actor = OFFICER) -> Attachment:
    with transaction(engine) as session:
        row = upload(
            session,
            data,
            filename="scene.jpg",
            declared_type=None,
            actor=actor,
            now=NOW,
            added_from="test",
        )
        session.expunge(row)
        return row


def files_on(engine: Engine, number: str) -> list[Attachment]:
    from citations.record.tables import Citation

    with transaction(engine) as session:
        citation_id = session.scalar(select(Citation.id).where(Citation.number == number))
        rows = list(
            session.scalars(
                select(Attachment)
                .where(Attachment.citation_id == citation_id)
                .order_by(Attachment.id)
            )
        )
        session.expunge_all()
        return rows


def test_a_message_without_attachments_is_fingerprinted_as_before() -> None:
    body = message()
    plain = IntakeMessage.model_validate(body).model_dump(mode="json")
    assert "attachments" not in plain
    empty = IntakeMessage.model_validate({**body, "attachments": []}).model_dump(mode="json")
    assert empty == plain
    sha = "a" * 64
    assert intake(attachments=[sha]).model_dump(mode="json")["attachments"] == [sha]


@pytest.mark.parametrize(
    ("references", "field"),
    [
        (["photo.jpg"], "attachments[0]"),
        (["a" * 64, "A" * 64], "attachments[1]"),
        (["att_short"], "attachments[0]"),
        (["a" * 63], "attachments[0]"),
        (["a" * 64] * 51, "attachments"),
    ],
)
def test_references_are_ids_or_lower_case_hashes(references: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IntakeMessage.model_validate(message(attachments=references))
    assert [e.field for e in validation_errors(caught.value)] == [field]


def test_the_published_schema_describes_attachments() -> None:
    from citations.issuing.intake import intake_schema

    described = intake_schema()["properties"]["attachments"]
    assert described["maxItems"] == 50
    assert described["items"]["type"] == "string"


def test_a_batch_file_names_files_in_either_order(
    engine: Engine, db: str, runner: CliRunner, tmp_path: Path
) -> None:
    """A batch sent by the city for the agency: an upload already here joins by its id, a
    hash not yet sent waits and joins when the officer's device uploads it; a bad id
    refuses that record alone."""
    before = uploaded(engine, picture("PNG", (20, 20)))
    later = gps_jpeg()
    records = [
        message(attachments=[before.key]),
        message(attachments=[hashlib.sha256(later).hexdigest()]),
        message(attachments=["att_" + "z" * 26]),
    ]
    batch = write_jsonl(tmp_path / "batch.jsonl", records)
    result = run(runner, "issue", str(batch), "--json", "--database", db, code=1)
    outcomes = json.loads(result.stdout)
    assert [o["result"]["outcome"] if o["result"] else None for o in outcomes] == [
        "issued",
        "issued",
        None,
    ]
    assert outcomes[2]["errors"][0]["field"] == "attachments[0]"
    first, second = (o["result"]["citation_number"] for o in outcomes[:2])
    [joined] = files_on(engine, first)
    assert (joined.key, joined.named_by, joined.source) == (
        before.key,
        OPERATOR.name,
        "officer",
    )
    [waiting] = files_on(engine, second)
    assert waiting.awaited and waiting.added_from is None
    # The officer's device syncs: the upload completes the file the batch named.
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="officer", agency="DCPD", name="unit 12", actor=OPERATOR, now=NOW
        )
    with TestClient(create_app(db)) as client:
        answer = client.post(
            "/v1/attachments",
            content=later,
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "image/jpeg"},
        )
        assert answer.status_code == 201, answer.text
        assert (answer.json()["id"], answer.json()["state"]) == (waiting.key, "attached")
    listing = run(runner, "files", "list", second, "--database", db).output
    assert f"{waiting.key}  attached, officer's evidence" in listing
    # The same batch again: every record replays, nothing is named twice.
    run(runner, "issue", str(batch), "--database", db, code=1)
    assert [len(files_on(engine, n)) for n in (first, second)] == [1, 1]


def test_the_group_commit_joins_files_of_messages_written_together(engine: Engine) -> None:
    prepare(engine)
    photo = picture("JPEG", (25, 25))
    sha = hashlib.sha256(photo).hexdigest()
    items = [(intake(attachments=[sha]), OFFICER), (intake(attachments=[sha]), OFFICER)]
    outcomes = issue_together(engine, items, now=NOW)
    numbers = [o.result.citation_number for o in outcomes if isinstance(o, Issued)]
    assert len(numbers) == 2 and None not in numbers
    came = uploaded(engine, photo)  # one upload completes both citations' files
    first, second = (files_on(engine, str(n))[0] for n in numbers)
    assert came.key == first.key
    assert not first.awaited and not second.awaited
    assert first.sha256 == second.sha256 == sha and first.key != second.key


def test_another_agencys_upload_refuses_the_message_in_a_group(engine: Engine) -> None:
    prepare(engine)
    theirs = uploaded(engine, picture("PNG", (9, 9)), Actor("officer Kim", Role.OFFICER, "OTHR"))
    good = intake()
    items = [(good, OFFICER), (intake(attachments=[theirs.key]), OFFICER)]
    issued, refused = issue_together(engine, items, now=NOW)
    assert isinstance(issued, Issued) and issued.result.citation_number is not None
    assert isinstance(refused, InputRejected)
    assert refused.errors[0].field == "attachments[0]"
