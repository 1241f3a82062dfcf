"""Column mappings the clerk confirmed, remembered per file layout and proposed again next time.

The 社保 office sends the same columns every month: once the clerk has said which column is which, the
next file with the same header (``columns.layout_fingerprint``: same headers in the same columns, whatever
their spacing) gets that mapping proposed instead of the guess.

They live in one small JSON file in the data folder, written whole to a temporary file and renamed over
the old one, so a crash mid-write leaves the previous file, never half of one. A file that cannot be read
or makes no sense is ignored (the guess is proposed): a convenience must never stop an import.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from models.errors import DataDirUnusable
from models.paths import DataDir
from spreadsheets.columns import KINDS, ImportKind, fields, layout_fingerprint
from spreadsheets.values import Cell

__all__ = [
    "MAPPINGS_FILE",
    "KEPT_LAYOUTS",
    "forget_mappings",
    "mappings_file",
    "remember_mapping",
    "remembered_mapping",
]

MAPPINGS_FILE = "column_mappings.json"
KEPT_LAYOUTS = 200
"""The most recently used layouts kept; older ones are dropped."""
_VERSION = 1


def mappings_file(data_dir: DataDir) -> Path:
    return data_dir.root / MAPPINGS_FILE


def remembered_mapping(
    data_dir: DataDir, kind: ImportKind, header_cells: list[Cell]
) -> dict[int, str] | None:
    """The mapping last confirmed for a file of this kind with this header, or None.

    A remembered column beyond the header, or a field that no longer exists, makes the whole entry void.
    """
    entry = _load(mappings_file(data_dir)).get(_key(kind, header_cells))
    if not isinstance(entry, dict) or not isinstance(entry.get("columns"), dict):
        return None
    keys = {target.key for target in fields(kind)}
    mapping: dict[int, str] = {}
    try:
        for column, key in entry["columns"].items():
            index = int(column)
            if key not in keys or not 0 <= index < len(header_cells) or key in mapping.values():
                return None
            mapping[index] = key
    except (TypeError, ValueError):
        return None
    return mapping


def remember_mapping(
    data_dir: DataDir, kind: ImportKind, header_cells: list[Cell], mapping: dict[int, str]
) -> None:
    """Remembers the mapping the clerk confirmed for files with this header.

    Raises:
        DataDirUnusable: The file cannot be written.
    """
    if kind not in KINDS:
        raise ValueError(f"not an import kind: {kind!r}")
    path = mappings_file(data_dir)
    entries = _load(path)
    entries[_key(kind, header_cells)] = {
        "columns": {str(column): key for column, key in sorted(mapping.items())},
        "used": datetime.now().isoformat(timespec="seconds"),
    }
    newest = sorted(entries.items(), key=lambda item: str(item[1].get("used", "")), reverse=True)
    _save(path, dict(newest[:KEPT_LAYOUTS]))


def forget_mappings(data_dir: DataDir) -> None:
    """Forgets every remembered mapping."""
    mappings_file(data_dir).unlink(missing_ok=True)


def _key(kind: ImportKind, header_cells: list[Cell]) -> str:
    return f"{kind}:{layout_fingerprint(header_cells)}"


def _load(path: Path) -> dict[str, Any]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(content, dict) or content.get("version") != _VERSION:
        return {}
    entries = content.get("mappings")
    if not isinstance(entries, dict):
        return {}
    return {key: value for key, value in entries.items() if isinstance(value, dict)}


def _save(path: Path, entries: dict[str, Any]) -> None:
    text = json.dumps({"version": _VERSION, "mappings": entries}, ensure_ascii=False, indent=1)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".mappings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as exc:
        raise DataDirUnusable(f"无法保存列对应关系到“{path}”：{exc.strerror or exc}") from exc
