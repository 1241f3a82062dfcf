"""The 一函两书 register (台账) printed: a table on landscape A4, its header row repeated on every page.

It is a working list, not a 公文, so it keeps plain margins instead of the GB/T 9704 grid; its cells are
broken with the same 禁则 line breaker as the notices. The table lays itself out first and draws after,
so each page can say "第 1 页 共 3 页".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from models.notice_register import OVERDUE, REGISTER_COLUMNS, REGISTER_TITLE, RegisterEntry
from printing.fonts import DocumentFonts
from printing.official_document import RED
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
TITLE_SIZE, SUBTITLE_SIZE, CELL_SIZE, FOOT_SIZE = 18.0, 10.0, 8.0, 9.0
LEADING = 1.35 * CELL_SIZE
PAD_X, PAD_Y = 1 * mm, 1.5 * mm  # inside a cell: beside the text, above and under it
TABLE_TOP = PAGE_HEIGHT - MARGIN - 16 * mm  # under the title and the line saying what the list holds
TABLE_BOTTOM = MARGIN + 8 * mm  # over the page number
# Millimetres, in the order of REGISTER_COLUMNS (267 in all): a date, a credit code, a kind and a status
# fit on one line at 8 pt.
WIDTHS = (34, 28, 34, 35, 21, 17, 17, 14, 14, 17, 17, 11, 8)
GRID, BORDER = 0.4, 0.8
OVERDUE_COLUMN = [heading for heading, _ in REGISTER_COLUMNS].index(OVERDUE)


@dataclass(frozen=True)
class _Row:
    cells: tuple[tuple[str, ...], ...]  # the lines of each cell
    height: float
    overdue: bool = False


@dataclass(frozen=True)
class NoticeRegisterSheet:
    """The register as a ``Printable`` for ``iter_write_documents``.

    Attributes:
        entries: the rows, from ``models.notice_register.notice_register``.
        scope: what the register covers, e.g. "2026年 工会组建意见函".
        made_at: when it was made, printed under the title.
        issuing_body: the federation, for the PDF's metadata.
    """

    entries: Sequence[RegisterEntry]
    scope: str
    made_at: dt.datetime
    issuing_body: str = ""

    @property
    def label(self) -> str:
        return REGISTER_TITLE

    @property
    def author(self) -> str:
        return self.issuing_body

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None:
        """Draw every page in landscape, then set the canvas back to the portrait A4 the writer uses."""
        cell = TextStyle(fonts.body, CELL_SIZE, None, fonts.fallback)
        head = TextStyle(fonts.heading1, CELL_SIZE, None, fonts.fallback)
        header = _layout_row([heading for heading, _ in REGISTER_COLUMNS], head)
        rows = [_layout_row(_texts(entry), cell, entry.overdue) for entry in self.entries]
        pages = _paginate(rows, TABLE_TOP - TABLE_BOTTOM - header.height)
        for number, page in enumerate(pages, start=1):
            canvas.setPageSize((PAGE_WIDTH, PAGE_HEIGHT))
            writer = TextWriter(canvas)
            self._draw_heading(writer, fonts, len(self.entries))
            top = _draw_row(canvas, writer, header, head, TABLE_TOP)
            for row in page:
                top = _draw_row(canvas, writer, row, cell, top)
            _draw_frame(canvas, top)
            _draw_page_number(writer, fonts, number, len(pages))
            writer.finish()
            canvas.showPage()
        canvas.setPageSize(A4)  # the writer's pages are portrait A4

    def _draw_heading(self, writer: TextWriter, fonts: DocumentFonts, count: int) -> None:
        title = TextStyle(fonts.title, TITLE_SIZE, None, fonts.fallback)
        baseline = PAGE_HEIGHT - MARGIN - EM_ABOVE_BASELINE * TITLE_SIZE
        writer.centred(REGISTER_TITLE, title, baseline, 0, PAGE_WIDTH)
        subtitle = TextStyle(fonts.body, SUBTITLE_SIZE, None, fonts.fallback)
        line = f"范围：{self.scope}　　共 {count} 份　　制表时间：{self.made_at:%Y-%m-%d %H:%M}"
        writer.centred(line, subtitle, baseline - TITLE_SIZE - 2 * mm, 0, PAGE_WIDTH)


def _texts(entry: RegisterEntry) -> list[str]:
    return [_text(value) for value in entry.values()]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_widths() -> list[float]:
    return [width * mm for width in WIDTHS]


def _layout_row(texts: Sequence[str], style: TextStyle, overdue: bool = False) -> _Row:
    width = measurer(style).width
    cells = tuple(
        tuple(break_lines(text, column - 2 * PAD_X, width) or [""])
        for text, column in zip(texts, _column_widths(), strict=True)
    )
    height = max(len(lines) for lines in cells) * LEADING + 2 * PAD_Y
    return _Row(cells, height, overdue)


def _paginate(rows: list[_Row], room: float) -> list[list[_Row]]:
    """Rows into pages of at most ``room`` in height; an empty register still has its one page."""
    pages: list[list[_Row]] = [[]]
    used = 0.0
    for row in rows:
        if pages[-1] and used + row.height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row.height
    return pages


def _draw_row(canvas: Canvas, writer: TextWriter, row: _Row, style: TextStyle, top: float) -> float:
    """Draw one row with its top at ``top``; return its bottom."""
    left = MARGIN
    for index, (lines, width) in enumerate(zip(row.cells, _column_widths(), strict=True)):
        red = row.overdue and index == OVERDUE_COLUMN
        if red:
            writer.set_color(RED)
        baseline = top - PAD_Y - (LEADING + (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) * style.size) / 2
        for line in lines:
            writer.line(left + PAD_X, baseline, line, style)
            baseline -= LEADING
        if red:
            writer.set_color(black)
        left += width
        if index < len(row.cells) - 1:
            _rule(canvas, left, top, left, top - row.height, GRID)
    bottom = top - row.height
    _rule(canvas, MARGIN, bottom, MARGIN + TABLE_WIDTH, bottom, GRID)
    return bottom


def _draw_frame(canvas: Canvas, bottom: float) -> None:
    canvas.setLineWidth(BORDER)
    canvas.rect(MARGIN, bottom, TABLE_WIDTH, TABLE_TOP - bottom)


def _rule(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    canvas.setLineWidth(width)
    canvas.line(x0, y0, x1, y1)


def _draw_page_number(writer: TextWriter, fonts: DocumentFonts, number: int, total: int) -> None:
    style = TextStyle(fonts.page_number, FOOT_SIZE, None, fonts.fallback)
    writer.centred(f"第 {number} 页　共 {total} 页", style, MARGIN, 0, PAGE_WIDTH)
