"""Endpoints for files on the record: an officer's device uploads photos and documents (before
or after the intake message that names them), reads them back, names them on a citation,
and withdraws one added in error. Each calls citations.attachments; the rules live there.

The upload reads its own body, under a limit of its own (the settings' largest file and the
form around it), since the application's 1 MiB limit is for JSON bodies:

    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: image/jpeg" \\
         --data-binary @photo.jpg "https://city.example/v1/attachments?filename=photo.jpg"
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from citations.api.bodies import ExactJsonRoute
from citations.api.problems import ContentTooLarge
from citations.api.routes import PROBLEMS, Body
from citations.attachments.access import download_headers, find_attachment, read_content
from citations.attachments.described import (
    AttachmentNaming,
    AttachmentPublic,
    describe,
    files_of,
    name_on,
)
from citations.attachments.kinds import MEGABYTE
from citations.attachments.service import limits, upload, withdraw
from citations.errors import FieldError, InputRejected
from citations.http.deps import ActorDep, SessionDep, clock
from citations.inputs import printable
from citations.roles import Action

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)
uploads = APIRouter(prefix="/v1", responses=PROBLEMS)
"""The upload alone: its body is a file, read under its own limit, never as JSON."""

UPLOAD_PATH = "/v1/attachments"
OWN_LIMIT = frozenset({UPLOAD_PATH})
"""The paths whose routes read their body under their own limit (citations/app.py)."""
FORM_OVERHEAD = 64 * 1024
"""Room for a multipart form's boundaries and small fields around the file."""
TEXT_LIMIT = 2000


def body_limit() -> int:
    """The largest upload body: the settings' per-file limit and the form around it."""
    per_file, _ = limits()
    return per_file + FORM_OVERHEAD


def client_of(request: Request) -> str:
    """The client's address as the server saw it (uvicorn takes it from a trusted proxy's
    X-Forwarded-For: FORWARDED_ALLOW_IPS), as the public pages record it."""
    return request.client.host if request.client is not None else "unknown"


@dataclass(frozen=True)
class Received:
    """An upload as sent, before any check of its bytes."""

    data: bytes
    filename: str
    declared_type: str | None
    citation: str | None
    purpose: str
    description: str | None


async def _capped_body(request: Request, cap: int) -> bytes:
    """The body, refused by its declared length before it is read, or as soon as the bytes
    read pass the cap (a body sent without a length)."""
    too_large = ContentTooLarge(
        f"the request body is larger than allowed: the limit is {cap:,} bytes "
        f"(a file of at most {(cap - FORM_OVERHEAD) // MEGABYTE} MB and the form around it)"
    )
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _text(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = " ".join(value.split())
    if len(value) > TEXT_LIMIT:
        raise InputRejected([FieldError(name, f"at most {TEXT_LIMIT:,} characters")])
    try:
        return printable(value)
    except ValueError as exc:
        raise InputRejected([FieldError(name, str(exc))]) from None


def _disposition_name(header: str | None) -> str | None:
    """The filename a raw body's Content-Disposition gives, if any.

    >>> _disposition_name('attachment; filename="scene 1.jpg"')
    'scene 1.jpg'
    """
    if not header:
        return None
    found = re.search(r'filename="([^"]*)"|filename=([^;\s]+)', header)
    return None if found is None else (found.group(1) or found.group(2))


async def read_upload(
    request: Request,
    actor: ActorDep,
    citation: Annotated[
        str | None, Query(max_length=40, description="Put it on this citation at once.")
    ] = None,
    filename: Annotated[
        str | None, Query(max_length=200, description="Its name, for a raw body.")
    ] = None,
    purpose: Annotated[str, Query(max_length=30)] = "evidence",
    description: Annotated[str | None, Query(max_length=TEXT_LIMIT)] = None,
) -> Received:
    """The file and its fields, from a multipart form (a `file` part and optional
    `citation`, `purpose`, `description`) or a raw body with its Content-Type."""
    actor.require(Action.ATTACH_FILES)  # before a byte is read: a 403 costs no upload
    body = await _capped_body(request, body_limit())
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        return Received(
            data=body,
            filename=filename
            or _disposition_name(request.headers.get("content-disposition"))
            or "file",
            declared_type=request.headers.get("content-type"),
            citation=_text(citation, "citation"),
            purpose=purpose,
            description=_text(description, "description"),
        )

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, once(), max_files=1, max_fields=10).parse()
    except MultiPartException as exc:
        raise StarletteHTTPException(400, exc.message) from None
    try:
        part = form.get("file")
        if part is None or isinstance(part, str):
            raise InputRejected([FieldError("file", "required: a file part named `file`")])

        def field(name: str, default: str | None) -> str | None:
            value = form.get(name)
            return value if isinstance(value, str) else default

        return Received(
            data=await part.read(),
            filename=filename or part.filename or "file",
            declared_type=part.content_type,
            citation=_text(field("citation", citation), "citation"),
            purpose=field("purpose", purpose) or "evidence",
            description=_text(field("description", description), "description"),
        )
    finally:
        await form.close()


@uploads.post(
    "/attachments",
    response_model=AttachmentPublic,
    status_code=201,
    responses={
        200: {"description": "The same bytes, already uploaded and not yet named: that file"},
        413: {
            "description": "Larger than the settings' per-file limit",
            "content": {"application/problem+json": {}},
        },
    },
    summary="Upload a photo or document",
)
def post_attachment(
    received: Annotated[Received, Depends(read_upload)],
    actor: ActorDep,
    session: SessionDep,
    request: Request,
    response: Response,
) -> AttachmentPublic:
    """A JPEG, PNG, HEIC or PDF, checked from its bytes (a declared type that is not what
    the bytes are is refused). With `citation` it joins that citation at once; else it
    completes the files an intake message of the agency named by its SHA-256, or waits to
    be named (by the `id` answered, or by `sha256`). The same bytes sent again while not
    yet named answer the same file, 200 instead of 201 (a device retrying)."""
    now = clock()
    row = upload(
        session,
        received.data,
        filename=received.filename,
        declared_type=received.declared_type,
        actor=actor,
        now=now,
        added_from=f"API {client_of(request)}",
        citation_number=received.citation,
        purpose=received.purpose,
        description=received.description,
    )
    # An upload that came before this request: the device is retrying.
    retried = row.received_at is not None and row.received_at < now
    response.status_code = 200 if retried else 201
    response.headers["Location"] = f"/v1/attachments/{row.key}"
    return describe(session, row)


@router.get(
    "/attachments/{key}",
    response_model=AttachmentPublic,
    summary="A file's record",
)
def read_attachment(key: str, actor: ActorDep, session: SessionDep) -> AttachmentPublic:
    """Who added it, when and from where, its hashes, what the photo says of when and where
    it was taken, and whether it was withdrawn (by whom, why). Another agency's file is not
    found."""
    return describe(session, find_attachment(session, key, actor))


@router.get(
    "/attachments/{key}/content",
    response_class=Response,
    responses={200: {"description": "The file's bytes, with its own content type"}},
    summary="A file's bytes",
)
def read_attachment_content(
    key: str,
    actor: ActorDep,
    session: SessionDep,
    copy: Annotated[
        Literal["original", "shown"],
        Query(description="`original` (as received, metadata and all) or `shown`."),
    ] = "original",
) -> Response:
    """The original as received, or (`?copy=shown`) the copy shown to the public and
    printed (a picture re-encoded without its metadata). Never cached, never sniffed."""
    row = find_attachment(session, key, actor)
    content = read_content(row, actor, copy)
    return Response(content.content, headers=download_headers(row.key, content))


@router.get(
    "/citations/{number}/attachments",
    response_model=list[AttachmentPublic],
    summary="The files on a citation",
)
def read_citation_attachments(
    number: str, actor: ActorDep, session: SessionDep
) -> list[AttachmentPublic]:
    """Oldest first, withdrawn ones too: an officer sees their agency's files, staff all."""
    return files_of(session, number, actor)


@router.post(
    "/citations/{number}/attachments",
    response_model=list[AttachmentPublic],
    summary="Name uploaded files on a citation",
)
def post_citation_attachments(
    number: str,
    body: AttachmentNaming,
    actor: ActorDep,
    session: SessionDep,
    request: Request,
) -> list[AttachmentPublic]:
    """Each by the id its upload answered (the agency's own) or its SHA-256: an upload not
    yet here waits and joins when its bytes come. Naming a file again changes nothing."""
    return name_on(
        session,
        number,
        body.attachments,
        actor=actor,
        now=clock(),
        named_from=f"API {client_of(request)}",
    )


class AttachmentWithdrawalRequest(Body):
    reason: Annotated[str, Field(min_length=3, max_length=TEXT_LIMIT)]


@router.post(
    "/attachments/{key}/withdraw",
    response_model=AttachmentPublic,
    summary="Withdraw a file added in error",
)
def post_withdrawal(
    key: str, body: AttachmentWithdrawalRequest, actor: ActorDep, session: SessionDep
) -> AttachmentPublic:
    """It stays in the record (its bytes, hash and who added it), marked withdrawn with who,
    when and why, and is left out of the hearing packet."""
    return describe(session, withdraw(session, key, body.reason, actor=actor, now=clock()))
