"""新增基层工会: a grassroots union, the employers it covers and its chair."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from sqlalchemy import Engine

from models.unions import save_union
from ui.dialogs.union_form import UnionForm


class AddUnionDialog(UnionForm):
    def __init__(self, engine: Engine, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__("新增基层工会", engine, window_state, parent)
        self.saved_id: int | None = None

    def save(self) -> None:
        self.saved_id = save_union(self._engine, self.union_fields())
