"""Shared fixtures. Qt must run offscreen before any QApplication exists, so this is set at import."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
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
