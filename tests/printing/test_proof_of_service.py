"""送达回证: one page per notice, blanks left for handwriting, all inside the GB/T 9704 text block."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from printing.fonts import DocumentFonts, document_fonts
from printing.official_document import OfficialDocument, document_pdf, write_documents
from printing.proof_of_service import ProofOfService
from printing.typesetting import BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP
from tests.printing.pdf_reading import MM, embedded_font_files, lines, page_glyphs, read, text_of

TITLE = "关于做好2020年度企业建会入会工作和“一函两书”送达工作的通知"


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


def receipt(**changes: object) -> ProofOfService:
    fields: dict[str, object] = {
        "issuing_body": "重庆两江新区总工会",
        "document_title": TITLE,
        "document_number": "两江工组函〔2020〕3号",
        "recipient": "重庆某某科技有限公司",
        "address": "重庆市渝北区金开大道99号",
    }
    fields.update(changes)
    return ProofOfService(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def blank(fonts: DocumentFonts) -> PdfReader:
    return read(document_pdf(receipt(), fonts))


@pytest.fixture(scope="module")
def filled(fonts: DocumentFonts) -> PdfReader:
    proof = receipt(
        method="留置送达",
        served_by="张三、李四",
        signed_by="王五",
        signed_on=dt.date(2020, 3, 6),
        served_on=dt.date(2020, 3, 6),
        remarks="受送达人拒绝签收，由见证人赵六在场见证。",
    )
    return read(document_pdf(proof, fonts))


def squeezed(pdf: PdfReader) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))


def test_a_receipt_is_one_a4_page(blank: PdfReader) -> None:
    assert len(blank.pages) == 1
    page = blank.pages[0]
    assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


def test_the_form_names_what_was_served_and_to_whom(blank: PdfReader) -> None:
    text = squeezed(blank)
    for expected in (
        "送达回证",
        "送达机关重庆两江新区总工会",
        "两江工组函〔2020〕3号",
        "受送达人重庆某某科技有限公司",
        "送达地点重庆市渝北区金开大道99号",
        "受送达人签名或盖章",
        "见证人",
        "备注",
        "受送达人拒绝签收的，送达人应当在备注栏注明情况，并由见证人签名。",
    ):
        assert expected in text, expected
    assert re.sub(r"\s+", "", TITLE) in text


def test_blank_fields_are_left_to_fill_in_by_hand(blank: PdfReader) -> None:
    text = squeezed(blank)
    assert text.count("年月日") == 3, "signature, server and witness each get a date to write"
    assert "□直接送达□邮寄送达□留置送达" in text, "no method given: boxes to tick"


def test_given_values_are_printed(filled: PdfReader) -> None:
    text = squeezed(filled)
    assert "送达方式留置送达" in text
    assert "王五" in text and "张三、李四" in text
    assert text.count("2020年3月6日") == 2
    assert text.count("年月日") == 1, "only the witness's date is left blank"
    assert "受送达人拒绝签收，由见证人赵六在场见证。" in text
    assert "□" not in text


def test_the_title_is_22_pt_and_the_form_16_pt(blank: PdfReader) -> None:
    page = lines(page_glyphs(blank.pages[0]))
    assert text_of(page[0]) == "送达回证"
    assert {glyph.size for glyph in page[0]} == {22}
    centre = (page[0][0].x0 + page[0][-1].x1) / 2
    assert centre == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=1 * MM)
    assert {glyph.size for line in page[1:] for glyph in line} <= {16, 14}


@pytest.mark.parametrize("name", ["blank", "filled"])
def test_everything_lies_inside_the_text_block(name: str, request: pytest.FixtureRequest) -> None:
    pdf: PdfReader = request.getfixturevalue(name)
    for glyph in page_glyphs(pdf.pages[0]):
        assert glyph.x0 >= BLOCK_LEFT - 1 * MM and glyph.x1 <= BLOCK_RIGHT + 1 * MM, glyph
        assert glyph.y - 0.12 * glyph.size >= BLOCK_BOTTOM - 1 * MM, glyph
        assert glyph.y + 0.88 * glyph.size <= BLOCK_TOP + 1 * MM, glyph


def test_the_table_is_drawn_inside_the_text_block(blank: PdfReader) -> None:
    content = blank.pages[0].get_contents().get_data().decode("latin-1")
    numbers = [
        float(value)
        for value in re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l", content)
        for value in value
    ]
    rectangle = re.search(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", content)
    assert numbers and rectangle
    x, y, width, height = (float(value) for value in rectangle.groups())
    assert x == pytest.approx(BLOCK_LEFT) and x + width == pytest.approx(BLOCK_RIGHT)
    assert y >= BLOCK_BOTTOM and y + height <= BLOCK_TOP
    assert height > 150 * MM, "rows tall enough to write in"


def test_long_values_wrap_and_stay_on_the_page(fonts: DocumentFonts) -> None:
    address = "重庆两江新区某某街道某某社区某某路某某号某某大厦某某层某某室"
    pdf = read(document_pdf(receipt(address=address * 2, remarks=address * 2), fonts))
    assert address * 2 in squeezed(pdf)
    assert {glyph.size for glyph in page_glyphs(pdf.pages[0])} == {22, 16, 14}, "still 3号"


def test_text_too_long_for_the_form_is_set_smaller_not_cut(fonts: DocumentFonts) -> None:
    remarks = "受送达人拒绝签收，送达人在场说明情况并拍照留存，见证人在场见证。" * 12
    pdf = read(document_pdf(receipt(remarks=remarks), fonts))
    assert len(pdf.pages) == 1
    assert remarks in squeezed(pdf)
    glyphs = page_glyphs(pdf.pages[0])
    assert min(glyph.size for glyph in glyphs) < 16
    assert all(glyph.y - 0.12 * glyph.size >= BLOCK_BOTTOM - 1 * MM for glyph in glyphs)


def test_receipts_interleave_with_notices_and_embed_their_fonts(fonts: DocumentFonts) -> None:
    notice = OfficialDocument(
        issuing_body_mark="重庆两江新区总工会文件",
        document_number="两江工组函〔2020〕3号",
        title=TITLE,
        addressee="重庆某某科技有限公司",
        body=["请认真组织实施。"],
        signature="重庆两江新区总工会",
        date=dt.date(2020, 3, 5),
    )
    buffer = io.BytesIO()
    write_documents(buffer, [notice, receipt(), notice, receipt()], fonts)
    pdf = read(buffer.getvalue())
    first_lines = [text_of(lines(page_glyphs(page))[0]) for page in pdf.pages]
    assert first_lines[1] == first_lines[3] == "送达回证"
    assert first_lines[0] == first_lines[2] == "重庆两江新区总工会文件"
    assert all(embedded for _, embedded in embedded_font_files(pdf))


def test_the_label_and_author_name_the_receipt() -> None:
    proof = receipt()
    assert proof.label == "送达回证：重庆某某科技有限公司"
    assert proof.author == "重庆两江新区总工会"
