"""Which way imports run (STYLE.md): the domain has no Qt, PDF or Excel in it, nothing but main.py reaches
into ``ui``, and the program never shells out."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUI_AND_FILE_LIBRARIES = {"PySide6", "shiboken6", "reportlab", "openpyxl"}
SHELL_FUNCTIONS = {"system", "popen", "startfile", "posix_spawn", "posix_spawnp"}
SHELL_PREFIXES = ("spawn", "exec")  # os.spawnv…, os.execv…


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """Every module the source imports, in any form: import, from-import (relative too), __import__,
    importlib.import_module with a literal name."""
    names: set[str] = set()
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            start = ".".join([*base, node.module] if node.module else base)
            names.add(start)
            names.update(f"{start}.{alias.name}" if start else alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if called in {"__import__", "import_module"} and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return {name for name in names if name}


def shells_out(source: str) -> set[str]:
    """Ways the source could run another program: subprocess, os.system and its relatives."""
    found: set[str] = set()
    for name in imported(source):
        top = name.split(".")[0]
        if top in {"subprocess", "pty"}:
            found.add(name)
        if top == "os" and "." in name:
            function = name.split(".", 1)[1]
            if function in SHELL_FUNCTIONS or function.startswith(SHELL_PREFIXES):
                found.add(name)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, attribute = node.value.id, node.attr
            if owner == "os" and (attribute in SHELL_FUNCTIONS or attribute.startswith(SHELL_PREFIXES)):
                found.add(f"os.{attribute}")
            if owner == "asyncio" and attribute.startswith("create_subprocess"):
                found.add(f"asyncio.{attribute}")
    return found


def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imports_of(path: Path) -> set[str]:
    return imported(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")


def _top_level_packages() -> list[str]:
    """Every package of the program besides ui/ and tests/: models, commands, and any added later."""
    return sorted(
        folder.name
        for folder in ROOT.iterdir()
        if folder.is_dir() and (folder / "__init__.py").exists() and folder.name not in {"ui", "tests"}
    )


# --- the scanners themselves find what they look for ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import PySide6.QtCore", "models.x", "PySide6.QtCore"),
        ("from PySide6 import QtWidgets", "models.x", "PySide6.QtWidgets"),
        ("import reportlab.pdfgen.canvas as c", "models.x", "reportlab.pdfgen.canvas"),
        ("def f():\n    from openpyxl import load_workbook", "models.x", "openpyxl.load_workbook"),
        ("import importlib\nimportlib.import_module('openpyxl')", "models.x", "openpyxl"),
        ("__import__('PySide6')", "models.x", "PySide6"),
        ("from ..ui import app", "commands.x", "ui.app"),
        ("from .. import ui", "commands.x", "ui"),
        ("from ui.app import run_window", "commands.x", "ui.app"),
    ],
)
def test_the_import_scanner_sees_every_form(source: str, module: str, expected: str) -> None:
    assert expected in imported(source, module)


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess",
        "from subprocess import run",
        "import os\nos.system('dir')",
        "import os\nos.popen('dir')",
        "from os import system",
        "import os\nos.startfile('a.pdf')",
        "import os\nos.execvp('x', ['x'])",
        "import asyncio\nasyncio.create_subprocess_exec('x')",
    ],
)
def test_the_shell_scanner_sees_every_form(source: str) -> None:
    assert shells_out(source)


def test_the_scanners_leave_innocent_code_alone() -> None:
    source = "import os\nimport sqlite3\nos.replace('a', 'b')\nos.fsync(3)\nfrom os import path"
    assert shells_out(source) == set()
    assert not {name.split(".")[0] for name in imported(source)} & GUI_AND_FILE_LIBRARIES


# --- the program --------------------------------------------------------------------------------------


def test_there_is_code_to_scan() -> None:
    assert {"models", "commands"} <= set(_top_level_packages())
    assert len(list(_python_files("models"))) >= 10


@pytest.mark.parametrize("path", list(_python_files("models")), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_domain_imports_no_gui_pdf_or_excel_library(path: Path) -> None:
    leaked = {name for name in _imports_of(path) if name.split(".")[0] in GUI_AND_FILE_LIBRARIES}
    assert leaked == set()


# What each layer may not import (STYLE.md): printing makes PDFs and spreadsheets workbooks, and neither
# reaches for the other's library or for Qt.
LAYER_LIMITS = {
    "printing": {"PySide6", "shiboken6", "openpyxl", "python_calamine", "spreadsheets"},
    "spreadsheets": {"PySide6", "shiboken6", "reportlab", "printing"},
}


@pytest.mark.parametrize(
    "path", list(_python_files(*LAYER_LIMITS)), ids=lambda path: str(path.relative_to(ROOT))
)
def test_printing_and_spreadsheets_stay_in_their_layer(path: Path) -> None:
    forbidden = LAYER_LIMITS[path.relative_to(ROOT).parts[0]]
    assert {name for name in _imports_of(path) if name.split(".")[0] in forbidden} == set()


def test_nothing_but_main_imports_ui() -> None:
    offenders = {}
    files = [*_python_files(*_top_level_packages())]
    files += [path for path in ROOT.glob("*.py") if path.name != "main.py"]
    for path in files:
        reaching = {name for name in _imports_of(path) if name.split(".")[0] == "ui"}
        if reaching:
            offenders[str(path.relative_to(ROOT))] = reaching
    assert offenders == {}
    assert "ui.app" in _imports_of(ROOT / "main.py"), "the scan would see it if it were elsewhere"


@pytest.mark.parametrize(
    "path", list(_python_files(*_top_level_packages(), "ui")), ids=lambda path: str(path.relative_to(ROOT))
)
def test_the_program_never_shells_out(path: Path) -> None:
    assert shells_out(path.read_text(encoding="utf-8")) == set()
