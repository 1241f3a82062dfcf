"""A formal document (公文) typeset to GB/T 9704-2012, and the writer that puts documents into one PDF.

Two layouts: the standard one (红头, for 书) with the issuing-body mark 35 mm below the top of the text
block, the document number under it and a red rule; and the letter layout (信函格式, for 函) with the
mark 30 mm from the top of the page between red double rules and no page number on its first page.

The writer takes any item that can draw itself onto a canvas (``Printable``), so a caller can interleave
documents with their proofs of service: [notice 1, receipt 1, notice 2, receipt 2 …].
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import DocumentFonts, document_fonts
from printing.typesetting import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    BLOCK_WIDTH,
    BODY_SIZE,
    CHAR_PITCH,
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    LINE_PITCH,
    LINES_PER_PAGE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SMALL_SIZE,
    TITLE_SIZE,
    TextStyle,
    TextWriter,
    break_lines,
    measurer,
    row_baseline,
)

RED = Color(0xE6 / 255, 0, 0x12 / 255)  # #E60012, the red of a 红头

MARK_SIZE = 42.0  # largest issuing-body mark; a long name is set smaller to stay within the text block
STANDARD_MARK_OFFSET = 35 * mm  # §7.2.3: mark's top edge below the top of the text block
LETTER_MARK_TOP = 30 * mm  # §10.1: mark's top edge below the top edge of the page
RULE_GAP = 4 * mm  # between the document number (or the letter's mark) and the red rule
RULE_WIDTH = 1.5
LETTER_RULE_LENGTH = 170 * mm
LETTER_BOTTOM_RULE = 20 * mm  # second double rule above the bottom edge of the page
THICK_LINE, THIN_LINE, DOUBLE_GAP = 2.25, 0.75, 0.75
RECORD_THICK, RECORD_THIN = 0.35 * mm, 0.25 * mm  # §7.4.1 版记 rules
PAGE_NUMBER_DROP = 7 * mm  # §7.5: the dashes of the page number lie 7 mm below the text block
# Where an em dash sits in a Chinese font: at the middle of the ideographic em box.
DASH_HEIGHT = (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) / 2
BLANK_LINES_AROUND_SEAL = 2  # room above the signature for the seal, whose top may reach the body

Variant = Literal["standard", "letter"]
VARIANTS = ("standard", "letter")
INDENT = 2 * CHAR_PITCH  # paragraphs start two characters in
MAX_JUSTIFY_SLACK = 2.5 * CHAR_PITCH

_LEVEL1 = re.compile(r"^[一二三四五六七八九十百]+、")
_LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")


# --- the data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body.

    Attributes:
        text: the paragraph; leading spaces (the indent someone typed) are dropped, the layout indents.
        level: 0 for body text (仿宋), 1 for a first-level heading "一、…" (黑体), 2 for a second-level
            heading "（一）…" (楷体).
    """

    text: str
    level: int = 0

    def __post_init__(self) -> None:
        if self.level not in (0, 1, 2):
            raise ValueError(f"paragraph level must be 0, 1 or 2, not {self.level!r}")
        object.__setattr__(self, "text", _clean_paragraph(self.text))


def _clean_paragraph(text: str) -> str:
    # Text pasted from Word brings its own "　　" indent and line breaks; the grid does both.
    text = text.replace("\r", "").replace("\n", "").replace("\t", " ")
    return text.strip(" \u3000\u00a0")


def paragraphs_from_text(text: str) -> tuple[Paragraph, ...]:
    """Paragraphs from plain text, one per line, with headings recognised by their numbering.

    "一、" starts a first-level heading and "（一）" a second-level one; "1." and "（1）" stay body text,
    as GB/T 9704 sets the third and fourth levels in 仿宋.
    """
    paragraphs = []
    for line in text.splitlines():
        cleaned = _clean_paragraph(line)
        if not cleaned:
            continue
        level = 1 if _LEVEL1.match(cleaned) else 2 if _LEVEL2.match(cleaned) else 0
        paragraphs.append(Paragraph(cleaned, level))
    return tuple(paragraphs)


@dataclass(frozen=True)
class OfficialDocument:
    """A 公文 to print.

    Attributes:
        issuing_body_mark: 发文机关标志, e.g. "重庆两江新区总工会" or "重庆两江新区总工会文件".
        document_number: 发文字号, e.g. "两江工组函〔2020〕3号"; printed verbatim.
        title: 标题.
        addressee: 主送机关; a full-width colon is added when missing.
        body: the paragraphs; plain strings are body-text paragraphs.
        signature: 发文机关署名.
        date: 成文日期, printed "2020年3月5日".
        variant: "standard" (版头 with a red rule) or "letter" (信函格式).
        attachments: 附件说明, the attachments' names.
        note: 附注 under the date, e.g. "联系人：张三，电话：023-67001234"; brackets are added.
        copy_to: 抄送机关, printed in the 版记 at the bottom of the last page.
        printed_by: 印发机关 for the 版记 (standard variant only).
        printed_on: 印发日期; the document's date when not given.
    """

    issuing_body_mark: str
    document_number: str
    title: str
    addressee: str
    body: Sequence[Paragraph | str]
    signature: str
    date: dt.date
    variant: Variant = "standard"
    attachments: Sequence[str] = ()
    note: str = ""
    copy_to: Sequence[str] = ()
    printed_by: str = ""
    printed_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        body = tuple(block if isinstance(block, Paragraph) else Paragraph(block) for block in self.body)
        object.__setattr__(self, "body", tuple(block for block in body if block.text))
        object.__setattr__(self, "attachments", tuple(self.attachments))
        object.__setattr__(self, "copy_to", tuple(self.copy_to))

    @property
    def label(self) -> str:
        """How progress messages name the document."""
        return self.title or self.document_number

    @property
    def author(self) -> str:
        """The issuing body, for the PDF's metadata."""
        return self.signature or self.issuing_body_mark

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None:
        """Draw every page of the document, each ended with ``showPage``."""
        _draw_document(canvas, self, fonts)


def format_date(date: dt.date) -> str:
    """A date as a 公文 prints it: 2020年3月5日, Arabic numerals, no leading zeros."""
    return f"{date.year}年{date.month}月{date.day}日"


def addressee_line(addressee: str) -> str:
    """The addressee ending in a full-width colon, as §7.3.2 asks."""
    text = addressee.strip().rstrip(":：")
    return f"{text}：" if text else ""


# --- styles and the flow of grid lines ---------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    body: TextStyle
    heading1: TextStyle
    heading2: TextStyle
    title: TextStyle
    small: TextStyle
    page_number: TextStyle

    @classmethod
    def of(cls, fonts: DocumentFonts) -> _Styles:
        fallback = fonts.fallback
        return cls(
            body=TextStyle(fonts.body, BODY_SIZE, CHAR_PITCH, fallback),
            heading1=TextStyle(fonts.heading1, BODY_SIZE, CHAR_PITCH, fallback),
            heading2=TextStyle(fonts.heading2, BODY_SIZE, CHAR_PITCH, fallback),
            title=TextStyle(fonts.title, TITLE_SIZE, None, fallback),
            small=TextStyle(fonts.body, SMALL_SIZE, None, fallback),
            page_number=TextStyle(fonts.page_number, SMALL_SIZE, None, fallback),
        )

    def for_level(self, level: int) -> TextStyle:
        return (self.body, self.heading1, self.heading2)[level]


@dataclass(frozen=True)
class _Row:
    """One grid line of the flow.

    Attributes:
        text: what the line shows; empty for a blank line.
        style: None for a blank line.
        x: where the text starts, from the left edge of the text block.
        justify_to: when set, spread the characters so the line ends this far right of ``x``.
        keep_with_previous: a page may not start with this line.
    """

    text: str = ""
    style: TextStyle | None = None
    x: float = 0.0
    justify_to: float = 0.0
    keep_with_previous: bool = False


def _flow(document: OfficialDocument, styles: _Styles) -> list[_Row]:
    """Every grid line from the title to the note under the date."""
    rows = _title_rows(document, styles)
    rows += _addressee_rows(document, styles, after_title=bool(rows))
    body = _body_rows(document, styles, after_heading=bool(rows))
    if len(body) >= 2:
        # With the line above it, the last body line goes wherever the signature goes: GB/T 9704 wants
        # the seal's page to carry body text.
        body[-1] = dataclasses.replace(body[-1], keep_with_previous=True)
    rows += body
    rows += _attachment_rows(document, styles)
    rows += _signature_rows(document, styles)
    rows += _note_rows(document, styles)
    return rows


def _title_rows(document: OfficialDocument, styles: _Styles) -> list[_Row]:
    width = measurer(styles.title).width
    rows = [
        _Row(line, styles.title, (BLOCK_WIDTH - width(line)) / 2, keep_with_previous=index > 0)
        for index, line in enumerate(break_lines(document.title.strip(), BLOCK_WIDTH, width))
    ]
    if rows:
        rows.append(_Row(keep_with_previous=True))  # §7.3.2: one blank line under the title
    return rows


def _addressee_rows(document: OfficialDocument, styles: _Styles, after_title: bool) -> list[_Row]:
    width = measurer(styles.body).width
    lines = break_lines(addressee_line(document.addressee), BLOCK_WIDTH, width)
    return [_Row(line, styles.body, 0.0, keep_with_previous=after_title) for line in lines]


def _body_rows(document: OfficialDocument, styles: _Styles, after_heading: bool) -> list[_Row]:
    rows: list[_Row] = []
    for paragraph in document.body:
        style = styles.for_level(paragraph.level)
        lines = break_lines(paragraph.text, BLOCK_WIDTH, measurer(style).width, first_indent=INDENT)
        for index, line in enumerate(lines):
            x = INDENT if index == 0 else 0.0
            last = index == len(lines) - 1
            rows.append(
                _Row(
                    line,
                    style,
                    x,
                    justify_to=0.0 if last else BLOCK_WIDTH - x,
                    # A heading (or the addressee) never ends a page without the text it announces.
                    keep_with_previous=index == 0 and after_heading,
                )
            )
        after_heading = paragraph.level > 0
    return rows


def _attachment_rows(document: OfficialDocument, styles: _Styles) -> list[_Row]:
    """§7.3.4: "附件：" two characters in, one line under the body; names numbered when more than one."""
    if not document.attachments:
        return []
    width = measurer(styles.body).width
    lead = "附件："
    rows = [_Row(keep_with_previous=True)]
    numbered = len(document.attachments) > 1
    for number, name in enumerate(document.attachments, start=1):
        label = f"{number}." if numbered else ""
        text = (lead if number == 1 else "") + label + name.strip()
        first = INDENT + (0.0 if number == 1 else width(lead))
        hanging = INDENT + width(lead) + width(label)
        lines = break_lines(text, BLOCK_WIDTH, width, first_indent=first, indent=hanging)
        for index, line in enumerate(lines):
            rows.append(_Row(line, styles.body, first if index == 0 else hanging, keep_with_previous=True))
    return rows


def _signature_rows(document: OfficialDocument, styles: _Styles) -> list[_Row]:
    """§7.3.5.1: the date four characters from the right, the signature centred on the date above it."""
    width = measurer(styles.body).width
    date_text = format_date(document.date)
    date_x = BLOCK_WIDTH - 4 * CHAR_PITCH - width(date_text)
    centre = date_x + width(date_text) / 2
    rows = [_Row(keep_with_previous=True) for _ in range(BLANK_LINES_AROUND_SEAL)]
    for line in break_lines(document.signature.strip(), BLOCK_WIDTH, width):
        line_width = width(line)
        x = min(max(centre - line_width / 2, 0.0), BLOCK_WIDTH - line_width)
        rows.append(_Row(line, styles.body, x, keep_with_previous=True))
    rows.append(_Row(date_text, styles.body, date_x, keep_with_previous=True))
    return rows


def _note_rows(document: OfficialDocument, styles: _Styles) -> list[_Row]:
    """§7.3.6: the 附注 in brackets, two characters in, on the line under the date."""
    note = document.note.strip()
    if not note:
        return []
    if not note.startswith(("（", "(")):
        note = f"（{note}）"
    lines = break_lines(note, BLOCK_WIDTH, measurer(styles.body).width, first_indent=INDENT)
    return [
        _Row(line, styles.body, INDENT if index == 0 else 0.0, keep_with_previous=True)
        for index, line in enumerate(lines)
    ]


def _paginate(rows: list[_Row], first_row: int) -> list[list[_Row]]:
    """Fill pages of 22 lines; page 1 starts at ``first_row`` under the head.

    A page never starts with a line marked ``keep_with_previous`` unless the kept-together lines are
    longer than a page, and never with a blank line.
    """
    pages: list[list[_Row]] = []
    start, capacity = 0, LINES_PER_PAGE - first_row
    while start < len(rows) or not pages:
        end = min(start + capacity, len(rows))
        if end < len(rows):
            cut = end
            while cut > start and rows[cut].keep_with_previous:
                cut -= 1
            end = cut if cut > start else end
        pages.append(rows[start:end])
        start, capacity = end, LINES_PER_PAGE
        while start < len(rows) and rows[start].style is None:
            start += 1
    return pages


# --- drawing ----------------------------------------------------------------------------------------


def _draw_document(canvas: Canvas, document: OfficialDocument, fonts: DocumentFonts) -> None:
    styles = _Styles.of(fonts)
    letter = document.variant == "letter"
    head = _draw_letter_head if letter else _draw_standard_head
    writer = TextWriter(canvas)
    first_row = head(canvas, writer, document, styles)
    pages = _paginate(_flow(document, styles), first_row)
    record = _record_rows(document, styles)
    if record and (first_row if len(pages) == 1 else 0) + len(pages[-1]) + len(record) > LINES_PER_PAGE:
        pages.append([])  # §7.4: the 版记 may stand on a page of its own, never in the body's way
    for number, rows in enumerate(pages, start=1):
        if number > 1:
            writer = TextWriter(canvas)
        _draw_rows(writer, rows, first_row if number == 1 else 0)
        if letter and number == 1:
            _double_rule(canvas, LETTER_BOTTOM_RULE + THICK_LINE + DOUBLE_GAP + THIN_LINE, thick_first=False)
        else:
            _draw_page_number(writer, number, styles.page_number)
        if number == len(pages) and record:
            _draw_record(canvas, writer, record, with_rules=not letter)
        writer.finish()
        canvas.showPage()


def _draw_rows(writer: TextWriter, rows: list[_Row], first_row: int) -> None:
    for offset, row in enumerate(rows):
        if row.style is None:
            continue
        extra = 0.0
        if row.justify_to and len(row.text) > 1:
            # A line shortened by 禁则 or by a half-width run still ends at the right edge, as Word
            # justifies Chinese text; a line left short by a long code pushed down stays ragged rather
            # than spread into gaps.
            slack = row.justify_to - measurer(row.style).width(row.text)
            if 0.0 < slack <= MAX_JUSTIFY_SLACK:
                extra = slack / (len(row.text) - 1)
        y = row_baseline(first_row + offset, row.style.size)
        writer.line(BLOCK_LEFT + row.x, y, row.text, row.style, extra)


def _mark_size(text: str, font: str) -> float:
    per_point = pdfmetrics.stringWidth(text, font, 1.0)
    return min(MARK_SIZE, BLOCK_WIDTH / per_point) if per_point else MARK_SIZE


def _draw_mark(writer: TextWriter, document: OfficialDocument, styles: _Styles, top: float) -> float:
    """Draw the red issuing-body mark centred with its top at ``top``; return the y of its bottom."""
    text = document.issuing_body_mark.strip()
    size = _mark_size(text, styles.title.font)
    style = dataclasses.replace(styles.title, size=size)
    baseline = top - EM_ABOVE_BASELINE * size
    writer.set_color(RED)
    writer.centred(text, style, baseline, BLOCK_LEFT, BLOCK_WIDTH)
    writer.set_color(black)
    return baseline - EM_BELOW_BASELINE * size


def _first_row_below(y: float, blank_lines: int) -> int:
    """The first grid line with ``blank_lines`` empty lines between it and ``y`` (a quarter-line slack)."""
    return max(0, math.ceil((BLOCK_TOP - y) / LINE_PITCH + blank_lines - 0.25))


def _draw_standard_head(
    canvas: Canvas, writer: TextWriter, document: OfficialDocument, styles: _Styles
) -> int:
    """§7.2: mark, two blank lines, the number centred, the red rule 4 mm under it; return the title's row."""
    mark_bottom = _draw_mark(writer, document, styles, BLOCK_TOP - STANDARD_MARK_OFFSET)
    number_row = _first_row_below(mark_bottom, 2)
    number = document.document_number.strip()
    width = measurer(styles.body).width(number)
    baseline = row_baseline(number_row, BODY_SIZE)
    writer.line(BLOCK_LEFT + (BLOCK_WIDTH - width) / 2, baseline, number, styles.body)
    rule_y = baseline - EM_BELOW_BASELINE * BODY_SIZE - RULE_GAP
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(RULE_WIDTH)
    canvas.line(BLOCK_LEFT, rule_y, BLOCK_RIGHT, rule_y)
    canvas.setStrokeColor(black)
    return _first_row_below(rule_y - RULE_WIDTH / 2, 2)


def _draw_letter_head(canvas: Canvas, writer: TextWriter, document: OfficialDocument, styles: _Styles) -> int:
    """§10.1: mark 30 mm from the top of the page, a double rule 4 mm under it, the number flush right 7/8
    of a character under the rule; return the title's row (two lines further down)."""
    mark_bottom = _draw_mark(writer, document, styles, PAGE_HEIGHT - LETTER_MARK_TOP)
    rule_bottom = _double_rule(canvas, mark_bottom - RULE_GAP, thick_first=True)
    number = document.document_number.strip()
    baseline = rule_bottom - 7 / 8 * BODY_SIZE - EM_ABOVE_BASELINE * BODY_SIZE
    writer.line(BLOCK_RIGHT - measurer(styles.body).width(number), baseline, number, styles.body)
    return _first_row_below(baseline - EM_BELOW_BASELINE * BODY_SIZE, 2)


def _double_rule(canvas: Canvas, top: float, thick_first: bool) -> float:
    """A red double rule 170 mm long centred on the text block; return the y of its bottom edge."""
    left = BLOCK_LEFT + (BLOCK_WIDTH - LETTER_RULE_LENGTH) / 2
    right = left + LETTER_RULE_LENGTH
    widths = (THICK_LINE, THIN_LINE) if thick_first else (THIN_LINE, THICK_LINE)
    canvas.setStrokeColor(RED)
    y = top
    for width in widths:
        canvas.setLineWidth(width)
        canvas.line(left, y - width / 2, right, y - width / 2)
        y -= width + DOUBLE_GAP
    canvas.setStrokeColor(black)
    return y + DOUBLE_GAP


def _draw_page_number(writer: TextWriter, number: int, style: TextStyle) -> None:
    """§7.5: "— 1 —" 7 mm under the text block, one character in from the right (odd) or left (even)."""
    text = f"— {number} —"
    width = measurer(style).width(text)
    x = BLOCK_RIGHT - style.size - width if number % 2 else BLOCK_LEFT + style.size
    writer.line(x, BLOCK_BOTTOM - PAGE_NUMBER_DROP - DASH_HEIGHT * style.size, text, style)


@dataclass(frozen=True)
class _RecordRow:
    left: str
    right: str
    style: TextStyle
    x: float
    rule_above: float  # width of the rule over this row; 0 for none


def _record_rows(document: OfficialDocument, styles: _Styles) -> list[_RecordRow]:
    """§7.4: the 版记, 抄送 and (standard variant) 印发机关 and 印发日期, one character in on each side."""
    style = styles.small
    width = measurer(style).width
    rows: list[_RecordRow] = []
    if document.copy_to:
        lead = "抄送："
        text = lead + "，".join(name.strip() for name in document.copy_to) + "。"
        lines = break_lines(text, BLOCK_WIDTH - 2 * style.size, width, indent=width(lead))
        for index, line in enumerate(lines):
            x = style.size + (width(lead) if index else 0.0)
            rows.append(_RecordRow(line, "", style, x, RECORD_THICK if index == 0 else 0.0))
    if document.variant == "standard" and document.printed_by.strip():
        printed_on = format_date(document.printed_on or document.date) + "印发"
        rule = RECORD_THIN if rows else RECORD_THICK
        rows.append(_RecordRow(document.printed_by.strip(), printed_on, style, style.size, rule))
    return rows


def _draw_record(canvas: Canvas, writer: TextWriter, rows: list[_RecordRow], with_rules: bool) -> None:
    """Put the 版记 on the last lines of the page; its last rule lies on the text block's bottom edge."""
    first = LINES_PER_PAGE - len(rows)
    for offset, row in enumerate(rows):
        index = first + offset
        baseline = row_baseline(index, row.style.size)
        writer.line(BLOCK_LEFT + row.x, baseline, row.left, row.style)
        if row.right:
            right_x = BLOCK_RIGHT - row.style.size - measurer(row.style).width(row.right)
            writer.line(right_x, baseline, row.right, row.style)
        if with_rules and row.rule_above:
            _record_rule(canvas, BLOCK_TOP - index * LINE_PITCH, row.rule_above)
    if with_rules:
        _record_rule(canvas, BLOCK_BOTTOM, RECORD_THICK)


def _record_rule(canvas: Canvas, y: float, width: float) -> None:
    canvas.setLineWidth(width)
    canvas.line(BLOCK_LEFT, y, BLOCK_RIGHT, y)


# --- the writer -------------------------------------------------------------------------------------


class Printable(Protocol):
    """Anything the writer can put into the PDF: it draws its pages and ends each with ``showPage``.

    It may also have ``label`` (named in progress messages) and ``author`` (the PDF's author).
    """

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None: ...


Progress = tuple[int, int, str]


def iter_write_documents(
    target: Path | BinaryIO,
    items: Iterable[Printable],
    fonts: DocumentFonts | None = None,
    title: str | None = None,
) -> Iterator[Progress]:
    """Write the items into one PDF, each starting on a new page, yielding ``(done, total, message)``.

    Page numbers restart with each document. The file appears only once it is complete: a path is
    written through a temporary file beside it, so stopping the generator early leaves nothing behind.

    Args:
        target: a path, or a binary file-like object (``io.BytesIO`` for a preview).
        items: documents, proofs of service, anything ``Printable``.
        fonts: the fonts to use; by default the office fonts when installed, else the bundled font.
        title: the PDF's title; by default the first item's label.
    """
    items = list(items)
    if not items:
        raise ValueError("没有要打印的文书。")
    total = len(items)
    fonts = fonts or document_fonts()
    buffer = io.BytesIO()
    # reportlab wraps every compressed stream in ASCII85 by default, in pure Python when its optional C
    # accelerator is missing: a third of the time for 500 documents, for a file 25% larger. Binary
    # streams are what every PDF reader expects anyway.
    rl_config.useA85 = 0
    # reportlab starts every page in Helvetica, which would put an unembedded font into the PDF.
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        lang="zh-CN",
        initialFontName=fonts.body,
        initialFontSize=BODY_SIZE,
    )
    canvas.setPageCompression(1)
    title = title or _default_title(items)
    canvas.setTitle(title)
    canvas.setSubject(title)
    canvas.setAuthor(getattr(items[0], "author", ""))
    canvas.setCreator("UnionDesk")
    yield 0, total, "正在排版…"
    for done, item in enumerate(items, start=1):
        item.draw(canvas, fonts)
        yield done, total, f"已排版 {done}/{total}：{_label(item)}"
    canvas.save()
    _deliver(buffer.getvalue(), target)


def write_documents(
    target: Path | BinaryIO,
    items: Iterable[Printable],
    fonts: DocumentFonts | None = None,
    progress: Callable[[int, int, str], object] | None = None,
) -> None:
    """Write the items into one PDF (see ``iter_write_documents``), reporting to ``progress`` if given."""
    for done, total, message in iter_write_documents(target, items, fonts):
        if progress is not None:
            progress(done, total, message)


def document_pdf(document: Printable, fonts: DocumentFonts | None = None) -> bytes:
    """One document as PDF bytes, for a preview."""
    buffer = io.BytesIO()
    write_documents(buffer, [document], fonts)
    return buffer.getvalue()


def _label(item: object) -> str:
    return str(getattr(item, "label", "") or type(item).__name__)


def _default_title(items: list[Printable]) -> str:
    first = _label(items[0])
    return first if len(items) == 1 else f"{first}等{len(items)}份"


def _deliver(data: bytes, target: Path | BinaryIO) -> None:
    if not isinstance(target, (str, os.PathLike)):
        target.write(data)
        return
    path = Path(target)
    # Written beside the target and renamed, so a reader never sees half a PDF and a failure (disk
    # full, the old PDF open in a viewer on Windows) leaves the old file as it was.
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
