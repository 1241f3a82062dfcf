"""The interface font: the office PC's own Chinese UI font when it has one, else the font we ship."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from models.paths import resource

BUNDLED_FONT = resource("fonts", "wqy-microhei.ttc")
# Windows Qt falls back to SimSun (a print face, hard to read on screen) unless told otherwise.
PREFERRED_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"]


def load_bundled_font() -> list[str]:
    """Register the shipped CJK font with Qt; returns its family names (empty if the file is missing)."""
    font_id = QFontDatabase.addApplicationFont(str(BUNDLED_FONT))
    return QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []


def set_interface_font(app: QApplication, point_size: int = 10) -> QFont:
    """Give the application an explicit family list that always ends in a font that has every glyph."""
    bundled = load_bundled_font()
    installed = set(QFontDatabase.families())
    families = [family for family in PREFERRED_FAMILIES if family in installed] + bundled
    font = QFont()
    font.setFamilies(families or bundled)
    font.setPointSize(point_size)
    app.setFont(font)
    return font
