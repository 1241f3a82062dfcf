"""Opening a spreadsheet file and giving each sheet as rows of cells, numbered as Excel numbers them.

.xlsx, .xlsm, .xls and .ods are read with python-calamine, .csv with the csv module. Whatever the
format, ``Workbook.rows(name)[i]`` is Excel row ``i + 1`` and ``[j]`` is column ``j`` (0 for A): empty
rows and columns above and left of the data are kept, so a message about row 812 sends the clerk to
the row Excel calls 812. (calamine's ``to_python()`` drops them by default; ``skip_empty_area=False``
keeps them.)

The file is read into memory at once and closed, so that the clerk can keep it open in Excel, or save
it there, while choosing the sheet and the columns.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from models.errors import KnownError
from spreadsheets.columns import KINDS, ImportKind
from spreadsheets.tables import HEADER_SCAN_ROWS, find_header
from spreadsheets.values import Cell

__all__ = [
    "ACCEPTED_SUFFIXES",
    "EmptyFile",
    "FileLocked",
    "FileMissing",
    "FileUnreadable",
    "NotASpreadsheet",
    "PasswordProtected",
    "SpreadsheetError",
    "UnsupportedFormat",
    "Workbook",
    "open_workbook",
    "propose_sheet",
]

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
_ACCEPTED_TEXT = "、".join(ACCEPTED_SUFFIXES)


class SpreadsheetError(KnownError):
    """A spreadsheet file that cannot be read; the message says why and what the clerk can do."""


class FileMissing(SpreadsheetError):
    """The file is not there (moved, renamed, or on a drive no longer connected)."""


class FileLocked(SpreadsheetError):
    """Another program holds the file; Excel locks a .csv it has open, WPS sometimes any file."""


class FileUnreadable(SpreadsheetError):
    """The operating system refused to read the file for another reason."""


class UnsupportedFormat(SpreadsheetError):
    """A file type this program does not read."""


class NotASpreadsheet(SpreadsheetError):
    """The file is damaged or is not what its name says."""


class PasswordProtected(NotASpreadsheet):
    """The file needs a password to open."""


class EmptyFile(SpreadsheetError):
    """The file holds no bytes, or no cells."""


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An .xlsx with an opening password is not a zip at all but an OLE container holding these streams.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_OFFICE_LOCK_PREFIX = "~$"
_CSV_DELIMITERS = ",\t;"
_SNIFF_CHARS = 64 * 1024
_T = TypeVar("_T")


@dataclass
class Workbook:
    """A spreadsheet read into memory.

    Attributes:
        path: Where it was read from.
        format: ``xlsx``, ``xlsm``, ``xls``, ``ods`` or ``csv``: what the content is, whatever the name says.
        sheet_names: The worksheets in workbook order (chart sheets left out); a .csv has one, named
            after the file.
        hidden_sheets: Those of ``sheet_names`` that Excel does not show.
    """

    path: Path
    format: str
    sheet_names: list[str]
    hidden_sheets: frozenset[str] = frozenset()
    _calamine: CalamineWorkbook | None = field(default=None, repr=False)
    _sheets: dict[str, CalamineSheet] = field(default_factory=dict, repr=False)
    _rows: dict[str, list[list[Cell]]] = field(default_factory=dict, repr=False)

    def rows(self, sheet_name: str) -> list[list[Cell]]:
        """Returns every row of the sheet, ``[i]`` being Excel row ``i + 1``, all of the same length.

        Cells are str, int, float, bool, date, datetime, time, timedelta, or "" when empty. The result
        is kept: asking again costs nothing, and the caller must not change it.

        Raises:
            KeyError: The workbook has no such sheet.
            NotASpreadsheet: The sheet's data is damaged.
        """
        if sheet_name not in self._rows:
            sheet = self._sheet(sheet_name)
            self._rows[sheet_name] = self._convert(sheet_name, lambda: sheet.to_python(skip_empty_area=False))
            # The rows say all the parsed sheet did; a 100,000-row sheet is worth not holding twice.
            del self._sheets[sheet_name]
        return self._rows[sheet_name]

    def iter_rows(self, sheet_name: str) -> Iterator[list[Cell]]:
        """Yields the sheet's rows exactly as ``rows`` returns them, converting one row at a time.

        For a single pass over a large sheet (an import): the cells are never held twice, as calamine's
        and as Python's, which for 100,000 rows of 15 columns is some 80 MB less at the peak. The rows are
        not kept; once the iteration ends calamine's copy is let go as well.

        Raises:
            KeyError: The workbook has no such sheet.
            NotASpreadsheet: The sheet's data is damaged.
        """
        if sheet_name in self._rows:
            yield from self._rows[sheet_name]
            return
        sheet = self._sheet(sheet_name)
        try:
            start = sheet.start
            if start is None:
                return
            # calamine starts each row at the first column holding data, but gives every row from the
            # first: pad the left, as to_python(skip_empty_area=False) does.
            left: list[Cell] = [""] * start[1]
            for row in self._convert(sheet_name, sheet.iter_rows):
                yield left + row if left else row
        finally:
            self._sheets.pop(sheet_name, None)

    def head(self, sheet_name: str, count: int = HEADER_SCAN_ROWS) -> list[list[Cell]]:
        """Returns the first ``count`` rows of the sheet (fewer if it is shorter), numbered as by ``rows``."""
        if sheet_name in self._rows:
            return self._rows[sheet_name][:count]
        sheet = self._sheet(sheet_name)
        return self._convert(sheet_name, lambda: sheet.to_python(skip_empty_area=False, nrows=count))

    def row_count(self, sheet_name: str) -> int:
        """Returns the Excel row number of the sheet's last row with data, 0 for an empty sheet."""
        if sheet_name in self._rows:
            return len(self._rows[sheet_name])
        end = self._sheet(sheet_name).end
        return 0 if end is None else end[0] + 1

    def _sheet(self, sheet_name: str) -> CalamineSheet:
        if sheet_name not in self.sheet_names:
            raise KeyError(sheet_name)
        if sheet_name not in self._sheets:
            assert self._calamine is not None, "a csv workbook holds its rows from the start"
            self._sheets[sheet_name] = self._convert(
                sheet_name, lambda: self._calamine.get_sheet_by_name(sheet_name)
            )
        return self._sheets[sheet_name]

    def _convert(self, sheet_name: str, read: Callable[[], _T]) -> _T:
        """Calls calamine, which parses a sheet only when asked for it, turning its errors into ours."""
        try:
            return read()
        except CalamineError as exc:
            raise NotASpreadsheet(
                f"工作表“{sheet_name}”的内容已损坏，无法读取（{exc}）；请用Excel打开后另存为.xlsx再导入"
            ) from exc


def open_workbook(path: Path | str) -> Workbook:
    """Reads a spreadsheet file into memory.

    Raises:
        FileMissing, FileLocked, FileUnreadable: The file cannot be read.
        UnsupportedFormat: The name ends in something other than ``ACCEPTED_SUFFIXES``.
        EmptyFile: The file holds no bytes.
        PasswordProtected: The file needs a password to open.
        NotASpreadsheet: The file is damaged or not a spreadsheet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.name.startswith(_OFFICE_LOCK_PREFIX):
        raise UnsupportedFormat(
            f"“{path.name}”是Excel或WPS打开文件时自动生成的临时文件，不是表格本身；请选择不带“~$”的原文件"
        )
    if suffix not in ACCEPTED_SUFFIXES:
        hint = "；WPS表格的.et文件请先另存为.xlsx" if suffix == ".et" else ""
        raise UnsupportedFormat(f"不能导入“{path.name}”：只能导入{_ACCEPTED_TEXT}格式的表格文件{hint}")
    data = _read_bytes(path)
    if not data:
        raise EmptyFile(f"“{path.name}”是空文件（0字节），里面没有任何内容")
    if data.startswith((_ZIP, _OLE)):
        return _open_calamine(path, data)
    if suffix == ".csv":
        return _open_text(path, data)
    return _open_other(path, data)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileMissing(f"找不到文件“{path}”；它可能已被移动、改名或删除") from None
    except IsADirectoryError:
        raise FileMissing(f"“{path}”是文件夹，不是表格文件") from None
    except PermissionError:
        raise FileLocked(
            f"无法读取“{path.name}”：文件可能正在Excel或WPS中打开，或没有读取权限；请关闭该文件后重试"
        ) from None
    except OSError as exc:
        raise FileUnreadable(f"无法读取“{path.name}”：{exc.strerror or exc}") from None


def _open_calamine(path: Path, data: bytes) -> Workbook:
    encrypted = data.startswith(_OLE) and _ENCRYPTION_INFO in data
    if encrypted:
        raise _password_protected(path)
    try:
        # From the bytes, not the path: calamine then tells the format from the content, so an .xlsx
        # saved under an .xls name (WPS and some web systems do it) still opens.
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise _password_protected(path) from None
    except CalamineError as exc:
        raise NotASpreadsheet(
            f"“{path.name}”已损坏或不是Excel/WPS表格文件，无法打开（{exc}）；请用Excel打开后另存为.xlsx再导入"
        ) from None
    metadata = [sheet for sheet in book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    return Workbook(
        path=path,
        format=_calamine_format(path, data),
        sheet_names=[sheet.name for sheet in metadata],
        hidden_sheets=frozenset(
            sheet.name for sheet in metadata if sheet.visible != SheetVisibleEnum.Visible
        ),
        _calamine=book,
    )


def _password_protected(path: Path) -> PasswordProtected:
    return PasswordProtected(
        f"“{path.name}”设置了打开密码，无法读取；请在Excel或WPS中打开并取消密码（文件→信息→保护工作簿）后另存再导入"
    )


def _calamine_format(path: Path, data: bytes) -> str:
    if data.startswith(_OLE):
        return "xls"
    if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in data[:200]:
        return "ods"
    return "xlsm" if path.suffix.lower() == ".xlsm" else "xlsx"


def _open_other(path: Path, data: bytes) -> Workbook:
    """A file named like a workbook that is neither a zip nor an OLE container: often a web system's
    "Excel export" that is an HTML page or tab-separated text under an .xls name."""
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")):
        raise NotASpreadsheet(
            f"“{path.name}”实际是网页（HTML/XML）格式，只是扩展名为{path.suffix}；请用Excel或WPS打开后另存为.xlsx再导入"
        )
    if b"\x00" not in data[:4096] or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _open_text(path, data)
        except NotASpreadsheet:
            pass
    raise NotASpreadsheet(f"“{path.name}”已损坏或不是表格文件，无法打开；请用Excel打开后另存为.xlsx再导入")


# --- csv ----------------------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    """The text of a .csv: UTF-8 with or without BOM (WPS, Excel's "CSV UTF-8"), UTF-16 with BOM (Excel's
    "Unicode text"), else GB18030, the superset of GBK that Excel and WPS on Chinese Windows write."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise NotASpreadsheet(
        f"无法识别“{path.name}”的文字编码（既不是UTF-8也不是GBK），或它不是文本表格；请用Excel打开后另存为.xlsx再导入"
    )


def _delimiter(text: str) -> str:
    """The delimiter of the text: what csv.Sniffer finds among comma, tab and semicolon, else the one
    most frequent in the first lines, else a comma (a one-column file)."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        # A cut-off last line would look inconsistent to the sniffer.
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        lines = sample.splitlines()[:50]
        counts = {delimiter: sum(line.count(delimiter) for line in lines) for delimiter in _CSV_DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def _open_text(path: Path, data: bytes) -> Workbook:
    text = _decode(path, data)
    try:
        # Each record is one Excel row, even one whose quoted cell spans several lines.
        rows: list[list[Cell]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise NotASpreadsheet(f"“{path.name}”不是有效的CSV表格（{exc}）") from None
    width = max(map(len, rows), default=0)
    if width == 0:
        raise EmptyFile(f"“{path.name}”里没有任何内容")
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    name = path.stem
    return Workbook(path=path, format="csv", sheet_names=[name], _rows={name: rows})


# --- which sheet --------------------------------------------------------------------------------------


def propose_sheet(workbook: Workbook, kind: ImportKind | None = None) -> str | None:
    """Returns the sheet likeliest to hold the list to import, or None if every sheet is empty.

    The winner's header row matches the most fields (of ``kind``, or of any import kind); a tie goes
    to a visible sheet over a hidden one, then to the longer sheet, then to the earlier one. Only the
    first rows of each sheet are converted, so this is quick on large files.
    """
    kinds: Sequence[ImportKind] = (kind,) if kind else tuple(KINDS)
    best: tuple[int, bool, int] | None = None
    chosen = None
    for name in workbook.sheet_names:
        count = workbook.row_count(name)
        if count == 0:
            continue
        head = workbook.head(name)
        guesses = [find_header(head, candidate) for candidate in kinds]
        score = max((guess.score for guess in guesses if guess is not None), default=0)
        rank = (score, name not in workbook.hidden_sheets, count)
        if best is None or rank > best:
            best, chosen = rank, name
    return chosen
