"""The records behind a figure of 统计: "新建工会 · 礼嘉街道工会 · 2019年" opened into its unions.

The list is the register's own list (``ListPage``) narrowed to the figure's records by the ``ids`` filter
every list has, so it shows the usual columns, searches, sorts and exports as in its own area, and Enter
or a double-click opens a record as it does there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.figures import RecordsBehind
from models.labels import LIST_TITLES
from ui.dialogs.base import SizedDialog
from ui.labels import SEARCH_HINTS
from ui.pages.list_page import ListPage
from ui.worker import JobRunner


class FigureRecordsDialog(SizedDialog):
    """``behind`` from ``models.figures.records_behind``; ``heading`` says which figure of which row and
    period ("新建工会 · 礼嘉街道工会 · 2019年"); ``open_record(id)`` opens one of its records."""

    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        window_state: QSettings,
        behind: RecordsBehind,
        heading: str,
        open_record: Callable[[int], object] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(heading, window_state, (1000, 640), parent)
        self.behind = behind
        self.heading = QLabel(f"{heading}：共 {len(behind.ids):,} 条记录")
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        hint = QLabel("双击或按 Enter 打开一条记录；列表可查找、排序，也可导出为 Excel。")
        hint.setObjectName("hint")
        key = behind.listing_key
        self.page = ListPage(
            engine,
            key,
            title=LIST_TITLES.get(key, ""),
            search_hint=SEARCH_HINTS.get(key, ""),
            runner=runner,
            window_state=window_state,
            open_record=open_record,
            parent=self,
        )
        self.page.model.set_filter("ids", list(behind.ids))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(hint)
        layout.addWidget(self.page, 1)
        layout.addLayout(buttons)
        # Enter opens a record: the list passes the key on once it has opened the row, and a dialog
        # would then also press its default button (导出 Excel…, the first one) — so there is none.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.restore_size()

    @property
    def listing_key(self) -> str:
        return self.behind.listing_key

    def shown_ids(self) -> list[int]:
        """The ids of the rows listed, top to bottom."""
        return [self.page.model.record_id(row) for row in range(self.page.model.rowCount())]
