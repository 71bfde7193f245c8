"""`citations demo` runs end to end on a fresh SQLite database, as the README promises."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from citations.database import make_engine, transaction
from citations.record.access import citation_id_for_code
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from cli import cli
from tests.browser.desk import desk_app
from tests.browser.html import csrf_of
from tests.pdfs import pdf_text
from tests.public_steps import door_client, find_citation_as_person

DOOR = re.compile(
    r"Try the cited person's own pages \(the public door\):\n"
    r"  CITATIONS_PAYMENT_PROVIDER=test citations serve --database (?P<url>\S+)\n"
    r"  then open http://127\.0\.0\.1:8000/ and find citation (?P<number>\S+) with the date "
    r"of birth (?P<born>\d{4}-\d\d-\d\d),\n"
    r"  or open the link of an access code minted for it: "
    r"http://127\.0\.0\.1:8000(?P<path>/c/(?P<code>[0-9A-Z-]{19}))\n"
    r"  Every document printed for a person carries its own code, in a link to "
    r"https://citations\.demo-city\.example/c/\.\.\.\n"
    r"  \(CITATIONS_PAYMENT_PROVIDER=test turns on the built-in test payment page, where no "
    r"money moves; a city sets stripe, see the README\.\)\n"
)
DESK = re.compile(
    r"Try the clerks' pages with a hearing clerk's own account \(same server\):\n"
    r"  open http://127\.0\.0\.1:8000/clerk/ and sign in as (?P<username>\S+) "
    r"\(Jordan Lee, Hearing clerk\) with the temporary password (?P<password>\S+)\n"
    r"  \(you choose your own password at the first sign-in; make more accounts with "
    r"`citations users add`\)\n$"
)


def test_demo_publishes_issues_and_writes_notices(runner: CliRunner, tmp_path: Path) -> None:
    # The demo's "today" is the test's pinned clock (tests/clock.py): NOW, the day the sample
    # batch was written.
    output = tmp_path / "demo-out"
    result = runner.invoke(cli, ["demo", "--output", str(output)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "1. Published the Demo City catalog: 14 ordinances" in text
    assert "Publishing the same catalog again changed nothing." in text
    assert "2027-07-01  LAMC 112.04(c)" in text
    assert "3. Issued the sample batch of 18 intake messages: " in text
    assert "1 declined, 12 issued, 3 referred, 2 rejected" in text
    assert "fine $1,000.00" in text  # the third offense within the lookback
    assert "the subject is 17, under the minimum age of 18" in text
    assert "Issuing the same batch again created 0 new records (16 replayed)." in text
    # Line 17 reached the city after its first deadline: served again by mail; line 18 asked
    # the city to mail its notice. The nightly mail run mails both.
    assert (
        "DCPD-2026-000011-1: notice mailed by the nightly mail run (the record reached the city"
        " on 2026-11-29, 6 days after the notice's first deadline (2026-11-23;" in text
    )
    assert (
        "DCPD-2026-000012-2: notice mailed by the nightly mail run (the sender asked the city"
        " to mail it)" in text
    )
    notices = sorted((output / "notices").glob("*.pdf"))
    assert len(notices) == 12
    # The mailed notice comes back, a clerk records the new address, it is mailed again.
    assert (
        "DCPD-2026-000012-2: the letter came back on 2026-12-05 (Moved, left no forwarding"
        " address): flagged for a clerk" in text
    )
    assert (
        "DCPD-2026-000012-2: new address recorded on 2026-12-06; notice mailed again to 2214 W."
        " Pico Blvd, Apt 4, Demo City CA 90006, now due 2026-12-31" in text
    )
    mailed = sorted(p.name for p in (output / "mail").glob("*.pdf"))
    assert mailed == ["DCPD-2026-000012-2-mailed-again.pdf", "DCPD-2026-000012-2-mailed.pdf"]
    assert all(n.read_bytes().startswith(b"%PDF") for n in notices)
    again = runner.invoke(cli, ["demo", "--output", str(output)], catch_exceptions=False)
    assert again.exit_code == 0, again.output  # made anew each run
    hearings = output / "hearings"
    names = sorted(p.name for p in hearings.glob("*.pdf"))
    assert sum(n.endswith("-order.pdf") for n in names) == 4
    assert sum(n.endswith("-hearing-notice.pdf") for n in names) == 3
    assert sum(n.endswith("-hearing-packet.pdf") for n in names) == 3
    assert "officer's photo IMG_0412.jpg attached (taken 2026-" in text
    photographed = next(n for n in names if n.endswith("-hearing-packet.pdf"))
    packet = " ".join(pdf_text((hearings / photographed).read_bytes()).split())
    assert "IMG_0412.jpg: Open can on the bench beside the person" in packet
    assert "Lugar: 34.052422, -118.243700" in packet  # a Spanish citation
    assert "the can on the bench was not mine" in packet  # the person's letter, appended
    assert sum(n.startswith("docket-") for n in names) == 2
    assert "initial review dismissed" in text
    assert "hearing requested (hardship waiver of the deposit granted)" in text
    assert "hearing dismissed it; deposit of 100.00 refunded" in text
    assert "no-show, default; may be set aside until" in text
    assert "6. Money and alternatives:" in text
    assert "paid 100.00 by card" in text
    assert "payment plan of 2 x 125.00" in text
    assert "hours of community service at 20.00 an hour, signed off; citation served" in text
    assert "Neighborhood Justice Program completed; citation dismissed" in text
    assert "Daily processing for 2026-11-29: 1 became delinquent" in text
    money = sorted(p.name for p in (output / "money").glob("*.pdf"))
    assert len(money) == 3
    reminders_delivered(again.stdout, output)
    try_the_door(again.stdout)
    try_the_desk(again.stdout)


REMINDERS = re.compile(
    r"delivered (?P<emails>\d+) emails to a local mail server \(127\.0\.0\.1:\d+\) and "
    r"(?P<texts>\d+) texts to the text provider's stand-in"
)


def reminders_delivered(text: str, output: Path) -> None:
    """The demo's steps wrote reminders (the person who agreed to texts or emails), the
    experiment drew arms, and the sender delivered some of each kind to the local stand-ins;
    a letter went to a mail house batch."""
    section = text.split("8. Reminders:", 1)[1].split("Explore it:", 1)[0]
    assert "reminders written to the outbox as the citations changed" in section
    assert "Experiment reminders-2026, citations per arm: none " in section
    delivered = REMINDERS.search(section)
    assert delivered is not None, section
    assert int(delivered["emails"]) > 0 and int(delivered["texts"]) > 0, section
    assert " text to +1213555" in section and " email to daniel.moreno@example.net" in section
    assert "Lucía: su citación vence" in section  # her texts in Spanish
    batch = output / "letters" / "letter-batch-1.pdf"
    assert batch.read_bytes().startswith(b"%PDF")
    assert (output / "letters" / "letter-batch-1.csv").read_text().startswith("batch,")


def try_the_door(text: str) -> None:
    """The demo ends with how to try the public door: the printed number and date of birth
    are a citation's, still open, and the printed link opens it at the door, as they do."""
    door = DOOR.search(text)
    assert door is not None, text[-800:]
    url = door["url"]
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            citation = find_citation(session, door["number"], OPERATOR)
            assert citation.subject["date_of_birth"] == door["born"]
            assert citation.status == "issued"
            assert citation_id_for_code(session, door["code"]) == citation.id
    finally:
        engine.dispose()
    with door_client(url) as client:
        find_citation_as_person(client, door["number"], door["born"])
    with door_client(url) as client:
        opened = client.get(door["path"])
        assert opened.status_code == 303 and opened.headers["location"] == "/citation"


def try_the_desk(text: str) -> None:
    """The demo ends with a hearing clerk's account: the printed username and temporary
    password sign in to the clerks' pages, which first ask the clerk to choose their own."""
    desk = DESK.search(text)
    door = DOOR.search(text)
    assert desk is not None and door is not None, text[-800:]
    with TestClient(
        desk_app(door["url"]), base_url="https://testserver", follow_redirects=False
    ) as client:
        login = client.get("/clerk/login")
        answer = client.post(
            "/clerk/login",
            data={
                "csrf_token": csrf_of(login.text),
                "username": desk["username"],
                "password": desk["password"],
                "next": "/clerk/",
            },
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].endswith("/clerk/password")
        assert "Choose your password" in client.get("/clerk/password").text
