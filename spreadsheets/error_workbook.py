"""The error workbook: the rows an import refused, as they were, with why, for the clerk to fix and import.

One sheet: the file's own header in row 1 (bold, frozen), then each refused row with its cells as they
were read and, in a last column 原因, every reason it was refused with its row number in the file. The
clerk corrects the cells and imports this workbook like the original: the 原因 column matches no field,
so it is left out.

Codes (ID numbers, credit codes, phones) are written as text cells with the text format "@", so that the
corrected value the clerk types stays text. A code that arrived as a number cell is written as the digits
Excel kept, as text: the lost digits are for the clerk to retype, not for us to guess.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from spreadsheets.importing import ImportPreview, shown_cell
from spreadsheets.reading import FileLocked, FileUnreadable
from spreadsheets.values import Cell

__all__ = ["REASON_HEADER", "write_error_workbook"]

REASON_HEADER = "原因"
_TEXT = "@"
_DATE = "yyyy-mm-dd"
_WIDE = 22  # characters: an 18-character code and some room
_REASON_WIDTH = 60
# Excel refuses a sheet name with these characters or longer than 31.
_NOT_IN_SHEET_NAMES = str.maketrans({char: "_" for char in "[]:*?/\\"})


def write_error_workbook(path: Path | str, preview: ImportPreview) -> Path:
    """Writes the refused rows of the preview to a new .xlsx at ``path`` and returns the path.

    The file appears under its name only when complete (written beside it, then renamed), so an
    interrupted write never leaves half a workbook where the clerk will look for it.

    Raises:
        FileLocked: The file is open in Excel or WPS, or the folder may not be written.
        FileUnreadable: Another error of the file system (a full disk…).
    """
    path = Path(path)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(preview.sheet))
    sheet.freeze_panes = "A2"
    width = max([len(preview.header), *(len(cells) for cells in preview.refused_rows.values())])
    reason_column = width + 1
    code_columns = preview.code_columns
    for column in range(1, reason_column):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDE if column - 1 in code_columns else 14
    sheet.column_dimensions[get_column_letter(reason_column)].width = _REASON_WIDTH
    bold = Font(bold=True)
    header = [_header_cell(sheet, _clean(value), bold) for value in _padded(preview.header, width)]
    sheet.append([*header, _header_cell(sheet, REASON_HEADER, bold)])
    reasons = preview.reasons()
    for row, cells in sorted(preview.refused_rows.items()):
        written = [
            _cell(sheet, value, index in code_columns) for index, value in enumerate(_padded(cells, width))
        ]
        why = "；".join(problem.reason for problem in reasons.get(row, ()))
        reason = WriteOnlyCell(sheet, f"原表第{row}行：{why}")
        reason.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([*written, reason])
    _save(book, path)
    return path


def _sheet_title(name: str) -> str:
    return (name.translate(_NOT_IN_SHEET_NAMES).strip("'") or "Sheet")[:31]


def _padded(cells: list[Cell], width: int) -> list[Cell]:
    return list(cells) + [""] * (width - len(cells))


def _header_cell(sheet, value: Cell, bold: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, None if value == "" else value)
    cell.font = bold
    return cell


def _cell(sheet, value: Cell, is_code: bool) -> WriteOnlyCell:
    """The cell as it was read: a code as text (empty ones formatted as text too), a day as a day."""
    if is_code:
        text = value if isinstance(value, str) else shown_cell(value)
        cell = WriteOnlyCell(sheet, _clean(text) or None)
        cell.number_format = _TEXT
        return cell
    cell = WriteOnlyCell(sheet, None if value is None or value == "" else _clean(value))
    if type(value) is date:
        cell.number_format = _DATE
    elif isinstance(value, datetime):
        cell.number_format = _DATE if value.time() == time() else f"{_DATE} hh:mm"
    return cell


def _clean(value: Cell) -> Cell:
    # Control characters (from a CSV, say) are not allowed in an .xlsx: openpyxl refuses the whole file.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _save(book: Workbook, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
        os.close(handle)
    except PermissionError:
        raise FileLocked(f"无法在“{path.parent}”中写入文件：没有写入权限") from None
    except OSError as exc:
        raise FileUnreadable(f"无法写入“{path}”：{exc.strerror or exc}") from None
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except PermissionError:
        raise FileLocked(f"无法写入“{path.name}”：文件可能正在Excel或WPS中打开；请关闭该文件后重试") from None
    except OSError as exc:
        raise FileUnreadable(f"无法写入“{path.name}”：{exc.strerror or exc}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
