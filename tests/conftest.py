"""Shared fixtures. Qt must run offscreen before any QApplication exists, so this is set at import."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
from sqlalchemy import Engine

from models.database import open_database
from models.demo import DemoPlan, generate_demo
from models.paths import DATA_DIR_ENV, DataDir


@pytest.fixture(autouse=True)
def _no_real_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the real user data folder: the default points into the test's temp folder."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "default-data"))


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


@pytest.fixture
def engine(data_dir: DataDir) -> Iterator[Engine]:
    """An empty database at the newest schema, in a temporary file (never ``sqlite://``)."""
    engine = open_database(data_dir)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_engine(engine: Engine) -> Engine:
    """A small demo database: 60 employers, 1,500 members."""
    for _ in generate_demo(engine, DemoPlan(employers=60, members=1500, seed=7)):
        pass
    return engine


# A TrueType font that is surely not the bundled one, standing in for Windows' 仿宋 (simfang.ttf): the
# digits and Latin letters of a notice's body then come from it, and its name shows in the PDF.
FANGSONG_STAND_IN = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
FANGSONG_STAND_IN_NAME = "BitstreamVeraSans-Roman"


@pytest.fixture
def windows_with_fangsong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Windows folder (found through %WINDIR%) whose Fonts hold 仿宋 only."""
    windows = tmp_path / "Windows"
    (windows / "Fonts").mkdir(parents=True)
    shutil.copyfile(FANGSONG_STAND_IN, windows / "Fonts" / "simfang.ttf")
    monkeypatch.setenv("WINDIR", str(windows))
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    return windows
