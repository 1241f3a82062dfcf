"""The 一函两书 read back from their PDFs: every merge field there, GB/T 9704 layout, 禁则, the receipts."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from models.errors import KnownError
from models.notices import NoticePrintData, draft_notice, issue_notice, notice_print_data
from models.paths import DataDir
from models.registers import federation_settings, update_federation_settings
from printing.fonts import DocumentFonts, document_fonts, has_glyph
from printing.notice_wording import (
    FIELDS,
    NoticeWordings,
    editable_copy,
    fill,
    load_wordings,
    wording_file_name,
)
from printing.notices import (
    DRAFT_NUMBER,
    iter_write_notice_files,
    iter_write_notices,
    merge_fields,
    notice_document,
    notice_file_name,
    notice_pdf,
    write_notices,
)
from printing.official_document import document_pdf
from printing.typesetting import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    CLOSING,
    OPENING,
    PAGE_HEIGHT,
)
from tests.printing.notice_data import Chain, build_chain
from tests.printing.pdf_reading import (
    MM,
    Glyph,
    embedded_font_files,
    lines,
    page_glyphs,
    page_lines,
    read,
    text_of,
)

PAGE_NUMBER = re.compile(r"^— \d+ —$")
NUMBER = re.compile(r"^.+〔(\d{4})〕([1-9]\d*)号$")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    chain = build_chain(tmp_path_factory.mktemp("notices") / "data")
    yield chain
    chain.engine.dispose()


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


@pytest.fixture(scope="module")
def wordings() -> NoticeWordings:
    return load_wordings()


@pytest.fixture(scope="module")
def pdfs(chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts) -> dict[str, PdfReader]:
    ids = {"opinion_letter": chain.letter, "inspection_opinion": chain.inspection}
    ids["recommendation"] = chain.recommendation
    return {
        kind: read(notice_pdf(chain.engine, notice_id, wordings, fonts=fonts))
        for kind, notice_id in ids.items()
    }


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(reader: PdfReader) -> str:
    return squeeze("".join("".join(page_lines(page)) for page in reader.pages))


def data_of(chain: Chain, notice_id: int) -> NoticePrintData:
    return notice_print_data(chain.engine, [notice_id])[0]


def inside_text_block(glyph: Glyph) -> bool:
    slack = 1 * MM
    return (
        glyph.x0 >= BLOCK_LEFT - slack
        and glyph.x1 <= BLOCK_RIGHT + slack
        and glyph.y - 0.12 * glyph.size >= BLOCK_BOTTOM - slack
        and glyph.y + 0.88 * glyph.size <= BLOCK_TOP + slack
    )


# --- the text ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["opinion_letter", "inspection_opinion", "recommendation"])
def test_every_word_of_the_filled_wording_is_printed(
    chain: Chain, wordings: NoticeWordings, pdfs: dict[str, PdfReader], kind: str
) -> None:
    notice_id = {"opinion_letter": chain.letter, "inspection_opinion": chain.inspection}.get(
        kind, chain.recommendation
    )
    data = data_of(chain, notice_id)
    document = notice_document(data, wordings)
    text = re.sub(r"—\d+—", "", pdf_text(pdfs[kind]))
    for part in (document.issuing_body_mark, document.document_number, document.title, document.addressee):
        assert squeeze(part) in text
    assert squeeze("".join(paragraph.text for paragraph in document.body)) in text
    assert squeeze(data.federation.name + "2025年") in text, "signature and date"
    assert "＿" not in text, "every field the wording uses has a value"


def test_the_merge_fields_carry_the_employer_the_chain_and_the_settings(
    chain: Chain, wordings: NoticeWordings, pdfs: dict[str, PdfReader]
) -> None:
    letter, inspection, recommendation = (
        data_of(chain, notice_id) for notice_id in (chain.letter, chain.inspection, chain.recommendation)
    )
    employer = letter.employer
    text = pdf_text(pdfs["opinion_letter"])
    assert f"{employer.name}：" in text
    assert f"现有职工{employer.staff_count}人" in text
    assert "自收到本函之日起15个工作日内" in text
    assert "依据《中华人民共和国工会法》第三条、第十一条、第十二条和《重庆市工会条例》第七条的规定" in text
    assert "《中华人民共和国工会法》第十一条用人单位有会员二十五人以上的" in text, "the article's full text"
    assert "联系电话：023-67001234。" in text

    text = pdf_text(pdfs["inspection_opinion"])
    assert f"《工会组建意见函》（{letter.document_number}，2025年3月6日送达）" in text
    assert "截至2025年5月6日" in text

    text = pdf_text(pdfs["recommendation"])
    assert "区人力资源和社会保障局：" in text, "a recommendation goes to the department"
    assert f"（统一社会信用代码：{employer.credit_code}）" in text
    assert f"（{inspection.document_number}，2025年5月8日送达）" in text
    assert recommendation.document_number in text


def test_a_field_left_empty_drops_its_bracketed_run_or_prints_a_blank(
    chain: Chain, wordings: NoticeWordings
) -> None:
    data = data_of(chain, chain.letter)
    bare = dataclasses.replace(
        data, employer=dataclasses.replace(data.employer, staff_count=None, founded_on=None, name="某公司")
    )
    facts = merge_fields(bare, wordings, data.issued_on)["查明事实"]
    assert facts == "经我会核查，贵单位至今尚未依法建立工会组织。"
    assert fill("贵单位住所：{住所}。", {"住所": ""}) == "贵单位住所：＿＿＿＿。"


def test_what_the_clerk_wrote_for_the_notice_replaces_the_default(
    chain: Chain, wordings: NoticeWordings
) -> None:
    data = dataclasses.replace(data_of(chain, chain.letter), facts="经走访，该单位{有}职工三百人。")
    values = merge_fields(data, wordings, data.issued_on)
    assert values["查明事实"] == "经走访，该单位{有}职工三百人。", "typed text is printed as typed"


def test_a_draft_is_previewed_with_no_number_and_dated_today(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts
) -> None:
    reader = read(notice_pdf(chain.engine, chain.draft, wordings, fonts=fonts))
    first = page_lines(reader.pages[0])
    assert DRAFT_NUMBER in first
    assert not any(NUMBER.match(line) for line in first)


# --- the page ----------------------------------------------------------------------------------------


def test_every_page_is_a4_and_every_font_embedded(pdfs: dict[str, PdfReader]) -> None:
    for reader in pdfs.values():
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
            assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)
        fonts = list(embedded_font_files(reader))
        assert fonts and all(embedded for _, embedded in fonts), fonts


def test_all_text_lies_inside_the_margins(pdfs: dict[str, PdfReader]) -> None:
    for kind, reader in pdfs.items():
        for page in reader.pages:
            for line in lines(page_glyphs(page)):
                if PAGE_NUMBER.match(text_of(line)) or all(glyph.is_red for glyph in line):
                    continue  # the page number lies under the block, the letter's mark above it
                if kind == "opinion_letter" and NUMBER.match(text_of(line)):
                    continue  # the letter's number sits between the head's rules, above the block
                outside = [glyph for glyph in line if not inside_text_block(glyph)]
                assert not outside, (kind, text_of(line), outside[0])


def test_the_title_is_22_pt_and_the_body_16_pt(chain: Chain, pdfs: dict[str, PdfReader]) -> None:
    for kind, reader in pdfs.items():
        page = lines(page_glyphs(reader.pages[0]))
        title = [line for line in page if line[0].size == 22]
        assert squeeze("".join(text_of(line) for line in title)).startswith("工会组建"), kind
        body = [
            line
            for line in page
            if not line[0].is_red and line[0].size != 22 and not PAGE_NUMBER.match(text_of(line))
        ]
        assert {glyph.size for line in body for glyph in line} == {16}, kind


def test_the_letter_uses_the_letter_head_and_the_opinions_the_standard_one(
    pdfs: dict[str, PdfReader],
) -> None:
    for kind, reader in pdfs.items():
        mark = [glyph for glyph in page_glyphs(reader.pages[0]) if glyph.is_red]
        top = mark[0].y + 0.88 * mark[0].size
        if kind == "opinion_letter":
            assert top == pytest.approx(PAGE_HEIGHT - 30 * MM, abs=0.5 * MM)
        else:
            assert top == pytest.approx(BLOCK_TOP - 35 * MM, abs=0.5 * MM)
        page_numbers = [text for text in page_lines(reader.pages[0]) if PAGE_NUMBER.match(text)]
        assert page_numbers == ([] if kind == "opinion_letter" else ["— 1 —"])


def test_numbers_follow_the_configured_format(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, pdfs: dict[str, PdfReader]
) -> None:
    data = data_of(chain, chain.letter)
    printed = [text for text in page_lines(pdfs["opinion_letter"].pages[0]) if NUMBER.match(text)]
    assert printed == [data.document_number]
    assert NUMBER.match(data.document_number).groups() == ("2025", "1"), "full year, no leading zeros"

    before = federation_settings(chain.engine)
    changed = dataclasses.replace(
        before, opinion_letter_number_format="渝{short_name}函〔{year}〕第{number}号"
    )
    update_federation_settings(chain.engine, changed)
    try:
        notice = issue_notice(
            chain.engine, draft_notice(chain.engine, chain.unorganised[0], "opinion_letter"), data.issued_on
        )
        first = page_lines(read(notice_pdf(chain.engine, notice.id, wordings, fonts=fonts)).pages[0])
        assert f"渝{before.short_name}函〔2025〕第2号" in first
    finally:
        update_federation_settings(chain.engine, before)


# --- 禁则 over long notices -------------------------------------------------------------------------------

CJK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
WORDS = st.text(alphabet=CJK, min_size=1, max_size=8)
# Punctuation as text has it: an opening mark before words, a closing mark after them (a paragraph that
# ends in "“" must end a line with it, which is no fault of the line breaker). Only marks the bundled font
# has: a missing glyph would be read back from the PDF as something else.
_BUNDLED = document_fonts(use_office_fonts=False).body
CLOSING_MARKS = sorted(c for c in CLOSING - set(",.;:?!)]}%") if has_glyph(_BUNDLED, c))
OPENING_MARKS = sorted(c for c in OPENING - set("([{") if has_glyph(_BUNDLED, c))
PIECES = st.one_of(
    WORDS,
    st.tuples(WORDS, st.sampled_from(CLOSING_MARKS)).map("".join),
    st.tuples(st.sampled_from(OPENING_MARKS), WORDS).map("".join),
    st.integers(min_value=0, max_value=10**12).map(str),
    st.just("91500000MA5U7A2X3B"),
)
NAMES = st.tuples(WORDS, st.sampled_from(["", "（重庆）", "（分公司）"]), WORDS).map("".join)
LONG_TEXT = st.lists(PIECES, min_size=80, max_size=300).map("".join)


# No shrinking: each example typesets three notices, and a failure prints its example anyway.
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(facts=LONG_TEXT, requests=LONG_TEXT, name=NAMES)
def test_no_line_of_a_long_notice_starts_with_closing_punctuation(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, facts: str, requests: str, name: str
) -> None:
    for notice_id in (chain.letter, chain.inspection, chain.recommendation):
        data = data_of(chain, notice_id)
        data = dataclasses.replace(
            data, facts=facts, requests=requests, employer=dataclasses.replace(data.employer, name=name)
        )
        reader = read(document_pdf(notice_document(data, wordings), fonts))
        for page in reader.pages:
            for text in page_lines(page):
                if PAGE_NUMBER.match(text):
                    continue
                assert text[0] not in CLOSING, text
                assert text[-1] not in OPENING, text


# --- many notices, and their receipts ------------------------------------------------------------------


def test_one_pdf_holds_each_notice_from_a_new_page_followed_by_its_receipt(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, tmp_path: Path
) -> None:
    ids = [chain.letter, chain.inspection, chain.recommendation]
    target = tmp_path / "一函两书.pdf"
    reported: list[tuple[int, int, str]] = []
    write_notices(
        chain.engine, ids, target, wordings, fonts=fonts, progress=lambda *step: reported.append(step)
    )
    reader = PdfReader(target)
    starts = [index for index, page in enumerate(reader.pages) if any(g.is_red for g in page_glyphs(page))]
    receipts = [index for index, page in enumerate(reader.pages) if page_lines(page)[0] == "送达回证"]
    assert len(starts) == len(receipts) == 3
    assert [receipt + 1 for receipt in receipts[:-1]] == starts[1:], "a notice starts right after a receipt"
    assert receipts[-1] == len(reader.pages) - 1
    assert reported[-1][:2] == (6, 6)

    served = squeeze("".join(page_lines(reader.pages[receipts[0]])))
    letter = data_of(chain, chain.letter)
    assert letter.document_number in served and letter.employer.name in served
    assert "直接送达" in served and "张经理" in served and "李明" in served and "2025年3月6日" in served
    mailed = squeeze("".join(page_lines(reader.pages[receipts[2]])))
    assert "区人力资源和社会保障局" in mailed and "□直接送达" in mailed, "not yet served: boxes to tick"


def test_pdffonts_says_every_font_of_a_batch_is_embedded(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, tmp_path: Path
) -> None:
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        assert not os.environ.get("CI"), "CI must have pdffonts (poppler-utils)"
        pytest.skip("poppler-utils is not installed")
    target = tmp_path / "batch.pdf"
    write_notices(
        chain.engine, [chain.letter, chain.recommendation, chain.draft], target, wordings, fonts=fonts
    )
    output = subprocess.run([pdffonts, str(target)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = output.splitlines()
    start, end = next(
        match.span() for match in re.finditer(r"-+", rule) if header[match.start() :].startswith("emb")
    )
    assert rows and all(row[start:end].strip() == "yes" for row in rows), output


def test_stopping_the_batch_leaves_no_file(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, tmp_path: Path
) -> None:
    target = tmp_path / "一函两书.pdf"
    steps = iter_write_notices(chain.engine, [chain.letter, chain.inspection], target, wordings, fonts=fonts)
    next(steps)
    next(steps)
    steps.close()
    assert list(tmp_path.iterdir()) == []


def test_one_file_per_notice_named_by_number_and_employer(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, tmp_path: Path
) -> None:
    ids = [chain.letter, chain.draft]
    folder = tmp_path / "文书"
    steps = list(iter_write_notice_files(chain.engine, ids, folder, wordings, fonts=fonts))
    assert [step[:2] for step in steps] == [(0, 2), (1, 2), (2, 2)]
    names = sorted(path.name for path in folder.iterdir())
    expected = sorted(
        notice_file_name(data.document_number, data.employer.name, data.id)
        for data in notice_print_data(chain.engine, ids)
    )
    assert names == expected
    assert any(name.startswith("草稿") for name in names)
    for path in folder.iterdir():
        reader = PdfReader(path)
        assert len(reader.pages) >= 2 and page_lines(reader.pages[-1])[0] == "送达回证"


def test_a_file_name_keeps_no_character_windows_refuses(chain: Chain) -> None:
    data = data_of(chain, chain.letter)
    odd = dataclasses.replace(data, employer=dataclasses.replace(data.employer, name='A/B:C*D?"E"<F>|G'))
    assert not set('/\\:*?"<>|') & set(notice_file_name(odd.document_number, odd.employer.name, odd.id))


def test_a_target_that_cannot_be_written_is_a_known_error(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts, tmp_path: Path
) -> None:
    folder_in_the_way = tmp_path / "一函两书.pdf"
    folder_in_the_way.mkdir()
    with pytest.raises(KnownError, match="无法写入"):
        write_notices(chain.engine, [chain.letter], folder_in_the_way, wordings, fonts=fonts)


def test_a_preview_can_carry_its_receipt(
    chain: Chain, wordings: NoticeWordings, fonts: DocumentFonts
) -> None:
    alone = read(notice_pdf(chain.engine, chain.letter, wordings, fonts=fonts))
    both = read(notice_pdf(chain.engine, chain.letter, wordings, with_proof_of_service=True, fonts=fonts))
    assert len(both.pages) == len(alone.pages) + 1


def test_every_merge_field_has_a_value_for_a_full_chain(chain: Chain, wordings: NoticeWordings) -> None:
    data = data_of(chain, chain.recommendation)
    values = merge_fields(data, wordings, data.issued_on)
    assert set(values) == set(FIELDS)
    assert {name for name, value in values.items() if not value} <= {"答复截止日期"}, "not served yet"


def test_the_office_s_edited_wording_is_what_prints(
    chain: Chain, fonts: DocumentFonts, tmp_path: Path
) -> None:
    data_dir = DataDir(tmp_path / "data")
    path = editable_copy(data_dir, wording_file_name("opinion_letter"))
    text = path.read_text(encoding="utf-8").replace("附：有关法律规定", "附：本会摘录的法律规定")
    path.write_text(text, encoding="utf-8")
    reader = read(notice_pdf(chain.engine, chain.letter, load_wordings(data_dir), fonts=fonts))
    assert "附：本会摘录的法律规定" in pdf_text(reader)


def test_nothing_selected_is_refused_in_chinese(
    chain: Chain, wordings: NoticeWordings, tmp_path: Path
) -> None:
    with pytest.raises(KnownError, match="没有选中"):
        write_notices(chain.engine, [], tmp_path / "空.pdf", wordings)
    assert list(tmp_path.iterdir()) == []
