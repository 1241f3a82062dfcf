"""会员花名册 printed: the member list as shown (search, filters, order) on landscape A4.

A working table like the notice register, not a 公文: plain margins, the title and the header row on
every page, "第 1 页 共 40 页" at the foot. ID numbers and phones are masked unless the roster is a full
one, which needs the editor's right and a reason and is kept in the audit trail (``models.privacy``).

100,000 members make some 4,000 pages, so nothing is laid out ahead: every row is one line high (a long
union name is set smaller, or on two small lines), which gives the page count from the row count alone;
rows are then fetched and drawn a run of pages at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Engine

from models.errors import writing_file
from models.labels import presenter
from models.listing import LISTINGS, fetch_rows, list_ids
from models.privacy import FULL_PRINT, check_full_disclosure, disclosure_subject, record_full_disclosure
from models.registers import federation_settings
from printing.fonts import DocumentFonts
from printing.official_document import iter_write_documents
from printing.typesetting import (
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    TextStyle,
    break_lines,
    measurer,
)

Progress = tuple[int, int, str]

ROSTER_TITLE = "会员花名册"
# The member list's columns, in the roster's order, after a 序号 of its own.
COLUMNS = ("name", "sex", "id_number", "mobile", "union", "joined_on", "status")
HEADINGS = ("序号", "姓名", "性别", "身份证号", "手机号码", "所在工会", "入会日期", "状态")
# Millimetres, 267 in all: an 18-character ID number and a date fit at 9 pt; a name of six characters
# and a union name of 35 do too, longer ones are set smaller.
WIDTHS = (14, 24, 10, 40, 28, 115, 22, 14)
CENTRED = frozenset({"sex", "joined_on", "status"})
SHRINKING = frozenset({"name", "union"})  # free text: may need a smaller size to fit

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 15 * mm
TABLE_WIDTH = PAGE_WIDTH - 2 * MARGIN
TITLE_SIZE, SUBTITLE_SIZE, CELL_SIZE, FOOT_SIZE = 18.0, 9.0, 9.0, 9.0
SMALLER_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # a few sizes, so the measurer's cache keeps them
TWO_LINE_SIZE = 6.0
LEADING = 1.3 * CELL_SIZE
PAD_X, PAD_Y = 1 * mm, 1 * mm
ROW_HEIGHT = LEADING + 2 * PAD_Y
TABLE_TOP = PAGE_HEIGHT - MARGIN - 15 * mm  # under the title and the line saying what the roster holds
TABLE_BOTTOM = MARGIN + 8 * mm  # over the page number
ROWS_PER_PAGE = int((TABLE_TOP - TABLE_BOTTOM - ROW_HEIGHT) // ROW_HEIGHT)
PAGES_PER_RUN = 40  # fetched and drawn between two progress reports (about 1,000 rows)
GRID, BORDER = 0.4, 0.8


@dataclass(frozen=True)
class _Heading:
    """What every page says above its table."""

    subtitle: str
    pages: int
    author: str


@dataclass(frozen=True)
class _Styles:
    cell: TextStyle
    head: TextStyle
    title: TextStyle
    subtitle: TextStyle
    foot: TextStyle
    fallback: str | None

    @classmethod
    def of(cls, fonts: DocumentFonts) -> _Styles:
        def style(font: str, size: float) -> TextStyle:
            return TextStyle(font, size, None, fonts.fallback)

        return cls(
            cell=style(fonts.body, CELL_SIZE),
            head=style(fonts.heading1, CELL_SIZE),
            title=style(fonts.title, TITLE_SIZE),
            subtitle=style(fonts.body, SUBTITLE_SIZE),
            foot=style(fonts.page_number, FOOT_SIZE),
            fallback=fonts.fallback,
        )


@dataclass(frozen=True)
class _RosterPages:
    """A run of the roster's pages, a ``Printable`` for ``iter_write_documents``: its rows are fetched
    when it is drawn, so the whole roster never sits in memory."""

    engine: Engine
    ids: Sequence[int]
    first_row: int  # the 序号 of the first row, less one
    heading: _Heading
    reveal: bool
    encoder: _Encoder  # shared by the runs of one roster

    @property
    def label(self) -> str:
        return ROSTER_TITLE

    @property
    def author(self) -> str:
        return self.heading.author

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None:
        """Draw the run's pages in landscape, then set the canvas back to the portrait A4 the writer uses."""
        styles = _Styles.of(fonts)
        self.encoder.bind(canvas)
        rows = _rows(self.engine, self.ids, self.reveal)
        for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
            number = (self.first_row + start) // ROWS_PER_PAGE + 1
            _draw_page(
                canvas,
                self.encoder,
                styles,
                self.heading,
                number,
                self.first_row + start,
                rows[start : start + ROWS_PER_PAGE],
            )
        canvas.setPageSize(A4)


def write_member_roster(
    engine: Engine,
    target: Path | BinaryIO,
    *,
    sort: str | None = None,
    descending: bool = False,
    search: str = "",
    filters: Mapping[str, Any] | None = None,
    conditions: Sequence[str] = (),
    full: bool = False,
    reason: str | None = None,
    destination: str | None = None,
    fonts: DocumentFonts | None = None,
    made_at: dt.datetime | None = None,
) -> Iterator[Progress]:
    """Print the member list to a PDF, yielding ``(rows done, rows, message)``.

    Args:
        engine: The database.
        target: A path (written through a temporary file: a cancel leaves nothing), or a binary file
            object (``io.BytesIO`` for the window's preview).
        sort, descending, search, filters: As for ``models.listing.list_ids`` over "members".
        conditions: The filters in words ("状态：在会"), for the line under the title.
        full: Whole ID numbers and phones. Needs the editor's right and a ``reason``; the audit trail
            keeps who, how many people, why and ``destination``, once every page is drawn and before
            the PDF is handed over.
        reason: Why a full roster is needed, as the person typed it.
        destination: Where the PDF goes, for the audit trail; the file name of a path ``target``.
        fonts: The fonts; by default the office fonts where installed, else the bundled one.
        made_at: The time printed under the title; now if None.

    Raises:
        NotAllowed: a full roster asked for by a reader.
        InvalidInput: a full roster without a reason.
        FileNotWritable: the target cannot be written (open in a viewer, a full disk…).
    """
    disclosure = None
    if full:
        reason = check_full_disclosure(engine, reason, FULL_PRINT)
        disclosure = (disclosure_subject("members", COLUMNS, ROSTER_TITLE), reason)
    ids = list_ids(engine, "members", sort, descending, search, filters=filters)
    total = len(ids)
    heading = _Heading(
        _subtitle(search, conditions, total, full, made_at or dt.datetime.now()),
        max(1, math.ceil(total / ROWS_PER_PAGE)),
        federation_settings(engine).name,
    )
    run = ROWS_PER_PAGE * PAGES_PER_RUN
    encoder = _Encoder()
    runs = [
        _RosterPages(engine, ids[start : start + run], start, heading, full, encoder)
        for start in range(0, max(total, 1), run)
    ]
    yield 0, total, f"正在排版{ROSTER_TITLE}（{total:,} 人）"
    buffer = io.BytesIO()
    for done, _, _ in iter_write_documents(buffer, runs, fonts, title=ROSTER_TITLE):
        rows = min(done * run, total)
        yield rows, total, f"已排版 {rows:,}/{total:,} 人"
    if disclosure is not None:
        if destination is None and isinstance(target, (str, os.PathLike)):
            destination = Path(target).name
        record_full_disclosure(engine, disclosure[0], total, disclosure[1], destination)
    _deliver(buffer.getvalue(), target)


def member_roster_pdf(engine: Engine, **options: Any) -> Iterator[Progress]:
    """The roster as PDF bytes for a preview: a progress generator that returns the bytes."""
    buffer = io.BytesIO()
    yield from write_member_roster(engine, buffer, **options)
    return buffer.getvalue()


def _subtitle(search: str, conditions: Sequence[str], total: int, full: bool, made_at: dt.datetime) -> str:
    narrowed = ([f"查找“{search.strip()}”"] if search.strip() else []) + list(conditions)
    scope = "；".join(narrowed) if narrowed else "全部会员"
    privacy = "含完整身份证号、手机号码，请妥善保管" if full else "身份证号、手机号码已隐去部分数字"
    return f"范围：{scope}　　共 {total:,} 人　　制表时间：{made_at:%Y-%m-%d %H:%M}　　{privacy}"


def _rows(engine: Engine, ids: Sequence[int], reveal: bool) -> list[tuple[str, ...]]:
    """The run's rows as printed, in list order (a member deleted meanwhile is left out)."""
    keys = LISTINGS["members"].column_keys
    positions = [keys.index(column) for column in COLUMNS]
    shown = [presenter("members", column, reveal) for column in COLUMNS]
    fetched = fetch_rows(engine, "members", ids)
    rows = []
    for record_id in ids:
        values = fetched.get(record_id)
        if values is not None:
            rows.append(tuple(_text(show(values[p])) for show, p in zip(shown, positions, strict=True)))
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _column_lefts() -> list[float]:
    lefts, left = [], MARGIN
    for width in WIDTHS:
        lefts.append(left)
        left += width * mm
    return lefts


LEFTS = _column_lefts()

# A byte of a PDF string as written in the content stream (what reportlab's escapePDF writes).
_ESCAPED = tuple(
    f"\\{code:03o}" if code < 32 or code > 126 else ("\\" + chr(code) if chr(code) in "\\()" else chr(code))
    for code in range(256)
)


class _Encoder:
    """Texts as PDF text operators, each encoded once per document.

    reportlab's TextObject formats every coordinate and encodes and escapes every string in pure Python
    (its C accelerator is an optional package we do not ship): 60 µs a cell, over a minute for 100,000
    members. The roster's texts repeat (headings, union names, dates, 在会), so each is encoded once
    with the font's own subset encoding (``splitString``, as TextObject does) and its fallback runs
    (``Measurer.runs``), and a page is handed to the canvas as one literal.
    """

    def __init__(self) -> None:
        self._doc: object = None
        self._known: dict[tuple[TextStyle, str], tuple[tuple[str, str], ...]] = {}

    def bind(self, canvas: Canvas) -> None:
        doc = canvas._doc  # the document TextObject itself hands to splitString
        if doc is not self._doc:
            self._doc, self._known = doc, {}

    def pieces(self, style: TextStyle, text: str, keep: bool) -> tuple[tuple[str, str], ...]:
        """(font operator, escaped string) pairs; ``keep`` for a text likely to come again."""
        key = (style, text)
        found = self._known.get(key)
        if found is None:
            found = tuple(self._encode(style, text))
            if keep:
                self._known[key] = found
        return found

    def _encode(self, style: TextStyle, text: str) -> Iterator[tuple[str, str]]:
        size = f"{style.size:g}"
        for run in measurer(style).runs(text):
            font = pdfmetrics.getFont(run.font)
            for subset, chunk in font.splitString(run.text, self._doc):
                name = font.getSubsetInternalName(subset, self._doc)
                yield f"{name} {size} Tf", "".join(map(_ESCAPED.__getitem__, chunk))


class _PageText:
    """One page's text, gathered as PDF operators and handed to the canvas at once."""

    def __init__(self, encoder: _Encoder) -> None:
        self._encoder = encoder
        self._operators = ["BT", "0 Tc"]
        self._font: str | None = None

    def line(self, x: float, y: float, text: str, style: TextStyle, keep: bool = True) -> None:
        """Write ``text`` with its baseline starting at (x, y)."""
        operators = self._operators
        operators.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        for font, chunk in self._encoder.pieces(style, text, keep):
            if font != self._font:
                operators.append(font)
                self._font = font
            operators.append(f"({chunk}) Tj")

    def centred(self, text: str, style: TextStyle, y: float, left: float, width: float) -> None:
        self.line(left + (width - measurer(style).width(text)) / 2, y, text, style)

    def finish(self, canvas: Canvas) -> None:
        self._operators.append("ET")
        canvas.addLiteral("\n".join(self._operators))


def _draw_page(
    canvas: Canvas,
    encoder: _Encoder,
    styles: _Styles,
    heading: _Heading,
    number: int,
    first_row: int,
    rows: Sequence[tuple[str, ...]],
) -> None:
    canvas.setPageSize((PAGE_WIDTH, PAGE_HEIGHT))
    canvas.addLiteral(_grid(len(rows)))
    page = _PageText(encoder)
    title_baseline = PAGE_HEIGHT - MARGIN - EM_ABOVE_BASELINE * TITLE_SIZE
    page.centred(ROSTER_TITLE, styles.title, title_baseline, 0, PAGE_WIDTH)
    page.centred(heading.subtitle, styles.subtitle, title_baseline - TITLE_SIZE + 1 * mm, 0, PAGE_WIDTH)
    top = TABLE_TOP
    for left, width, text in zip(LEFTS, WIDTHS, HEADINGS, strict=True):
        page.centred(text, styles.head, _baseline(top, CELL_SIZE), left, width * mm)
    digit = measurer(styles.cell).width("0")
    for index, row in enumerate(rows, start=first_row + 1):
        top -= ROW_HEIGHT
        serial = str(index)
        page.line(
            LEFTS[1] - PAD_X - digit * len(serial), _baseline(top, CELL_SIZE), serial, styles.cell, False
        )
        for column, left, width, text in zip(COLUMNS, LEFTS[1:], WIDTHS[1:], row, strict=True):
            if text:
                _draw_cell(page, styles, column, text, top, left, width * mm)
    page.centred(f"第 {number} 页　共 {heading.pages} 页", styles.foot, MARGIN, 0, PAGE_WIDTH)
    page.finish(canvas)
    canvas.showPage()


def _baseline(top: float, size: float) -> float:
    """The baseline that centres one line of ``size`` in the row whose top is ``top``."""
    return top - ROW_HEIGHT / 2 - (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) / 2 * size


def _draw_cell(
    page: _PageText, styles: _Styles, column: str, text: str, top: float, left: float, width: float
) -> None:
    room = width - 2 * PAD_X
    style = styles.cell
    if column in CENTRED:
        page.centred(text, style, _baseline(top, CELL_SIZE), left, width)
        return
    if column not in SHRINKING:  # an ID number, a phone: each printed once, fitting by design
        page.line(left + PAD_X, _baseline(top, CELL_SIZE), text, style, keep=False)
        return
    # No CJK glyph is wider than its em: a text that short fits without measuring it.
    if len(text) * CELL_SIZE <= room:
        page.line(left + PAD_X, _baseline(top, CELL_SIZE), text, style)
        return
    natural = measurer(style).width(text)
    for size in (CELL_SIZE, *SMALLER_SIZES):
        if natural * size / CELL_SIZE <= room:
            smaller = TextStyle(style.font, size, None, styles.fallback)
            page.line(left + PAD_X, _baseline(top, size), text, smaller)
            return
    _draw_two_lines(page, styles, text, top, left + PAD_X, room)


def _draw_two_lines(
    page: _PageText, styles: _Styles, text: str, top: float, left: float, room: float
) -> None:
    """A text too long for one line even when small: two small lines, the end cut with "…" if need be."""
    small = TextStyle(styles.cell.font, TWO_LINE_SIZE, None, styles.fallback)
    width = measurer(small).width
    lines = break_lines(text, room, width)
    if len(lines) > 2:
        second = lines[1]
        while second and width(second + "…") > room:
            second = second[:-1]
        lines = [lines[0], second + "…"]
    leading = 1.15 * TWO_LINE_SIZE
    first = _baseline(top, TWO_LINE_SIZE) + leading / 2
    for offset, line in enumerate(lines):
        page.line(left, first - offset * leading, line, small)


@functools.lru_cache(maxsize=8)
def _grid(rows: int) -> str:
    """The rules of a page's table of ``rows`` rows, as PDF operators: the same on every full page."""
    bottom = TABLE_TOP - ROW_HEIGHT * (rows + 1)
    right = MARGIN + TABLE_WIDTH
    operators = ["q", f"{GRID} w"]
    for row in range(1, rows + 1):
        y = TABLE_TOP - row * ROW_HEIGHT
        operators.append(f"{MARGIN:.2f} {y:.2f} m {right:.2f} {y:.2f} l")
    for left in LEFTS[1:]:
        operators.append(f"{left:.2f} {TABLE_TOP:.2f} m {left:.2f} {bottom:.2f} l")
    operators += [
        "S",
        f"{BORDER} w",
        f"{MARGIN:.2f} {bottom:.2f} {TABLE_WIDTH:.2f} {TABLE_TOP - bottom:.2f} re S",
        "Q",
    ]
    return "\n".join(operators)


def _deliver(data: bytes, target: Path | BinaryIO) -> None:
    """Hand the PDF over: into a file object as it is, to a path through a temporary file beside it, so
    that a failure (a full disk, the old PDF open in a viewer) leaves no half PDF under the name."""
    if not isinstance(target, (str, os.PathLike)):
        target.write(data)
        return
    path = Path(target)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    with writing_file(path):
        try:
            partial.write_bytes(data)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
