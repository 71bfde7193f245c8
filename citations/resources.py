"""The data files that travel inside the package, found through `importlib.resources`.

Templates, fonts, migrations and samples are package data: an installed wheel finds them
exactly as a checkout does, and nothing looks for them in the source tree. The templates that
city staff edit live in the repository's `templates/` folder and are installed as the package
`citations.templates` (see `package-dir` in pyproject.toml).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(package: str, *parts: str) -> Path:
    """A file or folder of package data on disk.

    >>> package_path("citations.templates", "notice", "en.yaml").name
    'en.yaml'
    """
    resource = files(package).joinpath(*parts)
    if not isinstance(resource, Path):
        # Reading fonts and templates needs real files; an installation inside a zip archive
        # would hand back another kind of resource.
        raise RuntimeError(f"{package} must be installed as files on disk, not inside an archive")
    return resource
