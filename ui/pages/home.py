"""首页: the office's figures at a glance, computed from the records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QTableWidget, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.listing import DUE_SOON_DAYS
from models.notices import NoticeRecord, due_notices
from models.statistics import Figures, overview
from ui.fact_table import fact_table
from ui.worker import Job, JobRunner

# What the clerk acts on first: whose notice, and how long is left; then which notice it was.
DEADLINE_HEADERS = ("单位", "答复期限", "", "文号", "送达日期")

CARDS = (
    ("unions", "基层工会", "个"),
    ("members", "在会会员", "名"),
    ("covered_staff", "覆盖职工", "名"),
    ("employers", "登记单位", "家"),
    ("employers_without_union", "未建会单位", "家"),
    ("due_without_union", "达到建会标准仍未建会", "家"),
    ("open_tasks", "在办建会任务", "项"),
)


class FigureCard(QFrame):
    def __init__(self, title: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._unit = unit
        self.value = QLabel("…")
        self.value.setObjectName("figureValue")
        caption = QLabel(title)
        caption.setObjectName("figureCaption")
        layout = QVBoxLayout(self)
        layout.addWidget(self.value, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(caption)

    def show_number(self, number: int) -> None:
        self.value.setText(f"{number:,} {self._unit}")


class DeadlineList(QWidget):
    """Served notices waiting for a reply, by deadline; a double-click opens one."""

    def __init__(
        self, title: str, open_notice: Callable[[int], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._open_notice = open_notice
        self.notice_ids: list[int] = []
        self.heading = QLabel(title)
        self.heading.setObjectName("sectionTitle")
        self.table = fact_table(DEADLINE_HEADERS, [])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)

    def show_notices(self, notices: Sequence[NoticeRecord], today: date) -> None:
        self.notice_ids = [notice.id for notice in notices]
        self.heading.setText(f"{self._title}（{len(notices)} 份）")
        rows = [
            (n.employer_name, n.reply_due_on, _days_left(n, today), n.document_number, n.served_on)
            for n in notices
        ]
        table = fact_table(DEADLINE_HEADERS, rows, wide_column=0)
        table.cellDoubleClicked.connect(lambda row, _column: self._open_notice(self.notice_ids[row]))
        self.layout().replaceWidget(self.table, table)
        self.table.deleteLater()
        self.table: QTableWidget = table


def _days_left(notice: NoticeRecord, today: date) -> str:
    days = (notice.reply_due_on - today).days
    if days < 0:
        return f"已逾期 {-days} 天"
    return "今天到期" if days == 0 else f"还有 {days} 天"


class HomePage(QWidget):
    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        open_notice: Callable[[int], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_home")
        self._engine = engine
        self._runner = runner
        self.due_soon = DeadlineList(f"{DUE_SOON_DAYS} 天内到期待答复的文书", open_notice)
        self.overdue = DeadlineList("已逾期未答复的文书", open_notice)
        self.heading = QLabel("首页")
        self.heading.setObjectName("pageTitle")
        self.cards = {key: FigureCard(title, unit) for key, title, unit in CARDS}
        grid = QGridLayout()
        for position, card in enumerate(self.cards.values()):
            grid.addWidget(card, position // 4, position % 4)
        self.note = QLabel(
            "“达到建会标准”指职工 100 人以上的单位，或职工 50 人以上的非公企业（人数标准可在“设置”中修改）。"
        )
        self.note.setWordWrap(True)
        self.note.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        deadlines = QHBoxLayout()
        deadlines.addWidget(self.due_soon)
        deadlines.addWidget(self.overdue)
        layout.addLayout(deadlines, 1)

    def refresh(self) -> None:
        today = date.today()
        job = Job(
            lambda: (overview(self._engine), due_notices(self._engine, today, DUE_SOON_DAYS), today),
            yields_progress=False,
        )
        job.signals.succeeded.connect(self._show)
        self._runner.start(job)

    def _show(self, result: tuple[tuple[Figures, list[Figures]], tuple[list, list], date]) -> None:
        (totals, _), (due_soon, overdue), today = result
        self.due_soon.show_notices(due_soon, today)
        self.overdue.show_notices(overdue, today)
        self.heading.setText(f"首页 · {totals.name}")
        for key, card in self.cards.items():
            card.show_number(getattr(totals, key))
