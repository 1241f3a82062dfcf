"""The shipped font, and long work that can be cancelled without leaving anything behind."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QFontInfo

from models.demo import DemoPlan, generate_demo
from models.registers import database_is_empty
from ui.fonts import BUNDLED_FONT, load_bundled_font
from ui.worker import Job, JobRunner


def test_bundled_font_has_chinese_glyphs_and_is_the_fallback(app):
    assert BUNDLED_FONT.is_file()
    families = load_bundled_font()
    assert "WenQuanYi Micro Hei" in families
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(
        "WenQuanYi Micro Hei"
    )
    assert app.font().families()[-1] in families  # whatever the PC has, the list ends in a font we ship
    assert QFontInfo(app.font()).family()  # resolves to a real font


def test_cancelling_a_job_rolls_its_transaction_back(qtbot, app, engine):
    runner = JobRunner()
    job = Job(lambda: generate_demo(engine, DemoPlan(employers=30, members=20_000, seed=1)))
    job.signals.progress.connect(lambda done, total, message: "会员" in message and job.cancel())
    with qtbot.waitSignal(job.signals.cancelled, timeout=20_000):
        runner.start(job)
    runner.wait_all()
    qtbot.waitUntil(lambda: not runner.busy)
    assert database_is_empty(engine)


def test_a_bug_in_a_job_reaches_the_error_signal_with_its_traceback(qtbot, app):
    def broken():
        raise ZeroDivisionError("division by zero")

    runner = JobRunner()
    job = Job(broken, yields_progress=False)
    with qtbot.waitSignal(job.signals.crashed, timeout=5_000) as crashed:
        runner.start(job)
    assert "ZeroDivisionError" in crashed.args[0]


def test_qt_own_buttons_speak_chinese(app):
    from PySide6.QtWidgets import QDialogButtonBox

    buttons = QDialogButtonBox.StandardButton
    box = QDialogButtonBox(buttons.Yes | buttons.No)
    assert [box.button(b).text() for b in (buttons.Yes, buttons.No)] == ["是(&Y)", "否(&N)"]
