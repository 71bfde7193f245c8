"""Ending messages from the person's side, through the public door: a reply of STOP (Twilio's
signed call) ends texts for every citation with the phone, START resumes them, anything else
gets a short answer; the status callback flags a phone that cannot get texts; the unsubscribe
link's page ends emails only with its button or a mail program's one click. Anything Twilio
did not sign, and any token the city did not make, is refused (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from citations.app import create_app
from citations.audit import AuditEvent
from citations.database import transaction
from citations.outreach.inbound import twilio_signature
from citations.outreach.optout import opted_out, unsubscribe_token
from citations.record.messages import OptOut, OutboxMessage
from citations.record.tables import Citation
from citations.settings import Settings
from tests.browser.desk import CLOCK
from tests.browser.html import Page, csrf_of
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.public_steps import move_door_clock

pytestmark = pytest.mark.clock(CLOCK)

TOKEN = "twilio-auth-token-of-the-city"
SECRET = "outreach-secret-" + "x" * 24
SETTINGS = Settings(twilio_auth_token=SecretStr(TOKEN), outreach_secret=SecretStr(SECRET))
PHONE = "+15105550123"


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def door(database_url: str, settings: Settings = SETTINGS) -> TestClient:
    app = create_app(database_url, settings)
    move_door_clock(app, CLOCK)
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def client(ready: Engine, database_url: str) -> Iterator[TestClient]:
    with door(database_url) as client:
        yield client


def issue(engine: Engine, first: str, language: str = "en", **contact: object) -> str:
    body = message(subject=subject(first_name=first, preferred_language=language), contact=contact)
    number = send(engine, body, now=NOW).result.citation_number
    assert number is not None
    return number


def from_twilio(
    client: TestClient,
    path: str,
    params: dict[str, str],
    *,
    token: str = TOKEN,
    url: str | None = None,
) -> httpx2.Response:
    """A call as Twilio makes it: form fields, signed over the URL it was given."""
    signature = twilio_signature(token, url or f"https://testserver{path}", params.items())
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def reply(client: TestClient, body: str, sender: str = PHONE, **kw: Any) -> httpx2.Response:
    params = {"From": sender, "To": "+15105550100", "Body": body, "MessageSid": "SM" + "1" * 32}
    return from_twilio(client, "/outreach/texts/inbound", params, **kw)


def audited(engine: Engine, action: str) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AuditEvent.entity_key, AuditEvent.actor)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(key, actor) for key, actor in rows]


def opt_outs(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(OptOut)) or 0


# Replies to texts -----------------------------------------------------------------------


def test_a_signed_stop_ends_texts_for_both_citations_with_the_phone(
    client: TestClient, ready: Engine
) -> None:
    maria = issue(ready, "Maria", phone="(510) 555-0123", texts=True)
    ana = issue(ready, "Ana", phone="510-555-0123", texts=True)
    answer = reply(client, "  Stop ")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    # Twilio confirms a STOP itself: our answer says nothing.
    assert answer.text == '<?xml version="1.0" encoding="UTF-8"?>\n<Response></Response>\n'
    with transaction(ready) as session:
        assert opted_out(session, "text", PHONE)
    person = "the person, by a text reply"
    assert audited(ready, "citation.texts_stopped") == [(maria, person), (ana, person)]
    # START lets them go again.
    assert reply(client, "START").status_code == 200
    with transaction(ready) as session:
        assert not opted_out(session, "text", PHONE)
    assert audited(ready, "citation.texts_resumed") == [(maria, person), (ana, person)]


@pytest.mark.parametrize(
    "word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit.", "PARAR", "alto"]
)
def test_every_stop_word_stops(client: TestClient, ready: Engine, word: str) -> None:
    issue(ready, "Maria", phone=PHONE, texts=True)
    assert reply(client, word).status_code == 200
    with transaction(ready) as session:
        assert opted_out(session, "text", PHONE)


def test_a_call_twilio_did_not_sign_is_refused_and_changes_nothing(
    client: TestClient, ready: Engine, database_url: str
) -> None:
    issue(ready, "Maria", phone=PHONE, texts=True)
    params = {"From": PHONE, "Body": "STOP"}
    refused = [
        client.post("/outreach/texts/inbound", data=params),  # no signature
        client.post(
            "/outreach/texts/inbound", data=params, headers={"X-Twilio-Signature": "bm90IGl0"}
        ),
        reply(client, "STOP", token="another account's token"),
        # Signed over other words than those sent.
        client.post(
            "/outreach/texts/inbound",
            data={**params, "Body": "STOP"},
            headers={
                "X-Twilio-Signature": twilio_signature(
                    TOKEN,
                    "https://testserver/outreach/texts/inbound",
                    {**params, "Body": "Hi"}.items(),
                )
            },
        ),
        # Signed over another address than the one called.
        reply(client, "STOP", url="https://testserver/outreach/texts/other"),
    ]
    for answer in refused:
        assert (answer.status_code, answer.content) == (403, b"")
    with door(database_url, Settings(outreach_secret=SecretStr(SECRET))) as unconfigured:
        assert reply(unconfigured, "STOP").status_code == 403  # no auth token: nothing checks
    assert opt_outs(ready) == 0
    assert audited(ready, "citation.texts_stopped") == []


def test_behind_a_proxy_the_public_address_is_the_one_signed(
    ready: Engine, database_url: str
) -> None:
    issue(ready, "Maria", phone=PHONE, texts=True)
    public = "https://citations.example.gov"
    settings = Settings(
        twilio_auth_token=SecretStr(TOKEN),
        outreach_secret=SecretStr(SECRET),
        public_base_url=public,
    )
    with door(database_url, settings) as client:
        assert reply(client, "STOP").status_code == 403  # signed over the inner address
        assert reply(client, "STOP", url=f"{public}/outreach/texts/inbound").status_code == 200
        # Twilio may sign the address with the default port written out.
        port = "https://citations.example.gov:443/outreach/texts/inbound"
        assert reply(client, "START", url=port).status_code == 200


def test_any_other_reply_is_answered_in_the_persons_language_and_records_nothing(
    client: TestClient, ready: Engine
) -> None:
    issue(ready, "Maria", "es", phone=PHONE, texts=True)
    answer = reply(client, "¿Cuándo es mi audiencia? <b>")
    assert answer.status_code == 200
    assert answer.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Message>Oficina de Citaciones'
        " Administrativas no puede leer respuestas. Llame al (555) 010-2400 o visite"
        " https://citations.example.gov. Responda STOP para parar los mensajes.</Message>"
        "</Response>\n"
    )
    assert opt_outs(ready) == 0
    # A number no citation has gets no answer at all.
    unknown = reply(client, "hello", sender="+15105550199")
    assert unknown.text.endswith("<Response></Response>\n")


# What became of a text ------------------------------------------------------------------


def sent_text(engine: Engine, number: str, sid: str) -> None:
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == number)).one()
        session.add(
            OutboxMessage(
                citation_id=citation.id,
                key=f"pay_by|2026-12-10|-7|text|{sid}",
                kind="before_pay_by",
                about="pay_by",
                channel="text",
                language="en",
                wording="standard",
                send_at=NOW,
                next_try_at=NOW,
                status="sent",
                attempts=1,
                facts={},
                created_at=NOW,
                sent_at=NOW,
                address=citation.phone,
                provider_id=sid,
            )
        )


def status(client: TestClient, sid: str, state: str, code: str = "") -> httpx2.Response:
    params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC" + "0" * 32}
    if code:
        params["ErrorCode"] = code
    return from_twilio(client, "/outreach/texts/status", params)


def outbox(engine: Engine, sid: str) -> tuple[str, str | None]:
    with transaction(engine) as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.provider_id == sid)).one()
        return row.status, row.error


def problems(engine: Engine) -> dict[str, str | None]:
    with transaction(engine) as session:
        rows = session.execute(select(Citation.number, Citation.phone_problem))
        return {row.number: row.phone_problem for row in rows}


def test_an_unknown_number_is_flagged_for_a_clerk_on_every_citation_with_it(
    client: TestClient, ready: Engine
) -> None:
    maria = issue(ready, "Maria", phone=PHONE, texts=True)
    ana = issue(ready, "Ana", phone=PHONE, texts=True)
    sam = issue(ready, "Sam", phone="+15105550188", texts=True)
    sent_text(ready, maria, "SM-one")
    assert status(client, "SM-one", "delivered").status_code == 204
    assert outbox(ready, "SM-one") == ("sent", None)
    assert status(client, "SM-one", "undelivered", "30005").status_code == 204
    assert outbox(ready, "SM-one") == (
        "failed",
        "Twilio: undelivered, error 30005 (the number is unknown or no longer in service)",
    )
    problem = "+15105550123: Twilio error 30005: the number is unknown or no longer in service"
    assert problems(ready) == {maria: problem, ana: problem, sam: None}
    flagged = audited(ready, "citation.contact_problem")
    assert flagged == [(maria, "the text provider (Twilio)"), (ana, "the text provider (Twilio)")]
    assert [key for key, _ in audited(ready, "outreach.text_undelivered")] == [maria]


def test_a_phone_switched_off_fails_the_text_without_flagging_the_phone(
    client: TestClient, ready: Engine
) -> None:
    maria = issue(ready, "Maria", phone=PHONE, texts=True)
    sent_text(ready, maria, "SM-two")
    assert status(client, "SM-two", "undelivered", "30003").status_code == 204
    assert outbox(ready, "SM-two") == ("failed", "Twilio: undelivered, error 30003")
    assert problems(ready) == {maria: None}
    # An unsigned callback changes nothing.
    sent_text(ready, maria, "SM-three")
    params = {"MessageSid": "SM-three", "MessageStatus": "failed", "ErrorCode": "30005"}
    assert client.post("/outreach/texts/status", data=params).status_code == 403
    assert outbox(ready, "SM-three") == ("sent", None)


# The unsubscribe link -------------------------------------------------------------------


def link(address: str) -> str:
    return f"/unsubscribe/{unsubscribe_token(SETTINGS, address)}"


def test_opening_the_link_changes_nothing_and_the_button_ends_emails(
    client: TestClient, ready: Engine
) -> None:
    number = issue(ready, "Ana", "es", email="ana.reyes@example.org", emails=True)
    page = client.get(link("Ana.Reyes@example.org"))
    assert page.status_code == 200
    assert page.headers["x-robots-tag"].startswith("noindex")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    shown = Page(page.text)
    assert shown.words("main").startswith(
        "Parar los correos de recordatorio ¿Parar todos los correos de recordatorio a"
        " a•••@example.org?"
    )  # the language of her citation; the address only partly shown
    assert "ana.reyes" not in page.text
    assert opt_outs(ready) == 0  # a mail scanner opening the link ends nothing
    done = client.post(link("ana.reyes@example.org"), data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200
    assert "Listo. No enviaremos más correos de recordatorio a a•••@example.org." in Page(
        done.text
    ).words("done")
    with transaction(ready) as session:
        assert opted_out(session, "email", "ana.reyes@example.org")
        row = session.scalars(select(OptOut)).one()
        assert (row.channel, row.address, row.how) == (
            "email",
            "ana.reyes@example.org",
            "unsubscribe_link",
        )
    assert audited(ready, "citation.emails_stopped") == [
        (number, "the person, by the unsubscribe link")
    ]
    again = Page(client.get(link("ana.reyes@example.org")).text)
    assert "ya están parados" in again.words("done")


def test_a_mail_programs_one_click_ends_emails_without_a_form_token(
    client: TestClient, ready: Engine
) -> None:
    issue(ready, "Ana", email="ana@example.org", emails=True)
    answer = client.post(link("ana@example.org"), data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    with transaction(ready) as session:
        assert opted_out(session, "email", "ana@example.org")


def test_a_post_from_elsewhere_and_a_forged_token_are_refused(
    client: TestClient, ready: Engine
) -> None:
    issue(ready, "Ana", email="ana@example.org", emails=True)
    assert client.post(link("ana@example.org"), data={"csrf_token": "guess"}).status_code == 403
    assert client.post(link("ana@example.org")).status_code == 403
    token = unsubscribe_token(SETTINGS, "ana@example.org")
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    other_city = Settings(outreach_secret=SecretStr("another-city-" + "y" * 30))
    for address in (
        f"/unsubscribe/{forged}",
        f"/unsubscribe/{unsubscribe_token(other_city, 'ana@example.org')}",
        "/unsubscribe/ana@example.org",
    ):
        assert client.get(address).status_code == 404, address
        one_click = client.post(address, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 404, address
    assert opt_outs(ready) == 0
