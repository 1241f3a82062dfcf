"""Whether printouts use this PC's 仿宋 / 黑体 / 楷体 / 宋体: a setting of the PC (window.ini), not of the office.

Two PCs of one office can have different fonts installed, and a clerk whose printer or reader mangles a
system font needs to switch to the bundled one on that PC alone.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

USE_OFFICE_FONTS_KEY = "printing/use_office_fonts"


def uses_office_fonts(window_state: QSettings) -> bool:
    """True unless the clerk has switched the PC's fonts off (the 公文 look is the default)."""
    return bool(window_state.value(USE_OFFICE_FONTS_KEY, True, type=bool))


def set_uses_office_fonts(window_state: QSettings, use: bool) -> None:
    window_state.setValue(USE_OFFICE_FONTS_KEY, use)
