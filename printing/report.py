"""The report upward (工会组建工作统计报表) printed: the workbook's tables on landscape A4.

The same tables as the workbook (``models.figures.report_tables``), so the paper shows the numbers the
city federation reads in the .xlsx: the title, federation, period and time taken at the head of the first
page, then each table under its caption, its column headings (with units) repeated where a table runs on
to the next page, a bold 合计 row, and "第 1 页 共 2 页" at the foot. Like the notice register it is a
working table, not a 公文: plain margins instead of the GB/T 9704 grid. Everything is laid out first and
drawn after, so each page knows how many pages there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from models.figures import REPORT_TITLE, Report, ReportTable, report_tables
from printing.fonts import DocumentFonts
from printing.typesetting import (
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    TextStyle,
    TextWriter,
    break_lines,
    measurer,
)

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 15 * mm
TABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE_SIZE, SUBTITLE_SIZE, CAPTION_SIZE, CELL_SIZE, HEADING_SIZE, FOOT_SIZE = 18.0, 10.0, 11.0, 9.0, 8.0, 9.0
LINE_SPACING = 1.25  # a cell's lines, in multiples of its size
PAD_X, PAD_Y = 0.8 * mm, 0.8 * mm  # inside a cell: beside the text, above and under it
HEAD_ROOM = 22 * mm  # the title and the line under it, on the first page
CAPTION_ROOM = 9 * mm  # a table's caption and the space above it
TABLE_BOTTOM = MARGIN + 8 * mm  # over the page number
# A first-level union's name of 12 characters on one line at 9 pt; in the wide tables the 17 figures share
# the rest, each heading four characters wide at 8 pt; a narrow table's figures are a little wider.
NAME_COLUMN = 42 * mm
NARROW_FIGURE = 30 * mm
SUMMARY_WIDTHS = (80 * mm, 35 * mm, 20 * mm)
GRID, BORDER = 0.4, 0.8
SHADE = Color(0.9, 0.9, 0.9)  # under the headings and the 合计 row, as in the workbook
NO_RATE = "—"


@dataclass(frozen=True)
class _Row:
    cells: tuple[tuple[str, ...], ...]  # the lines of each cell
    height: float
    bold: bool = False


@dataclass(frozen=True)
class _Table:
    caption: str
    widths: tuple[float, ...]
    header: _Row
    rows: list[_Row]


@dataclass
class _Piece:
    """The part of a table on one page: its caption (with 续 after the first page), heading and rows."""

    table: _Table
    continued: bool
    rows: list[_Row] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSheet:
    """The report as a ``Printable`` for ``printing.official_document.iter_write_documents``.

    Attributes:
        report: from ``models.figures.report``.
    """

    report: Report

    @property
    def label(self) -> str:
        return f"{REPORT_TITLE}（{self.report.period.label}）"

    @property
    def author(self) -> str:
        return self.report.federation

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None:
        """Draw every page in landscape, then set the canvas back to the portrait A4 the writer uses."""
        cell = TextStyle(fonts.body, CELL_SIZE, None, fonts.fallback)
        bold = TextStyle(fonts.heading1, CELL_SIZE, None, fonts.fallback)
        heading = TextStyle(fonts.heading1, HEADING_SIZE, None, fonts.fallback)
        tables = [_layout_table(table, cell, bold, heading) for table in report_tables(self.report)]
        pages = _paginate(tables)
        for number, pieces in enumerate(pages, start=1):
            canvas.setPageSize((PAGE_WIDTH, PAGE_HEIGHT))
            writer = TextWriter(canvas)
            top = PAGE_HEIGHT - MARGIN
            if number == 1:
                self._draw_heading(writer, fonts)
                top -= HEAD_ROOM
            for piece in pieces:
                top = _draw_piece(canvas, writer, fonts, piece, top, (cell, bold, heading))
            writer.centred(
                f"第 {number} 页　共 {len(pages)} 页",
                _style(fonts.page_number, FOOT_SIZE, fonts),
                MARGIN,
                0,
                PAGE_WIDTH,
            )
            writer.finish()
            canvas.showPage()
        canvas.setPageSize(A4)  # the writer's pages are portrait A4

    def _draw_heading(self, writer: TextWriter, fonts: DocumentFonts) -> None:
        report = self.report
        baseline = PAGE_HEIGHT - MARGIN - EM_ABOVE_BASELINE * TITLE_SIZE
        writer.centred(REPORT_TITLE, _style(fonts.title, TITLE_SIZE, fonts), baseline, 0, PAGE_WIDTH)
        line = (
            f"填报单位：{report.federation}　　统计期间：{report.period.label}（{report.period.dates}）"
            f"　　制表时间：{report.made_at:%Y-%m-%d %H:%M}"
        )
        writer.centred(
            line, _style(fonts.body, SUBTITLE_SIZE, fonts), baseline - TITLE_SIZE - 2 * mm, 0, PAGE_WIDTH
        )


def _style(font: str, size: float, fonts: DocumentFonts) -> TextStyle:
    return TextStyle(font, size, None, fonts.fallback)


def cell_text(value: object) -> str:
    """A cell as printed, as the workbook shows it: 20,331 for a count, 88.5 for a percentage."""
    if value is None:
        return NO_RATE
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _widths(table: ReportTable) -> tuple[float, ...]:
    count = len(table.headings)
    if count == len(SUMMARY_WIDTHS):
        return SUMMARY_WIDTHS
    figure = min((TABLE_WIDTH - NAME_COLUMN) / (count - 1), NARROW_FIGURE)
    return (NAME_COLUMN, *[figure] * (count - 1))


def _layout_table(table: ReportTable, cell: TextStyle, bold: TextStyle, heading: TextStyle) -> _Table:
    widths = _widths(table)
    # The unit on a line of its own under the figure's name, as in the workbook.
    header = _layout_row(
        [text.replace("（", "\n（", 1) for text in table.headings], widths, heading, bold=True
    )
    rows = [_layout_row([cell_text(value) for value in row], widths, cell) for row in table.rows]
    if table.totals is not None:
        rows.append(_layout_row([cell_text(value) for value in table.totals], widths, bold, bold=True))
    return _Table(table.title, widths, header, rows)


def _layout_row(texts: Sequence[str], widths: Sequence[float], style: TextStyle, bold: bool = False) -> _Row:
    width = measurer(style).width
    cells = tuple(
        tuple(line for part in text.split("\n") for line in break_lines(part, column - 2 * PAD_X, width))
        or ("",)
        for text, column in zip(texts, widths, strict=True)
    )
    height = max(len(lines) for lines in cells) * LINE_SPACING * style.size + 2 * PAD_Y
    return _Row(cells, height, bold)


def _paginate(tables: list[_Table]) -> list[list[_Piece]]:
    """Tables into pages, one after another; a table that runs over continues on the next page under its
    caption and headings again. A table starts on a new page when not even its first row fits."""
    pages: list[list[_Piece]] = [[]]
    room = PAGE_HEIGHT - MARGIN - HEAD_ROOM - TABLE_BOTTOM
    for table in tables:
        continued = False
        rows = list(table.rows)
        while True:
            needed = CAPTION_ROOM + table.header.height + (rows[0].height if rows else 0)
            if needed > room and pages[-1]:
                pages.append([])
                room = PAGE_HEIGHT - MARGIN - TABLE_BOTTOM
            piece = _Piece(table, continued)
            pages[-1].append(piece)
            room -= CAPTION_ROOM + table.header.height
            while rows and (rows[0].height <= room or not piece.rows):
                room -= rows[0].height
                piece.rows.append(rows.pop(0))
            if not rows:
                break
            pages.append([])
            room = PAGE_HEIGHT - MARGIN - TABLE_BOTTOM
            continued = True
    return pages


def _draw_piece(
    canvas: Canvas,
    writer: TextWriter,
    fonts: DocumentFonts,
    piece: _Piece,
    top: float,
    styles: tuple[TextStyle, TextStyle, TextStyle],
) -> float:
    """Draw a table's caption, headings and rows from ``top`` down; return where it ends.

    ``styles``: the rows', the 合计 row's and the headings'.
    """
    cell, bold, heading = styles
    table = piece.table
    caption = table.caption + ("（续）" if piece.continued else "")
    caption_style = _style(fonts.heading1, CAPTION_SIZE, fonts)
    writer.line(MARGIN, top - CAPTION_ROOM + 2.5 * mm, caption, caption_style)
    top -= CAPTION_ROOM
    table_top = top
    top = _draw_row(canvas, writer, table.header, table.widths, heading, top, centred=True)
    for row in piece.rows:
        top = _draw_row(canvas, writer, row, table.widths, bold if row.bold else cell, top)
    canvas.setLineWidth(BORDER)
    canvas.rect(MARGIN, top, sum(table.widths), table_top - top)
    return top


def _draw_row(
    canvas: Canvas,
    writer: TextWriter,
    row: _Row,
    widths: Sequence[float],
    style: TextStyle,
    top: float,
    centred: bool = False,
) -> float:
    """Draw one row with its top at ``top``: names at the left, numbers at the right; return its bottom."""
    measure = measurer(style).width
    leading = LINE_SPACING * style.size
    if row.bold:
        canvas.setFillColor(SHADE)
        canvas.rect(MARGIN, top - row.height, sum(widths), row.height, stroke=0, fill=1)
        canvas.setFillColor(black)
    left = MARGIN
    for index, (lines, width) in enumerate(zip(row.cells, widths, strict=True)):
        # Lines of a cell are centred in the row's height, so a one-line number sits level with a
        # two-line heading beside it.
        block = len(lines) * leading
        baseline = (
            top
            - (row.height - block) / 2
            - (leading + (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) * style.size) / 2
        )
        for line in lines:
            if centred:
                x = left + (width - measure(line)) / 2
            elif index > 0 and _is_number(line):
                x = left + width - PAD_X - measure(line)
            else:
                x = left + PAD_X
            writer.line(x, baseline, line, style)
            baseline -= leading
        left += width
        if index < len(row.cells) - 1:
            _rule(canvas, left, top, left, top - row.height, GRID)
    bottom = top - row.height
    _rule(canvas, MARGIN, bottom, MARGIN + sum(widths), bottom, GRID)
    return bottom


def _is_number(text: str) -> bool:
    return text == NO_RATE or text.replace(",", "").replace(".", "", 1).isdigit()


def _rule(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    canvas.setLineWidth(width)
    canvas.line(x0, y0, x1, y1)
