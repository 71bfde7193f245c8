"""What a wheel installs: every package of the tree, and the data files found through
`importlib.resources`, never through the source tree. (`.ci/run` also builds the wheel,
installs it into a new virtual environment and runs the demo and the server from it.)"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from citations.documents.templates import TEMPLATES_DIR
from citations.resources import package_path

ROOT = Path(__file__).parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def packages_in_tree() -> set[str]:
    found = {"citations.templates"}  # the repository's templates/ folder, mapped by package-dir
    for top in ("citations", "ordinances"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def test_every_package_of_the_tree_is_installed() -> None:
    assert set(SETUPTOOLS["packages"]) == packages_in_tree()
    assert SETUPTOOLS["package-dir"] == {"citations.templates": "templates"}


def test_the_templates_are_the_package_citations_templates() -> None:
    assert package_path("citations.templates") == TEMPLATES_DIR
    assert (TEMPLATES_DIR / "notice" / "es.yaml").is_file()
    assert (TEMPLATES_DIR / "web" / "base.html").is_file()


def test_every_template_file_is_package_data() -> None:
    patterns = SETUPTOOLS["package-data"]["citations.templates"]
    shipped = {p for pattern in patterns for p in (ROOT / "templates").glob(pattern)}
    files = {p for p in (ROOT / "templates").rglob("*") if p.is_file()} - {
        ROOT / "templates" / "__init__.py"
    }
    assert {p for p in files if "__pycache__" not in p.parts} <= shipped


def test_no_library_module_finds_files_through_its_own_path() -> None:
    offenders = []
    for top in ("citations", "ordinances"):
        for module in (ROOT / top).rglob("*.py"):
            tree = ast.parse(module.read_text("utf-8"))
            if any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(tree)):
                offenders.append(str(module.relative_to(ROOT)))
    assert offenders == []
