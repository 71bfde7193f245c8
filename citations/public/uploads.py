"""Reading a posted form that carries files, on the person's pages: under a limit of its
own (the profile's files times their megabytes), with the form token checked, and each file
read once and its spooled copy closed.

The application's body limit (1 MiB, for the API) leaves these pages' posts alone
(UPLOAD_PATHS, in citations/app.py): a body larger than every allowed file together is
refused by its declared length before anything is read, or as soon as the bytes read pass it.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from citations.attachments.kinds import MEGABYTE
from citations.http.capped_forms import read_capped_form
from citations.online.files import Upload
from citations.public.guard import Person, check_form

TEXT_LIMIT = 5000
"""The most a statement or reason keeps (a few pages of text)."""


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:TEXT_LIMIT] if isinstance(value, str) else ""


async def _uploads(form: FormData) -> list[Upload]:
    """The files chosen (an empty file field, sent when none was chosen, is no file)."""
    uploads = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile) and (item.filename or item.size):
            uploads.append(Upload(item.filename or "", await item.read()))
    return uploads


UPLOAD_PATHS = frozenset({"/review", "/set-aside", "/evidence"})
"""The pages whose forms carry files. The application's body limit (1 MiB, for the API)
leaves them alone (citations/app.py): each reads its body under its own limit, the
profile's files times their megabytes, however the body is sent."""


async def read_form(request: Request, person: Person) -> FormData | None:
    """The posted form, once its form token matches; None when the body is larger than
    every allowed file together could be: refused by its declared length before anything is
    read, or as soon as the bytes read pass it (a body sent without a length)."""
    rules = person.profile.online
    most = rules.upload_max_files * rules.upload_max_megabytes * MEGABYTE + MEGABYTE
    form = await read_capped_form(
        request, most, max_files=rules.upload_max_files + 5, max_fields=30
    )
    if form is None:
        return None
    try:
        check_form(person, form)
    except Exception:
        await form.close()
        raise
    return form


async def read_files(form: FormData, text: str) -> tuple[str, list[Upload]]:
    """The form's text field `text` and its files; the spooled files are closed after."""
    try:
        return form_text(form, text), await _uploads(form)
    finally:
        await form.close()
