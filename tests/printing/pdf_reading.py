"""Reading the PDFs back: every glyph with its position, size, font and colour, as a reader would place it.

pypdf's ``extract_text`` gives text and the position where each piece starts; the margins test needs
where each glyph ends too, so this walks the content stream itself: ``Tm`` places a line, ``Tf`` and
``Tc`` set font, size and character spacing, and each byte of a ``Tj`` string advances by the glyph's
width from the font's ``/Widths`` plus ``Tc``. It knows what reportlab writes, not all of PDF.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

MM = 72 / 25.4
RED = (0xE6 / 255, 0.0, 0x12 / 255)


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: baseline ``y``, from ``x0`` to ``x1`` (its advance without spacing)."""

    char: str
    x0: float
    x1: float
    y: float
    size: float
    font: str
    color: tuple[float, ...]

    @property
    def is_red(self) -> bool:
        return len(self.color) == 3 and all(abs(a - b) < 0.01 for a, b in zip(self.color, RED, strict=True))


@dataclass(frozen=True)
class _Font:
    base_font: str
    widths: dict[int, float]
    to_unicode: dict[int, str]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _resolve(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _cmap(data: bytes) -> dict[int, str]:
    text = data.decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int.from_bytes(bytes.fromhex(start), "big")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _fonts(page: PageObject) -> dict[str, _Font]:
    resources = _resolve(page["/Resources"])
    fonts: dict[str, _Font] = {}
    for name, reference in _resolve(resources.get("/Font", DictionaryObject())).items():
        font = _resolve(reference)
        first = int(font.get("/FirstChar", 0))
        widths = {
            first + index: float(width) for index, width in enumerate(_resolve(font.get("/Widths", [])))
        }
        to_unicode = _cmap(_resolve(font["/ToUnicode"]).get_data()) if "/ToUnicode" in font else {}
        fonts[str(name)] = _Font(str(font.get("/BaseFont", "")), widths, to_unicode)
    return fonts


def _raw(operand: object) -> bytes:
    if isinstance(operand, bytes):
        return bytes(operand)
    original = getattr(operand, "get_original_bytes", None)
    return original() if original else str(operand).encode("latin-1")


def page_glyphs(page: PageObject) -> list[Glyph]:
    """Every glyph the page shows, in drawing order."""
    fonts = _fonts(page)
    glyphs: list[Glyph] = []
    font: _Font | None = None
    size = char_space = x = y = line_x = line_y = leading = 0.0
    color: tuple[float, ...] = (0.0,)
    stack: list[tuple[float, ...]] = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            stack.append(color)
        elif operator == b"Q":
            color = stack.pop()
        elif operator == b"rg":
            color = tuple(float(value) for value in operands)
        elif operator == b"g":
            color = (float(operands[0]),)
        elif operator == b"Tf":
            font, size = fonts[str(operands[0])], float(operands[1])
        elif operator == b"Tc":
            char_space = float(operands[0])
        elif operator == b"TL":
            leading = float(operands[0])
        elif operator == b"Tm":
            a, b, c, d, e, f = (float(value) for value in operands)
            assert (a, b, c, d) == (1, 0, 0, 1), "only unscaled, unrotated text is expected"
            x = line_x = e
            y = line_y = f
        elif operator == b"Td":
            line_x += float(operands[0])
            line_y += float(operands[1])
            x, y = line_x, line_y
        elif operator == b"T*":
            line_y -= leading
            x, y = line_x, line_y
        elif operator in (b"Tj", b"TJ"):
            assert font is not None
            pieces = operands[0] if operator == b"TJ" else [operands[0]]
            for piece in pieces:
                if isinstance(piece, (int, float)) or type(piece).__name__ in {"FloatObject", "NumberObject"}:
                    x -= float(piece) / 1000 * size
                    continue
                for code in _raw(piece):
                    advance = font.widths.get(code, 0.0) / 1000 * size
                    char = font.to_unicode.get(code, "\ufffd")
                    glyphs.append(Glyph(char, x, x + advance, y, size, font.base_font, color))
                    x += advance + char_space
    return glyphs


def lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into lines by baseline (top of the page first), each line left to right."""
    ordered = sorted(glyphs, key=lambda glyph: (-round(glyph.y, 1), glyph.x0))
    return [list(group) for _, group in groupby(ordered, key=lambda glyph: round(glyph.y, 1))]


def text_of(line: list[Glyph]) -> str:
    return "".join(glyph.char for glyph in line)


def page_lines(page: PageObject) -> list[str]:
    return [text_of(line) for line in lines(page_glyphs(page))]


def embedded_font_files(reader: PdfReader) -> Iterator[tuple[str, bool]]:
    """(BaseFont, whether its descriptor carries a FontFile2) for every font every page uses."""
    for page in reader.pages:
        resources = _resolve(page["/Resources"])
        for reference in _resolve(resources.get("/Font", DictionaryObject())).values():
            font = _resolve(reference)
            descriptor = _resolve(font.get("/FontDescriptor")) if "/FontDescriptor" in font else None
            yield str(font.get("/BaseFont")), descriptor is not None and "/FontFile2" in descriptor


def font_names(reader: PdfReader) -> set[str]:
    """The fonts the pages use, by PostScript name without the subset tag (``ABCDEF+``)."""
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
