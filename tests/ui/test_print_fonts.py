"""The 设置 switch for this PC's fonts: the page says which office fonts the PC has, and a notice printed
after the switch is turned off carries the bundled font alone."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt

from models.entities import NoticeKind
from models.notices import draft_notice, issue_notice
from tests.conftest import FANGSONG_STAND_IN_NAME
from tests.printing.pdf_reading import font_names
from tests.ui.test_main_window import click_area
from tests.ui.test_notices import unorganized_employers
from ui.dialogs.view_pdf import ViewPdfDialog


def printed_fonts(qtbot, window, notice_id: int) -> set[str]:
    dialog = window.open_notice(notice_id)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(ViewPdfDialog) is not None, timeout=10_000)
    viewer = dialog.findChild(ViewPdfDialog)
    names = font_names(PdfReader(io.BytesIO(viewer.pdf)))
    viewer.reject()
    dialog.reject()
    return names


def test_turning_office_fonts_off_prints_with_the_bundled_font_alone(
    qtbot, window, demo_engine, data_dir, windows_with_fangsong
):
    [(employer_id, _)] = unorganized_employers(data_dir, 1)
    notice_id = draft_notice(demo_engine, employer_id, NoticeKind.OPINION_LETTER)
    issue_notice(demo_engine, notice_id, date(2026, 3, 5))

    page = click_area(qtbot, window, "设置")
    assert page.office_fonts.isChecked(), "the 公文 look is the default"
    found = page.office_fonts_found.text()
    assert "本机有：正文（仿宋） simfang.ttf" in found
    assert "本机没有：" in found and "一级标题（黑体）" in found and "程序自带字体" in found
    with_office = printed_fonts(qtbot, window, notice_id)
    assert FANGSONG_STAND_IN_NAME in with_office

    page = click_area(qtbot, window, "设置")
    box = page.office_fonts
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # on the tick box
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "设置已保存。"
    bundled_only = printed_fonts(qtbot, window, notice_id)
    assert bundled_only and FANGSONG_STAND_IN_NAME not in bundled_only
    assert bundled_only < with_office

    # The choice belongs to this PC: it is in window.ini, and the page shows it when opened again.
    window.window_state.sync()
    assert "use_office_fonts=false" in data_dir.window_state_file.read_text(encoding="utf-8")
    page.refresh()
    assert not page.office_fonts.isChecked()
