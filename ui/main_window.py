"""The main window: the areas of the office's work on the left, the chosen one on the right."""

from __future__ import annotations

import functools
import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QWidget,
)
from sqlalchemy import Engine

from models.accounts import accounts_in_use, may, signed_in
from models.backups import back_up_on_close
from models.demo import DemoPlan, generate_demo
from models.employers import employer_names
from models.entities import Role, UnionEventKind
from models.errors import KnownError
from models.members import recycle_members
from models.notices import BatchIssue
from models.paths import DataDir
from models.registers import database_is_empty, first_level_union_choices
from printing.notice_wording import NoticeWordings, load_wordings
from ui import labels
from ui.dialogs.add_employer import AddEmployerDialog
from ui.dialogs.add_member import AddMemberDialog
from ui.dialogs.add_union import AddUnionDialog
from ui.dialogs.change_member_status import ChangeMemberStatusDialog
from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.edit_employer import EditEmployerDialog
from ui.dialogs.edit_member import EditMemberDialog
from ui.dialogs.edit_union import EditUnionDialog
from ui.dialogs.follow_task import FollowTaskDialog
from ui.dialogs.import_records import ImportRecordsDialog
from ui.dialogs.issue_notices import IssueNoticesDialog
from ui.dialogs.propose_tasks import ProposeTasksDialog
from ui.dialogs.record_union_change import RecordUnionChangeDialog
from ui.dialogs.recycle_bin import RecycleBinDialog
from ui.dialogs.review_duplicates import ReviewDuplicatesDialog
from ui.dialogs.set_targets import SetTargetsDialog
from ui.dialogs.track_notice import TrackNoticeDialog
from ui.dialogs.transfer_members import TransferMembersDialog
from ui.dialogs.view_audit_trail import ViewAuditTrailDialog
from ui.dialogs.view_pdf import ViewPdfDialog
from ui.error_dialog import READ_ONLY_REFUSAL, show_bug
from ui.pages.home import HomePage
from ui.pages.list_page import FilterChoice, ListPage
from ui.pages.settings import SettingsPage
from ui.pages.statistics import StatisticsPage
from ui.pages.union_tree import UnionTreePage
from ui.worker import Job, JobRunner

AREAS = ("首页", "单位", "未建会", "基层工会", "组织架构", "会员", "建会任务", "一函两书", "统计", "设置")


def choice(key: str, everything: str, words: dict) -> FilterChoice:
    """A filter over a fixed set of codes, shown by their Chinese words."""
    return FilterChoice(
        key,
        everything,
        lambda: [(text, str(code) if not isinstance(code, bool) else code) for code, text in words.items()],
    )


def writes(action):
    """A window action that changes records: for a reader (查阅) it only says why nothing happens.

    The buttons are disabled for a reader already; this also covers the keys (Ctrl+N, Delete) and any
    way in that a button does not show.
    """

    @functools.wraps(action)
    def for_editors(self: MainWindow, *args, **kwargs):
        if not may(self.engine, Role.EDITOR):
            self.tell(READ_ONLY_REFUSAL)
            return None
        return action(self, *args, **kwargs)

    return for_editors


def join_years() -> list[tuple[str, int]]:
    return [(f"{year}年入会", year) for year in range(date.today().year, 2009, -1)]


def task_years() -> list[tuple[str, int]]:
    return [(f"{year}年度", year) for year in range(date.today().year + 1, 2018, -1)]


class MainWindow(QMainWindow):
    def __init__(self, engine: Engine, data_dir: DataDir, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.data_dir = data_dir
        self.runner = JobRunner(self)
        self.first_start_demo = DemoPlan()  # what a first start offers to load
        self.window_state = QSettings(str(data_dir.window_state_file), QSettings.Format.IniFormat)
        self.setWindowTitle("工会组建工作台")

        self.add_employer_button = QPushButton("新增单位")
        self.add_employer_button.clicked.connect(self.open_add_employer_dialog)
        self.issue_notices_button = QPushButton("发出一函两书…")
        self.issue_notices_button.setToolTip("向选中的单位发出工会组建意见函、检查意见书或建议书")
        self.issue_notices_button.clicked.connect(self.issue_notices_to_selected)
        self.issue_to_unorganized_button = QPushButton("发出一函两书…")
        self.issue_to_unorganized_button.clicked.connect(self.issue_notices_to_selected)
        self.add_member_button = QPushButton("新增会员")
        self.add_member_button.clicked.connect(self.open_add_member_dialog)
        self.add_union_button = QPushButton("新增基层工会")
        self.add_union_button.clicked.connect(self.open_add_union_dialog)
        self.member_actions = self._member_actions()
        self.import_buttons = {kind: self._import_button(kind) for kind in ("employers", "unions", "members")}
        self.duplicates_button = QPushButton("疑似重复")
        self.duplicates_button.clicked.connect(self.open_duplicates)
        self.recycle_bin_button = QPushButton("回收站")
        self.recycle_bin_button.clicked.connect(self.open_recycle_bin)
        self.propose_tasks_button = QPushButton("按规则生成任务…")
        self.propose_tasks_button.setToolTip("为符合建会规则、尚未建会的单位生成本年度建会任务")
        self.propose_tasks_button.clicked.connect(self.open_propose_tasks)
        self.set_targets_button = QPushButton("年度目标…")
        self.set_targets_button.setToolTip("各一级工会本年度新建工会、发展会员的目标")
        self.set_targets_button.clicked.connect(self.open_set_targets)
        lists = dict(runner=self.runner, window_state=self.window_state)
        parents = FilterChoice("first_level_union", "全部一级工会", self._first_level_unions)
        self.pages: dict[str, QWidget] = {
            "首页": HomePage(engine, self.runner, open_notice=self.open_notice, open_task=self.open_task,
                            show_pdf=self.show_pdf),
            "单位": ListPage(engine, "employers", title="单位", search_hint="按单位名称或统一社会信用代码查找",
                            actions=[self.add_employer_button, self.import_buttons["employers"],
                                     self.issue_notices_button],
                            new_record=self.open_add_employer_dialog,
                            open_record=self.open_employer, filters=[
                                parents, choice("employer_class", "全部单位类别", labels.EMPLOYER_CLASS),
                                choice("has_union", "建会情况不限", {True: "已建会", False: "未建会"}),
                                choice("staff_band", "职工人数不限", labels.STAFF_BAND)], **lists),
            "未建会": ListPage(engine, "unorganized", title="达到建会标准的未建会单位",
                              search_hint="按单位名称或统一社会信用代码查找",
                              actions=[self.issue_to_unorganized_button], open_record=self.open_employer,
                              filters=[parents, choice("employer_class", "全部单位类别", labels.EMPLOYER_CLASS),
                                       choice("staff_band", "职工人数不限", labels.STAFF_BAND)], **lists),
            "基层工会": ListPage(engine, "unions", title="基层工会", search_hint="按工会名称、信用代码或主席姓名查找",
                                actions=[self.add_union_button, self.import_buttons["unions"]], new_record=self.open_add_union_dialog,
                                open_record=self.open_union, filters=[parents, choice("kind", "全部类型", labels.UNION_KIND),
                                         choice("status", "全部状态", labels.UNION_STATUS)], **lists),
            "组织架构": UnionTreePage(engine, self.runner, open_union=self.open_union,
                                     record_change=self.open_record_union_change),
            "会员": ListPage(engine, "members", title="会员", search_hint="按姓名、身份证号或手机号码查找（如：张）",
                            actions=[self.add_member_button, self.import_buttons["members"], self.member_actions, self.duplicates_button,
                                     self.recycle_bin_button],
                            new_record=self.open_add_member_dialog, open_record=self.open_member,
                            delete_records=self.recycle_members, show_pdf=self.show_pdf, filters=[
                                parents, choice("status", "全部状态", labels.MEMBER_STATUS),
                                FilterChoice("join_year", "入会年份不限", join_years)], **lists),
            "建会任务": ListPage(engine, "organizing_tasks", title="建会任务", search_hint="按单位或一级工会查找",
                                actions=[self.propose_tasks_button, self.set_targets_button],
                                open_record=self.open_task,
                                filters=[FilterChoice("year", "全部年度", task_years), parents,
                                         choice("status", "全部进展", labels.TASK_STATUS),
                                         choice("rule", "全部建会规则", labels.TASK_RULE)], **lists),
            "一函两书": ListPage(engine, "notices", title="一函两书", search_hint="按文号或单位查找",
                                open_record=self.open_notice,
                                filters=[choice("kind", "全部文书", labels.NOTICE_KIND),
                                         choice("status", "全部状态", labels.NOTICE_STATUS),
                                         choice("deadline", "答复期限不限", labels.NOTICE_DEADLINE)], **lists),
            "统计": StatisticsPage(engine, self.runner, self.window_state, show_pdf=self.show_pdf,
                                  open_record={"employers": self.open_employer, "unions": self.open_union,
                                               "members": self.open_member, "notices": self.open_notice}),
            "设置": SettingsPage(engine, data_dir, self.runner, self.window_state),
        }  # fmt: skip
        self._stale = set(self.pages)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.addItems(list(AREAS))
        self.navigation.setFixedWidth(150)
        self.stack = QStackedWidget()
        for area in AREAS:
            self.stack.addWidget(self.pages[area])
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.navigation.currentRowChanged.connect(self._show_area)
        self.pages["设置"].settings_saved.connect(self.records_changed)

        geometry = self.window_state.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.statusBar().showMessage(f"数据库：{data_dir.database}")
        self.switching_account = False  # run_window then asks who works next and opens a new window
        self._show_who_works()
        self._limit_to_role()
        self._add_audit_trail_button()
        self.navigation.setCurrentRow(0)

    # --- who is working -----------------------------------------------------------------------------
    def _show_who_works(self) -> None:
        """The person signed in and their role, at the right of the status bar, with 切换账户 and 修改密码."""
        who = signed_in(self.engine)
        self.who_works = QLabel()
        self.account_button = QToolButton()
        self.account_button.setText("账户")
        self.account_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.account_button)
        self.switch_account_action = menu.addAction("切换账户…", self.switch_account)
        self.change_password_action = menu.addAction("修改密码…", self.open_change_password)
        self.account_button.setMenu(menu)
        if accounts_in_use(self.engine) and who.account_id is not None:
            self.who_works.setText(f"{who.full_name}（{who.role_name}）")
        else:  # accounts off (or not asked yet): nobody signs in, the Windows user is recorded
            self.who_works.setText(f"{who.full_name}，未使用账户登录")
            self.account_button.hide()
        self.statusBar().addPermanentWidget(self.who_works)
        self.statusBar().addPermanentWidget(self.account_button)

    def switch_account(self) -> None:
        """Sign out: the window closes, and the next one opens for whoever signs in (ui.app)."""
        self.switching_account = True
        self.close()

    def open_change_password(self) -> ChangePasswordDialog | None:
        who = signed_in(self.engine)
        if who.account_id is None:
            return None
        return self._open_dialog(
            ChangePasswordDialog(self.engine, who.account_id, who.name, self.window_state, self, own=True)
        )

    def _limit_to_role(self) -> None:
        """A reader sees every register but no button that writes; the window is built for one person."""
        if may(self.engine, Role.EDITOR):
            return
        for button in (self.add_employer_button, self.issue_notices_button, self.issue_to_unorganized_button,
                       self.add_member_button, self.add_union_button, self.member_actions,
                       *self.import_buttons.values(), self.duplicates_button, self.recycle_bin_button,
                       self.propose_tasks_button, self.set_targets_button):  # fmt: skip
            button.setEnabled(False)
            button.setToolTip(READ_ONLY_REFUSAL)
        for action in self.member_actions.menu().actions():
            action.setEnabled(False)
        for button in self.pages["组织架构"].buttons.values():  # the page enables them by selection
            button.hide()

    def _member_actions(self) -> QPushButton:
        """One button for what is done to the selected members, so the bar stays one line."""
        button = QPushButton("选中的会员")
        menu = QMenu(button)
        menu.addAction("转到其他工会…", self.transfer_selected_members)
        menu.addAction("更改状态（转出、退会）…", self.change_selected_member_status)
        menu.addAction("移到回收站\tDelete", self.recycle_selected_members)
        button.setMenu(menu)
        return button

    def _import_button(self, kind: str) -> QPushButton:
        button = QPushButton("导入…")
        button.setToolTip("从 Excel、WPS 或 CSV 表格导入")
        button.clicked.connect(lambda: self.open_import(kind))
        return button

    def _first_level_unions(self) -> list[tuple[str, int]]:
        return [(name, union_id) for union_id, name in first_level_union_choices(self.engine)]

    # --- areas --------------------------------------------------------------------------------------
    def show_area(self, area: str) -> None:
        self.navigation.setCurrentRow(AREAS.index(area))

    def _show_area(self, row: int) -> None:
        area = AREAS[row]
        self.stack.setCurrentWidget(self.pages[area])
        if area in self._stale:
            self._stale.discard(area)
            self.pages[area].refresh()

    def records_changed(self) -> None:
        """Something was written: every page shows fresh figures the next time it is seen."""
        self._stale = set(self.pages)
        self._show_area(self.navigation.currentRow())

    # --- first start --------------------------------------------------------------------------------
    def offer_demo_data(self) -> None:
        if may(self.engine, Role.EDITOR) and database_is_empty(self.engine) and self.ask_load_demo():
            self.load_demo(self.first_start_demo)

    def ask_load_demo(self) -> bool:
        """Ask whether to fill an empty database with demo data (a test replaces this)."""
        answer = QMessageBox.question(
            self,
            "装入演示数据",
            "数据库还是空的。\n\n要装入一套演示数据（2,000 家单位、100,000 名会员）来熟悉程序吗？"
            "演示数据可以随时通过恢复备份或换用新的数据文件夹去掉。",
        )
        return answer == QMessageBox.StandardButton.Yes

    @writes
    def load_demo(self, plan: DemoPlan) -> Job:
        job = Job(lambda: generate_demo(self.engine, plan))
        job.signals.succeeded.connect(self.records_changed)
        job.signals.known_error.connect(self._demo_refused)
        job.signals.crashed.connect(self.show_bug)
        return self.runner.start(job, title="正在装入演示数据", window=self)

    def _demo_refused(self, message: str) -> None:
        QMessageBox.warning(self, "无法装入演示数据", message)

    def show_bug(self, details: str) -> None:
        show_bug(details, self)

    # --- records ------------------------------------------------------------------------------------
    @writes
    def open_add_member_dialog(self) -> AddMemberDialog:
        return self._open_form(AddMemberDialog(self.engine, self.window_state, self))

    def open_member(self, member_id: int) -> EditMemberDialog:
        return self._open_form(EditMemberDialog(self.engine, member_id, self.window_state, self))

    @writes
    def open_add_employer_dialog(self) -> AddEmployerDialog:
        return self._open_form(AddEmployerDialog(self.engine, self.window_state, self))

    def open_employer(self, employer_id: int) -> EditEmployerDialog:
        return self._open_form(EditEmployerDialog(self.engine, employer_id, self.window_state, self))

    @writes
    def open_add_union_dialog(self) -> AddUnionDialog:
        return self._open_form(AddUnionDialog(self.engine, self.window_state, self))

    def open_union(self, union_id: int) -> EditUnionDialog:
        return self._open_form(EditUnionDialog(self.engine, union_id, self.window_state, self))

    @writes
    def open_record_union_change(
        self, union_id: int, name: str, kind: UnionEventKind
    ) -> RecordUnionChangeDialog:
        return self._open_form(
            RecordUnionChangeDialog(self.engine, union_id, name, kind, self.window_state, self)
        )

    @writes
    def open_import(self, kind: str = "members") -> ImportRecordsDialog:
        """The import wizard with ``kind`` (members, employers, unions, headcounts) chosen."""
        return self._open_form(
            ImportRecordsDialog(self.engine, self.runner, self.data_dir, self.window_state, self, kind=kind)
        )

    # --- the selected members -----------------------------------------------------------------------
    def selected_members(self) -> list[int]:
        ids = self.pages["会员"].selected_ids()
        if not ids:
            self.tell("请先在会员列表中选中要处理的会员（可按住 Ctrl 或 Shift 多选，Ctrl+A 全选）。")
        return ids

    @writes
    def transfer_selected_members(self) -> TransferMembersDialog | None:
        if ids := self.selected_members():
            return self._open_form(
                TransferMembersDialog(self.engine, self.runner, ids, self.window_state, self)
            )
        return None

    @writes
    def change_selected_member_status(self) -> ChangeMemberStatusDialog | None:
        if ids := self.selected_members():
            return self._open_form(
                ChangeMemberStatusDialog(self.engine, self.runner, ids, self.window_state, self)
            )
        return None

    @writes
    def recycle_selected_members(self) -> None:
        if ids := self.selected_members():
            self.recycle_members(ids)

    @writes
    def recycle_members(self, ids: list[int]) -> Job | None:
        """Delete to the recycle bin on the worker: 100,000 selected members take several seconds."""
        if not self.confirm_recycle(len(ids)):
            return None
        job = Job(lambda: recycle_members(self.engine, ids), yields_progress=False)
        job.signals.succeeded.connect(self._recycled)
        job.signals.known_error.connect(self.tell)
        job.signals.crashed.connect(self.show_bug)
        return self.runner.start(job, title="正在移到回收站", window=self)

    def _recycled(self, count: int) -> None:
        self.records_changed()
        self.statusBar().showMessage(f"已将 {count:,} 名会员移到回收站，可在“回收站”中恢复。", 10_000)

    def confirm_recycle(self, count: int) -> bool:
        """Ask before deleting (a test replaces this)."""
        answer = QMessageBox.question(
            self, "删除会员", f"将选中的 {count:,} 名会员移到回收站？\n\n可在“回收站”中恢复。"
        )
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, message: str) -> None:
        """A short notice to the clerk (a test replaces this)."""
        QMessageBox.information(self, "工会组建工作台", message)

    # --- 建会任务 -----------------------------------------------------------------------------------------
    def open_task(self, task_id: int) -> FollowTaskDialog:
        dialog = FollowTaskDialog(self.engine, task_id, self.window_state, self)
        dialog.records_changed.connect(self.records_changed)  # a note is written before the form is saved
        return self._open_dialog(dialog)

    @writes
    def open_propose_tasks(self) -> ProposeTasksDialog:
        return self._open_form(ProposeTasksDialog(self.engine, self.runner, self.window_state, self))

    @writes
    def open_set_targets(self) -> SetTargetsDialog:
        return self._open_form(SetTargetsDialog(self.engine, self.window_state, self))

    # --- 一函两书 -----------------------------------------------------------------------------------------
    def notice_wordings(self) -> NoticeWordings | None:
        """The office's wording, read afresh when its files changed; a broken file is explained, not fatal."""
        try:
            return load_wordings(self.data_dir)
        except KnownError as exc:
            self.tell(exc.message)
            return None

    def open_notice(self, notice_id: int) -> TrackNoticeDialog | None:
        if (wordings := self.notice_wordings()) is None:
            return None
        dialog = TrackNoticeDialog(
            self.engine, self.runner, self.data_dir, wordings, notice_id, self.window_state, self
        )
        dialog.records_changed.connect(self.records_changed)
        if not may(self.engine, Role.EDITOR):  # a reader follows the notice but records no step
            for button in dialog.step_buttons.values():
                button.setEnabled(False)
                button.setToolTip(READ_ONLY_REFUSAL)
        return self._open_dialog(dialog)

    @writes
    def issue_notices_to_selected(self) -> IssueNoticesDialog | None:
        """From the 单位 or the 未建会 list, whichever is shown."""
        ids = self.stack.currentWidget().selected_ids()
        if not ids:
            self.tell("请先在单位列表中选中要发文书的单位（可按住 Ctrl 或 Shift 多选，Ctrl+A 全选）。")
            return None
        return self.open_issue_notices(ids)

    @writes
    def open_issue_notices(self, employer_ids: list[int]) -> IssueNoticesDialog | None:
        if (wordings := self.notice_wordings()) is None:
            return None
        employers = employer_names(self.engine, employer_ids)
        dialog = IssueNoticesDialog(
            self.engine, self.runner, self.data_dir, wordings, employers, self.window_state, self
        )
        dialog.issued.connect(self._notices_issued)
        return self._open_dialog(dialog)

    def _notices_issued(self, outcome: BatchIssue, written: Path | None) -> None:
        self.records_changed()
        if outcome.skipped:
            lines = [f"{item.employer_name}：{item.reason_text}" for item in outcome.skipped[:15]]
            more = f"\n……共 {len(outcome.skipped)} 家" if len(outcome.skipped) > 15 else ""
            self.tell(f"已发出 {len(outcome.issued)} 份；以下单位已跳过：\n" + "\n".join(lines) + more)
        if written is None:
            return
        if written.is_dir():
            self.tell(f"已发出 {len(outcome.issued)} 份，每家单位一个文件，保存在：\n{written}")
            return
        self.show_pdf(written.read_bytes(), f"一函两书（{len(outcome.issued)} 份）", written.name)

    def show_pdf(self, pdf: bytes, title: str, file_name: str) -> ViewPdfDialog:
        return self._open_dialog(
            ViewPdfDialog(pdf, title, file_name, self.data_dir.printouts, self.window_state, self)
        )

    @writes
    def open_recycle_bin(self) -> RecycleBinDialog:
        dialog = RecycleBinDialog(self.engine, self.runner, self.window_state, self)
        dialog.records_changed.connect(self.records_changed)
        return self._open_dialog(dialog)

    @writes
    def open_duplicates(self) -> ReviewDuplicatesDialog:
        dialog = ReviewDuplicatesDialog(self.engine, self.runner, self.window_state, self)
        dialog.records_changed.connect(self.records_changed)
        return self._open_dialog(dialog)

    # --- 审计记录 -----------------------------------------------------------------------------------------
    def _add_audit_trail_button(self) -> None:
        """审计记录… at the right of the status bar, for an administrator only (the window is built for one
        person: signing in as someone else opens a new one)."""
        self.audit_trail_button = QToolButton()
        self.audit_trail_button.setText("审计记录…")
        self.audit_trail_button.setToolTip("谁在何时新增、修改、删除了哪条记录，以及谁导出了完整的个人信息")
        self.audit_trail_button.clicked.connect(self.open_audit_trail)
        self.statusBar().addPermanentWidget(self.audit_trail_button)
        self.audit_trail_button.setVisible(may(self.engine, Role.ADMINISTRATOR))

    def open_audit_trail(self) -> ViewAuditTrailDialog | None:
        if not may(self.engine, Role.ADMINISTRATOR):
            self.tell("查看审计记录需要管理员权限。")
            return None
        return self._open_dialog(
            ViewAuditTrailDialog(self.engine, self.window_state, self, runner=self.runner)
        )

    def _open_dialog(self, dialog):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _open_form(self, dialog):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.records_changed)
        dialog.open()
        return dialog

    # --- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.window_state.setValue("main/geometry", self.saveGeometry())
        for page in self.pages.values():
            if isinstance(page, ListPage):
                page.save_state()
        self.window_state.sync()
        self.runner.wait_all()
        try:  # a copy of the session's work; a missing USB drive falls back, and nothing stops the close
            back_up_on_close(self.data_dir)
        except KnownError as exc:
            logging.getLogger("uniondesk").warning("关闭时备份失败：%s", exc.message)
        super().closeEvent(event)
