"""Tests of spreadsheets.tables: the header under title rows, and data rows between blanks and notes."""

from __future__ import annotations

import pytest

from spreadsheets.tables import SkippedRow, column_letter, data_rows, find_header

HEADER = ["序号", "姓 名", "身份证\n号码", "性别", "*所在工会", "入会时间（必填）"]
WIDTH = len(HEADER)


def _row(*cells) -> list:
    return [*cells, *[""] * (WIDTH - len(cells))]


def _member(number: int, name: str = "张三") -> list:
    return _row(number, name, "500112199001012311", "男", "星光工会", "2019-03-05")


def _sheet(*body: list) -> list[list]:
    """A sheet as clerks send it: merged title in row 1, a blank row 2, the header in row 3."""
    return [_row("某某街道工会会员花名册（2024年）"), _row(), list(HEADER), *body]


# --- the header ---------------------------------------------------------------------------------------


def test_header_below_a_title_and_a_blank_row():
    guess = find_header(_sheet(_member(1)), "members")
    assert guess is not None
    assert (guess.row_index, guess.excel_row) == (2, 3)
    assert guess.mapping == {1: "name", 2: "id_number", 3: "sex", 4: "union", 5: "joined_on"}
    assert guess.missing == ()


def test_header_score_counts_matches_and_required_fields():
    guess = find_header([["姓名", "身份证号码（18位）", "民族"]], "members")
    assert guess is not None
    # 4 (exact) + 3 (after dropping the note) + 4 (exact), plus 2 for each of two required fields.
    assert guess.score == 4 + 3 + 4 + 2 * 2
    assert guess.missing == ("union", "joined_on")


def test_header_in_row_one():
    guess = find_header(
        [["单位名称", "统一社会信用代码", "参保人数"], ["星光", "91500000MA5U000010", 3]], "headcounts"
    )
    assert guess is not None and guess.row_index == 0
    assert guess.mapping == {0: "name", 1: "credit_code", 2: "staff_count"}


def test_a_row_with_one_known_header_is_not_a_header():
    assert find_header([["姓名", "甲", "乙"], ["张三", "1", "2"]], "members") is None
    assert find_header([], "members") is None
    assert find_header([[], [""] * 5], "members") is None


def test_the_better_matching_row_wins_and_the_upper_one_on_a_tie():
    rows = [_row("填报单位：", "星光工会"), _row("姓名", "性别"), list(HEADER), list(HEADER)]
    guess = find_header(rows, "members")
    assert guess is not None and guess.row_index == 2


def test_only_the_first_rows_are_scanned():
    rows = [_row() for _ in range(30)] + [list(HEADER)]
    assert find_header(rows, "members") is None
    assert find_header(rows, "members", scan=31).row_index == 30


def test_a_header_of_another_kind_scores_lower():
    employers = [["单位名称", "统一社会信用代码", "职工人数", "成立日期"]]
    assert find_header(employers, "members") is None
    assert find_header(employers, "employers").score > find_header(employers, "headcounts").score


# --- data rows ----------------------------------------------------------------------------------------


def _data(rows: list[list], header_index: int = 2) -> tuple[list[tuple[int, list]], list[SkippedRow]]:
    skipped: list[SkippedRow] = []
    return list(data_rows(rows, header_index, skipped=skipped)), skipped


def test_blank_rows_inside_the_data_are_skipped_silently():
    rows = _sheet(_member(1), _row(), _row(" ", "\u3000", "\n"), _member(2))
    found, skipped = _data(rows)
    assert [number for number, _cells in found] == [4, 7]
    assert found[1][1] == _member(2)
    assert skipped == []


def test_subtotal_rows_are_skipped_and_reported():
    rows = _sheet(_member(1), _row("合计", "1人"), _member(2), _row("", "合  计："), _row("小计", 2))
    found, skipped = _data(rows)
    assert [number for number, _cells in found] == [4, 6]
    assert skipped == [
        SkippedRow(5, "合计行（“合计”），未导入"),
        SkippedRow(7, "合计行（“合计:”），未导入"),
        SkippedRow(8, "合计行（“小计”），未导入"),
    ]


@pytest.mark.parametrize(
    "note",
    [
        "制表人：张某某　　审核人：李某某　　制表日期：2024年6月1日",
        "制表人:张某某",
        "填表说明：身份证号请设为文本",
        "填表说明",
        "注：本表由各基层工会填报",
        "注 : 本表由各基层工会填报",
        "注1. 身份证号请设为文本",
        "说明：",
        "备注：无",
        "单位负责人：王某",
        "填报日期：2024年6月1日",
    ],
)
def test_a_note_under_the_table_ends_it(note):
    rows = _sheet(_member(1), _row(), _row(note), _row("2. 入会时间请写全"), _member(2))
    found, skipped = _data(rows)
    assert [number for number, _cells in found] == [4]
    assert skipped == [SkippedRow(6, "表格下方的说明文字，此行及以下未导入")]


def test_a_note_may_sit_in_any_column():
    rows = _sheet(_member(1), _row("", "", "", "制表人：张某某", "", "审核人：李某某"), _member(2))
    found, _skipped = _data(rows)
    assert [number for number, _cells in found] == [4]


def test_people_and_units_whose_names_start_like_a_note_are_data():
    rows = _sheet(
        _member(1, "单小明"),
        _member(2, "日向"),
        _member(3, "注一凡"),
        _row("", "说明浩", "500112199001012311"),
    )
    found, skipped = _data(rows)
    assert [number for number, _cells in found] == [4, 5, 6, 7]
    assert skipped == []
    employers = [["单位名称", "职工人数"], ["制表厂", 12], ["统计局", 30]]
    assert [number for number, _cells in data_rows(employers, 0)] == [2, 3]


def test_a_repeated_header_is_skipped():
    rows = _sheet(_member(1), ["序号", "姓名", "身份证号码", "性别", "所在工会", "入会时间"], _member(2))
    found, skipped = _data(rows)
    assert [number for number, _cells in found] == [4, 6]
    assert skipped == [SkippedRow(5, "重复的表头行，未导入")]


def test_data_rows_without_a_skipped_list():
    rows = _sheet(_member(1), _row("合计"), _member(2))
    assert [number for number, _cells in data_rows(rows, 2)] == [4, 6]


def test_nothing_below_the_header():
    assert _data(_sheet()) == ([], [])


# --- column letters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_column_letter_refuses_negative_indexes():
    with pytest.raises(ValueError):
        column_letter(-1)
