"""设置: the office's identity and rules (kept in the database), this PC's print fonts (window.ini), where
the data lives, a backup, this PC's automatic backups (backup-settings.json) and restoring one; for an
administrator, the accounts. A reader changes nothing here; an editor not the backups or the accounts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Engine

from models.accounts import may
from models.backup_settings import (
    KEEP_DAILY_RANGE,
    KEEP_MONTHLY_RANGE,
    BackupSettings,
    load_backup_settings,
    save_backup_settings,
)
from models.backups import backup_database, timestamp
from models.entities import Role
from models.errors import InvalidInput, KnownError
from models.notices import check_number_format, document_number
from models.paths import DataDir
from models.registers import (
    NUMBER_FORMAT_FIELDS,
    FederationSettings,
    federation_settings,
    update_federation_settings,
)
from printing.fonts import installed_office_fonts
from ui.dialogs.restore_backup import RestoreBackupDialog
from ui.pages.accounts import AccountsPage
from ui.print_fonts import set_uses_office_fonts, uses_office_fonts
from ui.worker import Job, JobRunner


class SettingsPage(QWidget):
    settings_saved = Signal()
    database_restored = Signal(object)  # RestoreResult: the window reopens on the restored database

    def __init__(
        self,
        engine: Engine,
        data_dir: DataDir,
        runner: JobRunner,
        window_state: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_settings")
        self._engine = engine
        self._data_dir = data_dir
        self._runner = runner
        self._window_state = window_state
        heading = QLabel("设置")
        heading.setObjectName("pageTitle")

        self.name = QLineEdit()
        self.short_name = QLineEdit()
        self.short_name.setPlaceholderText("如“两江”，用于文号：两江工组函〔2026〕3号")
        self.seal_text = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.reply_days = QSpinBox()
        self.reply_days.setRange(1, 365)
        self.reply_days.setSuffix(" 天")
        self.working_days = QCheckBox("按工作日计算")
        self.staff_threshold = QSpinBox()
        self.staff_threshold.setRange(1, 100_000)
        self.staff_threshold.setSuffix(" 人")
        self.non_public_threshold = QSpinBox()
        self.non_public_threshold.setRange(1, 100_000)
        self.non_public_threshold.setSuffix(" 人")
        self.number_formats = {field: QLineEdit() for field in NUMBER_FORMAT_FIELDS}
        self.number_example = QLabel()
        self.number_example.setObjectName("hint")
        for edit in [*self.number_formats.values(), self.short_name]:
            edit.textChanged.connect(self._show_number_example)
        for spin in (self.reply_days, self.staff_threshold, self.non_public_threshold):
            spin.setMaximumWidth(140)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self.save)

        office = QGroupBox("本会信息（打印文书时使用）")
        form = QFormLayout(office)
        form.addRow("总工会名称", self.name)
        form.addRow("文号简称", self.short_name)
        form.addRow("印章文字", self.seal_text)
        form.addRow("地址", self.address)
        form.addRow("联系电话", self.phone)
        rules = QGroupBox("规则")
        rules_form = QFormLayout(rules)
        reply = QHBoxLayout()
        reply.addWidget(self.reply_days)
        reply.addWidget(self.working_days)
        reply.addStretch(1)
        rules_form.addRow("文书答复期限", reply)
        rules_form.addRow("应建会职工人数", self.staff_threshold)
        rules_form.addRow("非公企业应建会职工人数", self.non_public_threshold)
        for field, label in zip(
            NUMBER_FORMAT_FIELDS, ("意见函文号", "检查意见书文号", "建议书文号"), strict=True
        ):
            rules_form.addRow(label, self.number_formats[field])
        rules_form.addRow("", self.number_example)

        printing = QGroupBox("打印（本机的设置）")
        printing_layout = QVBoxLayout(printing)
        self.office_fonts = QCheckBox(
            "使用本机安装的方正小标宋、仿宋、黑体、楷体、宋体（没有的用程序自带字体）"
        )
        self.office_fonts_found = QLabel()
        self.office_fonts_found.setObjectName("hint")
        self.office_fonts_found.setWordWrap(True)
        printing_layout.addWidget(self.office_fonts)
        printing_layout.addWidget(self.office_fonts_found)

        storage = QGroupBox("数据")
        storage_layout = QFormLayout(storage)
        self.location = QLabel(str(data_dir.database))
        self.location.setWordWrap(True)
        self.backup_button = QPushButton("备份数据库…")
        self.backup_button.clicked.connect(self.back_up)
        self.restore_button = QPushButton("恢复备份…")
        self.restore_button.clicked.connect(self.open_restore_dialog)
        storage_layout.addRow("数据库文件", self.location)
        self._add_backup_settings(storage_layout)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_button)
        backup_row.addWidget(self.restore_button)
        backup_row.addStretch(1)
        storage_layout.addRow("", backup_row)

        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        # The page is taller than a laptop's screen (1280×800): it scrolls instead of stretching the window.
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        QVBoxLayout(self).addWidget(scroll)
        self._content = layout = QVBoxLayout(content)
        layout.addWidget(heading)
        layout.addWidget(office)
        layout.addWidget(rules)
        layout.addWidget(printing)
        layout.addLayout(buttons)
        layout.addWidget(storage)
        self.accounts: AccountsPage | None = None
        if may(engine, Role.ADMINISTRATOR):  # the window is built anew for each person signed in
            self.accounts = AccountsPage(engine, window_state)
            accounts_box = QGroupBox("账户和权限")
            QVBoxLayout(accounts_box).addWidget(self.accounts)
            layout.addWidget(accounts_box)
        layout.addStretch(1)
        self._limit_to_role()

    def refresh(self) -> None:
        settings = federation_settings(self._engine)
        self.name.setText(settings.name)
        self.short_name.setText(settings.short_name)
        self.seal_text.setText(settings.seal_text)
        self.address.setText(settings.address or "")
        self.phone.setText(settings.phone or "")
        self.reply_days.setValue(settings.notice_reply_days)
        self.working_days.setChecked(settings.notice_days_are_working_days)
        self.staff_threshold.setValue(settings.staff_threshold)
        self.non_public_threshold.setValue(settings.non_public_staff_threshold)
        for field, edit in self.number_formats.items():
            edit.setText(getattr(settings, field))
        self.office_fonts.setChecked(uses_office_fonts(self._window_state))
        self.office_fonts_found.setText(_office_fonts_summary(installed_office_fonts()))
        self.message.clear()
        self._show_backup_settings(load_backup_settings(self._data_dir))
        if self.accounts is not None:
            self.accounts.refresh()

    def _limit_to_role(self) -> None:
        """What the person signed in may not change is shown but disabled (the domain refuses it too)."""
        if may(self._engine, Role.ADMINISTRATOR):
            return
        note = QLabel("备份设置、恢复备份和账户需要管理员权限。")
        note.setObjectName("hint")
        self._content.insertWidget(1, note)
        for widget in (self.choose_folder_button, self.default_folder_button, self.keep_daily,
                       self.keep_monthly, self.save_backup_button, self.restore_button):  # fmt: skip
            widget.setEnabled(False)
        if not may(self._engine, Role.EDITOR):
            # 备份数据库… too: a copy of the database would show a reader every ID number unmasked.
            note.setText("只读：当前账户为查阅权限，不能修改设置，也不能备份数据库。")
            for widget in (self.name, self.short_name, self.seal_text, self.address, self.phone,
                           *self.number_formats.values()):  # fmt: skip
                widget.setReadOnly(True)
            for widget in (self.reply_days, self.working_days, self.staff_threshold,
                           self.non_public_threshold, self.office_fonts, self.save_button, self.backup_button):  # fmt: skip
                widget.setEnabled(False)

    def _show_number_example(self) -> None:
        """How the first number of this year will read, so the clerk sees a mistake before saving."""
        try:
            examples = [
                document_number(
                    check_number_format(edit.text()), self.short_name.text().strip(), date.today().year, 1
                )
                for edit in self.number_formats.values()
            ]
        except InvalidInput as exc:
            self.number_example.setText(exc.message)
            return
        self.number_example.setText("今年第一号将是：" + "　".join(examples))

    def save(self) -> None:
        set_uses_office_fonts(self._window_state, self.office_fonts.isChecked())
        settings = FederationSettings(
            name=self.name.text(),
            short_name=self.short_name.text(),
            seal_text=self.seal_text.text(),
            address=self.address.text().strip() or None,
            phone=self.phone.text().strip() or None,
            notice_reply_days=self.reply_days.value(),
            notice_days_are_working_days=self.working_days.isChecked(),
            staff_threshold=self.staff_threshold.value(),
            non_public_staff_threshold=self.non_public_threshold.value(),
            **{field: edit.text() for field, edit in self.number_formats.items()},
        )
        try:
            update_federation_settings(self._engine, settings)
        except InvalidInput as exc:
            self.message.setText(exc.message)
            return
        self.settings_saved.emit()  # the pages reload, this one too: confirm after that
        self.message.setText("设置已保存。")

    def choose_backup_file(self) -> Path | None:
        """Ask where to write the backup (a test replaces this)."""
        suggested = str(Path.home() / f"工会组建工作台备份-{timestamp()}.sqlite3")
        name, _ = QFileDialog.getSaveFileName(self, "备份数据库", suggested, "数据库备份 (*.sqlite3)")
        return Path(name) if name else None

    def back_up(self) -> None:
        target = self.choose_backup_file()
        if target is None:
            return
        job = Job(lambda: backup_database(self._data_dir.database, target), yields_progress=False)
        job.signals.succeeded.connect(self._backed_up)
        job.signals.known_error.connect(self._backup_failed)
        self._runner.start(job)

    def _backed_up(self, path: Path) -> None:
        self.message.setText(f"已备份到 {path}")

    def _backup_failed(self, message: str) -> None:
        QMessageBox.warning(self, "备份失败", message)

    # --- automatic backups (this PC's, in backup-settings.json) and restoring ---------------------------
    def _add_backup_settings(self, form: QFormLayout) -> None:
        self.backup_folder = QLineEdit()
        self.backup_folder.setReadOnly(True)
        self.backup_folder.setPlaceholderText(f"数据文件夹中的 backups（{self._data_dir.backups}）")
        self.choose_folder_button = QPushButton("选择…")
        self.choose_folder_button.clicked.connect(self.choose_backup_folder)
        self.default_folder_button = QPushButton("用默认位置")
        self.default_folder_button.clicked.connect(self.backup_folder.clear)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.backup_folder, 1)
        folder_row.addWidget(self.choose_folder_button)
        folder_row.addWidget(self.default_folder_button)
        self.keep_daily = QSpinBox()
        self.keep_daily.setRange(*KEEP_DAILY_RANGE)
        self.keep_daily.setSuffix(" 份")
        self.keep_monthly = QSpinBox()
        self.keep_monthly.setRange(*KEEP_MONTHLY_RANGE)
        self.keep_monthly.setSuffix(" 份")
        for spin in (self.keep_daily, self.keep_monthly):
            spin.setMaximumWidth(140)
        self.save_backup_button = QPushButton("保存备份设置")
        self.save_backup_button.clicked.connect(self.save_backup_settings)
        self.backup_message = QLabel()
        self.backup_message.setObjectName("hint")
        self.backup_message.setWordWrap(True)
        hint = QLabel(
            "每天第一次启动和每次关闭窗口时自动备份；升级、导入、恢复之前也先备份。"
            "备份文件夹可以选在 U 盘上：U 盘没插时备份到数据文件夹中，不会中断工作。"
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow("自动备份", hint)
        form.addRow("备份文件夹", folder_row)
        form.addRow("保留每日备份", self.keep_daily)
        form.addRow("保留每月备份", self.keep_monthly)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_backup_button)
        save_row.addWidget(self.backup_message, 1)
        form.addRow("", save_row)

    def _show_backup_settings(self, settings: BackupSettings) -> None:
        self.backup_folder.setText(str(settings.folder) if settings.folder else "")
        self.keep_daily.setValue(settings.keep_daily)
        self.keep_monthly.setValue(settings.keep_monthly)
        self.backup_message.clear()

    def choose_backup_folder_dialog(self) -> Path | None:
        """Ask for the backup folder (a test replaces this)."""
        name = QFileDialog.getExistingDirectory(
            self, "选择备份文件夹", self.backup_folder.text() or str(Path.home())
        )
        return Path(name) if name else None

    def choose_backup_folder(self) -> None:
        if (folder := self.choose_backup_folder_dialog()) is not None:
            self.backup_folder.setText(str(folder))

    def save_backup_settings(self) -> BackupSettings | None:
        folder = self.backup_folder.text().strip()
        settings = BackupSettings(
            folder=Path(folder) if folder else None,
            keep_daily=self.keep_daily.value(),
            keep_monthly=self.keep_monthly.value(),
        )
        try:
            saved = save_backup_settings(self._data_dir, settings)
        except KnownError as exc:
            self.backup_message.setText(exc.message)
            return None
        where = saved.folder or self._data_dir.backups
        self.backup_message.setText(
            f"备份设置已保存：备份到“{where}”，保留每日备份 {saved.keep_daily} 份、每月备份 {saved.keep_monthly} 份。"
        )
        return saved

    def open_restore_dialog(self) -> RestoreBackupDialog:
        dialog = RestoreBackupDialog(self._engine, self._data_dir, self._runner, self._window_state, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self.database_restored)
        dialog.open()
        return dialog


def _office_fonts_summary(found: dict[str, str | None]) -> str:
    """What this PC has, so the clerk knows why a printout looks the way it does."""
    have = [f"{role} {file_name}" for role, file_name in found.items() if file_name]
    missing = [role for role, file_name in found.items() if not file_name]
    parts = []
    if have:
        parts.append("本机有：" + "、".join(have))
    if missing:
        parts.append("本机没有：" + "、".join(missing) + "，打印时用程序自带字体代替")
    return "。".join(parts) + "。"
