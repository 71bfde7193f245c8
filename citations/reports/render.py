"""Lay out the program report as a PDF a council member reads at a glance: key figures on the
cover, then one section per question (citations issued, outcomes, referred and declined cases,
money, reviews and hearings, repeat citations, who bears the burden), each with a chart drawn
with reportlab's own graphics and the table behind it.

The figures come from `citations.reports.model.ProgramReport`; the words from
`templates/report/en.yaml` (edited by city staff); fonts, wording, formatting helpers, styles,
tables and the "page X of Y" footer are the shared ones of `citations.notice.layout`. Chart
text is drawn in the same embedded fonts as the rest, never the PDF standard fonts, and a
label mixing scripts (an officer's name in Chinese) switches font mid-label as paragraphs do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_percent
from markupsafe import escape
from reportlab.graphics.charts.areas import PlotArea
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import Marker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from citations.notice.fonts import BOLD, FALLBACK, REGULAR, register_fonts, with_fallback
from citations.notice.formats import helpers
from citations.notice.layout import INK, NAVY, RULE, SHADE, Cell, Layout, box, table
from citations.notice.render import TEMPLATES_DIR
from citations.notice.wording import NoticeTemplateError, clean, load_wording, plain_text
from citations.reports.model import (
    Count,
    EquityRow,
    HearingOutcome,
    Outcome,
    ProgramReport,
    ReasonCount,
    RepeatRate,
)

__all__ = ["TEMPLATES_DIR", "NoticeTemplateError", "render_report", "share_text"]

REPORT = "report"
"""The wording folder under the templates folder."""
LANGUAGE = "en"
"""The report is for staff and city leaders: English only (another language is a YAML file)."""

SMALL_GROUP = 20
"""Rows with fewer people or citations than this are printed in grey: too few to compare."""
MOST_BARS = 12
"""A chart shows at most this many rows (the largest); its table always lists all of them."""

# Colours a reader tells apart with the common kinds of colour blindness (Okabe and Ito).
BLUE = colors.HexColor("#0072b2")
SKY = colors.HexColor("#56b4e9")
GREEN = colors.HexColor("#009e73")
MINT = colors.HexColor("#8fd3b8")
ORANGE = colors.HexColor("#e69f00")
VERMILLION = colors.HexColor("#d55e00")
PURPLE = colors.HexColor("#cc79a7")
PINK = colors.HexColor("#e8b9d2")
GREY = colors.HexColor("#8a8f96")
PALE = colors.HexColor("#c9d0d8")
FOG = colors.HexColor("#e3e8ee")
GRID = colors.HexColor("#dfe4ea")
MUTED = colors.HexColor("#7a828c")

OUTCOME_COLOURS = {
    "paid": BLUE,
    "paid_by_plan": SKY,
    "paid_reduced_for_inability": colors.HexColor("#2b5d8a"),
    "served": GREEN,
    "diverted": MINT,
    "waived": PURPLE,
    "reduced": PINK,
    "dismissed": GREY,
    "voided": PALE,
    "open": FOG,
    "delinquent": ORANGE,
    "in_collections": VERMILLION,
}
"""Also the order outcomes are shown in: paid, relieved, closed otherwise, open, then late."""
OTHER_COLOURS = (colors.HexColor("#4d6a8a"), colors.HexColor("#a8b8c8"), colors.HexColor("#6b6b6b"))

HEARING_OUTCOMES = (("upheld", NAVY), ("reduced", SKY), ("dismissed", GREEN), ("default", ORANGE))
MONEY_ITEMS = (
    ("assessed", NAVY),
    ("collected", BLUE),
    ("waived", PURPLE),
    ("reduced", GREY),
    ("converted", GREEN),
    ("outstanding", VERMILLION),
)
EQUITY_RATES = (("delinquency", ORANGE), ("collections", VERMILLION), ("alternatives", GREEN))

AXIS_SIZE = 7.0
LABEL_SIZE = 7.5

SHARE = [("col_share", True)]
"""The share column of a table (a wording key, right-aligned)."""

Part = tuple[list[Flowable], list[Flowable]]
"""A subsection: the head that must stay together (heading and chart), then what may flow."""


def render_report(report: ProgramReport, templates_dir: Path | None = None) -> bytes:
    """Render the program report as PDF bytes (US Letter portrait, several pages).

    A cover with the period, the areas, the key figures in large type, where the citations
    stand and a plain reading; then the citations issued by month, ordinance and area;
    outcomes; referred and declined cases with example reasons; money; reviews and hearings
    by tier and hearing officer; repeat citations; and delinquency, collections and
    alternatives by area and language. A section without data says so in a sentence. Wording
    from `templates_dir/report/en.yaml` (by default the repository's `TEMPLATES_DIR`); a
    missing or broken template raises `NoticeTemplateError` naming the file and the key.

    Example::

        Path("report.pdf").write_bytes(render_report(report))
    """
    layout = _Report(report, TEMPLATES_DIR if templates_dir is None else templates_dir)
    return layout.build(layout.story(), author=report.jurisdiction_name, language=LANGUAGE)


def share_text(value: Decimal, locale: str = "en_US") -> str:
    """A share from 0 to 1 as a percent with one decimal, as the report prints it.

    >>> share_text(Decimal("0.125")), share_text(Decimal("0.3465")), share_text(Decimal("1"))
    ('12.5%', '34.7%', '100.0%')
    """
    if value is None:
        raise TypeError("rate() was given no value (None)")
    # Rounded half up here: babel would round half to even (34.65% as 34.6%).
    tenths = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(format_percent(tenths / 100, "#,##0.0%", locale=locale))


# Figures the wording uses that the report does not hold as such


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


def _largest(counts: Sequence[Count]) -> Count | None:
    """The largest count (the first of equals), or None when every count is zero."""
    best = max(counts, key=lambda item: item.count, default=None)
    return best if best is not None and best.count > 0 else None


def _decided(row: HearingOutcome) -> int:
    return row.upheld + row.reduced + row.dismissed + row.default


def _tier_totals(rows: Sequence[HearingOutcome]) -> list[HearingOutcome]:
    """Each tier's total row; summed from its officers' rows when the report has none."""
    totals = [row for row in rows if row.hearing_officer is None]
    known = {row.tier for row in totals}
    for tier in dict.fromkeys(row.tier for row in rows if row.tier not in known):
        members = [row for row in rows if row.tier == tier]
        totals.append(
            HearingOutcome(
                tier=tier,
                hearing_officer=None,
                upheld=sum(row.upheld for row in members),
                dismissed=sum(row.dismissed for row in members),
                reduced=sum(row.reduced for row in members),
                default=sum(row.default for row in members),
            )
        )
    return totals


def _equity_total(rows: Sequence[EquityRow], dimension: str) -> EquityRow:
    """All rows of a dimension together, rates weighted by the citations issued."""
    issued = sum(row.issued for row in rows)

    def weighted(name: str) -> Decimal:
        total = sum((getattr(row, name) * row.issued for row in rows), Decimal(0))
        return (total / issued).quantize(Decimal("0.0001")) if issued else Decimal(0)

    return EquityRow(
        dimension=dimension,
        value="",
        issued=issued,
        delinquent=sum(row.delinquent for row in rows),
        in_collections=sum(row.in_collections for row in rows),
        alternatives=sum(row.alternatives for row in rows),
        delinquency_rate=weighted("delinquency_rate"),
        collections_rate=weighted("collections_rate"),
        alternatives_rate=weighted("alternatives_rate"),
    )


def _variables(report: ProgramReport) -> dict[str, object]:
    variables: dict[str, object] = {
        name: getattr(report, name) for name in type(report).model_fields if name != "money"
    }
    # `money` is the formatting helper, so the report's money figures are `amounts`.
    variables["amounts"] = report.money
    variables.update(helpers(LANGUAGE, report.locale, report.currency))
    variables["rate"] = lambda value: share_text(value, report.locale)
    variables["small_group"] = SMALL_GROUP
    variables["resolved_share"] = _ratio(report.resolved_count, report.issued_total)
    variables["collected_share"] = _ratio(report.money.collected, report.money.assessed)
    top = max(report.outcomes, key=lambda item: item.count, default=None)
    variables["top_outcome"] = top if top is not None and top.count > 0 else None
    variables["busiest_month"] = _largest(report.issued_by_month)
    top_ordinance = _largest(report.issued_by_ordinance)
    variables["top_ordinance"] = top_ordinance
    variables["top_ordinance_share"] = (
        None if top_ordinance is None else _ratio(top_ordinance.count, report.issued_total)
    )
    totals = _tier_totals(report.hearing_outcomes)
    decided = sum(_decided(row) for row in totals)
    variables["contests_decided"] = decided
    variables["relief_share"] = _ratio(sum(row.dismissed + row.reduced for row in totals), decided)
    areas = [row for row in report.equity if row.dimension == "area"]
    variables["area_delinquency_rate"] = _equity_total(areas, "area").delinquency_rate
    # The area with the most delinquency, among areas with enough citations to compare.
    compared = [row for row in areas if row.issued >= SMALL_GROUP]
    highest = max(compared, key=lambda row: row.delinquency_rate, default=None)
    variables["highest_delinquency"] = (
        highest if len(compared) > 1 and highest and highest.delinquency_rate > 0 else None
    )
    return variables


# Chart text: plain strings in the embedded fonts, switching to the CJK font where needed


def _label(text: str) -> str:
    """Text from the records as one clean line for a chart (no markup: drawn as written)."""
    return " ".join(clean(text).split())


def _runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """`text` cut into runs of one font each: the main font, or the fallback for CJK.

    >>> _runs("Hearing: 李明 (2)")
    [('Hearing: ', 'NoticeSans'), ('李明 ', 'NoticeCJK'), ('(2)', 'NoticeSans')]
    """
    coverage = register_fonts()
    main = BOLD if bold else REGULAR
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        if char.isspace() and runs:
            font = runs[-1][1]
        elif code not in coverage.main and code in coverage.fallback:
            font = FALLBACK
        else:
            font = main
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def _width(text: str, size: float = LABEL_SIZE, bold: bool = False) -> float:
    return sum(stringWidth(run, font, size) for run, font in _runs(text, bold))


def _strings(
    x: float,
    y: float,
    text: str,
    *,
    size: float = LABEL_SIZE,
    colour: colors.Color = INK,
    bold: bool = False,
    anchor: str = "start",
) -> list[String]:
    """`text` drawn from `x` (or ending at `x` when `anchor` is "end"), run by run."""
    if anchor == "end":
        x -= _width(text, size, bold)
    strings: list[String] = []
    for run, font in _runs(text, bold):
        strings.append(String(x, y, run, fontName=font, fontSize=size, fillColor=colour))
        x += stringWidth(run, font, size)
    return strings


def _fit(text: str, width: float, size: float = LABEL_SIZE, bold: bool = False) -> str:
    """`text` cut to `width` with an ellipsis, at a word's end when that loses little.

    >>> _fit("Sitting, lying or sleeping on a public sidewalk", 100)
    'Sitting, lying or sleeping…'
    """
    if not text or _width(text, size, bold) <= width:
        return text
    cut = len(text)
    while cut > 1 and _width(text[:cut].rstrip() + "…", size, bold) > width:
        cut -= 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > cut * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:-–—(") + "…"


def _fit_middle(text: str, width: float, size: float = LABEL_SIZE, bold: bool = False) -> str:
    """`text` cut to `width` in the middle, keeping its end (what tells similar names apart).

    >>> _fit_middle("Neighborhood council district number 12", 110)
    'Neighborhood… number 12'
    """
    if not text or _width(text, size, bold) <= width:
        return text
    start = len(text)
    while start > 0 and _width(text[start - 1 :], size, bold) <= width * 0.4:
        start -= 1
    space = text.find(" ", start)
    tail = text[space + 1 :] if 0 <= space < len(text) - 1 else text[start:]
    cut = len(text) - len(tail)
    while cut > 1 and _width(text[:cut].rstrip() + "… " + tail, size, bold) > width:
        cut -= 1
    return text[:cut].rstrip(" ,;:-–—(") + "… " + tail


def _fit_all(texts: Sequence[str], width: float, bold: Sequence[bool]) -> list[str]:
    """Each text cut to `width` at its end; in the middle where cutting the end would leave
    two different names looking the same."""
    ends = [_fit(text, width, bold=b) for text, b in zip(texts, bold, strict=True)]
    clashes = {end for end in ends if ends.count(end) > 1}
    return [
        _fit_middle(text, width, bold=b) if end in clashes and end != text else end
        for text, end, b in zip(texts, ends, bold, strict=True)
    ]


def _scale(low: float, high: float, integer: bool) -> tuple[float, float, float]:
    """A value axis from `low` to `high` in round steps: (minimum, maximum, step).

    >>> _scale(0, 87, True), _scale(0, 0, True), _scale(-1500, 1500, False)
    ((0.0, 100.0, 20.0), (0.0, 5.0, 1.0), (-2000.0, 2000.0, 1000.0))
    """
    span = max(high - low, 0)
    if span == 0:
        return (0.0, 5.0, 1.0) if integer else (0.0, 1.0, 0.2)
    raw = span / 5
    magnitude = 10.0 ** math.floor(math.log10(raw))
    choices = (1, 2, 5, 10) if integer and magnitude < 10 else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in choices if m * magnitude >= raw)
    if integer:
        step = float(max(1, round(step)))
    bottom = math.floor(low / step) * step if low < 0 else 0.0
    top = math.ceil(high / step) * step if high > 0 else step
    return float(bottom), float(top), step


def _light(colour: colors.Color) -> bool:
    """Whether dark text reads better than white on this colour."""
    return bool(0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue > 0.6)


# Charts


@dataclass(frozen=True)
class Series:
    """One set of bars: its legend name, values, the label at each bar, and its colour."""

    name: str
    values: list[float]
    labels: list[str]
    colour: colors.Color


def legend(items: Sequence[tuple[str, colors.Color]], width: float) -> Drawing:
    """Colour swatches and names in a row, wrapping onto more rows when needed."""
    x, row = 0.0, 0
    placed: list[tuple[float, int, str, colors.Color]] = []
    for name, colour in items:
        wide = 12 + _width(name) + 14
        if x and x + wide > width:
            x, row = 0.0, row + 1
        placed.append((x, row, name, colour))
        x += wide
    height = 12.0 * (row + 1)
    drawing = Drawing(width, height, initialFontName=REGULAR)
    for left, line, name, colour in placed:
        bottom = height - 12 * (line + 1) + 2
        swatch = Rect(left, bottom, 8, 8)
        swatch.fillColor, swatch.strokeColor = colour, None
        drawing.add(swatch)
        for string in _strings(left + 12, bottom + 1, name):
            drawing.add(string)
    return drawing


def _place(chart: PlotArea, x: float, y: float, width: float, height: float) -> None:
    # Fractional points are fine; the type stubs only say int.
    chart.setProperties({"x": x, "y": y, "width": width, "height": height})


def _value_axis(
    axis: Any, bottom: float, top: float, step: float, text: Callable[..., str]
) -> None:
    axis.labels.fontName = REGULAR
    axis.labels.fontSize = AXIS_SIZE
    axis.labels.fillColor = INK
    axis.valueMin, axis.valueMax, axis.valueStep = bottom, top, step
    axis.labelTextFormat = text
    axis.visibleGrid = 1
    axis.visibleTicks = 0
    axis.gridStrokeColor = GRID
    axis.gridStrokeWidth = 0.5
    axis.visibleAxis = 0


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    width: float,
    axis_text: Callable[[float], str],
    *,
    integer: bool = False,
    stacked: bool = False,
    bold: Sequence[bool] = (),
    grey: Sequence[bool] = (),
    bar_colours: Sequence[colors.Color] = (),
    label_share: float = 0.38,
    axis: bool = True,
) -> Drawing:
    """Horizontal bars, one row per category (the first at the top) with its name cut to fit,
    and a label at each bar: grouped when there are several series, or stacked to 100% with
    the labels inside the segments. `bold` and `grey` mark rows (totals, small groups)."""
    count = len(categories)
    is_bold = [bool(bold and bold[i]) for i in range(count)]
    is_grey = [bool(grey and grey[i]) for i in range(count)]
    room = width * label_share
    names = _fit_all([_label(name) for name in categories], room - 8, is_bold)
    left = min(
        room, max((_width(n, bold=b) for n, b in zip(names, is_bold, strict=True)), default=0) + 8
    )
    names_end = left - 5
    grouped = not stacked and len(series) > 1
    per_row = 9.0 * len(series) + 7 if grouped else 16.0
    if stacked:
        bottom, top, step = 0.0, 100.0, 25.0
        right = 4.0
    else:
        values = [v for s in series for v in s.values] + [0.0]
        bottom, top, step = _scale(min(values), max(values), integer)
        widths = [
            (value, stringWidth(text, REGULAR, AXIS_SIZE))
            for s in series
            for value, text in zip(s.values, s.labels, strict=True)
        ]
        right = max((w for v, w in widths if v >= 0), default=0) + 8
        # A label at the end of a bar below zero needs room left of the chart.
        left += max((w + 6 for v, w in widths if v < 0), default=0)
    base = 14.0 if axis else 2.0
    chart = HorizontalBarChart()
    _place(chart, left, base, max(width - left - right, 60), count * per_row)
    # Within a group the first series is drawn lowest: reversed, it reads top to bottom.
    drawn = list(reversed(series)) if grouped else list(series)
    chart.data = [list(s.values) for s in drawn]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.visibleLabels = 0  # drawn below, so that any script prints
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.strokeWidth = 0.6
    _value_axis(chart.valueAxis, bottom, top, step, axis_text)
    chart.valueAxis.visibleLabels = chart.valueAxis.visibleGrid = int(axis)
    chart.barWidth = 10
    chart.barSpacing = 1
    chart.groupSpacing = 7 if grouped else 5
    chart.bars.strokeColor = None
    for i, item in enumerate(drawn):
        chart.bars[i].fillColor = item.colour
    for j, colour in enumerate(bar_colours):
        chart.bars[(0, j)].fillColor = colour
    chart.barLabelFormat = "values"
    chart.barLabelArray = [list(s.labels) for s in drawn]
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = AXIS_SIZE
    if stacked:
        chart.categoryAxis.style = "stacked"
        chart.barLabels.boxTarget = "mid"
        chart.barLabels.boxAnchor = "c"
    else:
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
    for i, item in enumerate(drawn):
        for j in range(count):
            label = chart.barLabels[(i, j)]
            if stacked:
                label.fillColor = INK if _light(item.colour) else colors.white
            elif is_grey[j]:
                label.fillColor = MUTED
    drawing = Drawing(width, chart.height + base + 4, initialFontName=REGULAR)
    drawing.add(chart)
    band = chart.height / max(count, 1)
    for j, name in enumerate(names):
        middle = chart.y + chart.height - (j + 0.5) * band
        colour = MUTED if is_grey[j] else INK
        for string in _strings(
            names_end, middle - 2.6, name, colour=colour, bold=is_bold[j], anchor="end"
        ):
            drawing.add(string)
    return drawing


def line_chart(
    categories: Sequence[str], values: Sequence[int], labels: Sequence[str], width: float
) -> Drawing:
    """One line over the months with a marker, and the count above each point."""
    height = 150.0
    chart = HorizontalLineChart()
    _place(chart, 30, 24, width - 36, height - 34)
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = AXIS_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -3
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = RULE
    bottom, top, step = _scale(min([*values, 0]), max([*values, 0]), True)
    _value_axis(chart.valueAxis, bottom, top, step, lambda value: f"{value:,.0f}")
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 1.8
    marker = Marker(size=4.5, fillColor=BLUE)
    marker.kind = "FilledCircle"
    chart.lines[0].symbol = marker
    chart.lineLabelFormat = "values"
    chart.lineLabelArray = [list(labels)]
    chart.lineLabels.fontName = REGULAR
    chart.lineLabels.fontSize = AXIS_SIZE
    chart.lineLabels.fillColor = INK
    chart.lineLabels.dy = 7
    drawing = Drawing(width, height, initialFontName=REGULAR)
    drawing.add(chart)
    return drawing


def pie_chart(shares: Sequence[float], colours: Sequence[colors.Color], size: float) -> Drawing:
    """A pie from 12 o'clock clockwise, with the percent on each slice wide enough for it."""
    pie = Pie()
    _place(pie, 6, 6, size - 12, size - 12)
    pie.data = list(shares)
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.simpleLabels = 1
    pie.labels = [f"{share:.0f}%" if share >= 6 else "" for share in shares]
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    pie.slices.fontName = BOLD
    pie.slices.fontSize = LABEL_SIZE
    pie.slices.labelRadius = 0.7
    for i, colour in enumerate(colours):
        pie.slices[i].fillColor = colour
        pie.slices[i].fontColor = INK if _light(colour) else colors.white
    drawing = Drawing(size, size, initialFontName=REGULAR)
    drawing.add(pie)
    return drawing


def _month_name(item: Count, index: int, locale: str, every: int) -> str:
    """ "Jan" under a month (every `every` months), with its year under the first and Januaries."""
    if index % every:
        return ""
    try:
        year, month = (int(part) for part in item.key.split("-"))
        day = date(year, month, 1)
    except ValueError:
        return _label(item.label)
    name = str(format_date(day, "MMM", locale=locale))
    return f"{name}\n{year}" if index == 0 or month <= every else name


def _every_month(counts: Sequence[Count], locale: str) -> list[Count]:
    """The months in order, with a zero for each month between them that had no citations
    (a trend line must not skip a quiet month). Keys that are not YYYY-MM stay as given.

    >>> jan, apr = (Count(key=k, label=k, count=3) for k in ("2026-01", "2026-04"))
    >>> [(m.label, m.count) for m in _every_month([apr, jan], "en_US")]
    [('2026-01', 3), ('Feb 2026', 0), ('Mar 2026', 0), ('2026-04', 3)]
    """
    ordered = sorted(counts, key=lambda item: item.key)
    try:
        found = {(int(c.key[:4]), int(c.key[5:7])): c for c in ordered if c.key[4:5] == "-"}
    except ValueError:
        return ordered
    if not found or len(found) != len(ordered) or not all(1 <= m <= 12 for _, m in found):
        return ordered
    (year, month), last = min(found), max(found)
    result: list[Count] = []
    while (year, month) <= last:
        day = date(year, month, 1)
        empty = Count(
            key=f"{year:04d}-{month:02d}", label=format_date(day, "MMM y", locale=locale), count=0
        )
        result.append(found.get((year, month), empty))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


# The document


class _Report(Layout):
    def __init__(self, report: ProgramReport, templates_dir: Path) -> None:
        super().__init__(load_wording(templates_dir, LANGUAGE, REPORT), _variables(report))
        self.report = report
        self.formats = helpers(LANGUAGE, report.locale, report.currency)
        top = self.variables["top_outcome"]
        self.variables["top_outcome_name"] = (
            self.plain("outcome_name", outcome=top.outcome) if isinstance(top, Outcome) else None
        )
        self.add_styles()

    def add_styles(self) -> None:
        styles = self.styles

        def derive(name: str, parent: str = "body", **changes: Any) -> None:
            styles[name] = ParagraphStyle(name, parent=styles[parent], **changes)

        derive("cover_title", fontName=BOLD, fontSize=22, leading=26, textColor=NAVY)
        derive("subtitle", fontSize=11, leading=14, spaceAfter=4)
        derive("section", fontName=BOLD, fontSize=15, leading=18, textColor=NAVY, spaceBefore=10)
        derive("sub", fontName=BOLD, fontSize=10.5, leading=13, textColor=NAVY, spaceBefore=8)
        derive("figure", fontName=BOLD, fontSize=20, leading=24, textColor=NAVY, spaceAfter=1)
        derive("figure_label", fontSize=8, leading=10, spaceAfter=0)
        derive("reading", fontSize=10.5, leading=14.5, spaceAfter=0)
        derive("intro", fontSize=9.8, leading=13, spaceAfter=4)
        derive("note", fontSize=7.8, leading=9.8, textColor=MUTED, spaceAfter=2)
        derive("th_right", "th", alignment=TA_RIGHT)
        derive("th_centre", "th", alignment=TA_CENTER)
        derive("td_bold", "td", fontName=BOLD)
        derive("td_indent", "td", leftIndent=10)
        derive("td_right_bold", "td_right", fontName=BOLD)
        derive("td_grey", "td", textColor=MUTED)
        derive("td_right_grey", "td_right", textColor=MUTED)
        derive("example", "td", fontSize=7.6, leading=9.4, leftIndent=8, bulletFontName=REGULAR)

    # Pieces

    def plain(self, key: str, **extra: object) -> str:
        """A wording key as plain text, for chart labels."""
        return plain_text(self.text(key, **extra))

    def cell(self, text: str, style: str = "td") -> Paragraph:
        """Text from the records or a formatted number, escaped: printed exactly as written."""
        markup = str(escape(clean(text))).replace("\n", "<br/>")
        return Paragraph(with_fallback(markup), self.styles[style])

    def number(self, value: Decimal | int) -> str:
        return self.formats["number"](value)

    def rate(self, value: Decimal | None) -> str:
        return self.plain("none") if value is None else share_text(value, self.report.locale)

    def compact_money(self, value: float | Decimal) -> str:
        return str(
            format_compact_currency(
                value, self.report.currency, locale=self.report.locale, fraction_digits=1
            )
        )

    def section_heading(self, key: str) -> list[Flowable]:
        return [
            self.para(key, "section"),
            HRFlowable(width="100%", thickness=1.6, color=NAVY, spaceBefore=2, spaceAfter=5),
        ]

    def start(self, key: str, intro: str | None, first: Sequence[Flowable]) -> list[Flowable]:
        """A section's heading and intro, kept with its first block, not low on a page."""
        head: list[Flowable] = self.section_heading(key)
        if intro is not None:
            head.append(self.para(intro, "intro"))
        return [CondPageBreak(1.5 * inch), KeepTogether([*head, *first])]

    def grid_table(
        self,
        header: Sequence[tuple[str, bool]],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        extra: Sequence[Any] = (),
        *,
        groups: Sequence[tuple[str, int, int]] = (),
    ) -> Table:
        """A ruled table with a navy header (wording keys; True: right-aligned) that repeats on
        each page. `groups` (key, first, last column) put a heading over several columns."""

        def head(key: str, right: bool) -> Paragraph:
            return self.para(key, "th_right" if right else "th")

        heads: list[list[Cell]] = [[head(key, right) for key, right in header]]
        commands: list[Any] = []
        if groups:
            grouped = {c for _, first, last in groups for c in range(first, last + 1)}
            top: list[Cell] = [
                Spacer(0, 0) if c in grouped else head(key, right)
                for c, (key, right) in enumerate(header)
            ]
            below: list[Cell] = [
                head(key, right) if c in grouped else Spacer(0, 0)
                for c, (key, right) in enumerate(header)
            ]
            for key, first, last in groups:
                top[first] = self.para(key, "th_right" if first == last else "th_centre")
                commands += [
                    ("SPAN", (first, 0), (last, 0)),
                    ("LINEBELOW", (first, 0), (last, 0), 0.6, colors.white),
                ]
            commands += [("SPAN", (c, 0), (c, 1)) for c in range(len(header)) if c not in grouped]
            commands.append(("VALIGN", (0, 0), (-1, 1), "BOTTOM"))
            heads = [top, below]
        return table(
            [*heads, *rows],
            widths,
            [
                ("BACKGROUND", (0, 0), (-1, len(heads) - 1), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, len(heads)), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                *commands,
                *extra,
            ],
            repeat_rows=len(heads),
            split_in_row=False,
        )

    def side_by_side(self, left: Cell, right: Cell, left_width: float) -> Table:
        return table(
            [[left, right]],
            [left_width, self.width - left_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ],
        )

    def chart_note(self, shown: int, total: int) -> list[Flowable]:
        if shown >= total:
            return []
        return [self.para("chart_top_note", "note", extra={"shown": shown, "total": total})]

    def count_bars(self, counts: Sequence[Count], width: float, label_share: float) -> Drawing:
        """The largest counts as bars, each labelled with its count and share of the
        citations issued."""
        ordered = sorted(counts, key=lambda item: -item.count)[:MOST_BARS]
        names = [item.label for item in ordered]
        numbers = [item.count for item in ordered]
        issued = self.report.issued_total
        labels = [
            f"{self.number(n)} ({self.rate(_ratio(n, issued))})" if issued else self.number(n)
            for n in numbers
        ]
        return bar_chart(
            names,
            [Series("", [float(n) for n in numbers], labels, BLUE)],
            width,
            lambda value: f"{value:,.0f}",
            integer=True,
            label_share=label_share,
        )

    def count_rows(self, counts: Sequence[Count], with_key: bool) -> list[list[Cell]]:
        issued = self.report.issued_total
        return [
            [
                *([self.cell(item.key)] if with_key else []),
                self.cell(item.label),
                self.cell(self.number(item.count), "td_right"),
                self.cell(self.rate(_ratio(item.count, issued)), "td_right"),
            ]
            for item in sorted(counts, key=lambda item: -item.count)
        ]

    # The story

    def story(self) -> list[Flowable]:
        story = [*self.cover(), PageBreak()]
        for section in (
            self.trends,
            self.outcomes,
            self.referrals,
            self.money,
            self.hearings,
            self.repeats,
            self.equity,
        ):
            story += section()
        return story

    def cover(self) -> list[Flowable]:
        facts = self.label_table(
            [
                ("label_period", "period"),
                ("label_areas", "areas"),
                ("label_generated", "generated"),
            ],
            1.1 * inch,
        )
        reading = box(
            [self.para("heading_reading", "sub"), Spacer(1, 2), self.para("reading", "reading")],
            border=NAVY,
            fill=SHADE,
            width=1,
            padding=10,
            box_width=self.width,
        )
        return [
            self.para("jurisdiction", "jurisdiction"),
            Spacer(1, 4),
            self.para("title", "cover_title"),
            self.para("subtitle", "subtitle"),
            Spacer(1, 4),
            facts,
            Spacer(1, 14),
            *self.section_heading("heading_figures"),
            self.figures(),
            *self.standing(),
            Spacer(1, 12),
            reading,
            Spacer(1, 10),
            self.para("contents", "note"),
        ]

    def figures(self) -> Table:
        """The key figures in large type, four to a row."""
        names = ["issued", "warnings", "referred", "declined"]
        names += ["resolved", "median", "p90", "collected"]
        column = self.width / 4
        tiles: list[Cell] = [
            [
                self.fitted(f"figure_{name}", "figure", column - 20),
                self.para(f"figure_{name}_label", "figure_label"),
            ]
            for name in names
        ]
        return table(
            [tiles[:4], tiles[4:]],
            [column] * 4,
            [
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("GRID", (0, 0), (-1, -1), 5, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ],
        )

    def standing(self) -> list[Flowable]:
        """Where the citations stand, as one bar of 100% under the key figures."""
        outcomes = [(o, c) for o, c in self.ordered_outcomes() if o.count > 0]
        if not outcomes:
            return []
        total = sum(o.count for o, _ in outcomes)
        series = [
            Series(
                "",
                [100 * o.count / total],
                [f"{100 * o.count / total:.0f}%" if o.count / total >= 0.06 else ""],
                colour,
            )
            for o, colour in outcomes
        ]
        bar = bar_chart([""], series, self.width, str, stacked=True, label_share=0, axis=False)
        names = [
            (f"{self.plain('outcome_name', outcome=o.outcome)} {self.rate(o.share)}", colour)
            for o, colour in outcomes
        ]
        return [
            Spacer(1, 8),
            self.para("heading_standing", "sub"),
            bar,
            Spacer(1, 3),
            legend(names, self.width),
        ]

    # Citations issued

    def trends(self) -> list[Flowable]:
        report = self.report
        if not (report.issued_by_month or report.issued_by_ordinance or report.issued_by_area):
            # The intro already says that nothing was issued.
            return self.start("heading_trends", "trends_intro", [])
        head, rest = self.by_month()
        story = [*self.start("heading_trends", "trends_intro", head), *rest]
        for part in (self.by_ordinance(), self.by_area()):
            story += [KeepTogether(part[0]), *part[1]]
        return story

    def by_month(self) -> Part:
        months = _every_month(self.report.issued_by_month, self.report.locale)
        heading = self.para("subheading_by_month", "sub")
        if not months:
            return [heading, self.para("empty_by_month")], []
        every = 1 if len(months) <= 18 else math.ceil(len(months) / 12)
        names = [_month_name(m, i, self.report.locale, every) for i, m in enumerate(months)]
        counts = [m.count for m in months]
        labels = [self.number(n) if len(months) <= 24 else "" for n in counts]
        chart = line_chart(names, counts, labels, self.width)
        return [heading, chart, Spacer(1, 4), self.month_table(months)], []

    def month_table(self, months: Sequence[Count]) -> Table:
        """Months across and their counts under them, twelve to a row."""
        per_row = 12
        first = 0.85 * inch
        rows: list[list[Cell]] = []
        commands: list[Any] = []
        for start in range(0, len(months), per_row):
            chunk = list(months[start : start + per_row])
            filler: list[Cell] = [Spacer(0, 0)] * (per_row - len(chunk))
            line = len(rows)
            names = [self.cell(m.label, "th_right") for m in chunk]
            counts = [self.cell(self.number(m.count), "td_right") for m in chunk]
            rows.append([self.para("col_month", "th"), *names, *filler])
            rows.append([self.para("col_count", "td_bold"), *counts, *filler])
            commands += [
                ("BACKGROUND", (0, line), (len(chunk), line), NAVY),
                ("GRID", (0, line), (len(chunk), line + 1), 0.4, RULE),
            ]
        return table(
            rows,
            [first] + [(self.width - first) / per_row] * per_row,
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *commands,
            ],
        )

    def by_ordinance(self) -> Part:
        heading = self.para("subheading_by_ordinance", "sub")
        counts = self.report.issued_by_ordinance
        if not counts:
            return [heading, self.para("empty_by_ordinance")], []
        named = [item.model_copy(update={"label": f"{item.key}  {item.label}"}) for item in counts]
        chart = self.count_bars(named, self.width, 0.5)
        number_width = 0.8 * inch
        key_width = 1.2 * inch
        grid = self.grid_table(
            [("col_ordinance", False), ("col_title", False), ("col_count", True), *SHARE],
            self.count_rows(counts, with_key=True),
            [key_width, self.width - key_width - 2 * number_width, number_width, number_width],
        )
        note = self.chart_note(min(len(counts), MOST_BARS), len(counts))
        return [heading, chart, *note], [Spacer(1, 4), grid]

    def by_area(self) -> Part:
        heading = self.para("subheading_by_area", "sub")
        counts = self.report.issued_by_area
        if not counts:
            return [heading, self.para("empty_by_area")], []
        # A few areas: the chart and the table side by side; many: the table under the chart.
        few = len(counts) <= MOST_BARS
        table_width = 2.6 * inch if few else self.width
        chart_width = self.width - table_width - 12 if few else self.width
        chart = self.count_bars(counts, chart_width, 0.4 if few else 0.35)
        number_width = 0.7 * inch if few else 0.8 * inch
        grid = self.grid_table(
            [("col_area", False), ("col_count", True), ("col_share", True)],
            self.count_rows(counts, with_key=False),
            [table_width - 2 * number_width, number_width, number_width],
        )
        if not few:
            note = self.chart_note(MOST_BARS, len(counts))
            return [heading, chart, *note], [Spacer(1, 4), grid]
        return [heading, self.side_by_side(chart, grid, chart_width + 12)], []

    # Outcomes

    def ordered_outcomes(self) -> list[tuple[Outcome, colors.Color]]:
        order = list(OUTCOME_COLOURS)
        known = sorted(
            (o for o in self.report.outcomes if o.outcome in OUTCOME_COLOURS),
            key=lambda o: order.index(o.outcome),
        )
        unknown = [o for o in self.report.outcomes if o.outcome not in OUTCOME_COLOURS]
        return [(o, OUTCOME_COLOURS[o.outcome]) for o in known] + [
            (o, OTHER_COLOURS[i % len(OTHER_COLOURS)]) for i, o in enumerate(unknown)
        ]

    def outcomes(self) -> list[Flowable]:
        outcomes = [(o, c) for o, c in self.ordered_outcomes() if o.count > 0]
        if not outcomes:
            empty = [self.para("empty_outcomes")] if self.report.issued_total else []
            return self.start("heading_outcomes", "outcomes_intro", empty)
        total = sum(o.count for o, _ in outcomes)
        pie_size = 2.5 * inch
        pie = pie_chart(
            [100 * o.count / total for o, _ in outcomes], [c for _, c in outcomes], pie_size
        )
        rows: list[list[Cell]] = [
            [
                Spacer(0, 0),
                self.para("outcome_name", "td", extra={"outcome": o.outcome}),
                self.cell(self.number(o.count), "td_right"),
                self.cell(self.rate(o.share), "td_right"),
            ]
            for o, _ in outcomes
        ]
        swatches = [("BACKGROUND", (0, i), (0, i), c) for i, (_, c) in enumerate(outcomes, 1)]
        table_width = self.width - pie_size - 16
        number_width = 0.75 * inch
        grid = self.grid_table(
            [("blank", False), ("col_outcome", False), ("col_count", True), ("col_share", True)],
            rows,
            [14, table_width - 14 - 2 * number_width, number_width, number_width],
            swatches,
        )
        right: list[Flowable] = [grid, Spacer(1, 3), self.para("outcomes_note", "note")]
        return self.start(
            "heading_outcomes",
            "outcomes_intro",
            [Spacer(1, 4), self.side_by_side(pie, right, pie_size + 16)],
        )

    # Referred and declined cases

    def referrals(self) -> list[Flowable]:
        report = self.report
        referred = self.reasons("referred", report.referral_reasons, report.referred_total)
        declined = self.reasons("declined", report.declined_reasons, report.declined_total)
        return [
            *self.start("heading_referrals", "referrals_intro", referred),
            KeepTogether(declined),
        ]

    def reasons(self, what: str, reasons: Sequence[ReasonCount], total: int) -> list[Flowable]:
        heading = self.para(f"subheading_{what}", "sub")
        if not reasons:
            return [heading, self.para(f"empty_{what}")]
        ordered = sorted(reasons, key=lambda item: -item.count)
        whole = total or sum(item.count for item in ordered)
        rows: list[list[Cell]] = []
        for item in ordered:
            examples: list[Flowable] = [
                Paragraph(
                    with_fallback(str(escape(_label(example)))),
                    self.styles["example"],
                    bulletText="•",
                )
                for example in item.examples
            ] or [self.para("no_examples", "td_grey")]
            rows.append(
                [
                    self.para("reason_name", "td_bold", extra={"kind": item.kind}),
                    self.cell(self.number(item.count), "td_right"),
                    self.cell(self.rate(_ratio(item.count, whole)), "td_right"),
                    examples,
                ]
            )
        number_width = 0.7 * inch
        reason_width = 1.75 * inch
        grid = self.grid_table(
            [("col_reason", False), ("col_count", True), *SHARE, ("col_examples", False)],
            rows,
            [
                reason_width,
                number_width,
                number_width,
                self.width - reason_width - 2 * number_width,
            ],
        )
        return [heading, grid]

    # Money

    def money(self) -> list[Flowable]:
        amounts = self.report.money
        values = {
            "assessed": amounts.assessed,
            "collected": amounts.collected,
            "waived": amounts.waived,
            "reduced": amounts.reduced,
            "converted": amounts.converted_to_service,
            "outstanding": amounts.outstanding,
        }
        hours: list[Flowable] = []
        if self.report.service_hours_completed:
            hours = [Spacer(1, 6), self.para("service_hours", "intro")]
        if not any(values.values()):
            return self.start("heading_money", None, [self.para("empty_money"), *hours])
        series = Series(
            "",
            [float(values[name]) for name, _ in MONEY_ITEMS],
            [self.compact_money(values[name]) for name, _ in MONEY_ITEMS],
            NAVY,
        )
        table_width = 3.3 * inch
        chart_width = self.width - table_width - 14
        chart = bar_chart(
            [self.plain(f"money_{name}") for name, _ in MONEY_ITEMS],
            [series],
            chart_width,
            self.compact_money,
            bar_colours=[colour for _, colour in MONEY_ITEMS],
            label_share=0.42,
        )
        rows: list[list[Cell]] = [
            [
                [self.para(f"money_{name}", "td_bold"), self.para(f"explain_{name}", "note")],
                self.cell(self.formats["money"](values[name]), "td_right"),
                self.cell(
                    "" if name == "assessed" else self.rate(_ratio(values[name], amounts.assessed)),
                    "td_right",
                ),
            ]
            for name, _ in MONEY_ITEMS
        ]
        amount_width = 0.95 * inch
        share_width = 0.75 * inch
        grid = self.grid_table(
            [("col_money_item", False), ("col_amount", True), ("col_of_assessed", True)],
            rows,
            [table_width - amount_width - share_width, amount_width, share_width],
            [("BACKGROUND", (0, 1), (-1, 1), SHADE)],
        )
        return self.start(
            "heading_money",
            "money_intro",
            [Spacer(1, 4), self.side_by_side(chart, grid, chart_width + 14), *hours],
        )

    # Reviews and hearings

    def hearings(self) -> list[Flowable]:
        report_rows = self.report.hearing_outcomes
        ordered: list[HearingOutcome] = []
        for total in _tier_totals(report_rows):
            ordered.append(total)
            ordered += [r for r in report_rows if r.tier == total.tier and r.hearing_officer]
        ordered = [row for row in ordered if _decided(row) > 0]
        if not ordered:
            return self.start("heading_hearings", None, [self.para("empty_hearings")])
        # The chart: each tier's total, then the hearing officers with the most decisions.
        officers = [row for row in ordered if row.hearing_officer is not None]
        room = 2 * MOST_BARS - (len(ordered) - len(officers))
        busiest = {id(row) for row in sorted(officers, key=lambda r: -_decided(r))[:room]}
        shown = [row for row in ordered if row.hearing_officer is None or id(row) in busiest]
        series = []
        for name, colour in HEARING_OUTCOMES:
            shares = [100 * getattr(row, name) / _decided(row) for row in shown]
            labels = [f"{share:.0f}%" if share >= 9 else "" for share in shares]
            series.append(Series(self.plain(f"hearing_{name}"), shares, labels, colour))
        chart = bar_chart(
            [self.plain("hearing_row", tier=r.tier, officer=r.hearing_officer) for r in shown],
            series,
            self.width,
            lambda value: f"{value:.0f}%",
            stacked=True,
            bold=[row.hearing_officer is None for row in shown],
            label_share=0.32,
        )
        key = legend([(s.name, s.colour) for s in series], self.width)
        rows: list[list[Cell]] = []
        shading: list[Any] = []
        for index, row in enumerate(ordered, start=1):
            total_row = row.hearing_officer is None
            right = "td_right_bold" if total_row else "td_right"
            first: Cell = (
                self.para("tier_name", "td_bold", extra={"tier": row.tier})
                if total_row
                else self.cell(row.hearing_officer or "", "td_indent")
            )
            counts = [self.cell(self.number(getattr(row, n)), right) for n, _ in HEARING_OUTCOMES]
            decided = _decided(row)
            relief = _ratio(row.dismissed + row.reduced, decided)
            rows.append(
                [
                    first,
                    *counts,
                    self.cell(self.number(decided), right),
                    self.cell(self.rate(relief), right),
                ]
            )
            if total_row:
                shading.append(("BACKGROUND", (0, index), (-1, index), SHADE))
        number_width = 0.72 * inch
        relief_width = 0.85 * inch
        grid = self.grid_table(
            [("col_hearing_row", False)]
            + [(f"col_{name}", True) for name, _ in HEARING_OUTCOMES]
            + [("col_total", True), ("col_relief", True)],
            rows,
            [self.width - 5 * number_width - relief_width, *([number_width] * 5), relief_width],
            shading,
        )
        note = self.chart_note(len(shown), len(ordered))
        return [
            *self.start("heading_hearings", "hearings_intro", [key, Spacer(1, 2), chart, *note]),
            Spacer(1, 4),
            grid,
        ]

    # Repeat citations

    def repeats(self) -> list[Flowable]:
        rates = sorted(
            (r for r in self.report.repeat_rates if r.people > 0), key=lambda r: -r.people
        )
        if not rates:
            return self.start("heading_repeat", None, [self.para("empty_repeat")])
        shown = rates[:MOST_BARS]
        series = [
            Series(
                self.plain(key),
                [100 * float(getattr(r, field)) for r in shown],
                [self.rate(getattr(r, field)) for r in shown],
                colour,
            )
            for key, field, colour in (
                ("repeat_6", "rate_6_months", SKY),
                ("repeat_12", "rate_12_months", NAVY),
            )
        ]
        chart = bar_chart(
            [f"{r.ordinance}  {r.title}" for r in shown],
            series,
            self.width,
            lambda value: f"{value:g}%",
            grey=[r.people < SMALL_GROUP for r in shown],
            label_share=0.45,
        )
        key = legend([(s.name, s.colour) for s in series], self.width)
        number_width = 0.58 * inch
        key_width = 1.0 * inch
        window = [("col_people", True), ("col_again", True), ("col_rate", True)]
        grid = self.grid_table(
            [("col_ordinance", False), ("col_title", False), *window, *window],
            [self.repeat_row(r) for r in rates],
            [key_width, self.width - key_width - 6 * number_width, *([number_width] * 6)],
            groups=[("group_6_months", 2, 4), ("group_12_months", 5, 7)],
        )
        first = [self.para("repeat_note", "note"), key, Spacer(1, 2), chart]
        return [
            *self.start(
                "heading_repeat", "repeat_intro", [*first, *self.chart_note(len(shown), len(rates))]
            ),
            Spacer(1, 4),
            grid,
        ]

    def repeat_row(self, rate: RepeatRate) -> list[Cell]:
        small = rate.people < SMALL_GROUP
        style, right = ("td_grey", "td_right_grey") if small else ("td", "td_right")
        return [
            self.cell(rate.ordinance, style),
            self.cell(rate.title, style),
            self.cell(self.number(rate.people), right),
            self.cell(self.number(rate.again_6_months), right),
            self.cell(self.rate(rate.rate_6_months), right),
            # 0 people with repeats counted: a report made before the 12-month denominator.
            self.cell(
                self.plain("none")
                if rate.people_12_months == 0 and rate.again_12_months
                else self.number(rate.people_12_months),
                right,
            ),
            self.cell(self.number(rate.again_12_months), right),
            self.cell(self.rate(rate.rate_12_months), right),
        ]

    # Who bears the burden

    def equity(self) -> list[Flowable]:
        head, rest = self.equity_part("area")
        story = [
            *self.start(
                "heading_equity", "equity_intro", [self.para("equity_note", "note"), *head]
            ),
            *rest,
        ]
        head, rest = self.equity_part("language")
        return [*story, KeepTogether(head), *rest]

    def equity_part(self, dimension: str) -> Part:
        heading = self.para(f"subheading_equity_{dimension}", "sub")
        rows = sorted(
            (r for r in self.report.equity if r.dimension == dimension and r.issued > 0),
            key=lambda r: (-r.issued, r.value),
        )
        if not rows:
            return [heading, self.para(f"empty_equity_{dimension}")], []
        shown = rows[:MOST_BARS]
        series = [
            Series(
                self.plain(f"equity_{name}"),
                [100 * float(getattr(r, f"{name}_rate")) for r in shown],
                [self.rate(getattr(r, f"{name}_rate")) for r in shown],
                colour,
            )
            for name, colour in EQUITY_RATES
        ]
        chart = bar_chart(
            [self.plain("equity_value", dimension=dimension, value=r.value) for r in shown],
            series,
            self.width,
            lambda value: f"{value:g}%",
            grey=[r.issued < SMALL_GROUP for r in shown],
            label_share=0.3,
        )
        key = legend([(s.name, s.colour) for s in series], self.width)
        body = [self.equity_row(r) for r in rows]
        body.append(self.equity_row(_equity_total(rows, dimension), total=True))
        # Wide enough for each column's heading on at most two lines.
        widths = [0.6 * inch, 0.55 * inch, 0.75 * inch, 0.6 * inch, 0.75 * inch, 0.68 * inch]
        widths.append(0.6 * inch)
        grid = self.grid_table(
            [
                (f"col_equity_{dimension}", False),
                ("col_issued", True),
                *(("col_late", True), ("col_in_collections", True), ("col_rate", True)),
                ("col_collections_rate", True),
                *(("col_count", True), ("col_rate", True)),
            ],
            body,
            [self.width - sum(widths), *widths],
            [("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 1, INK)],
            groups=[("group_delinquent", 2, 4), ("group_alternatives", 6, 7)],
        )
        note = self.chart_note(len(shown), len(rows))
        return [heading, key, Spacer(1, 2), chart, *note], [Spacer(1, 4), grid]

    def equity_row(self, row: EquityRow, total: bool = False) -> list[Cell]:
        if total:
            style, right = "td_bold", "td_right_bold"
        elif row.issued < SMALL_GROUP:
            style, right = "td_grey", "td_right_grey"
        else:
            style, right = "td", "td_right"
        name = (
            self.para("equity_all", style)
            if total
            else self.para(
                "equity_value", style, extra={"dimension": row.dimension, "value": row.value}
            )
        )
        return [
            name,
            self.cell(self.number(row.issued), right),
            self.cell(self.number(row.delinquent), right),
            self.cell(self.number(row.in_collections), right),
            self.cell(self.rate(row.delinquency_rate), right),
            self.cell(self.rate(row.collections_rate), right),
            self.cell(self.number(row.alternatives), right),
            self.cell(self.rate(row.alternatives_rate), right),
        ]
