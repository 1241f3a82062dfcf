"""The GB/T 9704-2012 character grid and a line breaker that keeps the Chinese 禁则 (kinsoku).

reportlab's own Paragraph wraps Chinese text anywhere, so a line can start with "，" or end with "（";
a 公文 must not. ``break_lines`` is a pure function over a width-measuring callable so it can be tested
without a PDF; ``Measurer`` and ``TextWriter`` put its lines on the grid: 28 full-width characters fill the
156 mm text block exactly, half-width runs (digits, Latin) take their real width.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from printing.fonts import has_glyph

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# --- the page (GB/T 9704-2012 §5.2) --------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_LEFT = 28 * mm  # the binding side
BLOCK_WIDTH = 156 * mm
BLOCK_HEIGHT = 225 * mm
MARGIN_RIGHT = PAGE_WIDTH - MARGIN_LEFT - BLOCK_WIDTH  # 26 mm
MARGIN_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - BLOCK_HEIGHT  # 35 mm

BLOCK_LEFT = MARGIN_LEFT
BLOCK_RIGHT = MARGIN_LEFT + BLOCK_WIDTH
BLOCK_TOP = PAGE_HEIGHT - MARGIN_TOP
BLOCK_BOTTOM = MARGIN_BOTTOM

CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
CHAR_PITCH = BLOCK_WIDTH / CHARS_PER_LINE
LINE_PITCH = BLOCK_HEIGHT / LINES_PER_PAGE

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
SMALL_SIZE = 14.0  # 4号: page numbers, the 版记

# A Chinese glyph's ideographic em box runs from 0.12 em below the baseline to 0.88 em above it; centring
# that box in a grid line is what a word processor's character grid does.
EM_ABOVE_BASELINE = 0.88
EM_BELOW_BASELINE = 0.12


def row_top(row: float) -> float:
    """The y of the top edge of a grid line (row 0 is the first line of the text block)."""
    return BLOCK_TOP - row * LINE_PITCH


def row_baseline(row: float, size: float) -> float:
    """The baseline that centres a glyph of ``size`` points in a grid line."""
    centre = row_top(row) - LINE_PITCH / 2
    return centre - (EM_ABOVE_BASELINE - EM_BELOW_BASELINE) / 2 * size


# --- 禁则 -----------------------------------------------------------------------------------------------

# May not start a line (行首禁则): closing brackets and quotes, pause and stop marks, ellipsis and dash
# (which also keeps "……" and "——" in one piece), and a percent sign after its number.
CLOSING = frozenset("，。、；：？！）》」』”’〕】］｝〉〗〙…—%％" + ",.;:?!)]}")
# May not end a line (行尾禁则).
OPENING = frozenset("（《「『“‘〔【［｛〈〖〘" + "([{")

# One unbreakable token: a run of Latin letters and digits (with inner . - / _ @ : + as in 3.5,
# 2020-03-05, 023-67001234, www.cq.gov.cn), or any single other character.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-/_@:+][A-Za-z0-9]+)*|.", re.DOTALL)
_EPSILON = 1e-6


def break_lines(
    text: str,
    width: float,
    measure: Callable[[str], float],
    first_indent: float = 0.0,
    indent: float = 0.0,
) -> list[str]:
    """Break a paragraph into lines that fit ``width`` and keep the 禁则.

    A line never starts with closing punctuation nor ends with opening punctuation: the character that
    would break the rule is pulled down to the next line together with its neighbour (推出), so no line
    grows past the right edge. A run of Latin letters and digits stays whole unless it is longer than a
    line. Joining the lines gives back ``text`` exactly.

    Args:
        text: the paragraph, without line breaks.
        width: the full line width.
        measure: the width of a piece of text.
        first_indent: space before the first line (two characters for a body paragraph).
        indent: space before every later line (a hanging indent).

    Returns:
        The lines; an empty list for an empty text.
    """
    tokens: list[str] = _TOKEN.findall(text)
    widths = [measure(token) for token in tokens]
    later_room = width - indent
    room = width - first_indent
    lines: list[str] = []
    start = 0
    while start < len(tokens):
        end, used = _fill(widths, start, room)
        if end == start:
            # Not even the first token fits: break it (a run longer than the line) or let one
            # character overhang (a line narrower than a character, which no page has).
            _split_token(tokens, widths, start, room, measure, at_least_one=True)
            end = start + 1
        elif end < len(tokens) and widths[end] > later_room + _EPSILON:
            # Too long for any line: break it here rather than leave this line short as well.
            if _split_token(tokens, widths, end, room - used, measure, at_least_one=False):
                end += 1
        if end < len(tokens):
            end = _keep_rules(tokens, start, end)
        lines.append("".join(tokens[start:end]))
        start = end
        room = later_room
    return lines


def _fill(widths: list[float], start: int, room: float) -> tuple[int, float]:
    """Greedily take tokens from ``start`` while they fit; return the end index and the width used."""
    used = 0.0
    end = start
    limit = room + _EPSILON
    count = len(widths)
    while end < count and used + widths[end] <= limit:
        used += widths[end]
        end += 1
    return end, used


def _split_token(
    tokens: list[str],
    widths: list[float],
    index: int,
    room: float,
    measure: Callable[[str], float],
    at_least_one: bool,
) -> bool:
    """Split tokens[index] so that its head fills ``room``.

    Returns:
        Whether a head was split off (or the whole token fits); the head is then tokens[index].
    """
    token = tokens[index]
    keep = 0
    while keep < len(token) and measure(token[: keep + 1]) <= room + _EPSILON:
        keep += 1
    if at_least_one:
        keep = max(keep, 1)
    if keep == 0:
        return False
    if keep < len(token):
        head, tail = token[:keep], token[keep:]
        tokens[index : index + 1] = [head, tail]
        widths[index : index + 1] = [measure(head), measure(tail)]
    return True


def _keep_rules(tokens: list[str], start: int, end: int) -> int:
    """Move the break back until the next line does not start with closing punctuation and this one does
    not end with opening punctuation; keep the greedy break when no break on the line would do."""
    candidate = end
    while candidate > start and (tokens[candidate][0] in CLOSING or tokens[candidate - 1][-1] in OPENING):
        candidate -= 1
    return candidate if candidate > start else end


# --- measuring and drawing on the grid ---------------------------------------------------------------


@dataclass(frozen=True)
class TextStyle:
    """A font at a size, optionally on the character grid.

    Attributes:
        font: a registered reportlab font name.
        size: in points.
        pitch: the advance of a full-width character on the grid; None for the font's own advance.
        fallback: a font for characters ``font`` has no glyph for (rare characters in names).
    """

    font: str
    size: float
    pitch: float | None = None
    fallback: str | None = None


@dataclass(frozen=True)
class Run:
    """Consecutive characters drawn with one font and one character spacing."""

    text: str
    font: str
    char_space: float
    width: float


class Measurer:
    """Widths and runs of text in one style, with each character measured once."""

    def __init__(self, style: TextStyle) -> None:
        self.style = style
        # char -> (font, advance on the page, character spacing that produces that advance)
        self._chars: dict[str, tuple[str, float, float]] = {}
        self._widths: dict[str, float] = {}

    def _char(self, char: str) -> tuple[str, float, float]:
        found = self._chars.get(char)
        if found is None:
            found = self._chars[char] = self._measure_char(char)
        return found

    def _measure_char(self, char: str) -> tuple[str, float, float]:
        style = self.style
        font = style.font
        if style.fallback and not has_glyph(font, char) and has_glyph(style.fallback, char):
            font = style.fallback
        advance = pdfmetrics.stringWidth(char, font, style.size)
        if style.pitch is not None and advance >= 0.95 * style.size:
            # A full-width glyph snaps to the grid; 3号 is 16 pt but the grid pitch is 156 mm / 28.
            return font, style.pitch, style.pitch - advance
        return font, advance, 0.0

    def width(self, text: str) -> float:
        """The width the text takes when written by ``TextWriter.line`` with no extra spacing."""
        found = self._widths.get(text)
        if found is None:
            char = self._char
            found = sum(char(c)[1] for c in text)
            if len(text) <= 32:
                self._widths[text] = found
        return found

    def runs(self, text: str) -> list[Run]:
        """Split text into runs of one font and one character spacing."""
        if not text:
            return []
        chars = self._chars
        measured = [chars.get(char) or self._char(char) for char in text]
        runs: list[Run] = []
        begin, total = 0, 0.0
        font, _, space = measured[0]
        for index, (char_font, char_width, char_space) in enumerate(measured):
            if char_space != space or char_font != font:
                runs.append(Run(text[begin:index], font, space, total))
                begin, total, font, space = index, 0.0, char_font, char_space
            total += char_width
        runs.append(Run(text[begin:], font, space, total))
        return runs


@functools.lru_cache(maxsize=64)
def measurer(style: TextStyle) -> Measurer:
    """The shared measurer of a style, so widths are cached across documents."""
    return Measurer(style)


class TextWriter:
    """A page's text gathered into one PDF text object.

    One text object per page instead of one per line, and font and character-spacing operators only
    when they change: with 500 documents this halves the time reportlab spends writing content streams.
    """

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._text = canvas.beginText()
        self._font: tuple[str, float] | None = None
        self._space: float | None = None

    def line(self, x: float, y: float, text: str, style: TextStyle, extra: float = 0.0) -> float:
        """Write one line at baseline ``y``; ``extra`` is added after every character (for justifying).

        Returns:
            The x where the line ends.
        """
        if not text:
            return x
        text_object = self._text
        text_object.setTextOrigin(x, y)
        for run in measurer(style).runs(text):
            font = (run.font, style.size)
            if font != self._font:
                text_object.setFont(run.font, style.size)
                self._font = font
            space = run.char_space + extra
            if space != self._space:
                text_object.setCharSpace(space)
                self._space = space
            # No new origin per run: the PDF's own advance (glyph width + Tc) lands where the grid says.
            text_object.textOut(run.text)
            x += run.width + extra * len(run.text)
        return x

    def centred(self, text: str, style: TextStyle, y: float, left: float, width: float) -> float:
        """Write one line centred between ``left`` and ``left + width`` (a title, a page number)."""
        return self.line(left + (width - measurer(style).width(text)) / 2, y, text, style)

    def set_color(self, color: object) -> None:
        """The colour of the text written from now on."""
        self._text.setFillColor(color)

    def finish(self) -> None:
        """Put the gathered text onto the canvas; call once, before ``showPage``."""
        self._canvas.drawText(self._text)
