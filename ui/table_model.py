"""A read-only table model over a ``models.listing`` list: ids in memory, rows fetched by page.

Sorting asks SQL for a new id order; only the rows about to be painted are fetched, a page at a time,
and the cache keeps a bounded number of pages so that scrolling 100,000 rows stays light.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from sqlalchemy import Engine

from models.accounts import sees_personal_data
from models.labels import presenter
from models.listing import LISTINGS, fetch_rows, list_ids
from ui.fact_table import shown
from ui.labels import COLUMN_TITLES
from ui.worker import Job, JobRunner

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50
# The whole id list is asked for once typing pauses this long: while a clerk types, each keystroke's
# first page is what matters, and a 100,000-id answer to an outdated search would only slow the next one.
ALL_IDS_DELAY_MS = 120

Index = QModelIndex | QPersistentModelIndex


class TableModel(QAbstractTableModel):
    """A flat, read-only table: ``titles`` over its columns, its rows numbered 1, 2, … down the side.

    A subclass says how many rows it has (``row_total``) and gives each cell (``data``).
    """

    titles: Sequence[str] = ()

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own signature)
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.titles[section] if 0 <= section < len(self.titles) else None
        return str(section + 1)


class ListingModel(TableModel):
    """The rows of one list, e.g. ``ListingModel(engine, "members")``."""

    row_count_changed = Signal(int)  # the whole answer is in: the number of rows found
    rows_shown = Signal()  # the rows on screen are up to date (the first page may come before the rest)

    def __init__(
        self, engine: Engine, listing_key: str, runner: JobRunner | None = None, parent=None
    ) -> None:
        """With a ``runner``, the id query (up to ~200 ms over 100,000 members) runs off the GUI thread."""
        super().__init__(parent)
        self._engine = engine
        self._runner = runner
        self._generation = 0  # answers to an older sort or search are dropped when they arrive late
        self._complete = True  # whether ``_ids`` holds the whole answer or only its first page
        self._all_ids_timer = QTimer(self)
        self._all_ids_timer.setSingleShot(True)
        self._all_ids_timer.setInterval(ALL_IDS_DELAY_MS)
        self._all_ids_timer.timeout.connect(self._fetch_all_ids)
        self._key = listing_key
        self._columns = LISTINGS[listing_key].column_keys
        self.titles = [COLUMN_TITLES[listing_key][column] for column in self._columns]
        self._presenters = self._choose_presenters()
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, tuple]] = OrderedDict()
        self._sort: str | None = None
        self._descending = False
        self._search = ""
        self._filters: dict[str, Any] = {}

    # --- what the view asks -------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(self._value(index.row(), index.column()), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._value(index.row(), index.column())
            if isinstance(value, int) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort = self._columns[column]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # --- what the page asks -------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._search = text.strip()
        self.reload()

    def set_filter(self, key: str, value: Any) -> None:
        """Narrow the list by one filter (None: 全部)."""
        self.set_filter_quietly(key, value)
        self.reload()

    def set_filter_quietly(self, key: str, value: Any) -> None:
        """Set a filter for the next reload without reloading now."""
        self._filters[key] = value

    def reload(self) -> None:
        """Ask SQL again for the ids (after a sort, a search, or a change to the records).

        With a runner the answer comes in two steps: the first page at once (a LIMIT query stops at 200
        matches), then every id, appended as new rows. A search matching all 100,000 members thus
        updates the screen in a few milliseconds instead of waiting for 100,000 ids to cross over.
        """
        self._generation += 1
        generation = self._generation
        self._all_ids_timer.stop()
        self._presenters = self._choose_presenters()
        query, filters = self._query()
        if self._runner is None:
            self._reset(list_ids(*query, filters=filters), complete=True)
            return
        job = Job(
            lambda: (generation, list_ids(*query, limit=PAGE_SIZE, filters=filters)), yields_progress=False
        )
        job.signals.succeeded.connect(self._show_first_page)
        self._runner.start(job)

    @property
    def shown_query(self) -> dict[str, Any]:
        """The sort, search and filters of what is shown, as ``list_ids`` and the export take them."""
        return {
            "sort": self._sort, "descending": self._descending, "search": self._search,
            "filters": dict(self._filters),
        }  # fmt: skip

    def _choose_presenters(self) -> list:
        """Codes as words; ID numbers and phones whole for 录入员 and 管理员, masked for a reader (个人信息
        保护法, models.privacy). Chosen at each reload: someone else may have signed in meanwhile."""
        reveal = sees_personal_data(self._engine)
        return [presenter(self._key, column, reveal) for column in self._columns]

    def _query(self) -> tuple[tuple, dict[str, Any]]:
        """What to ask SQL, copied so that a job never sees a later change."""
        return (self._engine, self._key, self._sort, self._descending, self._search), dict(self._filters)

    def _show_first_page(self, answer: tuple[int, list[int]]) -> None:
        generation, ids = answer
        if generation != self._generation:
            return
        self._reset(ids, complete=len(ids) < PAGE_SIZE)
        if not self._complete:
            self._all_ids_timer.start()

    def _fetch_all_ids(self) -> None:
        if self._complete or self._runner is None:
            return
        generation = self._generation
        query, filters = self._query()
        job = Job(lambda: (generation, list_ids(*query, filters=filters)), yields_progress=False)
        job.signals.succeeded.connect(self._show_all_ids)
        self._runner.start(job)

    def _show_all_ids(self, answer: tuple[int, list[int]]) -> None:
        generation, ids = answer
        if generation != self._generation:
            return
        shown = len(self._ids)
        if ids[:shown] != self._ids:  # the records changed in between: start over with the new answer
            self._reset(ids, complete=True)
            return
        if len(ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
        self._complete = True
        self.row_count_changed.emit(len(self._ids))

    def _reset(self, ids: list[int], complete: bool) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._complete = complete
        self.endResetModel()
        self.rows_shown.emit()
        if complete:
            self.row_count_changed.emit(len(ids))

    @property
    def complete(self) -> bool:
        """Whether every row of the answer is in (not only the first page)."""
        return self._complete

    @property
    def listing_key(self) -> str:
        return self._key

    def record_id(self, row: int) -> int:
        return self._ids[row]

    # --- the page cache -----------------------------------------------------------------------------
    def _value(self, row: int, column: int) -> Any:
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            rows = fetch_rows(self._engine, self._key, self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])
            self._pages[page] = rows
            if len(self._pages) > MAX_CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        values = rows.get(self._ids[row])
        return None if values is None else values[column]

    def _display(self, value: Any, column: int) -> str:
        value = self._presenters[column](value)
        if self._columns[column] == "year" and value is not None:
            return str(value)  # 2026, not 2,026
        return shown(value)
