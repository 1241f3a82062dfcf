"""送达回证: the receipt the person serving a notice brings back signed, one A4 page per notice.

The form is a bordered table with room for handwriting: what was served, to whom, where and how, the
recipient's signature or seal with its date, the server and a witness (for 留置送达, service by leaving
the document when the recipient refuses to sign). Blank fields are left to be filled in by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import DocumentFonts
from printing.official_document import format_date
from printing.typesetting import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_TOP,
    BLOCK_WIDTH,
    BODY_SIZE,
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    LINE_PITCH,
    SMALL_SIZE,
    TITLE_SIZE,
    TextStyle,
    TextWriter,
    break_lines,
    measurer,
    row_baseline,
)

TITLE = "送达回证"
METHODS = ("直接送达", "邮寄送达", "留置送达")
BLANK_DATE = "年　　月　　日"
FOOT_NOTE = (
    "注：受送达人拒绝签收的，送达人应当在备注栏注明情况，并由见证人签名。"
    "本回证由送达人填写后交回送达机关存档。"
)

LABEL_WIDTH = 36 * mm
PADDING = 3 * mm
LEADING_FACTOR = 1.4
TEXT_SIZES = (BODY_SIZE, 14.0, 12.0, 10.5, 9.0, 7.5)  # 3号 down to 小六
TABLE_TOP = BLOCK_TOP - 2 * LINE_PITCH  # the title takes the first grid line, one line is left blank
FOOT_GAP = 3 * mm
BORDER, GRID = 1.0, 0.6  # line widths of the table's frame and of its inner rules


@dataclass(frozen=True)
class ProofOfService:
    """One 送达回证.

    Attributes:
        issuing_body: 送达机关, the body that sends the notice.
        document_title: 送达文书名称, the notice's title.
        document_number: 文号, e.g. "两江工组函〔2020〕3号".
        recipient: 受送达人, usually the employer.
        address: 送达地点.
        method: 送达方式 such as 直接送达, 邮寄送达, 留置送达; empty prints boxes to tick by hand.
        served_by: 送达人.
        signed_by: who signed for the recipient, when known in advance; usually left for the signature.
        signed_on: 签收日期; empty prints "年 月 日" to fill in.
        served_on: 送达日期 next to the server's name; empty prints "年 月 日".
        remarks: 备注.
    """

    issuing_body: str
    document_title: str
    document_number: str
    recipient: str
    address: str = ""
    method: str = ""
    served_by: str = ""
    signed_by: str = ""
    signed_on: dt.date | None = None
    served_on: dt.date | None = None
    remarks: str = ""

    @property
    def label(self) -> str:
        """How progress messages name the receipt."""
        return f"送达回证：{self.recipient}"

    @property
    def author(self) -> str:
        """The issuing body, for the PDF's metadata."""
        return self.issuing_body

    def draw(self, canvas: Canvas, fonts: DocumentFonts) -> None:
        """Draw the one page of the form and end it with ``showPage``."""
        _draw(canvas, self, fonts)


@dataclass(frozen=True)
class _Cell:
    label: tuple[str, ...]  # broken where a person would break it, wrapped further if needed
    lines: tuple[str, ...]  # the value, one entry per paragraph
    height: float  # the least height, enough to write by hand
    date: str = ""  # printed at the bottom right of the value cell
    top_aligned: bool = False


def _cells(proof: ProofOfService) -> list[_Cell]:
    method = proof.method.strip() or "　".join(f"□{name}" for name in METHODS)
    document = tuple(text for text in (proof.document_title.strip(), proof.document_number.strip()) if text)
    return [
        _Cell(("送达机关",), (proof.issuing_body,), 14 * mm),
        _Cell(("送达文书", "名称及文号"), document, 22 * mm),
        _Cell(("受送达人",), (proof.recipient,), 14 * mm),
        _Cell(("送达地点",), (proof.address,), 14 * mm),
        _Cell(("送达方式",), (method,), 14 * mm),
        _Cell(
            ("受送达人", "签名或盖章"),
            (proof.signed_by,),
            44 * mm,
            _date_or_blank(proof.signed_on),
            top_aligned=True,
        ),
        _Cell(("送达人",), (proof.served_by,), 20 * mm, _date_or_blank(proof.served_on), top_aligned=True),
        _Cell(("见证人",), ("",), 20 * mm, BLANK_DATE, top_aligned=True),
        _Cell(("备注",), (proof.remarks,), 24 * mm, top_aligned=True),
    ]


def _date_or_blank(date: dt.date | None) -> str:
    return format_date(date) if date else BLANK_DATE


def _wrap(paragraphs: tuple[str, ...], style: TextStyle, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += break_lines(paragraph.strip(), width, measurer(style).width)
    return lines


def _leading(style: TextStyle) -> float:
    return LEADING_FACTOR * style.size


@dataclass(frozen=True)
class _Layout:
    style: TextStyle
    cells: list[_Cell]
    wrapped: list[tuple[list[str], list[str]]]  # label lines, value lines
    heights: list[float]


def _layout(proof: ProofOfService, style: TextStyle, room: float) -> _Layout | None:
    """Rows as tall as their text needs and at least their handwriting height, squeezed into ``room``;
    None when the text alone is taller than the room."""
    cells = _cells(proof)
    value_width = BLOCK_WIDTH - LABEL_WIDTH - 2 * PADDING
    wrapped = [
        (_wrap(cell.label, style, LABEL_WIDTH - 2 * PADDING), _wrap(cell.lines, style, value_width))
        for cell in cells
    ]
    needed = []
    for cell, (label_lines, value_lines) in zip(cells, wrapped, strict=True):
        value = len(value_lines) + (1 if cell.date else 0)
        needed.append(max(len(label_lines), value) * _leading(style) + 2 * PADDING)
    if sum(needed) > room:
        return None
    heights = [max(need, cell.height) for need, cell in zip(needed, cells, strict=True)]
    excess = sum(heights) - room
    if excess > 0:
        # Long text takes its space from the room left for handwriting, in proportion.
        spare = [height - need for height, need in zip(heights, needed, strict=True)]
        share = excess / sum(spare)
        heights = [height - share * extra for height, extra in zip(heights, spare, strict=True)]
    return _Layout(style, cells, wrapped, heights)


def _draw(canvas: Canvas, proof: ProofOfService, fonts: DocumentFonts) -> None:
    small = TextStyle(fonts.body, SMALL_SIZE, None, fonts.fallback)
    title = TextStyle(fonts.title, TITLE_SIZE, None, fonts.fallback)
    writer = TextWriter(canvas)

    spacing = TITLE_SIZE / 2  # a form's title is set letter-spaced
    title_width = measurer(title).width(TITLE) + spacing * (len(TITLE) - 1)
    title_x = BLOCK_LEFT + (BLOCK_WIDTH - title_width) / 2
    writer.line(title_x, row_baseline(0, TITLE_SIZE), TITLE, title, spacing)

    foot = break_lines(FOOT_NOTE, BLOCK_WIDTH, measurer(small).width, indent=2 * SMALL_SIZE)
    room = TABLE_TOP - BLOCK_BOTTOM - FOOT_GAP - len(foot) * _leading(small)
    layout = None
    for size in TEXT_SIZES:
        # Text too long for the form at 3号 is set smaller rather than cut or run off the page.
        layout = _layout(proof, TextStyle(fonts.body, size, None, fonts.fallback), room)
        if layout is not None:
            break
    if layout is None:
        raise ValueError(f"送达回证的内容太长，一页放不下：{proof.recipient}")

    top = TABLE_TOP
    for cell, (label_lines, value_lines), height in zip(
        layout.cells, layout.wrapped, layout.heights, strict=True
    ):
        _draw_label(writer, label_lines, layout.style, top, height)
        _draw_value(writer, cell, value_lines, layout.style, top, height)
        top -= height
    _draw_grid(canvas, layout.heights)

    baseline = top - FOOT_GAP - EM_ABOVE_BASELINE * SMALL_SIZE
    for index, line in enumerate(foot):
        writer.line(BLOCK_LEFT + (2 * SMALL_SIZE if index else 0.0), baseline, line, small)
        baseline -= _leading(small)
    writer.finish()
    canvas.showPage()


def _em_centre(size: float) -> float:
    """How far above the baseline the middle of a Chinese glyph's em box lies."""
    return (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) / 2 * size


def _centred_baseline(top: float, height: float, line_count: int, style: TextStyle) -> float:
    """The first baseline that centres ``line_count`` lines vertically in a cell."""
    first_centre = top - height / 2 + (line_count - 1) * _leading(style) / 2
    return first_centre - _em_centre(style.size)


def _draw_label(writer: TextWriter, lines: list[str], style: TextStyle, top: float, height: float) -> None:
    width = measurer(style).width
    baseline = _centred_baseline(top, height, len(lines), style)
    for line in lines:
        writer.line(BLOCK_LEFT + (LABEL_WIDTH - width(line)) / 2, baseline, line, style)
        baseline -= _leading(style)


def _draw_value(
    writer: TextWriter, cell: _Cell, lines: list[str], style: TextStyle, top: float, height: float
) -> None:
    left = BLOCK_LEFT + LABEL_WIDTH + PADDING
    leading = _leading(style)
    if cell.top_aligned:
        baseline = top - PADDING - leading / 2 - _em_centre(style.size)
    else:
        baseline = _centred_baseline(top, height, len(lines), style)
    for line in lines:
        writer.line(left, baseline, line, style)
        baseline -= leading
    if cell.date:
        date_x = BLOCK_LEFT + BLOCK_WIDTH - PADDING - style.size - measurer(style).width(cell.date)
        date_y = top - height + PADDING + leading / 2 - _em_centre(style.size)
        writer.line(date_x, date_y, cell.date, style)


def _draw_grid(canvas: Canvas, heights: list[float]) -> None:
    total = sum(heights)
    canvas.setStrokeColor(black)
    canvas.setLineWidth(GRID)
    y = TABLE_TOP
    for height in heights[:-1]:
        y -= height
        canvas.line(BLOCK_LEFT, y, BLOCK_LEFT + BLOCK_WIDTH, y)
    canvas.line(BLOCK_LEFT + LABEL_WIDTH, TABLE_TOP, BLOCK_LEFT + LABEL_WIDTH, TABLE_TOP - total)
    canvas.setLineWidth(BORDER)
    canvas.rect(BLOCK_LEFT, TABLE_TOP - total, BLOCK_WIDTH, total)
