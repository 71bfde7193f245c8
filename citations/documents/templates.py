"""Where documents find their wording: the templates folder city staff edit.

It is the repository's `templates/` folder, installed inside the package as
`citations.templates`; every document (notice, hearing documents, receipts, late notices,
the report) and the clerks' web pages read it from here.
"""

from __future__ import annotations

from citations.resources import package_path

TEMPLATES_DIR = package_path("citations.templates")
