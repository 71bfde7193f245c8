"""Reading a posted form that carries a file under a limit of its own, for the pages whose
forms send files (the application's body limit, 1 MiB for the API, leaves their paths
alone: citations/app.py).

A body larger than the limit is refused by its declared length before anything is read, or
as soon as the bytes read pass it (a body sent without a length); the parser closes the
files it spooled.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser


class BodyTooLarge(MultiPartException):
    """The body went past the limit while it was read."""

    def __init__(self) -> None:
        super().__init__("the request body is too large")


async def _capped(stream: AsyncIterator[bytes], cap: int) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge()
        yield chunk


async def read_capped_form(
    request: Request, cap: int, *, max_files: int = 1, max_fields: int = 20
) -> FormData | None:
    """The posted form (multipart or urlencoded), or None when its body is larger than
    `cap` bytes. A body the parser cannot read is a 400."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        async with aclosing(_capped(request.stream(), cap)) as stream:
            if kind == "multipart/form-data":
                parser: MultiPartParser | FormParser = MultiPartParser(
                    request.headers, stream, max_files=max_files, max_fields=max_fields
                )
            else:
                parser = FormParser(request.headers, stream, max_fields=max_fields)
            return await parser.parse()
    except BodyTooLarge:
        return None
    except MultiPartException as exc:
        raise StarletteHTTPException(400, exc.message) from None


def text_of(form: FormData, name: str, limit: int = 5000) -> str:
    """A text field, stripped and cut to `limit` characters ("" when absent or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


async def file_of(form: FormData, name: str) -> tuple[str, bytes] | None:
    """The file chosen in field `name` as (its name, its bytes); None when none was chosen
    (an empty file field is sent then). The type the browser declared is not kept: it
    guesses from the name, and the bytes decide."""
    item = form.get(name)
    if not isinstance(item, UploadFile) or not (item.filename or item.size):
        return None
    return item.filename or "", await item.read()
