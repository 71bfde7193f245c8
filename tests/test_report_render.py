"""The program report as a PDF: key figures, every section's heading, charts in the embedded
fonts, text from the records printed literally, and an empty report that still renders."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pypdf import PdfReader

from citations.documents.templates import TEMPLATES_DIR
from citations.documents.wording import Wording
from citations.reports.model import (
    Count,
    EquityRow,
    HearingOutcome,
    Money,
    Outcome,
    ProgramReport,
    ReasonCount,
    RepeatRate,
)
from citations.reports.render import NoticeTemplateError, render_report
from tests.pdfs import font_names, pdf_text
from tests.test_report_reminders_words import SAMPLE_EXPERIMENTS

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONG_TITLE = (
    "Sitting, lying or sleeping on a public sidewalk, street or other public way between "
    "9 p.m. and 6 a.m. in violation of posted restrictions"
)
ORDINANCES = [
    ("LAMC 41.27(c)", "Drinking alcohol in public", 412),
    ("LAMC 42.00(b)", "Sidewalk vending without a permit", 268),
    ("LAMC 112.04(c)", "Loud and raucous noise", 187),
    ("LAMC 41.18(d)", LONG_TITLE, 96),
    ("LAMC 53.06.2", "Dog off leash", 74),
    ("LAMC 56.11", "Storage of personal property", 51),
    ("LAMC 63.44(b)", "Park after hours", 39),
    ("LAMC 41.45", "Transit fare evasion <b>&amp;</b> loitering", 22),
    ("LAMC 80.73", "Blocking a driveway", 14),
    ("LAMC 41.50", "Smoking in a prohibited area", 9),
    ("LAMC 85.02", "Dwelling in a vehicle", 7),
    ("LAMC 41.57", "Loitering near a school", 5),
    ("LAMC 12.21", "Unpermitted yard sale", 3),
    ("LAMC 56.15", "Bicycle riding on sidewalk", 2),
]
AREAS = [
    ("Central", 402),
    ("Harbor", 231),
    ("Hollywood", 198),
    ("Southeast", 171),
    ("Van Nuys", 96),
    ("West Valley", 61),
    ("Foothill", 12),
    ("中央區", 8),
]


# Factories


def make_report(**changes: Any) -> ProgramReport:
    """A year of a busy program, with every section filled and some awkward text."""
    issued = sum(count for _, _, count in ORDINANCES)
    months = [88, 95, 104, 97, 110, 101, 92, 99, 108, 103, 96]
    months.append(issued - sum(months))
    outcomes = {
        "paid": 421,
        "paid_by_plan": 88,
        "served": 71,
        "diverted": 38,
        "dismissed": 96,
        "reduced": 42,
        "waived": 55,
        "voided": 11,
        "delinquent": 130,
        "in_collections": 97,
        "open": 140,
    }
    assert sum(outcomes.values()) == issued
    values: dict[str, Any] = {
        "jurisdiction_name": "City of Los Angeles",
        "currency": "USD",
        "locale": "en_US",
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 31),
        "areas": [],
        "generated_at": datetime(2027, 3, 2, 9, 30, tzinfo=LOS_ANGELES),
        "issued_total": issued,
        "referred_total": 64,
        "declined_total": 23,
        "warnings_total": 317,
        "issued_by_ordinance": [
            Count(key=code, label=title, count=count) for code, title, count in ORDINANCES
        ],
        "issued_by_month": [
            Count(key=f"2026-{m + 1:02d}", label=date(2026, m + 1, 1).strftime("%b %Y"), count=c)
            for m, c in enumerate(months)
        ],
        "issued_by_area": [Count(key=area, label=area, count=count) for area, count in AREAS],
        "referral_reasons": [
            ReasonCount(
                kind="criminal_only",
                count=31,
                examples=[
                    "LAMC 41.18(a) is criminal only: refer to the City Attorney",
                    "Weapon involved <b>& threats</b> reported",
                ],
            ),
            ReasonCount(
                kind="too_many_priors",
                count=19,
                examples=["4 priors for LAMC 41.27(c) within 12 months; at most 3 allowed"],
            ),
            ReasonCount(kind="under_age", count=9, examples=["Subject is 16; minimum age 18"]),
            ReasonCount(kind="screening", count=5, examples=[]),
        ],
        "declined_reasons": [
            ReasonCount(
                kind="declined",
                count=23,
                examples=[
                    "Officer declined to cite: person agreed to leave the park",
                    "Officer declined to cite: referred to outreach team\nfor shelter",
                    "Officer declined to cite: first contact, warning given",
                ],
            )
        ],
        "outcomes": [
            Outcome(outcome=name, count=count, share=(Decimal(count) / issued).quantize(Q))
            for name, count in outcomes.items()
        ],
        "days_to_resolution_median": Decimal("34.5"),
        "days_to_resolution_p90": Decimal("118"),
        "resolved_count": 822,
        "money": Money(
            assessed=Decimal("214850.00"),
            collected=Decimal("121345.50"),
            waived=Decimal("18200.00"),
            reduced=Decimal("23675.00"),
            converted_to_service=Decimal("14900.00"),
            outstanding=Decimal("36729.50"),
        ),
        "service_hours_completed": Decimal("1862.5"),
        "hearing_outcomes": [
            HearingOutcome(
                tier="review", hearing_officer=None, upheld=88, dismissed=31, reduced=24, default=0
            ),
            HearingOutcome(
                tier="hearing", hearing_officer=None, upheld=41, dismissed=22, reduced=18, default=9
            ),
            HearingOutcome(
                tier="hearing",
                hearing_officer="Hon. Maria Delgado-Fitzgerald",
                upheld=15,
                dismissed=12,
                reduced=7,
                default=3,
            ),
            HearingOutcome(
                tier="hearing",
                hearing_officer="J. Okafor",
                upheld=20,
                dismissed=4,
                reduced=6,
                default=5,
            ),
            HearingOutcome(
                tier="hearing", hearing_officer="李明", upheld=6, dismissed=6, reduced=5, default=1
            ),
        ],
        "repeat_rates": [
            repeat("LAMC 41.27(c)", "Drinking alcohol in public", 301, 52, 60),
            repeat("LAMC 42.00(b)", "Sidewalk vending without a permit", 190, 61, 55),
            repeat("LAMC 112.04(c)", "Loud and raucous noise", 133, 9, 12),
            repeat("LAMC 41.18(d)", LONG_TITLE, 71, 22, 20),
            repeat("LAMC 53.06.2", "Dog off leash", 55, 4, 5),
            repeat("LAMC 41.45", "Transit fare evasion <b>&amp;</b> loitering", 12, 3, 3),
        ],
        "equity": [
            *(
                equity("area", area, count, share)
                for (area, count), share in zip(
                    AREAS, (0.14, 0.22, 0.11, 0.31, 0.09, 0.12, 0.25, 0.5), strict=True
                )
            ),
            equity("language", "en", 811, 0.15),
            equity("language", "es", 301, 0.24),
            equity("language", "zh", 22, 0.32),
            equity("language", "ko", 14, 0.21),
            equity("language", "(none)", 31, 0.35),
        ],
    }
    values.update(changes)
    return ProgramReport(**values)


Q = Decimal("0.0001")


def repeat(code: str, title: str, people: int, six: int, twelve: int) -> RepeatRate:
    """Two in three of the people cited have had 12 months to be cited again."""
    people_12 = people * 2 // 3
    return RepeatRate(
        ordinance=code,
        title=title,
        people=people,
        people_12_months=people_12,
        again_6_months=six,
        again_12_months=twelve,
        rate_6_months=(Decimal(six) / people).quantize(Q),
        rate_12_months=(Decimal(twelve) / people_12).quantize(Q),
    )


def equity(dimension: str, value: str, issued: int, delinquency: float) -> EquityRow:
    delinquent = round(issued * delinquency * 0.6)
    collections = round(issued * delinquency * 0.4)
    alternatives = round(issued * (0.3 - delinquency / 2))
    return EquityRow(
        dimension=dimension,
        value=value,
        issued=issued,
        delinquent=delinquent,
        in_collections=collections,
        alternatives=alternatives,
        delinquency_rate=(Decimal(delinquent + collections) / issued).quantize(Q),
        collections_rate=(Decimal(collections) / issued).quantize(Q),
        alternatives_rate=(Decimal(alternatives) / issued).quantize(Q),
    )


def make_empty_report(**changes: Any) -> ProgramReport:
    """A period in which nothing happened (a new program, or an area with no citations)."""
    values: dict[str, Any] = {
        "jurisdiction_name": "City of Los Angeles",
        "currency": "USD",
        "locale": "en_US",
        "start": date(2027, 1, 1),
        "end": date(2027, 1, 31),
        "areas": ["Harbor"],
        "generated_at": datetime(2027, 2, 1, 8, 0, tzinfo=LOS_ANGELES),
        "issued_total": 0,
        "referred_total": 0,
        "declined_total": 0,
        "warnings_total": 0,
        "issued_by_ordinance": [],
        "issued_by_month": [],
        "issued_by_area": [],
        "referral_reasons": [],
        "declined_reasons": [],
        "outcomes": [],
        "days_to_resolution_median": None,
        "days_to_resolution_p90": None,
        "resolved_count": 0,
        "money": Money(
            assessed=Decimal("0"),
            collected=Decimal("0"),
            waived=Decimal("0"),
            reduced=Decimal("0"),
            converted_to_service=Decimal("0"),
            outstanding=Decimal("0"),
        ),
        "service_hours_completed": Decimal("0"),
        "hearing_outcomes": [],
        "repeat_rates": [],
        "equity": [],
    }
    values.update(changes)
    return ProgramReport(**values)


# Reading the PDFs


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_report(make_report())


@pytest.fixture(scope="module")
def text(pdf: bytes) -> str:
    return pdf_text(pdf)


# The cover


def test_cover_names_the_period_the_areas_and_when(pdf: bytes) -> None:
    cover = page_texts(pdf)[0]
    assert cover.startswith("City of Los Angeles Administrative Citation Program Report")
    assert "January 1, 2026 to December 31, 2026" in cover
    assert "Areas All areas" in cover
    assert "March 2, 2027 at 9:30 AM" in cover


def test_key_figures_are_on_the_cover_in_large_type(pdf: bytes) -> None:
    cover = page_texts(pdf)[0]
    for figure in (
        "1,189 Civil citations issued",
        "317 Warnings given",
        "64 Referred",
        "23 Declined by the officer",
        "69.1% Resolved (822 of 1,189 citations)",
        "34.5 days Median time to resolution",
        "118 days 9 in 10 resolved within",
        "56.5% Collected: $121,345.50 of $214,850.00 assessed",
    ):
        assert figure in cover
    sizes: dict[str, float] = {}

    def visitor(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = max(size * tm[0], sizes.get(text.strip(), 0))

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visitor)
    assert sizes["1,189"] >= 18
    assert sizes["69.1%"] >= 18


def test_the_plain_reading_sums_up(pdf: bytes) -> None:
    cover = page_texts(pdf)[0]
    assert "officers issued 1,189 civil citations instead of making arrests" in cover
    assert "69.1% of the citations are resolved: half within 34.5 days" in cover
    assert "nine in ten within 118 days" in cover
    assert "The most common outcome is “Paid in full” (35.4%)" in cover
    assert "$121,345.50 (56.5%) was collected" in cover
    assert "1,862.5 hours of community service" in cover
    # The highest delinquency among areas large enough to compare (not Foothill, 12 cited).
    assert "Delinquency was highest in Southeast (31.0% of its citations" in cover


# The sections


def test_every_section_has_its_heading(text: str) -> None:
    for heading in (
        "Citations issued",
        "By month",
        "By ordinance",
        "By area",
        "Outcomes",
        "Referred and declined cases",
        "Money",
        "Reviews and hearings",
        "Repeat citations",
        "Who bears the burden",
        "By preferred language",
    ):
        assert heading in text


def test_citations_issued_tables(text: str) -> None:
    assert "the busiest month was" in text
    assert "LAMC 41.27(c) Drinking alcohol in public 412 34.7%" in text
    # The long title is whole in the table; the chart's label is cut with an ellipsis.
    assert "between 9 p.m. and 6 a.m. in violation of posted restrictions 96 8.1%" in text
    assert "LAMC 41.18(d) Sitting, lying or sleeping on a public sidewalk… LAMC 53.06.2" in text
    # Fourteen ordinances: the chart shows the twelve largest.
    assert "The chart shows the 12 largest of 14; the table lists all of them." in text
    assert "Central 402 33.8%" in text
    assert "中央區 8 0.7%" in text


def test_outcomes_table(text: str) -> None:
    assert "Paid in full 421 35.4%" in text
    assert "Sent to collections 97 8.2%" in text
    assert "Still open 140 11.8%" in text


def test_reasons_print_examples_literally(text: str) -> None:
    assert "Criminal-only ordinance 31 48.4%" in text
    assert "Weapon involved <b>& threats</b> reported" in text
    assert "referred to outreach team for shelter" in text
    assert "A screening answer 5 7.8% No examples recorded." in text
    assert "Officer declined to cite 23 100.0%" in text


def test_money_section(text: str) -> None:
    assert "Collected Payments and deposits, less reversals and refunds $121,345.50 56.5%" in text
    assert "Outstanding Still owed $36,729.50 17.1%" in text
    assert "$121.3K" in text  # the chart's label
    assert "1,862.5 hours of community service were completed" in text


def test_hearings_by_tier_and_officer(text: str) -> None:
    # Upheld, reduced, dismissed, default, total, and the share dismissed or reduced.
    assert "Initial review 88 24 31 0 143 38.5%" in text
    assert "Administrative hearing 41 18 22 9 90 44.4% Hon. Maria Delgado-Fitzgerald" in text
    assert "J. Okafor 20 6 4 5 35 28.6%" in text
    # The chart's labels switch to the CJK font mid-label.
    assert "Hearing: J. Okafor Hearing: 李明" in text
    assert "233 contests were decided" in text


def test_repeat_rates_with_the_window_note(text: str) -> None:
    assert "LAMC 42.00(b) Sidewalk vending without a permit 190 61 32.1% 126 55 43.7%" in text
    assert "Only people whose follow-up window has fully passed" in text


def test_equity_by_area_and_language(text: str) -> None:
    assert "Southeast 171" in text
    assert "Spanish 301" in text
    assert "Not recorded 31" in text  # no language recorded
    assert "All 1,179" in text  # the areas' total row


# The PDF itself


def test_only_embedded_fonts_never_helvetica(pdf: bytes) -> None:
    names = font_names(pdf)
    # Subset fonts are named "ABCDEF+Name"; the standard 14 fonts have bare names.
    assert all(re.fullmatch(r"/[A-Z]{6}\+[\w-]+", font) for font in names), names
    assert any(font.endswith("+DroidSansFallback") for font in names)
    assert b"Helvetica" not in pdf


def test_several_letter_pages_with_a_footer(pdf: bytes) -> None:
    reader = PdfReader(BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 5
    for number, page in enumerate(reader.pages, start=1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
        assert f"Page {number} of {pages}" in " ".join(page.extract_text().split())


def test_same_report_same_bytes_and_a_title(pdf: bytes) -> None:
    assert render_report(make_report()) == pdf
    metadata = PdfReader(BytesIO(pdf)).metadata
    assert metadata is not None
    assert metadata.title is not None
    title = metadata.title.replace("\N{NO-BREAK SPACE}", " ")
    assert title == "Citation program report, Jan 1, 2026 to Dec 31, 2026"


def test_empty_report_says_so_in_each_section() -> None:
    pdf = render_report(make_empty_report())
    text = pdf_text(pdf)
    assert "Areas Harbor" in text
    assert "— Resolved (0 of 0 citations)" in text
    assert "No civil citations were issued from January 1, 2027 to January 31, 2027" in text
    for sentence in (
        "No citations were issued, so there are no outcomes to show.",
        "No cases were referred in this period.",
        "No cases were declined in this period.",
        "No money was assessed or collected for these citations.",
        "No reviews or hearings were decided for these citations.",
        "repeat rates cannot be computed",
        "No citations to compare by area.",
        "No citations to compare by language.",
    ):
        assert sentence in text
    assert all(re.fullmatch(r"/[A-Z]{6}\+[\w-]+", font) for font in font_names(pdf))


def test_a_report_with_only_some_sections() -> None:
    report = make_empty_report(
        issued_total=3,
        issued_by_month=[Count(key="2027-01", label="Jan 2027", count=3)],
        issued_by_ordinance=[Count(key="LAMC 41.27(c)", label="Drinking in public", count=3)],
        outcomes=[Outcome(outcome="open", count=3, share=Decimal("1"))],
        hearing_outcomes=[
            HearingOutcome(
                tier="review", hearing_officer=None, upheld=0, dismissed=0, reduced=0, default=0
            )
        ],
        service_hours_completed=Decimal("4"),
    )
    text = pdf_text(render_report(report))
    assert "Still open 3 100.0%" in text
    assert "No citations were issued in this period." in text  # by area: none recorded
    assert "No reviews or hearings were decided" in text
    assert "4 hours of community service were completed" in text


def test_many_rows_odd_values_and_unknown_outcomes_still_read() -> None:
    months = [
        Count(key=f"{2024 + i // 12}-{i % 12 + 1:02d}", label=f"Month {i}", count=(i * 37) % 90)
        for i in range(36)
    ]
    areas = [
        Count(key=f"d{i}", label=f"Neighborhood council district number {i}", count=300 - i)
        for i in range(20)
    ]
    officers = [
        HearingOutcome(
            tier="hearing",
            hearing_officer=f"Officer {i}",
            upheld=i,
            dismissed=1,
            reduced=0,
            default=0,
        )
        for i in range(30)
    ]
    report = make_report(
        jurisdiction_name="City of <Angels> & 天使之城",
        issued_by_month=months,
        issued_by_area=areas,
        hearing_outcomes=officers,
        outcomes=[Outcome(outcome="mystery_<x>", count=5, share=Decimal("1"))],
        equity=[equity("area", area.label, area.count, 0.2) for area in areas],
        money=Money(
            assessed=Decimal("0"),
            collected=Decimal("1500"),
            waived=Decimal("0"),
            reduced=Decimal("0"),
            converted_to_service=Decimal("0"),
            outstanding=Decimal("-1500"),
        ),
    )
    pdf = render_report(report)
    text = pdf_text(pdf)
    assert text.startswith("City of <Angels> & 天使之城")
    # Three years of months: a label every third month, each with its year (names come back).
    assert "Jan 2024 Apr 2024 Jul 2024 Oct 2024 Jan 2025 Apr 2025" in text
    # Similar names are cut in the middle, so the chart still tells them apart.
    assert "Neighborhood council dis… number 10" in text
    assert "The chart shows the 12 largest of 20; the table lists all of them." in text
    # Each tier's total, then the busiest hearing officers, 24 rows in all.
    assert "The chart shows the 24 largest of 31" in text
    assert "Hearing: Officer 29" in text and "Hearing: Officer 5 " not in text
    assert "mystery_<x> 5 100.0%" in text
    assert "-$1,500.00" in text and "-$1.5K" in text
    assert all(re.fullmatch(r"/[A-Z]{6}\+[\w-]+", font) for font in font_names(pdf))


# Wording


def test_every_wording_key_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key in report/en.yaml is left over from an earlier layout (or misspelled)."""
    used: set[str] = set()
    render = Wording.render

    def recording(self: Wording, key: str, variables: Mapping[str, object]) -> str:
        used.add(key)
        return render(self, key, variables)

    monkeypatch.setattr(Wording, "render", recording)
    area = [Count(key="Harbor", label="Harbor", count=2)]
    month = [Count(key="2027-01", label="Jan 2027", count=2)]
    zero = Decimal("0")
    paid_only = Money(
        assessed=zero,
        collected=Decimal("5"),
        waived=zero,
        reduced=zero,
        converted_to_service=zero,
        outstanding=Decimal("-5"),
    )
    for report in (
        make_report(),
        make_empty_report(),
        # Citations issued but some lists empty (e.g. areas not recorded); money paid on
        # citations whose fines were assessed in an earlier period.
        make_empty_report(issued_total=2, issued_by_area=area, money=paid_only),
        make_empty_report(issued_total=2, issued_by_month=month),
        # A period starting inside a month.
        make_empty_report(issued_total=2, issued_by_month=month, start=date(2027, 1, 20)),
        make_report(experiments=SAMPLE_EXPERIMENTS),  # tests/test_report_reminders_words.py
    ):
        render_report(report)
    keys = yaml.safe_load((TEMPLATES_DIR / "report" / "en.yaml").read_text("utf-8"))
    assert set(keys) == used


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real report wording to break."""
    shutil.copytree(TEMPLATES_DIR / "report", tmp_path / "report")
    return tmp_path


def test_a_broken_template_names_the_file_and_key(templates: Path) -> None:
    path = templates / "report" / "en.yaml"
    source = path.read_text("utf-8")
    path.write_text(source.replace("heading_money: Money", "heading_money: '{{ nope }}'"))
    with pytest.raises(NoticeTemplateError, match="heading_money") as error:
        render_report(make_report(), templates)
    assert error.value.path == path


def test_staff_edit_headings_without_code(templates: Path) -> None:
    path = templates / "report" / "en.yaml"
    source = path.read_text("utf-8")
    path.write_text(source.replace("heading_money: Money", "heading_money: Fines and fees"))
    assert "Fines and fees" in pdf_text(render_report(make_report(), templates))
