"""首页: the office's figures at a glance, computed from the records."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.statistics import Figures, overview
from ui.worker import Job, JobRunner

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


class HomePage(QWidget):
    def __init__(self, engine: Engine, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_home")
        self._engine = engine
        self._runner = runner
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
        layout.addStretch(1)

    def refresh(self) -> None:
        job = Job(lambda: overview(self._engine), yields_progress=False)
        job.signals.succeeded.connect(self._show)
        self._runner.start(job)

    def _show(self, result: tuple[Figures, list[Figures]]) -> None:
        totals, _ = result
        self.heading.setText(f"首页 · {totals.name}")
        for key, card in self.cards.items():
            card.show_number(getattr(totals, key))
