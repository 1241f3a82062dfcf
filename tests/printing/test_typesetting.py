"""The line breaker keeps the 禁则 and the grid puts 28 characters into 156 mm."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm

from printing.fonts import document_fonts
from printing.typesetting import (
    BLOCK_BOTTOM,
    BLOCK_HEIGHT,
    BLOCK_LEFT,
    BLOCK_TOP,
    BLOCK_WIDTH,
    CHAR_PITCH,
    CLOSING,
    LINE_PITCH,
    LINES_PER_PAGE,
    OPENING,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TextStyle,
    break_lines,
    measurer,
    row_baseline,
)


def cells(text: str) -> float:
    """A stand-in measure: a Chinese character or full-width mark is 1, anything else half."""
    return sum(1.0 if ord(char) > 0x2000 else 0.5 for char in text)


def check(lines: list[str], text: str, width: float, first_indent: float = 0.0, indent: float = 0.0) -> None:
    assert "".join(lines) == text
    for index, line in enumerate(lines):
        assert line, "no empty line"
        assert cells(line) + (first_indent if index == 0 else indent) <= width + 1e-9, line
        if index > 0:
            assert line[0] not in CLOSING, lines
        if index < len(lines) - 1:
            assert line[-1] not in OPENING, lines


# --- examples ---------------------------------------------------------------------------------------


def test_a_short_paragraph_is_one_line() -> None:
    assert break_lines("各园区工会：", 28, cells) == ["各园区工会："]


def test_an_empty_paragraph_has_no_lines() -> None:
    assert break_lines("", 28, cells) == []


def test_full_lines_fill_the_width_exactly() -> None:
    text = "一二三四五六七八九十" * 3
    assert break_lines(text, 10, cells) == ["一二三四五六七八九十"] * 3


def test_the_first_line_is_indented() -> None:
    assert break_lines("一二三四五六七八九十", 8, cells, first_indent=2) == ["一二三四五六", "七八九十"]


def test_the_hanging_indent_narrows_later_lines() -> None:
    lines = break_lines("附件：一二三四五六七八九十", 8, cells, first_indent=0, indent=3)
    assert lines == ["附件：一二三四五", "六七八九十"]


def test_closing_punctuation_pulls_the_previous_character_down() -> None:
    # Greedy would start line two with "，"; the character before it goes down with it (推出).
    lines = break_lines("一二三四五，六七", 5, cells)
    assert lines == ["一二三四", "五，六七"]


def test_two_closing_marks_go_down_with_their_character() -> None:
    lines = break_lines("一二三四“五”。六七", 5, cells)
    check(lines, "一二三四“五”。六七", 5)
    assert lines[1].startswith("五") or lines[1].startswith("“")


def test_opening_punctuation_never_ends_a_line() -> None:
    lines = break_lines("一二三四（五六）七八", 5, cells)
    assert lines == ["一二三四", "（五六）七", "八"]


def test_ellipsis_and_dash_stay_in_one_piece() -> None:
    for text in ("一二三四……五六", "一二三四——五六"):
        lines = break_lines(text, 5, cells)
        check(lines, text, 5)
        assert not lines[0].endswith(text[4])


def test_a_number_is_not_broken() -> None:
    lines = break_lines("一二三四五六2020年", 7, cells)
    assert lines == ["一二三四五六", "2020年"]


def test_a_code_is_not_broken_and_its_brackets_stay_with_it() -> None:
    text = "统一社会信用代码（91500000MA5U7A2X3B）。"
    lines = break_lines(text, 14, cells)
    check(lines, text, 14)
    assert any("91500000MA5U7A2X3B" in line for line in lines)


def test_a_run_longer_than_a_line_is_broken_to_fill_lines() -> None:
    text = "网址" + "a" * 30 + "。"
    lines = break_lines(text, 5, cells)
    check(lines, text, 5)
    assert lines == ["网址aaaaaa", "a" * 10, "a" * 10, "aaaa。"]


def test_half_width_punctuation_keeps_the_rules_too() -> None:
    text = "一二三四(五六),七八"
    lines = break_lines(text, 4.5, cells)
    check(lines, text, 4.5)


def test_the_rules_are_broken_only_when_no_break_would_keep_them() -> None:
    # A line of nothing but closing marks cannot help starting with one; the text still fits.
    text = "一。。。。。。。。"
    lines = break_lines(text, 4, cells)
    assert "".join(lines) == text
    assert all(cells(line) <= 4 for line in lines)


# --- the property -------------------------------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
CLOSERS = st.sampled_from(sorted(CLOSING))
OPENERS = st.sampled_from(sorted(OPENING))
DIGITS = st.text(alphabet="0123456789ABCXYZ", min_size=1, max_size=24)


@st.composite
def segments(draw: st.DrawFn) -> str:
    """Text as people write it: an opening mark is followed by a word, closing marks follow one."""
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(DIGITS)
    opening = draw(OPENERS) if draw(st.integers(0, 4)) == 0 else ""
    word = draw(st.text(alphabet=CJK, min_size=1, max_size=8))
    closing = "".join(draw(st.lists(CLOSERS, max_size=2)))
    return opening + word + closing


TEXTS = st.lists(segments(), min_size=1, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, width=st.integers(min_value=6, max_value=30), indent=st.sampled_from([0, 2]))
def test_no_line_breaks_the_rules_or_the_margin(text: str, width: int, indent: int) -> None:
    check(break_lines(text, width, cells, first_indent=indent), text, width, first_indent=indent)


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_real_widths_keep_the_rules(text: str) -> None:
    fonts = document_fonts(use_office_fonts=False)
    measure = measurer(TextStyle(fonts.body, 16, CHAR_PITCH, fonts.fallback)).width
    lines = break_lines(text, BLOCK_WIDTH, measure, first_indent=2 * CHAR_PITCH)
    assert "".join(lines) == text
    for index, line in enumerate(lines):
        assert measure(line) + (2 * CHAR_PITCH if index == 0 else 0) <= BLOCK_WIDTH + 1e-6
        assert index == 0 or line[0] not in CLOSING


# --- the grid -----------------------------------------------------------------------------------------


def test_the_page_is_a4_with_the_gbt_9704_text_block() -> None:
    assert (PAGE_WIDTH, PAGE_HEIGHT) == pytest.approx((210 * mm, 297 * mm))
    assert BLOCK_LEFT == pytest.approx(28 * mm)
    assert PAGE_WIDTH - BLOCK_LEFT - BLOCK_WIDTH == pytest.approx(26 * mm)
    assert PAGE_HEIGHT - BLOCK_TOP == pytest.approx(37 * mm)
    assert BLOCK_BOTTOM == pytest.approx(35 * mm)
    assert LINE_PITCH * LINES_PER_PAGE == pytest.approx(BLOCK_HEIGHT)


def test_28_chinese_characters_fill_the_line_and_digits_take_their_own_width() -> None:
    fonts = document_fonts(use_office_fonts=False)
    grid = measurer(TextStyle(fonts.body, 16, CHAR_PITCH, fonts.fallback))
    assert grid.width("中" * 28) == pytest.approx(BLOCK_WIDTH)
    assert grid.width("，。“”（）") == pytest.approx(6 * CHAR_PITCH)
    assert 0 < grid.width("2020") < 4 * CHAR_PITCH * 0.75


def test_runs_split_where_the_spacing_changes() -> None:
    fonts = document_fonts(use_office_fonts=False)
    grid = measurer(TextStyle(fonts.body, 16, CHAR_PITCH, fonts.fallback))
    runs = grid.runs("二〇二〇年2020年")
    assert [run.text for run in runs] == ["二〇二〇年", "2020", "年"]
    assert runs[0].char_space == pytest.approx(CHAR_PITCH - 16)
    assert runs[1].char_space == 0
    assert sum(run.width for run in runs) == pytest.approx(grid.width("二〇二〇年2020年"))


def test_a_line_sits_centred_in_its_grid_cell() -> None:
    baseline = row_baseline(0, 16)
    assert BLOCK_TOP - LINE_PITCH < baseline - 0.12 * 16 < baseline + 0.88 * 16 < BLOCK_TOP
    assert row_baseline(LINES_PER_PAGE - 1, 16) - 0.12 * 16 > BLOCK_BOTTOM
