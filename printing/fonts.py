"""Which fonts a printed document uses, registered with reportlab once per process.

The office PC's Windows fonts (仿宋, 黑体, 楷体, 宋体, 方正小标宋) look the way a 公文 is expected to look,
so they are used when present and allowed. Every role falls back to the bundled WenQuanYi Micro Hei, a
TrueType-outline font reportlab can embed, so that a PDF made anywhere carries its own glyphs. reportlab's
CID fonts (STSong-Light…) are never used: they are not embedded and print differently on each machine.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from models.paths import resource

log = logging.getLogger(__name__)

BUNDLED_FONT = ("fonts", "wqy-microhei.ttc")

# File names as Windows installs them; looked up case-insensitively because installers disagree on case.
# Each entry is (file name, index inside a .ttc collection).
BODY_FILES = (("simfang.ttf", 0),)
HEADING1_FILES = (("simhei.ttf", 0),)
HEADING2_FILES = (("simkai.ttf", 0),)
PAGE_NUMBER_FILES = (("simsun.ttc", 0),)
TITLE_FILES = (
    ("FZXBSJW.TTF", 0),
    ("方正小标宋简体.ttf", 0),
    ("FZXBSJW--GB1-0.ttf", 0),
    ("方正小标宋_GBK.ttf", 0),
    ("FZXBSK.TTF", 0),
    *HEADING1_FILES,
    *PAGE_NUMBER_FILES,
)

# What each role is called on the settings page, with the candidates looked for.
ROLE_FILES = {
    "标题（小标宋）": TITLE_FILES[:5],
    "正文（仿宋）": BODY_FILES,
    "一级标题（黑体）": HEADING1_FILES,
    "二级标题（楷体）": HEADING2_FILES,
    "页码（宋体）": PAGE_NUMBER_FILES,
}


@dataclass(frozen=True)
class DocumentFonts:
    """Registered reportlab font names, one per role in a 公文.

    Attributes:
        body: 仿宋, the body text.
        heading1: 黑体, first-level headings (一、).
        heading2: 楷体, second-level headings (（一）).
        page_number: 宋体, page numbers.
        title: 小标宋, the title and the issuing-body mark.
        fallback: the bundled font, for characters a role's font has no glyph for.
    """

    body: str
    heading1: str
    heading2: str
    page_number: str
    title: str
    fallback: str


_lock = threading.Lock()
# (resolved path, subfont index) -> registered name, or None when the file could not be loaded.
_registered: dict[tuple[Path, int], str | None] = {}
_files: dict[str, Path] = {}
_chosen: dict[tuple[bool, tuple[Path, ...]], DocumentFonts] = {}


def windows_font_folders() -> list[Path]:
    """The folders Windows installs fonts into: the system one and the per-user one (Windows 10 1809+)."""
    folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return folders


def document_fonts(
    use_office_fonts: bool = True, folders: str | os.PathLike[str] | Sequence[Path] | None = None
) -> DocumentFonts:
    """Choose and register the fonts for printed documents.

    Args:
        use_office_fonts: use the Windows fonts when they are installed; False always uses the bundled font.
        folders: where to look for the Windows fonts; by default the Windows font folders.

    Returns:
        The registered names; the same object on every call with the same arguments (a font installed
        while the program runs is seen after a restart).
    """
    if isinstance(folders, (str, os.PathLike)):
        folders = [Path(folders)]
    if not use_office_fonts:
        searched: tuple[Path, ...] = ()
    else:
        searched = tuple(
            Path(folder) for folder in (folders if folders is not None else windows_font_folders())
        )
    key = (use_office_fonts, searched)
    with _lock:
        if key not in _chosen:
            _chosen[key] = _choose(searched)
        return _chosen[key]


def installed_office_fonts(folders: Sequence[Path] | None = None) -> dict[str, str | None]:
    """Role -> the file this PC has for it, None where the bundled font stands in (the title falls back to
    黑体 when 小标宋 is missing, but that is still "not found" to the clerk who wants 小标宋).

    Only lists the folders, reading no font, so the settings page can show it at once.
    """
    installed = _installed_files(folders if folders is not None else windows_font_folders())
    return {
        role: next((installed[n.casefold()].name for n, _ in files if n.casefold() in installed), None)
        for role, files in ROLE_FILES.items()
    }


def _choose(folders: tuple[Path, ...]) -> DocumentFonts:
    installed = _installed_files(folders)
    fallback = _register(resource(*BUNDLED_FONT), 0)
    if fallback is None:
        raise FileNotFoundError(f"程序自带的字体文件缺失或已损坏：{resource(*BUNDLED_FONT)}")

    def pick(candidates: Iterable[tuple[str, int]]) -> str:
        for file_name, index in candidates:
            path = installed.get(file_name.casefold())
            if path is not None:
                name = _register(path, index)
                if name is not None:
                    return name
        return fallback

    return DocumentFonts(
        body=pick(BODY_FILES),
        heading1=pick(HEADING1_FILES),
        heading2=pick(HEADING2_FILES),
        page_number=pick(PAGE_NUMBER_FILES),
        title=pick(TITLE_FILES),
        fallback=fallback,
    )


def _installed_files(folders: Iterable[Path]) -> dict[str, Path]:
    """File name (case-folded) -> path, listing each folder once instead of probing every candidate."""
    found: dict[str, Path] = {}
    for folder in folders:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue  # no such folder: not Windows, or no per-user fonts
        for entry in entries:
            found.setdefault(entry.name.casefold(), entry)
    return found


def _register(path: Path, index: int) -> str | None:
    """Register one font file with reportlab (once per process); None when it cannot be used."""
    key = (path.resolve(), index)
    if key in _registered:
        return _registered[key]
    name = f"UnionDesk{len(_registered) + 1}-{path.stem}-{index}"
    try:
        font = TTFont(name, str(key[0]), subfontIndex=index)
    except Exception as exc:
        # reportlab's TrueType parser fails on damaged files in many ways (TTFError for CFF outlines or
        # a font that forbids embedding, struct.error, IndexError, OSError…); any of them means "use
        # the bundled font", never "cannot print".
        log.warning("字体文件无法使用，改用程序自带字体：%s（%s）", path, exc)
        _registered[key] = None
        return None
    # reportlab keeps the first font registered under a typeface name and hands it out for later
    # registrations of the same typeface, so two files with one typeface name embed the first file.
    pdfmetrics.registerFont(font)
    _registered[key] = name
    _files[name] = key[0]
    return name


def font_file(name: str) -> Path:
    """The file a font name returned by ``document_fonts`` was registered from (for a diagnostics page)."""
    return _files[name]


def has_glyph(font_name: str, char: str) -> bool:
    """Whether a registered TrueType font has a glyph for the character."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    mapping = getattr(face, "charToGlyph", None)
    return mapping is None or ord(char) in mapping
