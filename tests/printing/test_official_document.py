"""A 公文 read back from its PDF: text, fonts, page size, margins, sizes and the GB/T 9704 furniture."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from models.paths import resource
from printing.fonts import BUNDLED_FONT, DocumentFonts, document_fonts
from printing.official_document import (
    OfficialDocument,
    Paragraph,
    _flow,
    _Styles,
    document_pdf,
    format_date,
    iter_write_documents,
    paragraphs_from_text,
    write_documents,
)
from printing.proof_of_service import ProofOfService
from printing.typesetting import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    CHAR_PITCH,
    CLOSING,
    LINE_PITCH,
    OPENING,
    PAGE_HEIGHT,
)
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

PAGE_NUMBER = re.compile(r"^— (\d+) —$")
SENTENCE = (
    "为深入贯彻落实《中华人民共和国工会法》，进一步扩大工会组织覆盖面，现将2020年度建会入会工作有关事项"
    "通知如下（统一社会信用代码：91500000MA5U7A2X3B），请各单位认真组织实施，确保各项工作落到实处。"
)


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


def notice(variant: str = "standard", paragraphs: int = 6, **changes: object) -> OfficialDocument:
    body: list[Paragraph | str] = [Paragraph("一、工作目标", 1), SENTENCE, Paragraph("（一）组建工会。", 2)]
    body += [f"{number}.{SENTENCE}" for number in range(1, paragraphs - 2)]
    fields: dict[str, object] = {
        "issuing_body_mark": "重庆两江新区总工会" + ("文件" if variant == "standard" else ""),
        "document_number": "两江工组函〔2020〕3号",
        "title": "关于做好2020年度企业建会入会工作和“一函两书”送达工作的通知",
        "addressee": "各园区工会、各企业（单位）",
        "body": body,
        "signature": "重庆两江新区总工会",
        "date": dt.date(2020, 3, 5),
        "variant": variant,
    }
    fields.update(changes)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_page_number(line: list[Glyph]) -> bool:
    return bool(PAGE_NUMBER.match(text_of(line)))


def inside_text_block(glyph: Glyph, slack: float = 1 * MM) -> bool:
    return (
        glyph.x0 >= BLOCK_LEFT - slack
        and glyph.x1 <= BLOCK_RIGHT + slack
        and glyph.y - 0.12 * glyph.size >= BLOCK_BOTTOM - slack
        and glyph.y + 0.88 * glyph.size <= BLOCK_TOP + slack
    )


@pytest.fixture(scope="module")
def standard(fonts: DocumentFonts) -> PdfReader:
    document = notice(
        "standard",
        paragraphs=14,
        attachments=["重庆两江新区企业建会入会工作任务分解表", "送达回证样式"],
        note="联系人：张三，电话：023-67001234",
        copy_to=["区委组织部", "区人力社保局"],
        printed_by="重庆两江新区总工会办公室",
    )
    return read(document_pdf(document, fonts))


@pytest.fixture(scope="module")
def letter(fonts: DocumentFonts) -> PdfReader:
    return read(document_pdf(notice("letter", paragraphs=10), fonts))


# --- the text and the file --------------------------------------------------------------------------


def test_the_text_is_all_there(standard: PdfReader) -> None:
    document = notice("standard", paragraphs=14)
    text = squeeze("".join(page.extract_text() for page in standard.pages))
    text = re.sub(r"—\d+—", "", text)
    assert "重庆两江新区总工会文件" in text
    assert "两江工组函〔2020〕3号" in text, "the document number verbatim"
    assert squeeze(document.title) in text
    assert "各园区工会、各企业（单位）：" in text
    assert squeeze("".join(paragraph.text for paragraph in document.body)) in text
    assert "附件：1.重庆两江新区企业建会入会工作任务分解表2.送达回证样式" in text
    assert "重庆两江新区总工会2020年3月5日（联系人：张三，电话：023-67001234）" in text
    assert "抄送：区委组织部，区人力社保局。" in text
    assert "重庆两江新区总工会办公室2020年3月5日印发" in text


def test_every_page_is_a4(standard: PdfReader, letter: PdfReader) -> None:
    for page in [*standard.pages, *letter.pages]:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


def test_every_font_is_embedded(standard: PdfReader, letter: PdfReader) -> None:
    fonts = list(embedded_font_files(standard)) + list(embedded_font_files(letter))
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts


def test_pdffonts_says_every_font_is_embedded(tmp_path: Path, fonts: DocumentFonts) -> None:
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        # .ci/run installs poppler-utils, so CI always runs this; a developer's PC may lack it (the pypdf
        # check above covers the same ground there).
        assert not os.environ.get("CI"), "CI must have pdffonts (poppler-utils)"
        pytest.skip("poppler-utils is not installed")
    target = tmp_path / "mixed.pdf"
    receipt = ProofOfService(
        "重庆两江新区总工会", "关于建立工会组织的提示书", "两江工组书〔2020〕12号", "某公司"
    )
    write_documents(target, [notice("standard"), receipt, notice("letter")], fonts)
    output = subprocess.run([pdffonts, str(target)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = output.splitlines()
    spans = [match.span() for match in re.finditer(r"-+", rule)]
    columns = [header[start:end].strip() for start, end in spans]
    emb = columns.index("emb")
    assert rows
    for row in rows:
        start, end = spans[emb]
        assert row[start:end].strip() == "yes", row


def test_the_metadata_names_the_document(standard: PdfReader) -> None:
    metadata = standard.metadata
    assert metadata is not None
    assert metadata.title == notice().title
    assert metadata.author == "重庆两江新区总工会"
    assert metadata.creator == "UnionDesk"


def test_a_path_target_is_written_whole(tmp_path: Path, fonts: DocumentFonts) -> None:
    target = tmp_path / "通知.pdf"
    write_documents(target, [notice()], fonts)
    assert target.read_bytes().startswith(b"%PDF")
    assert [path.name for path in tmp_path.iterdir()] == ["通知.pdf"]


def test_stopping_the_generator_leaves_no_file(tmp_path: Path, fonts: DocumentFonts) -> None:
    target = tmp_path / "通知.pdf"
    steps = iter_write_documents(target, [notice(), notice()], fonts)
    next(steps)
    next(steps)
    steps.close()
    assert list(tmp_path.iterdir()) == []


def test_progress_counts_every_document(fonts: DocumentFonts) -> None:
    reported: list[tuple[int, int, str]] = []
    write_documents(
        io.BytesIO(),
        [notice(), notice("letter"), notice()],
        fonts,
        progress=lambda *step: reported.append(step),
    )
    assert [(done, total) for done, total, _ in reported] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert all(message for _, _, message in reported)


def test_nothing_to_print_is_refused(fonts: DocumentFonts) -> None:
    with pytest.raises(ValueError, match="没有"):
        write_documents(io.BytesIO(), [], fonts)


# --- the page ---------------------------------------------------------------------------------------


def test_all_text_but_the_page_number_lies_inside_the_text_block(standard: PdfReader) -> None:
    for page in standard.pages:
        for line in lines(page_glyphs(page)):
            if is_page_number(line):
                continue
            outside = [glyph for glyph in line if not inside_text_block(glyph)]
            assert not outside, (text_of(line), outside[0])


def test_the_letter_head_is_above_the_text_block_and_the_rest_inside(letter: PdfReader) -> None:
    for page in letter.pages:
        for line in lines(page_glyphs(page)):
            if is_page_number(line) or all(glyph.is_red for glyph in line):
                continue
            assert all(inside_text_block(glyph) for glyph in line), text_of(line)


def test_the_title_is_22_pt_and_the_body_16_pt(standard: PdfReader) -> None:
    sizes: dict[str, float] = {}

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = size * tm[0]

    standard.pages[0].extract_text(visitor_text=visit)
    title_lines = [text for text in sizes if text in notice().title]
    assert len(title_lines) == 2, "the title wraps onto two centred lines"
    assert all(sizes[text] == pytest.approx(22) for text in title_lines)
    assert sizes["一、工作目标"] == pytest.approx(16)
    assert sizes["各园区工会、各企业（单位）："] == pytest.approx(16)
    assert sizes["两江工组函〔2020〕3号"] == pytest.approx(16)


def test_the_mark_is_red_and_the_body_black(standard: PdfReader) -> None:
    glyphs = page_glyphs(standard.pages[0])
    mark = [glyph for glyph in glyphs if glyph.is_red]
    assert "".join(glyph.char for glyph in mark) == "重庆两江新区总工会文件"
    assert mark[0].y + 0.88 * mark[0].size == pytest.approx(BLOCK_TOP - 35 * MM, abs=0.5 * MM)
    body = [glyph for glyph in glyphs if glyph.size == 16]
    assert body and not any(glyph.is_red for glyph in body)


def test_the_title_lines_are_centred(standard: PdfReader) -> None:
    centre = (BLOCK_LEFT + BLOCK_RIGHT) / 2
    title = [line for line in lines(page_glyphs(standard.pages[0])) if line[0].size == 22]
    assert len(title) == 2
    for line in title:
        assert (line[0].x0 + line[-1].x1) / 2 == pytest.approx(centre, abs=1 * MM)


def test_body_lines_are_on_the_grid_and_full_lines_are_justified(standard: PdfReader) -> None:
    page = [line for line in lines(page_glyphs(standard.pages[1])) if not is_page_number(line)]
    assert len(page) == 22, "a page of running text has 22 lines"
    baselines = [line[0].y for line in page]
    assert all(
        a - b == pytest.approx(LINE_PITCH, abs=0.01) for a, b in zip(baselines, baselines[1:], strict=False)
    )
    justified = 0
    for line, following in zip(page, page[1:], strict=False):
        if following[0].x0 > BLOCK_LEFT + 1:
            continue  # the last line of a paragraph: the next one is indented
        if following[0].char.isascii() and following[0].char.isalnum():
            continue  # a long code pushed down leaves the line ragged rather than gappy
        assert line[-1].x1 == pytest.approx(BLOCK_RIGHT, abs=1 * MM), text_of(line)
        justified += 1
    assert justified > 10


def test_28_characters_fill_a_line(fonts: DocumentFonts) -> None:
    text = "工会组织覆盖面" * 9  # 26 characters after the indent, then 28, then 9
    pdf = read(document_pdf(notice(body=[text]), fonts))
    line = next(line for line in lines(page_glyphs(pdf.pages[0])) if text_of(line) == text[26:54])
    assert line[0].x0 == pytest.approx(BLOCK_LEFT, abs=0.1)
    pitches = {round(b.x0 - a.x0, 3) for a, b in zip(line, line[1:], strict=False)}
    assert pitches == {round(CHAR_PITCH, 3)}


def test_paragraphs_are_indented_two_characters(standard: PdfReader) -> None:
    first_lines = [
        line
        for line in lines(page_glyphs(standard.pages[0]))
        if text_of(line).startswith(("一、", "（一）", "为深入"))
    ]
    assert len(first_lines) == 3
    for line in first_lines:
        assert line[0].x0 == pytest.approx(BLOCK_LEFT + 2 * CHAR_PITCH, abs=0.1)


def test_the_addressee_is_flush_left_with_a_full_width_colon(fonts: DocumentFonts) -> None:
    for addressee in ("各园区工会", "各园区工会:", "各园区工会："):
        page = read(document_pdf(notice(addressee=addressee), fonts)).pages[0]
        line = next(line for line in lines(page_glyphs(page)) if text_of(line).startswith("各园区工会"))
        assert text_of(line) == "各园区工会："
        assert line[0].x0 == pytest.approx(BLOCK_LEFT, abs=0.1)


def test_signature_and_date_sit_at_the_right_with_room_for_the_seal(standard: PdfReader) -> None:
    page = lines(page_glyphs(standard.pages[-1]))
    texts = [text_of(line) for line in page]
    date = page[texts.index("2020年3月5日")]
    signature = page[texts.index("重庆两江新区总工会")]
    assert date[-1].x1 == pytest.approx(BLOCK_RIGHT - 4 * CHAR_PITCH, abs=1 * MM), "右空四字"
    assert (signature[0].x0 + signature[-1].x1) / 2 == pytest.approx(
        (date[0].x0 + date[-1].x1) / 2, abs=1 * MM
    )
    assert signature[0].y - date[0].y == pytest.approx(LINE_PITCH, abs=0.01)
    above = page[texts.index("重庆两江新区总工会") - 1]
    assert above[0].y - signature[0].y == pytest.approx(3 * LINE_PITCH, abs=0.01), (
        "two blank lines for the seal"
    )


def test_the_date_is_printed_without_leading_zeros() -> None:
    assert format_date(dt.date(2020, 3, 5)) == "2020年3月5日"
    assert format_date(dt.date(2021, 12, 31)) == "2021年12月31日"


# --- page numbers -----------------------------------------------------------------------------------


def page_number_line(page: object) -> list[Glyph] | None:
    found = [line for line in lines(page_glyphs(page)) if is_page_number(line)]
    assert len(found) <= 1
    return found[0] if found else None


def test_page_numbers_alternate_right_and_left_7_mm_under_the_block(standard: PdfReader) -> None:
    assert len(standard.pages) >= 3
    for number, page in enumerate(standard.pages, start=1):
        line = page_number_line(page)
        assert line is not None
        assert text_of(line) == f"— {number} —", "half-width digits between one-character dashes"
        assert {glyph.size for glyph in line} == {14}
        dash = line[0]
        # §7.5: the dash lies 7 mm under the text block; it sits at the middle of the em box.
        assert dash.y + 0.38 * dash.size == pytest.approx(BLOCK_BOTTOM - 7 * MM, abs=0.5 * MM)
        if number % 2:
            assert line[-1].x1 == pytest.approx(BLOCK_RIGHT - 14, abs=0.5 * MM), "odd: 右空一字"
        else:
            assert line[0].x0 == pytest.approx(BLOCK_LEFT + 14, abs=0.5 * MM), "even: 左空一字"


def test_the_letter_has_no_page_number_on_its_first_page(letter: PdfReader) -> None:
    assert len(letter.pages) >= 2
    assert page_number_line(letter.pages[0]) is None
    second = page_number_line(letter.pages[1])
    assert second is not None and text_of(second) == "— 2 —"


def test_page_numbers_restart_with_each_document(fonts: DocumentFonts) -> None:
    buffer = io.BytesIO()
    receipt = ProofOfService(
        "重庆两江新区总工会", "关于建立工会组织的提示书", "两江工组书〔2020〕12号", "某公司"
    )
    documents = [
        notice(paragraphs=14),
        receipt,
        notice("letter", paragraphs=10),
        notice(body=["请认真组织实施。"]),
    ]
    write_documents(buffer, documents, fonts)
    pdf = read(buffer.getvalue())
    numbers = []
    for page in pdf.pages:
        line = page_number_line(page)
        numbers.append(text_of(line) if line else None)
    first = len(read(document_pdf(documents[0], fonts)).pages)
    assert numbers[:first] == [f"— {n} —" for n in range(1, first + 1)]
    assert numbers[first] is None, "the proof of service has no page number"
    assert numbers[first + 1 : first + 3] == [None, "— 2 —"]
    assert numbers[-1] == "— 1 —"
    marks = [
        index for index, page in enumerate(pdf.pages) if any(glyph.is_red for glyph in page_glyphs(page))
    ]
    assert marks == [0, first + 1, len(pdf.pages) - 1], "each document starts on a page of its own"


# --- the letter variant -----------------------------------------------------------------------------


def test_the_letter_mark_is_30_mm_from_the_top_and_the_number_flush_right(letter: PdfReader) -> None:
    page = lines(page_glyphs(letter.pages[0]))
    mark = page[0]
    assert text_of(mark) == "重庆两江新区总工会" and all(glyph.is_red for glyph in mark)
    assert mark[0].y + 0.88 * mark[0].size == pytest.approx(PAGE_HEIGHT - 30 * MM, abs=0.5 * MM)
    assert (mark[0].x0 + mark[-1].x1) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=1 * MM)
    number = page[1]
    assert text_of(number) == "两江工组函〔2020〕3号"
    assert number[-1].x1 == pytest.approx(BLOCK_RIGHT, abs=0.5 * MM)


def test_the_letter_draws_red_double_rules_170_mm_long(letter: PdfReader) -> None:
    content = letter.pages[0].get_contents().get_data().decode("latin-1")
    segments = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)
    lengths = [float(x1) - float(x0) for x0, _, x1, _ in segments]
    assert sum(1 for length in lengths if length == pytest.approx(170 * MM, abs=0.5)) == 4
    lowest = min(float(y) for _, y, _, _ in segments)
    assert lowest == pytest.approx(20 * MM, abs=1 * MM), "the second double rule 20 mm above the bottom edge"


# --- page breaking ----------------------------------------------------------------------------------


def test_the_signature_never_stands_alone(fonts: DocumentFonts) -> None:
    for count in range(1, 36):
        body = [f"第{number}段：请各单位认真组织实施。" for number in range(1, count + 1)]
        pdf = read(document_pdf(notice(body=body), fonts))
        for page in pdf.pages:
            texts = page_lines(page)
            if "2020年3月5日" in texts:
                assert "重庆两江新区总工会" in texts
                assert any(text.startswith("第") for text in texts), (count, texts)


def test_a_heading_is_not_the_last_line_of_a_page(fonts: DocumentFonts) -> None:
    for count in range(1, 24):
        body: list[Paragraph | str] = [f"第{number}段。" for number in range(count)]
        body += [Paragraph("二、工作要求", 1), "请各单位认真组织实施。"] * 3
        pdf = read(document_pdf(notice(body=body), fonts))
        for page in pdf.pages:
            texts = [text for text in page_lines(page) if not PAGE_NUMBER.match(text)]
            assert texts[-1] != "二、工作要求", count


CJK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"


def generated_text(rng: random.Random, length: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        roll = rng.random()
        if roll < 0.1:
            parts.append(rng.choice(sorted(OPENING - set("([{"))) + rng.choice(CJK) * rng.randint(1, 4))
        elif roll < 0.25:
            parts.append(
                rng.choice(CJK)
                + "".join(rng.choices(sorted(CLOSING - set(",.;:?!)]}%")), k=rng.randint(1, 2)))
            )
        elif roll < 0.3:
            parts.append(str(rng.randint(1, 10 ** rng.randint(1, 12))))
        else:
            parts.append("".join(rng.choices(CJK, k=rng.randint(1, 6))))
    return "".join(parts)


def test_no_printed_line_breaks_the_kinsoku_rules(fonts: DocumentFonts) -> None:
    rng = random.Random(9704)
    documents = [
        notice(
            rng.choice(["standard", "letter"]),
            body=[generated_text(rng, rng.randint(20, 400)) for _ in range(8)],
        )
        for _ in range(12)
    ]
    buffer = io.BytesIO()
    write_documents(buffer, documents, fonts)
    checked = 0
    for page in read(buffer.getvalue()).pages:
        for text in page_lines(page):
            if PAGE_NUMBER.match(text):
                continue
            assert text[0] not in CLOSING, text
            assert text[-1] not in OPENING, text
            checked += 1
    assert checked > 300


# --- the model --------------------------------------------------------------------------------------


def test_typed_indents_and_line_breaks_are_dropped() -> None:
    assert Paragraph("\u3000\u3000为深入贯彻\r\n落实。 ").text == "为深入贯彻落实。"
    assert notice(body=["  正文", "", "\u3000"]).body == (Paragraph("正文"),)


def test_headings_are_recognised_in_plain_text() -> None:
    paragraphs = paragraphs_from_text("一、工作目标\n\n（一）组建工会\n1.建会\n（1）入会\n正文。")
    assert [paragraph.level for paragraph in paragraphs] == [1, 2, 0, 0, 0]


def test_headings_use_their_own_fonts(fonts: DocumentFonts) -> None:
    bundled = str(resource(*BUNDLED_FONT))
    for name in ("Test-Hei", "Test-Kai"):
        pdfmetrics.registerFont(TTFont(name, bundled))
    styled = DocumentFonts(fonts.body, "Test-Hei", "Test-Kai", fonts.page_number, fonts.title, fonts.fallback)
    rows = _flow(notice(), _Styles.of(styled))
    font_of = {row.text: row.style.font for row in rows if row.style}
    assert font_of["一、工作目标"] == "Test-Hei"
    assert font_of["（一）组建工会。"] == "Test-Kai"
    assert font_of["各园区工会、各企业（单位）："] == fonts.body


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        notice(variant="memo")
    with pytest.raises(ValueError):
        Paragraph("正文", level=3)
