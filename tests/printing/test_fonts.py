"""Font choice: the office PC's fonts when allowed and usable, the bundled TrueType font otherwise."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from models.paths import resource
from printing.fonts import (
    BUNDLED_FONT,
    DocumentFonts,
    document_fonts,
    font_file,
    has_glyph,
    installed_office_fonts,
)

BUNDLED = resource(*BUNDLED_FONT)


def roles(fonts: DocumentFonts) -> dict[str, str]:
    return {
        "body": fonts.body,
        "heading1": fonts.heading1,
        "heading2": fonts.heading2,
        "page_number": fonts.page_number,
        "title": fonts.title,
    }


def source_of(name: str) -> Path:
    return font_file(name)


@pytest.fixture
def windows_fonts(tmp_path: Path) -> Path:
    """A fake Windows font folder holding the office fonts: copies of the bundled font under their names.

    (reportlab then embeds the first file of that typeface, which is all right: these tests are about
    which file is chosen.)
    """
    folder = tmp_path / "Fonts"
    folder.mkdir()
    for name in ("simfang.ttf", "SIMHEI.TTF", "simkai.ttf", "simsun.ttc"):
        shutil.copyfile(BUNDLED, folder / name)
    return folder


def test_the_bundled_font_serves_every_role_without_office_fonts() -> None:
    fonts = document_fonts(use_office_fonts=False)
    assert set(roles(fonts).values()) == {fonts.fallback}
    font = pdfmetrics.getFont(fonts.body)
    assert isinstance(font, TTFont), "a TrueType font that is embedded, never a CID font like STSong-Light"
    assert source_of(fonts.body).resolve() == BUNDLED.resolve()
    assert has_glyph(fonts.body, "总") and has_glyph(fonts.body, "〔")


def test_fonts_are_registered_once(windows_fonts: Path) -> None:
    first = document_fonts(folders=windows_fonts)
    assert document_fonts(folders=[windows_fonts]) is first
    assert document_fonts(use_office_fonts=False) is document_fonts(use_office_fonts=False)


def test_office_fonts_are_used_when_present_and_allowed(windows_fonts: Path) -> None:
    fonts = document_fonts(folders=windows_fonts)
    assert source_of(fonts.body).name == "simfang.ttf"
    assert source_of(fonts.heading1).name == "SIMHEI.TTF", "file names are matched whatever their case"
    assert source_of(fonts.heading2).name == "simkai.ttf"
    assert source_of(fonts.page_number).name == "simsun.ttc"
    assert source_of(fonts.title).name == "SIMHEI.TTF", "no 方正小标宋: the title falls back to 黑体"
    assert len(set(roles(fonts).values())) == 4
    assert source_of(fonts.fallback).resolve() == BUNDLED.resolve()


def test_the_setting_turns_office_fonts_off(windows_fonts: Path) -> None:
    fonts = document_fonts(use_office_fonts=False, folders=windows_fonts)
    assert set(roles(fonts).values()) == {fonts.fallback}


def test_fangzheng_xiaobiaosong_is_preferred_for_the_title(tmp_path: Path) -> None:
    folder = tmp_path / "Fonts"
    folder.mkdir()
    shutil.copyfile(BUNDLED, folder / "FZXBSJW.TTF")
    shutil.copyfile(BUNDLED, folder / "simhei.ttf")
    fonts = document_fonts(folders=folder)
    assert source_of(fonts.title).name == "FZXBSJW.TTF"
    assert fonts.body == fonts.fallback, "a role whose font is missing uses the bundled font"


def test_per_user_fonts_are_searched_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "Windows"
    user = tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts"
    (system / "Fonts").mkdir(parents=True)
    user.mkdir(parents=True)
    shutil.copyfile(BUNDLED, user / "simkai.ttf")
    monkeypatch.setenv("WINDIR", str(system))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    fonts = document_fonts()
    assert source_of(fonts.heading2).name == "simkai.ttf"


def test_unusable_font_files_fall_back_to_the_bundled_font(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "Fonts"
    folder.mkdir()
    # CFF outlines, which reportlab cannot embed ("postscript outlines are not supported").
    (folder / "simfang.ttf").write_bytes(b"OTTO" + bytes(200))
    # A damaged file: a TrueType header and then nothing that makes sense.
    (folder / "simhei.ttf").write_bytes(b"\x00\x01\x00\x00" + bytes(range(256)) * 4)
    (folder / "simkai.ttf").write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="printing.fonts"):
        fonts = document_fonts(folders=folder)
    assert fonts.body == fonts.heading1 == fonts.heading2 == fonts.title == fonts.fallback
    assert "simfang.ttf" in caplog.text and "simhei.ttf" in caplog.text


def test_a_missing_folder_is_no_error(tmp_path: Path) -> None:
    fonts = document_fonts(folders=tmp_path / "no-such-folder")
    assert set(roles(fonts).values()) == {fonts.fallback}


def test_the_settings_page_is_told_which_office_fonts_this_pc_has(
    windows_fonts: Path, tmp_path: Path
) -> None:
    found = installed_office_fonts([windows_fonts, tmp_path / "no such folder"])
    assert found == {
        "标题（小标宋）": None,  # 黑体 stands in for it when printing, but the clerk asked for 小标宋
        "正文（仿宋）": "simfang.ttf",
        "一级标题（黑体）": "SIMHEI.TTF",
        "二级标题（楷体）": "simkai.ttf",
        "页码（宋体）": "simsun.ttc",
    }
    (windows_fonts / "方正小标宋简体.ttf").write_bytes(b"")
    assert installed_office_fonts([windows_fonts])["标题（小标宋）"] == "方正小标宋简体.ttf"
    assert set(installed_office_fonts([tmp_path / "empty"]).values()) == {None}
