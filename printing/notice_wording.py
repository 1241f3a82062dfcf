"""The wording of the 一函两书: title, addressee, body with merge fields, and the legal articles cited.

The wording is data the office changes without a new release: one TOML file per kind of notice and a
library of legal articles in ``resources/notices/``, UTF-8, edited in Notepad. A file of the same name in
``<data folder>/notices/`` overrides the shipped one. An edited file that cannot be used is refused with a
Chinese message naming the file and the line (a ``KnownError``), before anything is printed.

Merge fields are Chinese words in braces, ``{单位名称}``; a run in ASCII square brackets, ``[，现有职工
{职工人数}人]``, is printed only when every field in it has a value. A field outside brackets with no value
prints a blank line to fill in by hand. TOML's literal strings (''') take any text without escapes, which is
what makes it safe for a clerk: a backslash or a quotation mark in the wording means nothing special.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from models.entities import NoticeKind
from models.errors import KnownError
from models.paths import DataDir, resource

WORDING_FOLDER = "notices"
ARTICLES_FILE = "legal_articles.toml"
BLANK = "＿＿＿＿"  # what a field with no value prints: a line to fill in by hand

# Every merge field, with what it holds; the shipped files' header comments list the same names.
FIELDS = {
    "单位名称": "用人单位名称",
    "统一社会信用代码": "用人单位的统一社会信用代码",
    "住所": "用人单位的住所（地址）",
    "法定代表人": "用人单位的法定代表人",
    "成立日期": "用人单位的成立日期",
    "职工人数": "职工人数",
    "人数来源": "职工人数的来源，如：社保参保",
    "人数日期": "职工人数的统计日期",
    "此前文书": "本文书之前已发出的文书，含文号和送达日期",
    "前次文号": "前一份文书的文号",
    "前次成文日期": "前一份文书的成文日期",
    "前次送达日期": "前一份文书的送达日期",
    "法律依据": "引用的条文，如：《中华人民共和国工会法》第三条、第十一条",
    "法律条文": "引用条文的全文，每条一段",
    "查明事实": "查明的事实",
    "整改要求": "提出的要求",
    "答复期限": "答复期限，如：15个工作日",
    "答复截止日期": "答复截止日期（送达后才有）",
    "发文机关": "区总工会名称",
    "发文机关地址": "区总工会地址",
    "联系电话": "区总工会联系电话",
    "成文日期": "成文日期",
    "文号": "文号",
    "主送部门": "建议书的主送部门",
}
# The facts and requests are filled into the body, so they may not contain themselves.
_NOT_IN_PARTS = frozenset({"查明事实", "整改要求"})

_FIELD = re.compile(r"\{([^{}\[\]\n]*)\}")
_TOKEN = re.compile(r"\[(?P<optional>[^\[\]]*)\]|\{(?P<field>[^{}\[\]\n]*)\}")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class WordingError(KnownError):
    """A wording file the office edited cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class LegalArticle:
    """One article of the library: ``key`` is how a wording file cites it ("工会法第三条")."""

    key: str
    law: str
    number: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        """The article's 款, the first led by its citation: "《中华人民共和国工会法》第三条　在中国境内……"."""
        lines = [line.strip() for line in self.text.strip().splitlines() if line.strip()]
        return [f"《{self.law}》{self.number}　{lines[0]}", *lines[1:]] if lines else []


@dataclass(frozen=True)
class Wording:
    """The wording of one kind of notice, as read from its file.

    Attributes:
        title, mark, addressee, body: templates with merge fields (``mark`` is the red issuing-body mark).
        facts, requests: what {查明事实} and {整改要求} say when the clerk wrote nothing for the notice.
        recipient: the department a recommendation goes to when the notice names none.
        articles: keys of the articles cited by default.
        source: the file it came from.
    """

    kind: str
    title: str
    mark: str
    addressee: str
    body: str
    facts: str
    requests: str
    recipient: str
    articles: tuple[str, ...]
    source: Path


@dataclass(frozen=True)
class NoticeWordings:
    """The wording of every kind, and the library of articles they cite."""

    kinds: Mapping[str, Wording]
    articles: Mapping[str, LegalArticle]

    def of(self, kind: str) -> Wording:
        return self.kinds[kind]

    def cited(self, kind: str) -> tuple[LegalArticle, ...]:
        return tuple(self.articles[key] for key in self.kinds[kind].articles)


# --- filling in ---------------------------------------------------------------------------------------


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with its merge fields replaced; a bracketed run goes when one of its fields is empty.

    Values are put in as they are, never read again as templates, so a "{" typed in a fact stays a "{".
    """

    def replace(match: re.Match[str]) -> str:
        optional = match.group("optional")
        if optional is None:
            return values.get(match.group("field"), "") or BLANK
        if any(not values.get(name) for name in _FIELD.findall(optional)):
            return ""
        return _FIELD.sub(lambda field: values.get(field.group(1), ""), optional)

    return _TOKEN.sub(replace, template)


# --- where the files are --------------------------------------------------------------------------------


def wording_file_name(kind: str) -> str:
    return f"{kind}.toml"


def override_folder(data_dir: DataDir) -> Path:
    """Where the office keeps its edited wording: ``<data folder>/notices``."""
    return data_dir.root / WORDING_FOLDER


def shipped_file(file_name: str) -> Path:
    return resource(WORDING_FOLDER, file_name)


def wording_file(data_dir: DataDir | None, file_name: str) -> Path:
    """The file in use: the office's edited copy when there is one, else the shipped file."""
    if data_dir is not None:
        edited = override_folder(data_dir) / file_name
        if edited.is_file():
            return edited
    return shipped_file(file_name)


def all_file_names() -> list[str]:
    return [wording_file_name(kind) for kind in NoticeKind] + [ARTICLES_FILE]


def editable_copy(data_dir: DataDir, file_name: str) -> Path:
    """The office's copy of a wording file, copied from the shipped one first if there is none yet."""
    if file_name not in all_file_names():
        raise ValueError(f"not a wording file: {file_name}")
    edited = override_folder(data_dir) / file_name
    if not edited.exists():
        edited.parent.mkdir(parents=True, exist_ok=True)
        edited.write_bytes(shipped_file(file_name).read_bytes())
    return edited


# --- loading --------------------------------------------------------------------------------------------


def load_wordings(data_dir: DataDir | None = None) -> NoticeWordings:
    """The wording of every kind, each file read again only when it has changed since the last call.

    Raises:
        WordingError: a file is malformed, cites an article the library lacks, or names an unknown field.
    """
    files = [wording_file(data_dir, name) for name in all_file_names()]
    return _load(tuple((path, *_stamp(path)) for path in files))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise WordingError(f"找不到措辞文件“{path}”：{exc.strerror or exc}。请重新安装程序。") from exc
    return stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _load(files: tuple[tuple[Path, int, int], ...]) -> NoticeWordings:
    # Keyed by each file's modification time and size, so an edit is seen by the next print.
    *kind_files, articles_path = (path for path, _, _ in files)
    articles = _read_articles(articles_path)
    kinds = {
        str(kind): _read_wording(str(kind), path, articles)
        for kind, path in zip(NoticeKind, kind_files, strict=True)
    }
    return NoticeWordings(kinds, articles)


@dataclass(frozen=True)
class _Source:
    """A file's text and parsed content, for messages that point at a line."""

    path: Path
    text: str
    data: dict

    def error(self, message: str, snippet: str | None = None, line: int | None = None) -> WordingError:
        line = line or (self.line_of(snippet) if snippet else None)
        where = f"第 {line} 行" if line else ""
        return WordingError(
            f"措辞文件“{self.path}”{where}有误：{message}。请改正后重试；"
            "如果是数据文件夹中改过的文件，也可以删除它，恢复使用程序自带的措辞。"
        )

    def line_of(self, snippet: str) -> int | None:
        """The first line holding ``snippet`` outside a comment."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if snippet in line and not line.lstrip().startswith("#"):
                return number
        return None

    def text_value(self, key: str, required: bool = True, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(f"缺少 {key} 一项")
            return default
        if not isinstance(value, str):
            raise self.error(f"{key} 应是一段文字（写在引号中）", f"{key}")
        return value.strip()


def _parse(path: Path) -> _Source:
    try:
        # utf-8-sig: Notepad on older Windows puts a byte-order mark at the start of a UTF-8 file.
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Source(path, "", {}).error(
            "不是 UTF-8 编码。请用记事本打开，选“另存为”，编码选“UTF-8”后保存",
            line=_line_at(exc.object, exc.start),
        ) from exc
    except OSError as exc:
        raise WordingError(f"无法读取措辞文件“{path}”：{exc.strerror or exc}。") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        line = int(position.group(1)) if position else None
        raise _Source(path, text, {}).error(
            "格式不对（常见原因：引号或三个单引号 ''' 没有成对，或者说明文字前少了 #）", line=line
        ) from exc
    return _Source(path, text, data)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _read_articles(path: Path) -> dict[str, LegalArticle]:
    source = _parse(path)
    entries = source.data.get("article")
    if not isinstance(entries, list) or not entries:
        raise source.error("没有条文：每一条应以一行 [[article]] 开始")
    articles: dict[str, LegalArticle] = {}
    for entry in entries:
        part = _Source(path, source.text, entry)
        key = part.text_value("id")
        if key in articles:
            raise source.error(f"条文简称“{key}”出现了两次", f'"{key}"')
        articles[key] = LegalArticle(
            key, part.text_value("law"), part.text_value("number"), part.text_value("text")
        )
    return articles


def _read_wording(kind: str, path: Path, articles: Mapping[str, LegalArticle]) -> Wording:
    source = _parse(path)
    cited = source.data.get("articles", [])
    if not isinstance(cited, list) or not all(isinstance(key, str) for key in cited):
        raise source.error('articles 应写成 ["工会法第三条", "工会法第十一条"] 的形式', "articles")
    for key in cited:
        if key not in articles:
            raise source.error(f"法律条文库中没有“{key}”这一条", f'"{key}"')
    wording = Wording(
        kind=kind,
        title=source.text_value("title"),
        mark=source.text_value("mark", required=False, default="{发文机关}"),
        addressee=source.text_value("addressee"),
        body=source.text_value("body"),
        facts=source.text_value("facts", required=False),
        requests=source.text_value("requests", required=False),
        recipient=source.text_value("recipient", required=False),
        articles=tuple(cited),
        source=path,
    )
    for key in ("title", "mark", "addressee", "body", "facts", "requests", "recipient"):
        _check_template(source, key, getattr(wording, key))
    return wording


def _check_template(source: _Source, key: str, template: str) -> None:
    """Refuse an unknown merge field, a brace or a bracket left open, naming the line it is on."""
    for match in _FIELD.finditer(template):
        name = match.group(1)
        if name not in FIELDS:
            known = "、".join(f"{{{field}}}" for field in FIELDS)
            raise source.error(
                f"没有名为“{match.group(0)}”的合并字段。可用的合并字段：{known}", match.group(0)
            )
        if key in ("facts", "requests") and name in _NOT_IN_PARTS:
            raise source.error(f"{key} 中不能再用 {match.group(0)}", match.group(0))
    taken = [match.span() for match in _TOKEN.finditer(template)]
    for index, char in enumerate(template):
        if char in "{}[]" and not any(start <= index < end for start, end in taken):
            raise source.error(
                f"“{char}”没有成对（合并字段写成 {{单位名称}}，可省略的一段写在 [ ] 中，二者都用英文符号）",
                _snippet_around(template, index),
            )


def _snippet_around(text: str, index: int) -> str:
    """A few characters around ``index`` on its own line, to find that line in the file."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    line = text[start : end if end >= 0 else len(text)]
    offset = index - start
    return line[max(0, offset - 4) : offset + 5]
