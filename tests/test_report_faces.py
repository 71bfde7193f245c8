"""The program report's CSV and JSON, and its command-line and HTTP faces (both backends).

CSV and JSON must carry every figure of the report as computed; the CLI and the API are thin
faces over `compute_report`, so what they return is compared with the library's report for
the same program (tests/report_program.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import BaseModel

from citations.app import create_app
from citations.database import make_engine, transaction
from citations.record.tokens import create_token
from citations.reports.compute import compute_report
from citations.reports.export import FIELDS, report_csv, report_json
from citations.reports.model import ProgramReport
from citations.roles import OPERATOR
from tests.cli_steps import run
from tests.conftest import NOW
from tests.databases import Databases
from tests.pdfs import pdf_text
from tests.permission_world import BACKENDS
from tests.report_program import END, START, Program, build_program, program_catalog

PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


@dataclass(frozen=True)
class World:
    program: Program
    url: str

    def report(self, areas: list[str] | None = None) -> ProgramReport:
        with transaction(self.program.engine) as session:
            return compute_report(session, START, END, areas=areas or [], actor=OPERATOR, now=NOW)


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("faces")
    with databases.migrated(request.param, folder) as url:
        engine = make_engine(url)
        try:
            yield World(build_program(engine, program_catalog(folder)), url)
        finally:
            engine.dispose()


# CSV and JSON against the model


def is_figure(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def model_figures(report: ProgramReport) -> list[tuple[str, set[str], str, str]]:
    """Every figure of the report, read from the model itself (not from the exporter):
    (section, names the row may go by, metric, value as text)."""
    figures: list[tuple[str, set[str], str, str]] = []
    for name, value in report:
        if is_figure(value) or (value is None and name.startswith("days_to")):
            figures.append(("summary", {name}, name, "" if value is None else str(value)))
        elif isinstance(value, BaseModel):  # the money
            figures += [(name, {k}, "amount", str(v)) for k, v in value if is_figure(v)]
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, BaseModel):
                    continue
                fields = dict(item)
                texts = {str(v) for v in fields.values() if isinstance(v, str)}
                if "tier" in fields:
                    texts.add(f"{fields['tier']}:{fields['hearing_officer'] or 'all'}")
                section = f"equity_by_{fields['dimension']}" if name == "equity" else name
                figures += [
                    (section, texts, metric, str(v)) for metric, v in fields.items() if is_figure(v)
                ]
    return figures


def csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == FIELDS
    return list(reader)


def assert_csv_carries(report: ProgramReport, text: str) -> None:
    rows = csv_rows(text)
    expected = model_figures(report)
    missing = []
    for section, names, metric, value in expected:
        matches = [
            r
            for r in rows
            if r["section"] == section and r["metric"] == metric and r["key"] in names
        ]
        if [r["value"] for r in matches] != [value]:
            missing.append((section, sorted(names), metric, value, matches))
    assert missing == []
    assert len(rows) == len(expected), "rows that are no figure of the report"


def test_csv_carries_every_figure_of_the_report(world: World) -> None:
    for areas in ([], ["Westlake"]):
        report = world.report(areas)
        assert_csv_carries(report, report_csv(report))
    # The walk above covers every section, so a section left out would fail it.
    sections = {row["section"] for row in csv_rows(report_csv(world.report()))}
    assert sections == {
        "summary",
        "issued_by_ordinance",
        "issued_by_month",
        "issued_by_area",
        "referral_reasons",
        "declined_reasons",
        "outcomes",
        "money",
        "hearing_outcomes",
        "equity_by_area",
        "equity_by_language",
    }  # no repeat rates: no window has passed by the end of November


def test_csv_carries_the_repeat_rates_with_both_denominators(world: World) -> None:
    with transaction(world.program.engine) as session:
        later = compute_report(
            session, START, END.replace(year=2027, month=4), actor=OPERATOR, now=NOW
        )
    assert later.repeat_rates  # the August and October windows of 6 months have passed
    assert_csv_carries(later, report_csv(later))
    metrics = {r["metric"] for r in csv_rows(report_csv(later)) if r["section"] == "repeat_rates"}
    assert "people_12_months" in metrics


def test_json_is_the_report_with_exact_decimals(world: World) -> None:
    report = world.report()
    document = json.loads(report_json(report))
    assert ProgramReport.model_validate(document) == report
    # Amounts and rates travel as exact decimal strings, never as floats.
    assert document["money"]["collected"] == "1040.00"
    assert document["outcomes"][0] == {"outcome": "paid", "count": 4, "share": "0.2222"}
    assert document["days_to_resolution_p90"] == "29.4"


# The command line


def without_generated_at(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "generated_at"}


def test_cli_json_csv_and_pdf(world: World, runner: CliRunner, tmp_path: Path) -> None:
    d = ["--database", world.url, "--from", "2026-08-01", "--to", "2026-11-30"]
    report = world.report()
    out = tmp_path / "report.json"
    assert (
        f"Wrote {out}" in run(runner, "report", *d, "--format", "json", "--output", str(out)).output
    )
    written = json.loads(out.read_text(encoding="utf-8"))
    assert without_generated_at(written) == without_generated_at(report.model_dump(mode="json"))
    table = tmp_path / "report.csv"
    run(runner, "report", *d, "--format", "csv", "--output", str(table))
    assert table.read_text(encoding="utf-8") == report_csv(report)
    assert run(runner, "report", *d, "--format", "csv", "--output", "-").output == report_csv(
        report
    )
    pdf = tmp_path / "report.pdf"
    run(runner, "report", *d, "--format", "pdf", "--output", str(pdf))
    text = pdf_text(pdf.read_bytes())
    # The PDF's key figures are the report's (its layout is tests/test_report_render.py's).
    for figure in (
        "Test City",
        "18 Civil citations issued",
        "$1,040.00 of $3,700.00 assessed",
        "9 in 10 resolved within (90th percentile)",
        "29.4 days",
    ):
        assert figure in text, figure


def test_cli_limits_to_areas(world: World, runner: CliRunner) -> None:
    d = ["--database", world.url, "--from", "2026-08-01", "--to", "2026-11-30"]
    out = run(runner, "report", *d, "--area", "Westlake", "--format", "csv", "--output", "-")
    assert out.output == report_csv(world.report(["Westlake"]))
    both = run(
        runner,
        "report",
        *d,
        "--area",
        "Westlake",
        "--area",
        "Central",
        "--format",
        "json",
        "--output",
        "-",
    )
    document = json.loads(both.output)
    assert document["areas"] == ["Westlake", "Central"] and document["issued_total"] == 18


def test_cli_refuses_bad_dates(world: World, runner: CliRunner) -> None:
    d = ["--database", world.url, "--format", "json"]
    backwards = run(runner, "report", *d, "--from", "2026-11-30", "--to", "2026-08-01", code=2)
    assert "--to is before --from" in backwards.output
    bad = run(runner, "report", *d, "--from", "2026-02-30", "--to", "2026-03-01", code=2)
    assert "'2026-02-30' does not match the format '%Y-%m-%d'" in bad.output
    assert (
        "Missing option '--to'" in run(runner, "report", *d, "--from", "2026-01-01", code=2).output
    )


# The API


@pytest.fixture(scope="module")
def api(world: World) -> Iterator[tuple[TestClient, dict[str, str]]]:
    secrets: dict[str, str] = {}
    with transaction(world.program.engine) as session:
        for role, agency in [
            ("attorney", None),
            ("admin", None),
            ("auditor", None),
            ("clerk", None),
            ("officer", "DCPD"),
        ]:
            _, secrets[role] = create_token(
                session, role=role, agency=agency, name=f"report {role}", actor=OPERATOR, now=NOW
            )
    with TestClient(create_app(world.url), raise_server_exceptions=False) as client:
        yield client, secrets


def get(api: tuple[TestClient, dict[str, str]], role: str | None, **query: Any) -> Any:
    client, secrets = api
    headers = {"Authorization": f"Bearer {secrets[role]}"} if role else {}
    return client.get("/v1/reports/program", params=query, headers=headers)


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["type"], body["status"]) == (f"/problems/{kind}", status)
    return body


@pytest.mark.parametrize("role", ["attorney", "admin", "auditor"])
def test_api_reads_the_report_in_each_format(
    world: World, api: tuple[TestClient, dict[str, str]], role: str
) -> None:
    report = world.report()
    as_json = get(api, role, **PERIOD)  # JSON unless asked otherwise
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["content-type"] == "application/json"
    assert without_generated_at(as_json.json()) == without_generated_at(
        report.model_dump(mode="json")
    )
    as_csv = get(api, role, **PERIOD, format="csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text == report_csv(report)
    as_pdf = get(api, role, **PERIOD, format="pdf")
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")


def test_api_limits_to_areas(world: World, api: tuple[TestClient, dict[str, str]]) -> None:
    client, secrets = api
    response = client.get(
        "/v1/reports/program?from=2026-08-01&to=2026-11-30&area=Westlake&format=csv",
        headers={"Authorization": f"Bearer {secrets['attorney']}"},
    )
    assert response.text == report_csv(world.report(["Westlake"]))


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_api_refuses_other_roles(api: tuple[TestClient, dict[str, str]], role: str) -> None:
    assert_problem(get(api, role, **PERIOD), 403, "forbidden")


def test_api_needs_a_token(api: tuple[TestClient, dict[str, str]]) -> None:
    assert_problem(get(api, None, **PERIOD), 401, "unauthorized")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-30", "to": "2026-08-01"}, "to"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "yesterday", "to": "2026-03-01"}, "from"),
        ({"to": "2026-03-01"}, "from"),
        ({**PERIOD, "format": "xlsx"}, "format"),
    ],
)
def test_api_bad_queries_are_problems(
    api: tuple[TestClient, dict[str, str]], query: dict[str, str], field: str
) -> None:
    body = assert_problem(get(api, "attorney", **query), 422, "input-rejected")
    assert [error["field"] for error in body["errors"]] == [field]
