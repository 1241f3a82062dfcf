"""一函两书 in the window, driven as a clerk drives it: pick employers, issue with a preview, read the PDF,
record service and reply, escalate, and see what falls due on 首页."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout

from models.entities import NoticeKind, ServiceMethod
from models.notices import draft_notice, issue_notice, notice_history, serve_notice
from tests.helpers import query
from tests.ui.test_dialogs import press_ctrl_s
from tests.ui.test_main_window import click_area, wait_for_rows
from tests.ui.test_records import open_row, select_rows
from ui.dialogs.issue_notices import IssueNoticesDialog
from ui.dialogs.record_notice_step import RecordNoticeStepDialog
from ui.dialogs.serve_notice import ServeNoticeDialog
from ui.dialogs.track_notice import TrackNoticeDialog
from ui.dialogs.view_pdf import ViewPdfDialog


def unorganized_employers(data_dir, count: int) -> list[tuple[int, str]]:
    """Employers with no union and no notice yet, as the 单位 list shows them under 未建会."""
    return query(
        data_dir.database,
        'SELECT e.id, e.name FROM employer e WHERE NOT EXISTS (SELECT 1 FROM union_employer ue JOIN "union" u '
        "ON u.id = ue.union_id WHERE ue.employer_id = e.id AND u.status = 'active') "
        "AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.employer_id = e.id) ORDER BY e.id LIMIT ?",
        (count,),
    )


def organized_employer(data_dir) -> tuple[int, str]:
    return query(
        data_dir.database,
        "SELECT e.id, e.name FROM employer e JOIN union_employer ue ON ue.employer_id = e.id "
        "JOIN \"union\" u ON u.id = ue.union_id WHERE u.status = 'active' LIMIT 1",
    )[0]


def facts(dialog: TrackNoticeDialog) -> dict[str, str]:
    """The facts under the heading, as the clerk reads them (label → value; 送达 rows joined)."""
    shown: dict[str, str] = {}
    for row in range(dialog.facts.rowCount()):
        label = dialog.facts.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
        value = dialog.facts.itemAt(row, QFormLayout.ItemRole.FieldRole).widget().text()
        shown[label] = f"{shown[label]}；{value}" if label in shown else value
    return shown


def row_of(qtbot, page, record_id: int) -> int:
    """Where a record is in a list, once the list (reloading after a change) shows it."""

    def ids() -> list[int]:
        return [page.model.record_id(row) for row in range(page.model.rowCount())]

    qtbot.waitUntil(lambda: page.model.complete and record_id in ids(), timeout=10_000)
    return ids().index(record_id)


def wait_for_preview(qtbot, dialog: IssueNoticesDialog) -> None:
    qtbot.waitUntil(lambda: dialog.preview.page_count > 0, timeout=10_000)


def issued_viewer(qtbot, window) -> ViewPdfDialog:
    qtbot.waitUntil(
        lambda: any(isinstance(w, ViewPdfDialog) and w.isVisible() for w in QApplication.topLevelWidgets()),
        timeout=20_000,
    )
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, ViewPdfDialog) and w.isVisible())


@pytest.fixture
def told(window) -> list[str]:
    messages: list[str] = []
    window.tell = messages.append
    return messages


def test_issuing_to_selected_employers_numbers_each_and_shows_one_pdf(
    qtbot, window, demo_engine, data_dir, told
):
    (first_id, first), (second_id, second) = unorganized_employers(data_dir, 2)
    skipped_id, skipped = organized_employer(data_dir)
    page = click_area(qtbot, window, "单位")
    wait_for_rows(qtbot, page)
    select_rows(qtbot, page, [row_of(qtbot, page, i) for i in (first_id, second_id, skipped_id)])
    qtbot.mouseClick(window.issue_notices_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in window.findChildren(IssueNoticesDialog) if w.isVisible())

    assert dialog.kind.currentText() == "工会组建意见函"
    assert "3" in dialog.buttons.button(dialog.buttons.StandardButton.Save).text()
    wait_for_preview(qtbot, dialog)
    assert dialog.previewed.currentText() in preview_text(dialog)  # the first chosen employer
    assert "（草稿，未编号）" in preview_text(dialog)
    press_ctrl_s(qtbot, dialog)

    viewer = issued_viewer(qtbot, window)
    numbers = [row[0] for row in query(data_dir.database, "SELECT document_number FROM notice ORDER BY id")]
    assert len(numbers) == 2 and all("工组函" in number for number in numbers)
    pdf_text = "".join(p.extract_text() for p in PdfReader(_bytes_io(viewer.pdf)).pages).replace("\n", "")
    assert first in pdf_text and second in pdf_text and skipped not in pdf_text
    assert "送达回证" in pdf_text
    [message] = told
    assert skipped in message and "已建会" in message


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def preview_text(dialog: IssueNoticesDialog) -> str:
    """The text of the previewed first page, as QtPdf reads it back (line breaks taken out)."""
    return dialog.preview.document.getAllText(0).text().replace("\r", "").replace("\n", "")


def test_the_preview_follows_the_kind_and_explains_a_refusal(qtbot, window, data_dir):
    [(employer_id, name)] = unorganized_employers(data_dir, 1)
    dialog = window.open_issue_notices([employer_id])
    wait_for_preview(qtbot, dialog)
    first_pages = dialog.preview.page_count

    assert "意见函" in preview_text(dialog) and name in preview_text(dialog)
    assert first_pages >= 1

    # A recommendation needs a served inspection opinion first: the preview says why it cannot be issued
    # only when issued; as a preview it shows what the office would send.
    dialog.kind.setCurrentIndex(dialog.kind.findData(str(NoticeKind.RECOMMENDATION)))
    qtbot.waitUntil(lambda: "建议书" in preview_text(dialog), timeout=10_000)
    assert name in preview_text(dialog)


def test_a_served_notice_is_answered_escalated_and_the_draft_numbered(qtbot, window, demo_engine, data_dir):
    [(employer_id, name)] = unorganized_employers(data_dir, 1)
    notice_id = draft_notice(demo_engine, employer_id, NoticeKind.OPINION_LETTER)
    issue_notice(demo_engine, notice_id, date.today() - timedelta(days=40))
    window.records_changed()
    page = click_area(qtbot, window, "一函两书")
    wait_for_rows(qtbot, page)
    open_row(qtbot, page, row_of(qtbot, page, notice_id))
    dialog = next(w for w in window.findChildren(TrackNoticeDialog) if w.isVisible())
    assert dialog.heading.text() == f"工会组建意见函 · 两江工组函〔{date.today().year}〕1号 · 已发出"
    assert facts(dialog)["单位"] == name
    assert dialog.step_buttons["serve"].isVisible() and not dialog.step_buttons["reply"].isVisible()

    # 登记送达: 直接送达 without a signer is refused beside the field, then saved with one.
    qtbot.mouseClick(dialog.step_buttons["serve"], Qt.MouseButton.LeftButton)
    serve = next(w for w in dialog.findChildren(ServeNoticeDialog) if w.isVisible())
    serve.served_on.setDate(date.today() - timedelta(days=35))
    press_ctrl_s(qtbot, serve)
    assert "签收人" in serve.error_text("signed_by")
    qtbot.keyClicks(serve.signed_by, "Wang")
    press_ctrl_s(qtbot, serve)
    qtbot.waitUntil(lambda: "已送达" in dialog.heading.text())
    assert "已逾期" in dialog.heading.text()  # 15 working days after a service 35 days ago

    # 升级 once the deadline has passed needs no reason; the dialog moves on to the new draft.
    qtbot.mouseClick(dialog.step_buttons["escalate"], Qt.MouseButton.LeftButton)
    step = next(w for w in dialog.findChildren(RecordNoticeStepDialog) if w.isVisible())
    press_ctrl_s(qtbot, step)
    qtbot.waitUntil(lambda: dialog.notice_id != notice_id)
    assert "法律监督检查意见书" in dialog.heading.text() and "草稿" in dialog.heading.text()
    assert dialog.chain.rowCount() == 2

    qtbot.mouseClick(dialog.step_buttons["issue"], Qt.MouseButton.LeftButton)
    step = next(w for w in dialog.findChildren(RecordNoticeStepDialog) if w.isVisible())
    press_ctrl_s(qtbot, step)
    qtbot.waitUntil(lambda: "工检字" in dialog.heading.text())
    history = notice_history(demo_engine, dialog.notice_id)
    assert history.chain[0].status == "escalated" and history.record.status == "issued"


def test_escalating_before_the_deadline_asks_for_a_reason(qtbot, window, demo_engine, data_dir):
    [(employer_id, _)] = unorganized_employers(data_dir, 1)
    notice_id = draft_notice(demo_engine, employer_id, NoticeKind.OPINION_LETTER)
    issue_notice(demo_engine, notice_id, date.today())
    serve_notice(demo_engine, notice_id, date.today(), ServiceMethod.DIRECT, signed_by="李四")
    dialog = window.open_notice(notice_id)
    form = dialog.take_step("escalate")
    press_ctrl_s(qtbot, form)
    assert "尚未届满" in form.error_text("override_reason")
    qtbot.keyClicks(form.text, "refused")
    press_ctrl_s(qtbot, form)
    qtbot.waitUntil(lambda: dialog.notice_id != notice_id)
    assert notice_history(demo_engine, dialog.notice_id).record.override_reason == "refused"


def test_home_lists_overdue_and_due_notices_and_opens_them(qtbot, window, demo_engine, data_dir):
    (late_id, late), (soon_id, soon) = unorganized_employers(data_dir, 2)
    for employer_id, served in ((late_id, 60), (soon_id, 18)):  # 15 working days: about 21 days
        notice_id = draft_notice(demo_engine, employer_id, NoticeKind.OPINION_LETTER)
        issue_notice(demo_engine, notice_id, date.today() - timedelta(days=served))
        serve_notice(
            demo_engine,
            notice_id,
            date.today() - timedelta(days=served),
            ServiceMethod.DIRECT,
            signed_by="张三",
        )
    window.records_changed()
    home = click_area(qtbot, window, "首页")
    qtbot.waitUntil(lambda: home.overdue.table.rowCount() == 1, timeout=10_000)
    assert home.overdue.table.item(0, 0).text() == late
    assert home.overdue.table.item(0, 2).text().startswith("已逾期")
    assert home.due_soon.table.rowCount() == 1 and home.due_soon.table.item(0, 0).text() == soon
    assert (
        home.due_soon.table.item(0, 2).text().startswith("还有")
        or "今天" in home.due_soon.table.item(0, 2).text()
    )

    # A double-click is a click and then a second press: the view opens the row only if both hit it.
    rect = home.overdue.table.visualItemRect(home.overdue.table.item(0, 0))
    qtbot.mouseClick(home.overdue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(home.overdue.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = next(w for w in window.findChildren(TrackNoticeDialog) if w.isVisible())
    assert "已逾期" in dialog.heading.text()

    page = click_area(qtbot, window, "一函两书")
    wait_for_rows(qtbot, page)
    page.filters["deadline"].setCurrentIndex(page.filters["deadline"].findText("已逾期未答复"))
    wait_for_rows(qtbot, page, 1)


def test_a_notice_is_previewed_with_its_proof_of_service_and_a_draft_can_be_voided(
    qtbot, window, demo_engine, data_dir
):
    (issued_to, name), (drafted_for, _) = unorganized_employers(data_dir, 2)
    notice_id = draft_notice(demo_engine, issued_to, NoticeKind.OPINION_LETTER)
    record = issue_notice(demo_engine, notice_id, date.today())
    dialog = window.open_notice(notice_id)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(ViewPdfDialog) is not None, timeout=10_000)
    viewer = dialog.findChild(ViewPdfDialog)
    text = "".join(page.extract_text() for page in PdfReader(_bytes_io(viewer.pdf)).pages).replace("\n", "")
    assert record.document_number in text and name in text and "送达回证" in text
    assert viewer.file_name == f"{record.document_number}_{name}.pdf"
    viewer.reject()
    dialog.reject()

    draft_id = draft_notice(demo_engine, drafted_for, NoticeKind.OPINION_LETTER)
    dialog = window.open_notice(draft_id)
    assert "草稿" in dialog.heading.text()
    assert dialog.step_buttons["issue"].isVisible() and not dialog.step_buttons["serve"].isVisible()
    form = dialog.take_step("void")
    press_ctrl_s(qtbot, form)
    assert "作废原因" in form.error_text("reason")
    qtbot.keyClicks(form.text, "duplicate")
    with qtbot.waitSignal(dialog.finished):  # an unnumbered draft is deleted: nothing is left to show
        press_ctrl_s(qtbot, form)
    assert query(data_dir.database, "SELECT count(*) FROM notice WHERE id = ?", (draft_id,))[0][0] == 0

    # A numbered notice voided keeps its number, shown as 作废, with no step left to take.
    dialog = window.open_notice(notice_id)
    form = dialog.take_step("void")
    qtbot.keyClicks(form.text, "wrong name")
    press_ctrl_s(qtbot, form)
    qtbot.waitUntil(lambda: dialog.heading.text().endswith("作废"))
    assert record.document_number in dialog.heading.text()
    assert not any(button.isVisible() for button in dialog.step_buttons.values())
