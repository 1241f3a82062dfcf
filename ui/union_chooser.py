"""A drop-down of the active grassroots unions that filters as the clerk types part of a name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget
from sqlalchemy import Engine

from models.errors import InvalidInput
from models.registers import union_choices


class UnionChooser(QComboBox):
    def __init__(self, engine: Engine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for union_id, name in union_choices(engine):
            self.addItem(name, union_id)
        self.setCurrentIndex(-1)
        self.lineEdit().setPlaceholderText("输入工会名称中的字可筛选")
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)

    def chosen_union(self) -> int:
        """The id of the union whose name is in the box; InvalidInput (field "union") if none is."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchExactly)
        if index < 0:
            raise InvalidInput("请从列表中选择所在工会", "union")
        return self.itemData(index)
