"""调整隶属关系 / 转出 / 撤销 / 转入: a change in one union's place in the organisation, with its date and
reason (a reason is required for 转出 and 撤销)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget
from sqlalchemy import Engine

from models.entities import UnionEventKind
from models.registers import first_level_union_choices
from models.unions import close_union, move_union, transfer_in_union
from ui.dialogs.base import FormDialog, date_until_today
from ui.labels import UNION_EVENT

NEEDS_PARENT = {UnionEventKind.MOVED, UnionEventKind.TRANSFERRED_IN}


class RecordUnionChangeDialog(FormDialog):
    def __init__(
        self,
        engine: Engine,
        union_id: int,
        union_name: str,
        kind: UnionEventKind,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"{UNION_EVENT[kind]}：{union_name}", window_state, parent)
        self._engine = engine
        self.union_id = union_id
        self.kind = kind
        what = QLabel(union_name)
        self.form.addRow("基层工会", what)
        self.first_level_union = QComboBox()
        for parent_id, name in first_level_union_choices(engine):
            self.first_level_union.addItem(name, parent_id)
        if kind in NEEDS_PARENT:
            label = "转入后隶属" if kind == UnionEventKind.TRANSFERRED_IN else "调整后隶属"
            self.add_field("to_first_level_union_id", label, self.first_level_union)
        self.happened_on = self.add_field("happened_on", "日期", date_until_today())
        self.reason = self.add_field(
            "reason", "原因" if kind in NEEDS_PARENT else "原因（必填）", QPlainTextEdit()
        )
        self.reason.setPlaceholderText("如：街道区划调整；单位迁往其他区；单位注销")
        self.reason.setTabChangesFocus(True)

    def save(self) -> None:
        when: date = self.happened_on.date().toPython()
        reason = self.reason.toPlainText()
        if self.kind == UnionEventKind.MOVED:
            move_union(self._engine, self.union_id, self.first_level_union.currentData(), when, reason)
        elif self.kind == UnionEventKind.TRANSFERRED_IN:
            transfer_in_union(self._engine, self.union_id, self.first_level_union.currentData(), when, reason)
        else:
            close_union(self._engine, self.union_id, self.kind, when, reason)
