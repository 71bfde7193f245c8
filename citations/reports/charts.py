"""The report's charts, drawn with reportlab's own graphics: horizontal bars (grouped, or stacked
to 100%), a line over the months, a pie, and a legend, in colours a reader tells apart with the
common kinds of colour blindness. Names and labels are drawn by `citations.reports.chart_text`
so that any script prints in the embedded fonts. A bar whose group is too small to compare is
drawn pale, outlined in its colour; a month only partly inside the period is a hollow point
off the line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.charts.areas import PlotArea
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.graphics.widgets.markers import Marker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from citations.documents.fonts import BOLD, REGULAR
from citations.documents.layout import INK, RULE
from citations.reports.chart_text import LABEL_SIZE, fit_all, one_line, strings, text_width

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

AXIS_SIZE = 7.0
MOST_BARS = 12
"""A chart shows at most this many rows (the largest); its table always lists all of them."""


def whole_number(value: float) -> str:
    """An axis number for counts.

    >>> whole_number(1500.0)
    '1,500'
    """
    return f"{value:,.0f}"


def percent(value: float) -> str:
    """An axis number for shares drawn from 0 to 100.

    >>> percent(12.5), percent(40.0)
    ('12.5%', '40%')
    """
    return f"{value:g}%"


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


def pale(colour: colors.Color) -> colors.Color:
    """`colour` washed out towards white: the fill of a bar too few to compare.

    >>> pale(colors.black).hexval()
    '0xb2b2b2'
    """
    return colors.Color(*(part + (1 - part) * 0.7 for part in colour.rgb()))


def _light(colour: colors.Color) -> bool:
    """Whether dark text reads better than white on this colour."""
    return bool(0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue > 0.6)


@dataclass(frozen=True)
class Series:
    """One set of bars: its legend name, values, the label at each bar, and its colour."""

    name: str
    values: list[float]
    labels: list[str]
    colour: colors.Color


def legend(
    items: Sequence[tuple[str, colors.Color]], width: float, too_few: str | None = None
) -> Drawing:
    """Colour swatches and names in a row, wrapping onto more rows when needed; `too_few`
    names a last, pale outlined swatch: what a pale bar means."""
    x, row = 0.0, 0
    entries = [(name, colour, False) for name, colour in items]
    if too_few:
        entries.append((too_few, GREY, True))
    placed: list[tuple[float, int, str, colors.Color, bool]] = []
    for name, colour, faded in entries:
        wide = 12 + text_width(name) + 14
        if x and x + wide > width:
            x, row = 0.0, row + 1
        placed.append((x, row, name, colour, faded))
        x += wide
    height = 12.0 * (row + 1)
    drawing = Drawing(width, height, initialFontName=REGULAR)
    for left, line, name, colour, faded in placed:
        bottom = height - 12 * (line + 1) + 2
        swatch = Rect(left, bottom, 8, 8)
        swatch.fillColor = pale(colour) if faded else colour
        swatch.strokeColor = colour if faded else None
        swatch.strokeWidth = 0.6
        drawing.add(swatch)
        for string in strings(left + 12, bottom + 1, name, colour=MUTED if faded else INK):
            drawing.add(string)
    return drawing


def series_legend(series: Sequence[Series], width: float, too_few: str | None = None) -> Drawing:
    """The legend of a chart with several series: each series' name and colour, and what a
    pale bar means (`too_few`) when the chart has any."""
    return legend([(item.name, item.colour) for item in series], width, too_few)


def _place(chart: PlotArea, x: float, y: float, width: float, height: float) -> None:
    # Fractional points are fine; the type stubs only say int.
    chart.setProperties({"x": x, "y": y, "width": width, "height": height})


def _value_axis(
    # Any: the stubs declare none of a value axis's label, range and grid attributes.
    axis: Any,
    bottom: float,
    top: float,
    step: float,
    text: Callable[[float], str],
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
    small: Sequence[Sequence[bool]] = (),
    bar_colours: Sequence[colors.Color] = (),
    label_share: float = 0.38,
    axis: bool = True,
) -> Drawing:
    """Horizontal bars, one row per category (the first at the top) with its name cut to fit,
    and a label at each bar: grouped when there are several series, or stacked to 100% with
    the labels inside the segments. `bold` marks rows (totals); `small`, for each series
    and row, a bar whose group is too small to compare: drawn pale with a grey label, and the
    row's name grey when every bar of the row is.

    Example::

        bar_chart(["Central", "Harbor"], [Series("", [402.0, 231.0], ["402", "231"], BLUE)],
                  300, whole_number, integer=True)
    """
    count = len(categories)
    is_bold = [bool(bold and bold[i]) for i in range(count)]
    too_few = [[bool(small and small[s][j]) for j in range(count)] for s in range(len(series))]
    is_grey = [bool(too_few) and all(bars[j] for bars in too_few) for j in range(count)]
    room = width * label_share
    names = fit_all([one_line(name) for name in categories], room - 8, is_bold)
    left = min(
        room,
        max((text_width(n, bold=b) for n, b in zip(names, is_bold, strict=True)), default=0) + 8,
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
        own = too_few[len(series) - 1 - i] if grouped else too_few[i]
        for j in range(count):
            label = chart.barLabels[(i, j)]
            if own[j]:
                bar = chart.bars[(i, j)]
                bar.fillColor, bar.strokeColor = pale(item.colour), item.colour
                bar.strokeWidth = 0.5
            if stacked:
                light = own[j] or _light(item.colour)
                label.fillColor = INK if light else colors.white
            elif own[j]:
                label.fillColor = MUTED
    drawing = Drawing(width, chart.height + base + 4, initialFontName=REGULAR)
    drawing.add(chart)
    band = chart.height / max(count, 1)
    for j, name in enumerate(names):
        middle = chart.y + chart.height - (j + 0.5) * band
        colour = MUTED if is_grey[j] else INK
        for string in strings(
            names_end, middle - 2.6, name, colour=colour, bold=is_bold[j], anchor="end"
        ):
            drawing.add(string)
    return drawing


def line_chart(
    categories: Sequence[str],
    values: Sequence[int],
    labels: Sequence[str],
    width: float,
    partial: Sequence[bool] = (),
) -> Drawing:
    """One line over the months with a marker, and the count above each point. A month only
    partly inside the period (`partial`: the first or the last) is a hollow point with a grey
    count, not joined to the line: its count covers only some of its days."""
    height = 150.0
    chart = HorizontalLineChart()
    _place(chart, 30, 24, width - 36, height - 34)
    is_partial = [bool(partial and partial[i]) for i in range(len(values))]
    whole = [None if p else value for value, p in zip(values, is_partial, strict=True)]
    part = [value if p else None for value, p in zip(values, is_partial, strict=True)]
    chart.data = [whole, part] if any(is_partial) else [whole]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = AXIS_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -3
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = RULE
    bottom, top, step = _scale(min([*values, 0]), max([*values, 0]), True)
    _value_axis(chart.valueAxis, bottom, top, step, whole_number)
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 1.8
    marker = Marker(size=4.5, fillColor=BLUE)
    marker.kind = "FilledCircle"
    chart.lines[0].symbol = marker
    # Only the whole months are joined (and only when there are some to join); the hollow
    # points stand alone.
    chart.joinedLines = 0
    if any(value is not None for value in whole):
        chart.lines[0].lineStyle = "joinedLine"
    hollow = Marker(size=5, fillColor=colors.white, strokeColor=BLUE, strokeWidth=1.2)
    hollow.kind = "FilledCircle"
    chart.lines[1].symbol = hollow
    chart.lineLabelFormat = "values"
    # reportlab labels the points a series has (its None values skipped) in order.
    chart.lineLabelArray = [
        [label for label, value in zip(labels, series, strict=True) if value is not None]
        for series in chart.data
    ]
    chart.lineLabels.fontName = REGULAR
    chart.lineLabels.fontSize = AXIS_SIZE
    chart.lineLabels.fillColor = INK
    chart.lineLabels.dy = 7
    for index in range(sum(is_partial)):
        chart.lineLabels[(1, index)].fillColor = MUTED
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
