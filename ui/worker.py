"""Runs long work off the GUI thread and reports it as signals.

The domain writes long work as generators yielding ``(done, total, message)``; a ``Job`` runs one on
the global QThreadPool. Widgets are never touched from the worker: everything crosses back as a signal.
A ``QProgressDialog`` with a cancel button appears only if the job lasts.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.errors import KnownError

Progress = tuple[int, int, str]


class JobSignals(QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(
        object
    )  # the generator's return value (None if it returns nothing), or a function's result
    known_error = Signal(str)  # a KnownError's Chinese message
    crashed = Signal(str)  # a bug: the traceback text
    cancelled = Signal()
    finished = Signal()  # after any of the four above


class Job(QRunnable):
    """One piece of work: either a progress generator or a plain function returning a result."""

    def __init__(self, work: Callable[[], Iterator[Progress] | Any], *, yields_progress: bool = True) -> None:
        super().__init__()
        self.signals = JobSignals()
        self._work = work
        self._yields_progress = yields_progress
        self._cancel = threading.Event()
        self.setAutoDelete(False)  # the Python side keeps the reference (and the signals) alive

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            if not self._yields_progress:
                self.signals.succeeded.emit(self._work())
                return
            generator = self._work()
            try:
                while True:
                    try:
                        done, total, message = next(generator)
                    except StopIteration as finished:  # what the generator returned is the job's result
                        self.signals.succeeded.emit(finished.value)
                        return
                    self.signals.progress.emit(done, total, message)
                    if self._cancel.is_set():
                        # Closing the generator raises GeneratorExit inside it: its transaction rolls back.
                        generator.close()
                        self.signals.cancelled.emit()
                        return
            finally:
                generator.close()
        except KnownError as exc:
            self.signals.known_error.emit(exc.message)
        except Exception:  # a bug: shown by the one error dialog, with its traceback logged
            self.signals.crashed.emit(traceback.format_exc())
        finally:
            self.signals.finished.emit()


class JobProgressDialog(QProgressDialog):
    """Shows a job's progress if it is still running after a moment; its 取消 button cancels the job."""

    def __init__(self, job: Job, title: str, delay_ms: int, window: QWidget | None) -> None:
        super().__init__(title, "取消", 0, 100, window)
        self._job = job
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(delay_ms)
        self.setValue(0)
        self.canceled.connect(job.cancel)
        job.signals.progress.connect(self.show_progress)
        job.signals.finished.connect(self.finish)

    def show_progress(self, done: int, total: int, message: str) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(min(done, max(total, 1)))  # past minimumDuration, setValue shows the dialog
        self.setLabelText(message)

    def finish(self) -> None:
        self.canceled.disconnect(self._job.cancel)
        self.close()
        self.deleteLater()


class JobRunner(QObject):
    """Starts jobs and keeps each alive until it has finished; shows progress when a job lasts.

    Slots are bound methods of QObjects, never lambdas: a job may finish after the page that started it
    has been closed, and PySide drops a bound method's connection when its object is deleted.
    """

    PROGRESS_DELAY_MS = 400

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[JobSignals, Job] = {}

    def start(self, job: Job, *, title: str | None = None, window: QWidget | None = None) -> Job:
        self._running[job.signals] = job
        job.signals.finished.connect(self._forget)
        if title is not None:
            JobProgressDialog(job, title, self.PROGRESS_DELAY_MS, window)
        QThreadPool.globalInstance().start(job)
        return job

    def wait_all(self, timeout_ms: int = 30_000) -> bool:
        return QThreadPool.globalInstance().waitForDone(timeout_ms)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def _forget(self) -> None:
        self._running.pop(self.sender(), None)
