"""`check`: one bad catalog file per failure mode, each checked against its exact messages.

Each file in tests/catalogs/bad/ ends with `# expect:` lines: the complete list of problems
the check must report for it. Files named profile-*.yaml replace the jurisdiction profile;
the others are chapter files checked beside the good profile.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ordinances import CatalogInvalid, check_catalog, load_catalog
from tests.conftest import CATALOGS, GOOD_CATALOG, edit

BAD_FILES = sorted((CATALOGS / "bad").glob("*.yaml"))


def expected_problems(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]


def assemble(bad_file: Path, into: Path) -> Path:
    into.mkdir()
    if bad_file.name.startswith("profile-"):
        shutil.copy(bad_file, into / "jurisdiction.yaml")
        shutil.copy(GOOD_CATALOG / "public-order.yaml", into)
    else:
        shutil.copy(GOOD_CATALOG / "jurisdiction.yaml", into)
        shutil.copy(bad_file, into / bad_file.name)
    return into


def test_there_is_a_bad_file_for_each_failure_mode() -> None:
    names = {path.stem for path in BAD_FILES}
    required = {
        "unknown-key",
        "missing-key",
        "bad-date",
        "overlapping-versions",
        "out-of-order-versions",
        "negative-amount",
        "non-monetary-amount",
        "above-cap",
        "missing-translation",
        "unknown-program",
    }
    assert required <= names


@pytest.mark.parametrize("bad_file", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file_reports_exactly_its_problems(bad_file: Path, tmp_path: Path) -> None:
    expected = expected_problems(bad_file)
    assert expected, f"{bad_file.name} has no '# expect:' lines"
    catalog = assemble(bad_file, tmp_path / "catalog")
    assert [str(p) for p in check_catalog(catalog)] == expected


def test_good_catalog_has_no_problems() -> None:
    assert check_catalog(GOOD_CATALOG) == []
    catalog = load_catalog(GOOD_CATALOG)
    assert [o.code for o in catalog.ordinances] == ["TC 41.27(c)", "TC 41.18(d)", "TC 63.44"]


def test_every_problem_is_reported_at_once_across_files(catalog_dir: Path) -> None:
    edit(catalog_dir / "jurisdiction.yaml", "America/Los_Angeles", "Mars/Olympus_Mons")
    edit(catalog_dir / "public-order.yaml", "effective: 2024-07-01", "effective: 2024-13-01")
    edit(catalog_dir / "public-order.yaml", "category: parks", "category: park")
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(catalog_dir)
    messages = [str(p) for p in raised.value.problems]
    assert len(messages) == 3, messages
    assert messages[0].startswith("jurisdiction.yaml:3: unknown time zone 'Mars/Olympus_Mons'")
    assert messages[1].startswith(
        "public-order.yaml:30: 'effective': '2024-13-01' is not a valid date"
    )
    assert messages[2].startswith("public-order.yaml:57: unknown category 'park'")


def test_one_bad_ordinance_does_not_hide_checks_of_the_others(catalog_dir: Path) -> None:
    # The first ordinance loses its title; the third still gets its cap checked.
    edit(
        catalog_dir / "public-order.yaml",
        "    title: {en: Drinking in public, es: Beber en público}\n",
        "",
    )
    edit(catalog_dir / "public-order.yaml", "fines: {first: 100.00,", "fines: {first: 101.00,")
    messages = [str(p) for p in check_catalog(catalog_dir)]
    assert messages[0] == "public-order.yaml:3: missing required key 'title'"
    assert "above the statutory cap of $100.00 for category 'parks'" in messages[1]
    assert len(messages) == 2


def test_missing_profile_and_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert [str(p) for p in check_catalog(tmp_path / "empty")] == [
        "empty: no chapter files (*.yaml) besides the profile",
        "jurisdiction.yaml: missing: every catalog needs its jurisdiction profile",
    ]
    assert [str(p) for p in check_catalog(tmp_path / "nowhere")] == [
        f"{tmp_path / 'nowhere'}: no such catalog folder"
    ]


def test_yaml_numbers_never_become_floats(catalog_dir: Path) -> None:
    # 0.1 + 0.2 style errors cannot creep in: amounts arrive as exact Decimals.
    edit(catalog_dir / "public-order.yaml", "dollars_per_hour: 20.00", "dollars_per_hour: 20.10")
    catalog = load_catalog(catalog_dir)
    alternatives = catalog.get("TC 41.27(c)").versions[0].alternatives
    assert alternatives is not None and alternatives.community_service is not None
    assert str(alternatives.community_service.dollars_per_hour) == "20.10"


def test_shared_blocks_with_yaml_anchors_and_merge_keys(catalog_dir: Path) -> None:
    # Attorneys may write shared screening rules once and reuse them.
    edit(
        catalog_dir / "public-order.yaml",
        "        eligibility:\n          min_age: 18\n",
        "        eligibility: &screening\n          min_age: 18\n",
    )
    edit(
        catalog_dir / "public-order.yaml",
        "        source: Ordinance 200,001\n",
        "        source: Ordinance 200,001\n        eligibility:\n          <<: *screening\n"
        "          max_priors: 1\n",
    )
    catalog = load_catalog(catalog_dir)
    first, second = catalog.get("TC 41.27(c)").versions
    assert first.eligibility is not None and second.eligibility is not None
    assert second.eligibility.min_age == 18
    assert second.eligibility.questions == first.eligibility.questions
    assert (first.eligibility.max_priors, second.eligibility.max_priors) == (3, 1)
