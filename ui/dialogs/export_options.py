"""导出 / 打印 a list of people: ID numbers and phones masked, unless the clerk ticks the box and says why.

Shown only to 录入员 and 管理员 (a reader's exports are always masked, and the models refuse them more);
the reason goes into the audit trail with who, when, how many people and which file (models.privacy).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from models.privacy import REASON_LENGTH
from ui.dialogs.base import SizedDialog

FULL_DATA = "包含完整身份证号和手机号码"


@dataclass(frozen=True)
class Disclosure:
    """What the clerk chose: masked (the default), or whole values with the reason they typed."""

    full: bool = False
    reason: str = ""


class ExportOptionsDialog(SizedDialog):
    """``action`` is what the clerk is doing: "导出" or "打印"."""

    def __init__(self, action: str, window_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(f"{action}会员信息", window_state, (480, 260), parent)
        explanation = QLabel(
            f"{action}的名单中，身份证号和手机号码默认隐去中间的数字（如 500112********1234、138****5678）。"
            "确需完整信息时请勾选下面一项并写明理由：理由、人员、时间和人数将记入审计记录。"
        )
        explanation.setWordWrap(True)
        self.full = QCheckBox(FULL_DATA)
        self.full.setObjectName("fullData")
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("理由（必填），如：报送市总工会核对会员实名信息")
        self.reason.setMaxLength(REASON_LENGTH)
        self.reason.setEnabled(False)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"继续{action}…")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        self.full.toggled.connect(self._full_toggled)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addSpacing(8)
        layout.addWidget(self.full)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.restore_size()

    def _full_toggled(self, full: bool) -> None:
        self.reason.setEnabled(full)
        self.error.hide()
        if full:
            self.reason.setFocus()

    def try_accept(self) -> None:
        """Go on, unless whole values were asked for without a reason."""
        if self.full.isChecked() and not self.reason.text().strip():
            self.error.setText("请写明需要完整身份证号和手机号码的理由")
            self.error.show()
            self.reason.setFocus()
            return
        self.accept()

    def disclosure(self) -> Disclosure:
        if not self.full.isChecked():
            return Disclosure()
        return Disclosure(True, self.reason.text().strip())
