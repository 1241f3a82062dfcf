"""The employer page: one employer's record to edit, and beside it everything the office knows about it —
its union or since when it has had none, its organising tasks, the notices it was served, the visits."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.employers import EmployerOverview, employer_overview, save_employer
from models.entities import UnionStatus
from ui.dialogs.employer_form import EmployerForm
from ui.dialogs.view_audit_trail import add_history_button
from ui.fact_table import fact_table, shown
from ui.labels import NOTICE_KIND, NOTICE_STATUS, STAFF_COUNT_SOURCE, TASK_STATUS, UNION_STATUS


def union_state(page: EmployerOverview) -> str:
    """One line on the employer's union: what a clerk asks first about any employer."""
    active = [union.name for union in page.unions if union.status == UnionStatus.ACTIVE]
    if active:
        return "已建会：" + "、".join(active)
    since = page.without_union_since
    return f"未建会（自 {since:%Y-%m-%d} 起）" if since else "未建会"


def staff_line(page: EmployerOverview) -> str:
    fields = page.fields
    if fields.staff_count is None:
        return "职工人数未填"
    source = STAFF_COUNT_SOURCE.get(fields.staff_count_source or "", "")
    when = f"，截至 {fields.staff_count_date:%Y-%m-%d}" if fields.staff_count_date else ""
    return f"职工 {fields.staff_count:,} 人" + (f"（{source}{when}）" if source or when else "")


def _tab(summary: str, table: QWidget) -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    label = QLabel(summary)
    label.setObjectName("hint")
    column.addWidget(label)
    column.addWidget(table, 1)
    return page


class EditEmployerDialog(EmployerForm):
    def __init__(
        self, engine: Engine, employer_id: int, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("单位信息", engine, window_state, parent)
        self.employer_id = employer_id
        self.page = page = employer_overview(engine, employer_id)
        self.setWindowTitle(f"单位信息：{page.fields.name}")
        self.show_fields(page.fields)
        self.union_state = QLabel(union_state(page))
        self.union_state.setObjectName("unionState")
        self.staff_line = QLabel(staff_line(page))
        self.staff_line.setObjectName("hint")
        self.form.insertRow(0, "建会情况", self.union_state)
        self.form.insertRow(1, "", self.staff_line)
        unions = fact_table(
            ["工会名称", "状态", "成立日期", "转出/撤销日期", "在会会员"],
            [
                (u.name, UNION_STATUS.get(u.status, u.status), u.founded_on, u.closed_on, u.members)
                for u in page.unions
            ],
        )
        tasks = fact_table(
            ["年度", "负责的一级工会", "进展", "说明"],
            [
                (f"{t.year}年", t.first_level_union, TASK_STATUS.get(t.status, t.status), t.status_reason)
                for t in page.tasks
            ],
        )
        notices = fact_table(
            ["文书", "文号", "状态", "发出日期", "答复期限", "答复日期"],
            [
                (NOTICE_KIND.get(n.kind, n.kind), n.document_number, NOTICE_STATUS.get(n.status, n.status),
                 n.issued_on, n.reply_due_on, n.replied_on)
                for n in page.notices
            ],
        )  # fmt: skip
        visits = fact_table(
            ["走访日期", "走访人", "了解到的情况"],
            [(v.visited_on, v.visitors, v.findings) for v in page.visits],
        )
        self.add_tabs(
            "基本信息",
            [
                (f"基层工会 ({len(page.unions)})", _tab(union_state(page), unions)),
                (f"建会任务 ({len(page.tasks)})", _tab(self._task_summary(), tasks)),
                (f"一函两书 ({len(page.notices)})", _tab(self._notice_summary(), notices)),
                (f"走访 ({len(page.visits)})", _tab(f"共走访 {len(page.visits)} 次", visits)),
            ],
        )
        self.resize(max(self.width(), 720), max(self.height(), 640))
        self.history_button = add_history_button(
            self, engine, window_state, "employer", employer_id, page.fields.name
        )

    def _task_summary(self) -> str:
        if not self.page.tasks:
            return "没有建会任务"
        latest = self.page.tasks[0]
        return f"{latest.year}年度由{latest.first_level_union}负责，进展：{TASK_STATUS.get(latest.status, latest.status)}"

    def _notice_summary(self) -> str:
        if not self.page.notices:
            return "尚未发出“一函两书”"
        latest = self.page.notices[0]
        due = f"，答复期限 {shown(latest.reply_due_on)}" if latest.reply_due_on else ""
        return f"最近一份：{NOTICE_KIND.get(latest.kind, latest.kind)} {latest.document_number or '（草稿）'}，{NOTICE_STATUS.get(latest.status, latest.status)}{due}"

    def save(self) -> None:
        save_employer(self._engine, self.employer_fields(), self.employer_id)
