"""Small charts for 首页, drawn with QPainter: bars by first-level union and lines by month.

Drawn by hand rather than with QtCharts, which would add a module (and its wheel) for two pictures. Each
chart paints onto any QPainter: the widget's own on screen, and a PDF page when 首页 is printed. They are
meant to be read on a black-and-white office printer: series differ by shade *and* pattern (a solid dark
bar beside a light hatched one, a solid line with filled squares beside a dashed line with open circles),
and every bar and point has its value written beside it, so no colour is needed to read them.

Sizes are given in screen pixels at 96 dpi and scaled to the device painted on, so a chart printed at
300 dpi keeps its proportions and its text stays the size it was on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor(0, 0, 0)
GRID = QColor(200, 200, 200)
DARK = QColor(60, 60, 60)
LIGHT = QColor(215, 215, 215)
TITLE_POINTS, TEXT_POINTS, SMALL_POINTS = 11.0, 9.0, 8.0
PAD = 8.0  # around the chart and between its parts, in pixels at 96 dpi
MAX_BAR = 22.0  # the thickest bar, in pixels at 96 dpi


@dataclass(frozen=True)
class Series:
    """One set of values over the chart's categories; ``unit`` is written after the series' name."""

    name: str
    values: tuple[int, ...]
    unit: str = ""

    @property
    def caption(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class _Look:
    """How a series is told apart without colour."""

    fill: QColor
    pattern: Qt.BrushStyle | None  # hatching drawn over the fill
    line: Qt.PenStyle
    marker: str  # "square" (filled) or "circle" (open)


LOOKS = (
    _Look(DARK, None, Qt.PenStyle.SolidLine, "square"),
    _Look(LIGHT, Qt.BrushStyle.BDiagPattern, Qt.PenStyle.DashLine, "circle"),
)


def nice_step(largest: float, ticks: int = 5) -> int:
    """A whole step of 1, 2 or 5 × 10ⁿ that reaches ``largest`` in at most ``ticks`` steps."""
    if largest <= 0:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


def axis_top(largest: float) -> tuple[int, int]:
    """The axis' end (a whole number of steps at or above ``largest``, at least one step) and its step."""
    step = nice_step(largest)
    return max(step, math.ceil(largest / step) * step), step


class Chart(QWidget):
    """A titled chart of ``series`` over ``categories``; subclasses lay it out in ``paint_chart``."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.categories: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, categories: Sequence[str], series: Sequence[Series], title: str | None = None) -> None:
        self.categories = tuple(categories)
        self.series = tuple(series)
        if title is not None:
            self.title = title
        self.update()

    def values(self, name: str) -> tuple[int, ...]:
        """The values of the series called ``name``."""
        return next(series.values for series in self.series if series.name == name)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        self.paint_chart(painter, QRectF(self.rect()))
        painter.end()

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    # --- shared drawing -----------------------------------------------------------------------------
    @staticmethod
    def scale(painter: QPainter) -> float:
        """Device pixels per screen pixel: 1 on screen, about 3 on a 300 dpi page."""
        return painter.device().logicalDpiX() / 96

    def chart_font(self, painter: QPainter, points: float, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(points)
        font.setBold(bold)
        # A point size is resolved against the device painted on (QFont(font, device)), so the metrics
        # used for the layout are those of the page, not of the screen.
        return QFont(font, painter.device())

    def draw_title(self, painter: QPainter, rect: QRectF) -> float:
        """The title centred at the top; returns the y under it."""
        font = self.chart_font(painter, TITLE_POINTS, bold=True)
        painter.setFont(font)
        painter.setPen(INK)
        height = QFontMetricsF(font).height()
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), height), Qt.AlignmentFlag.AlignCenter, self.title
        )
        return rect.top() + height

    def draw_legend(self, painter: QPainter, rect: QRectF, top: float, bars: bool) -> float:
        """Each series' swatch and caption on one centred line; returns the y under it."""
        s = self.scale(painter)
        font = self.chart_font(painter, TEXT_POINTS)
        metrics = QFontMetricsF(font)
        swatch = metrics.height() * 0.8
        widths = [swatch + 4 * s + metrics.horizontalAdvance(series.caption) for series in self.series]
        total = sum(widths) + 16 * s * (len(widths) - 1)
        x = rect.center().x() - total / 2
        painter.setFont(font)
        for index, (series, width) in enumerate(zip(self.series, widths, strict=True)):
            look = LOOKS[index % len(LOOKS)]
            box = QRectF(x, top + (metrics.height() - swatch) / 2, swatch, swatch)
            if bars:
                fill_bar(painter, box, look, s)
            else:
                y = box.center().y()
                painter.setPen(QPen(INK, 1.5 * s, look.line))
                painter.drawLine(QPointF(box.left() - 4 * s, y), QPointF(box.right() + 4 * s, y))
                draw_marker(painter, QPointF(box.center().x(), y), look, s)
            painter.setPen(INK)
            painter.drawText(
                QRectF(box.right() + 4 * s, top, width, metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                series.caption,
            )
            x += width + 16 * s
        return top + metrics.height()


def fill_bar(painter: QPainter, box: QRectF, look: _Look, s: float) -> None:
    """A bar in its shade, hatched if its look says so, with a dark outline."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(look.fill)
    painter.drawRect(box)
    if look.pattern is not None:
        hatch = QBrush(INK, look.pattern)
        # A pattern brush is drawn in device pixels: at 300 dpi its lines would merge into grey, so the
        # painter is scaled to draw the pattern at screen density.
        painter.save()
        painter.translate(box.topLeft())
        painter.scale(s, s)
        painter.setBrush(hatch)
        painter.drawRect(QRectF(0, 0, box.width() / s, box.height() / s))
        painter.restore()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(INK, 0.8 * s))
    painter.drawRect(box)


def draw_value(painter: QPainter, box: QRectF, text: str, s: float) -> None:
    """A value centred in ``box`` on a white patch, so a line running under it does not hide it."""
    metrics = QFontMetricsF(painter.font())
    width = metrics.horizontalAdvance(text) + 2 * s
    patch = QRectF(box.center().x() - width / 2, box.top(), width, box.height())
    painter.fillRect(patch, QColor(255, 255, 255))
    painter.setPen(INK)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def draw_marker(painter: QPainter, centre: QPointF, look: _Look, s: float) -> None:
    size = 3.5 * s
    painter.setPen(QPen(INK, 1.2 * s))
    if look.marker == "square":
        painter.setBrush(INK)
        painter.drawRect(QRectF(centre.x() - size, centre.y() - size, 2 * size, 2 * size))
    else:
        painter.setBrush(QColor(255, 255, 255))
        painter.drawEllipse(centre, size, size)
    painter.setBrush(Qt.BrushStyle.NoBrush)


class BarChart(Chart):
    """Horizontal bars, one group per category (a first-level union's name reads whole on the left),
    one bar per series in the group, its value written at its end."""

    def sizeHint(self) -> QSize:
        return QSize(520, max(220, 60 + 34 * len(self.categories)))

    def areas(self, painter: QPainter, rect: QRectF) -> tuple[QRectF, QRectF, float]:
        """(the plot area, the label column, the top of the legend) for ``rect``."""
        s = self.scale(painter)
        inner = rect.adjusted(PAD * s, PAD * s, -PAD * s, -PAD * s)
        title_bottom = inner.top() + QFontMetricsF(self.chart_font(painter, TITLE_POINTS, True)).height()
        text = QFontMetricsF(self.chart_font(painter, TEXT_POINTS))
        labels = max((text.horizontalAdvance(c) for c in self.categories), default=0) + PAD * s
        labels = min(labels, inner.width() * 0.4)
        legend_top = title_bottom + 2 * s
        plot_top = legend_top + text.height() + PAD * s
        axis_height = QFontMetricsF(self.chart_font(painter, SMALL_POINTS)).height() + 4 * s
        value_room = text.horizontalAdvance("0000") + 4 * s  # the value written after the longest bar
        plot = QRectF(
            inner.left() + labels,
            plot_top,
            inner.width() - labels - value_room,
            inner.bottom() - axis_height - plot_top,
        )
        return plot, QRectF(inner.left(), plot_top, labels, plot.height()), legend_top

    def bar_rects(self, painter: QPainter, rect: QRectF) -> dict[tuple[str, str], QRectF]:
        """(category, series name) → the bar drawn for it in ``rect``."""
        plot, _, _ = self.areas(painter, rect)
        top, _ = axis_top(max((v for series in self.series for v in series.values), default=0))
        if not self.categories or not self.series:
            return {}
        band = plot.height() / len(self.categories)
        # With few categories the bars would be slabs: at most MAX_BAR thick, the group centred in its band.
        bar = min(band * 0.8 / len(self.series), MAX_BAR * self.scale(painter))
        group = bar * len(self.series)
        rects = {}
        for row, category in enumerate(self.categories):
            for index, series in enumerate(self.series):
                y = plot.top() + row * band + (band - group) / 2 + index * bar
                width = plot.width() * series.values[row] / top
                rects[(category, series.name)] = QRectF(plot.left(), y, width, bar)
        return rects

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        s = self.scale(painter)
        inner = rect.adjusted(PAD * s, PAD * s, -PAD * s, -PAD * s)
        self.draw_title(painter, inner)
        plot, labels, legend_top = self.areas(painter, rect)
        self.draw_legend(painter, inner, legend_top, bars=True)
        top, step = axis_top(max((v for series in self.series for v in series.values), default=0))
        small = self.chart_font(painter, SMALL_POINTS)
        painter.setFont(small)
        small_height = QFontMetricsF(small).height()
        for tick in range(0, top + 1, step):  # the value axis: grid lines and numbers under the plot
            x = plot.left() + plot.width() * tick / top
            painter.setPen(QPen(GRID, 0.8 * s))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(INK)
            painter.drawText(
                QRectF(x - 30 * s, plot.bottom() + 2 * s, 60 * s, small_height),
                Qt.AlignmentFlag.AlignCenter,
                f"{tick:,}",
            )
        text = self.chart_font(painter, TEXT_POINTS)
        metrics = QFontMetricsF(text)
        painter.setFont(text)
        if self.categories:
            band = plot.height() / len(self.categories)
            for row, category in enumerate(self.categories):
                painter.setPen(INK)
                name = metrics.elidedText(category, Qt.TextElideMode.ElideMiddle, labels.width() - PAD * s)
                painter.drawText(
                    QRectF(labels.left(), plot.top() + row * band, labels.width() - PAD * s, band),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    name,
                )
        for (category, name), box in self.bar_rects(painter, rect).items():
            index = next(i for i, series in enumerate(self.series) if series.name == name)
            value = self.series[index].values[self.categories.index(category)]
            if box.width() > 0:
                fill_bar(painter, box, LOOKS[index % len(LOOKS)], s)
            painter.setPen(INK)
            painter.setFont(self.chart_font(painter, SMALL_POINTS))
            painter.drawText(
                QRectF(box.right() + 3 * s, box.top() - 2 * s, 60 * s, box.height() + 4 * s),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{value:,}",
            )
        painter.setPen(QPen(INK, 1 * s))
        painter.drawLine(plot.topLeft(), plot.bottomLeft())
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())


class LineChart(Chart):
    """One panel per series, one above the other over the same categories (months), each with its own
    axis: new unions are tens and new members thousands, which one axis would flatten. Series may be
    shorter than the categories: a month still to come has no point."""

    def sizeHint(self) -> QSize:
        return QSize(520, 150 + 130 * max(1, len(self.series)))

    def panels(self, painter: QPainter, rect: QRectF) -> list[QRectF]:
        """The plot area of each series' panel in ``rect``."""
        s = self.scale(painter)
        inner = rect.adjusted(PAD * s, PAD * s, -PAD * s, -PAD * s)
        title = QFontMetricsF(self.chart_font(painter, TITLE_POINTS, True)).height()
        text = QFontMetricsF(self.chart_font(painter, TEXT_POINTS)).height()
        small = QFontMetricsF(self.chart_font(painter, SMALL_POINTS))
        axis_width = small.horizontalAdvance("00,000") + 6 * s
        top = inner.top() + title + PAD * s
        bottom = inner.bottom() - small.height() - 4 * s  # the month names under the last panel
        count = max(1, len(self.series))
        height = (bottom - top) / count
        plots = []
        for index in range(count):
            panel_top = top + index * height
            # Room for the panel's caption above it and for the values written over its highest points.
            plot_top = panel_top + text + small.height() + 4 * s
            plots.append(
                QRectF(
                    inner.left() + axis_width,
                    plot_top,
                    inner.width() - axis_width,
                    panel_top + height - plot_top - 6 * s,
                )
            )
        return plots

    def x_of(self, plot: QRectF, index: int) -> float:
        slots = max(1, len(self.categories))
        return plot.left() + plot.width() * (index + 0.5) / slots

    def points(self, painter: QPainter, rect: QRectF) -> dict[str, list[QPointF]]:
        """Series name → where its values are drawn in ``rect``."""
        result = {}
        for plot, series in zip(self.panels(painter, rect), self.series, strict=False):
            top, _ = axis_top(max(series.values, default=0))
            result[series.name] = [
                QPointF(self.x_of(plot, index), plot.bottom() - plot.height() * value / top)
                for index, value in enumerate(series.values)
            ]
        return result

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        s = self.scale(painter)
        inner = rect.adjusted(PAD * s, PAD * s, -PAD * s, -PAD * s)
        self.draw_title(painter, inner)
        small = self.chart_font(painter, SMALL_POINTS)
        small_height = QFontMetricsF(small).height()
        text = self.chart_font(painter, TEXT_POINTS)
        text_height = QFontMetricsF(text).height()
        plots = self.panels(painter, rect)
        points = self.points(painter, rect)
        for index, (plot, series) in enumerate(zip(plots, self.series, strict=False)):
            look = LOOKS[index % len(LOOKS)]
            painter.setFont(text)
            painter.setPen(INK)
            caption = QRectF(
                inner.left(), plot.top() - small_height - text_height - 4 * s, inner.width(), text_height
            )
            painter.drawText(
                caption, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, series.caption
            )
            top, step = axis_top(max(series.values, default=0))
            painter.setFont(small)
            for tick in range(0, top + 1, step):
                y = plot.bottom() - plot.height() * tick / top
                painter.setPen(QPen(GRID, 0.8 * s))
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                painter.setPen(INK)
                painter.drawText(
                    QRectF(
                        inner.left(), y - small_height / 2, plot.left() - inner.left() - 4 * s, small_height
                    ),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    f"{tick:,}",
                )
            painter.setPen(QPen(INK, 1 * s))
            painter.drawLine(plot.topLeft(), plot.bottomLeft())
            painter.drawLine(plot.bottomLeft(), plot.bottomRight())
            shown = points[series.name]
            painter.setPen(QPen(INK, 1.8 * s, look.line))
            for start, end in zip(shown, shown[1:], strict=False):
                painter.drawLine(start, end)
            for point, value in zip(shown, series.values, strict=True):
                draw_marker(painter, point, look, s)
                painter.setFont(small)
                above = QRectF(point.x() - 30 * s, point.y() - small_height - 4 * s, 60 * s, small_height)
                draw_value(painter, above, f"{value:,}", s)
        if plots:  # the categories under the last panel
            last = plots[-1]
            painter.setFont(small)
            painter.setPen(INK)
            slot = last.width() / max(1, len(self.categories))
            for index, category in enumerate(self.categories):
                x = self.x_of(last, index)
                painter.drawText(
                    QRectF(x - slot / 2, last.bottom() + 3 * s, slot, small_height),
                    Qt.AlignmentFlag.AlignCenter,
                    category,
                )
