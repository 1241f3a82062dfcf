"""工会信息: one union opened from the list or the tree, its record to edit and its history of moves and
transfers. Its first-level union is shown, not edited: a move has a date and a reason (组织架构 page)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy import Engine

from models.unions import save_union, union_details
from ui.dialogs.union_form import UnionForm
from ui.dialogs.view_audit_trail import add_history_button
from ui.fact_table import fact_table
from ui.labels import UNION_EVENT, UNION_STATUS


class EditUnionDialog(UnionForm):
    def __init__(
        self, engine: Engine, union_id: int, window_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("工会信息", engine, window_state, parent)
        self.union_id = union_id
        details = union_details(engine, union_id)
        self.setWindowTitle(f"工会信息：{details.fields.name}")
        self.show_fields(details.fields)
        self.first_level_union.setEnabled(False)
        self.first_level_union.setToolTip("调整隶属关系请到“组织架构”中操作，以便记下日期和原因")
        self.state = QLabel(
            f"{UNION_STATUS.get(details.status, details.status)}，在会会员 {details.members:,} 名"
        )
        self.state.setObjectName("hint")
        self.form.insertRow(0, "状态", self.state)
        events = fact_table(
            ["日期", "变动", "原一级工会", "新一级工会", "原因"],
            [
                (
                    e.happened_on,
                    UNION_EVENT.get(e.kind, e.kind),
                    e.from_first_level_union,
                    e.to_first_level_union,
                    e.reason,
                )
                for e in details.events
            ],
        )
        history = QWidget()
        column = QVBoxLayout(history)
        column.addWidget(events)
        self.add_tabs("基本信息", [(f"变动记录 ({len(details.events)})", history)])
        self.history_button = add_history_button(
            self, engine, window_state, "union", union_id, details.fields.name
        )

    def save(self) -> None:
        save_union(self._engine, self.union_fields(), self.union_id)
