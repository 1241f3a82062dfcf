"""The wording files: merge fields, the office's edited copy in the data folder, and clear refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.entities import NoticeKind
from models.errors import KnownError
from models.paths import DataDir
from printing.notice_wording import (
    ARTICLES_FILE,
    BLANK,
    FIELDS,
    WordingError,
    editable_copy,
    fill,
    load_wordings,
    override_folder,
    shipped_file,
    wording_file_name,
)
from tests.helpers import is_chinese

LETTER = wording_file_name(NoticeKind.OPINION_LETTER)


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


def edited(data_dir: DataDir, file_name: str, change) -> Path:
    """The office's copy of a file with ``change`` applied to its text."""
    path = editable_copy(data_dir, file_name)
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def refusal(data_dir: DataDir) -> str:
    with pytest.raises(WordingError) as refused:
        load_wordings(data_dir)
    assert isinstance(refused.value, KnownError)
    assert is_chinese(refused.value.message)
    return refused.value.message


# --- filling in ---------------------------------------------------------------------------------------


def test_fields_are_filled_and_a_bracketed_run_needs_all_its_fields() -> None:
    values = {"单位名称": "某公司", "职工人数": "120", "人数来源": ""}
    assert fill("{单位名称}[，现有职工{职工人数}人]。", values) == "某公司，现有职工120人。"
    assert fill("{单位名称}[，据{人数来源}数据，现有职工{职工人数}人]。", values) == "某公司。"
    assert fill("来源：{人数来源}", values) == f"来源：{BLANK}", "a blank line to fill in by hand"
    assert fill("[（以下简称该单位）]", values) == "（以下简称该单位）"


def test_a_value_is_never_read_again_as_a_template() -> None:
    assert fill("{单位名称}", {"单位名称": "{住所}[甲]"}) == "{住所}[甲]"


def test_the_shipped_wording_uses_only_known_fields_and_cites_known_articles() -> None:
    wordings = load_wordings()
    for kind in NoticeKind:
        wording = wordings.of(kind)
        assert wording.title.startswith("工会组建") and wording.source == shipped_file(LETTER).with_name(
            wording_file_name(kind)
        )
        assert wordings.cited(kind)
    assert {"工会法第三条", "工会法第十一条", "工会法第十二条", "工会法第五十一条"} <= set(wordings.articles)
    assert {"重庆市工会条例第七条", "重庆市工会条例第九条", "重庆市工会条例第三十六条"} <= set(
        wordings.articles
    )
    text = "".join(shipped_file(name).read_text(encoding="utf-8") for name in (LETTER, ARTICLES_FILE))
    assert "核对" in text, "the office is told to check the articles against the official text"
    for name in FIELDS:
        assert f"{{{name}}}" in shipped_file(LETTER).read_text(encoding="utf-8"), "documented in the header"


# --- the office's copy --------------------------------------------------------------------------------


def test_an_edited_copy_in_the_data_folder_overrides_the_shipped_file(data_dir: DataDir) -> None:
    path = edited(
        data_dir,
        LETTER,
        lambda text: text.replace('title = "工会组建意见函"', 'title = "关于依法组建工会的意见函"'),
    )
    assert path.parent == override_folder(data_dir) == data_dir.root / "notices"
    assert load_wordings(data_dir).of("opinion_letter").title == "关于依法组建工会的意见函"
    assert load_wordings().of("opinion_letter").title == "工会组建意见函", "the shipped file is untouched"


def test_an_edit_is_seen_by_the_next_load_without_a_restart(data_dir: DataDir) -> None:
    path = editable_copy(data_dir, ARTICLES_FILE)
    assert "工会法第三条" in load_wordings(data_dir).articles
    path.write_text(
        path.read_text(encoding="utf-8").replace("在中国境内的企业", "在中华人民共和国境内的企业"),
        encoding="utf-8",
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert "在中华人民共和国境内" in load_wordings(data_dir).articles["工会法第三条"].text


def test_notepad_s_byte_order_mark_is_accepted(data_dir: DataDir) -> None:
    path = editable_copy(data_dir, LETTER)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_wordings(data_dir).of("opinion_letter").title == "工会组建意见函"


# --- refusals -----------------------------------------------------------------------------------------


def line_of(path: Path, snippet: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if snippet in line
    )


def test_a_toml_syntax_error_names_the_file_and_the_line(data_dir: DataDir) -> None:
    path = edited(
        data_dir, LETTER, lambda text: text.replace('title = "工会组建意见函"', 'title = "工会组建意见函')
    )
    message = refusal(data_dir)
    assert str(path) in message and f"第 {line_of(path, 'title = ')} 行" in message
    assert "格式不对" in message


def test_an_unknown_merge_field_is_named_with_its_line(data_dir: DataDir) -> None:
    path = edited(data_dir, LETTER, lambda text: text.replace("贵单位[成立于", "{单位}[成立于"))
    message = refusal(data_dir)
    assert "“{单位}”" in message and f"第 {line_of(path, '{单位}[成立于')} 行" in message
    assert "{单位名称}" in message, "the fields that can be used are listed"


def test_a_bracket_or_brace_left_open_is_named_with_its_line(data_dir: DataDir) -> None:
    path = edited(
        data_dir, LETTER, lambda text: text.replace("[联系电话：{联系电话}。]", "[联系电话：{联系电话}。")
    )
    message = refusal(data_dir)
    assert "“[”没有成对" in message and f"第 {line_of(path, '[联系电话')} 行" in message


def test_a_file_saved_in_gbk_is_refused_with_what_to_do(data_dir: DataDir) -> None:
    path = editable_copy(data_dir, LETTER)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    message = refusal(data_dir)
    assert "UTF-8" in message and str(path) in message


def test_an_article_missing_from_the_library_is_refused(data_dir: DataDir) -> None:
    edited(data_dir, LETTER, lambda text: text.replace('"工会法第三条"', '"工会法第三十三条"', 1))
    assert "法律条文库中没有“工会法第三十三条”" in refusal(data_dir)


def test_a_missing_title_or_a_twice_named_article_is_refused(data_dir: DataDir) -> None:
    edited(data_dir, LETTER, lambda text: text.replace('title = "工会组建意见函"', ""))
    assert "缺少 title" in refusal(data_dir)
    (override_folder(data_dir) / LETTER).unlink()
    edited(data_dir, ARTICLES_FILE, lambda text: text.replace('id = "工会法第十一条"', 'id = "工会法第三条"'))
    assert "“工会法第三条”出现了两次" in refusal(data_dir)


def test_a_fact_may_not_contain_the_facts(data_dir: DataDir) -> None:
    edited(data_dir, LETTER, lambda text: text.replace("经我会核查，", "经我会核查，{查明事实}"))
    assert "facts 中不能再用 {查明事实}" in refusal(data_dir)
