"""How a message or a request names a file: the id its upload answered, or its SHA-256.

Kept apart (no imaging, no database) so the intake message can validate its `attachments`
field with it.

>>> bool(FILE_REFERENCE.match("att_" + "a" * 26)), bool(FILE_REFERENCE.match("A" * 64))
(True, False)
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

KEY_PREFIX = "att_"
MAX_ATTACHMENTS = 50
"""Files one message or request may name: a device's photos of one scene are a handful."""
FILE_REFERENCE = re.compile(r"^(att_[a-z0-9]{26}|[0-9a-f]{64})$")
"""An upload's id (`att_` and 26 letters and digits) or a lower-case SHA-256 (as
citations.attachments.service.is_reference says)."""


def _file_reference(value: str) -> str:
    if not FILE_REFERENCE.match(value):
        raise ValueError(
            "must be an upload's id (att_ and 26 letters or digits) or the file's SHA-256 "
            "in lower-case hex"
        )
    return value


FileReference = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_file_reference)
]
"""A file named in a message or a request body."""
