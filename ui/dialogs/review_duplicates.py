"""疑似重复会员: pairs that may be one person under two unions. For each, the clerk merges them (keeping the
left or the right record; the other goes to the recycle bin) or marks them as two different people."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QPushButton, QTableWidget, QWidget
from sqlalchemy import Engine

from models.members import PossibleDuplicate, mark_distinct_people, merge_members, possible_duplicates
from models.privacy import id_number_for, mobile_for
from ui.dialogs.table_dialog import TableDialog
from ui.labels import DUPLICATE_REASON, MEMBER_STATUS
from ui.worker import Job, JobRunner

HEADERS = [
    "相同之处",
    "姓名",
    "身份证号",
    "手机",
    "所在工会",
    "入会日期",
    "",
    "姓名",
    "身份证号",
    "手机",
    "所在工会",
    "入会日期",
]


def _side(member, engine: Engine) -> tuple:
    status = "" if member.status == "active" else f"（{MEMBER_STATUS.get(member.status, member.status)}）"
    # Masked for a reader whatever the list was given (models.privacy).
    id_number, mobile = id_number_for(engine, member.id_number), mobile_for(engine, member.mobile)
    return (member.name, id_number, mobile, member.union_name + status, member.joined_on)


class ReviewDuplicatesDialog(TableDialog):
    records_changed = Signal()

    def __init__(
        self, engine: Engine, runner: JobRunner, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        self.keep_left = QPushButton("合并，保留左边")
        self.keep_right = QPushButton("合并，保留右边")
        self.distinct = QPushButton("不是同一人")
        super().__init__(
            "疑似重复会员",
            HEADERS,
            [self.keep_left, self.keep_right, self.distinct],
            window_state,
            (1100, 520),
            parent,
        )
        self._engine = engine
        self._runner = runner
        self.pairs: list[PossibleDuplicate] = []
        self.summary.setText("正在查找…")
        self.keep_left.clicked.connect(self._merge)
        self.keep_right.clicked.connect(self._merge)
        self.distinct.clicked.connect(self.mark_distinct)
        self.reload()

    def reload(self) -> Job:
        job = Job(lambda: possible_duplicates(self._engine), yields_progress=False)
        job.signals.succeeded.connect(self._show)
        return self._runner.start(job)

    def _show(self, pairs: list[PossibleDuplicate]) -> None:
        self.pairs = pairs
        rows = [
            (DUPLICATE_REASON[p.reason], *_side(p.first, self._engine), "↔", *_side(p.second, self._engine))
            for p in pairs
        ]
        self.show_rows(rows).setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.summary.setText(
            f"找到 {len(pairs):,} 对疑似重复的会员（姓名和出生日期相同但身份证号不同，或手机号码相同）。"
            "选中一行，合并（另一条移到回收站，可恢复）或标记为不是同一人（以后不再列出）。"
            if pairs
            else "没有疑似重复的会员。"
        )

    def chosen(self) -> PossibleDuplicate | None:
        rows = self.table.selectionModel().selectedRows()
        return self.pairs[rows[0].row()] if rows else None

    def _merge(self) -> None:
        self.merge(keep_left=self.sender() is self.keep_left)

    def merge(self, keep_left: bool) -> Job | None:
        if (pair := self.chosen()) is None:
            return None
        keep, drop = (pair.first, pair.second) if keep_left else (pair.second, pair.first)
        merge_members(self._engine, keep.id, drop.id)
        self.records_changed.emit()
        return self.reload()

    def mark_distinct(self) -> Job | None:
        if (pair := self.chosen()) is None:
            return None
        mark_distinct_people(self._engine, pair.first.id, pair.second.id)
        return self.reload()
