"""A catalog folder as city attorneys edit it: one jurisdiction profile plus chapter files.

`load_catalog` returns a checked Catalog or raises CatalogInvalid listing every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

from ordinances.checks import check_jurisdiction, check_ordinances
from ordinances.errors import CatalogInvalid, Problem, UnknownOrdinance
from ordinances.models import ChapterFile, Jurisdiction, Ordinance
from ordinances.resolve import ResolvedVersion
from ordinances.yaml_source import Located, SourceFile, read_yaml, validate

PROFILE_FILE = "jurisdiction.yaml"

DEMO_CATALOG = Path(str(files("ordinances").joinpath("catalogs", "demo-city")))
"""The sample catalog shipped inside the package, modeled on Los Angeles' ACE program."""


@dataclass(frozen=True)
class Catalog:
    root: Path
    jurisdiction: Jurisdiction
    located: dict[str, Located] = field(default_factory=dict)

    @property
    def ordinances(self) -> list[Ordinance]:
        return [entry.ordinance for entry in self.located.values()]

    def get(self, code: str) -> Ordinance:
        try:
            return self.located[code].ordinance
        except KeyError:
            raise UnknownOrdinance(code) from None

    def resolve(self, code: str, on: date) -> ResolvedVersion:
        """The version of `code` in force on `on`, straight from the folder (unpublished)."""
        return ResolvedVersion.of(self.get(code), on)


def check_catalog(root: Path) -> list[Problem]:
    """Every problem in the catalog folder, all at once; an empty list means it is valid."""
    try:
        load_catalog(root)
    except CatalogInvalid as exc:
        return exc.problems
    return []


def load_catalog(root: Path) -> Catalog:
    """Read and check a catalog folder.

    >>> catalog = load_catalog(DEMO_CATALOG)
    >>> catalog.jurisdiction.name
    'Demo City'
    """
    root = Path(root)
    if not root.is_dir():
        raise CatalogInvalid([Problem(str(root), None, "no such catalog folder")])
    problems: list[Problem] = []
    jurisdiction = _load_profile(root, problems)
    located = _load_chapters(root, problems)
    if jurisdiction is not None:
        problems += check_jurisdiction(*jurisdiction)
        problems += check_ordinances(jurisdiction[0], located)
    if problems:
        raise CatalogInvalid(problems)
    assert jurisdiction is not None
    return Catalog(root, jurisdiction[0], {entry.ordinance.code: entry for entry in located})


def _load_profile(root: Path, problems: list[Problem]) -> tuple[Jurisdiction, SourceFile] | None:
    path = root / PROFILE_FILE
    if not path.is_file():
        problems.append(
            Problem(PROFILE_FILE, None, "missing: every catalog needs its jurisdiction profile")
        )
        return None
    data, source, read_problems = read_yaml(path, PROFILE_FILE)
    problems += read_problems
    if read_problems:
        return None
    profile, invalid = validate(Jurisdiction, data, source)
    problems += invalid
    return (profile, source) if isinstance(profile, Jurisdiction) else None


def _load_chapters(root: Path, problems: list[Problem]) -> list[Located]:
    paths = sorted(
        p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.name != PROFILE_FILE
    )
    if not paths:
        problems.append(Problem(root.name, None, "no chapter files (*.yaml) besides the profile"))
    located: list[Located] = []
    for path in paths:
        data, source, read_problems = read_yaml(path, path.name)
        problems += read_problems
        if read_problems:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("ordinances"), list):
            problems.append(
                Problem(path.name, source.line(()), "a chapter file needs a list 'ordinances:'")
            )
            continue
        # The chapter's own keys first, then each ordinance on its own, so that one bad
        # ordinance does not hide the problems (or the checks) of the others.
        _chapter, invalid = validate(ChapterFile, {**data, "ordinances": []}, source)
        problems += invalid
        for index, item in enumerate(data["ordinances"]):
            ordinance, invalid = validate(Ordinance, item, source, prefix=("ordinances", index))
            problems += invalid
            if isinstance(ordinance, Ordinance):
                located.append(Located(ordinance, source, index))
    return located
