"""The printed register (台账): landscape A4, every row there, the header on every page, fonts embedded."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest

from models.notice_register import REGISTER_COLUMNS, notice_register
from printing.fonts import DocumentFonts, document_fonts
from printing.notice_register import NoticeRegisterSheet
from printing.official_document import write_documents
from printing.proof_of_service import ProofOfService
from tests.printing.notice_data import Chain, build_chain
from tests.printing.pdf_reading import embedded_font_files, page_lines, read

MADE_AT = dt.datetime(2026, 3, 5, 14, 30)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    chain = build_chain(tmp_path_factory.mktemp("register") / "data")
    yield chain
    chain.engine.dispose()


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


def printed(items: list, fonts: DocumentFonts):
    buffer = io.BytesIO()
    write_documents(buffer, items, fonts)
    return read(buffer.getvalue())


def test_the_register_is_landscape_with_every_number_and_the_fonts_embedded(
    chain: Chain, fonts: DocumentFonts
) -> None:
    entries = notice_register(chain.engine, today=dt.date(2026, 1, 1))
    reader = printed([NoticeRegisterSheet(entries, "全部", MADE_AT, "重庆两江新区总工会")], fonts)
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(841.89, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(595.28, abs=0.5)
    text = "".join(page_lines(page))
    assert "“一函两书”台账" in text and "制表时间：2026-03-05 14:30" in text and "共 3 份" in text
    for heading, _ in REGISTER_COLUMNS:
        assert heading in text
    for entry in entries:
        assert entry.document_number.replace("（", "").split("〔")[0] in text
        assert entry.employer_name[:6] in text
    assert "直接送达" in text and "张经理" in text and "逾期" in text
    assert all(embedded for _, embedded in embedded_font_files(reader))


def test_a_long_register_repeats_its_header_and_numbers_its_pages(chain: Chain, fonts: DocumentFonts) -> None:
    entries = notice_register(chain.engine) * 40
    reader = printed([NoticeRegisterSheet(entries, "全部", MADE_AT)], fonts)
    pages = len(reader.pages)
    assert pages > 3
    for number, page in enumerate(reader.pages, start=1):
        lines = page_lines(page)
        assert any("统一社会信用代码" in line for line in lines)
        assert f"第 {number} 页　共 {pages} 页" in lines


def test_an_empty_register_is_one_page_and_the_next_document_is_portrait_again(fonts: DocumentFonts) -> None:
    receipt = ProofOfService("重庆两江新区总工会", "《工会组建意见函》", "两江工组函〔2026〕1号", "某公司")
    reader = printed([NoticeRegisterSheet([], "2030年", MADE_AT), receipt], fonts)
    assert len(reader.pages) == 2
    assert "共 0 份" in "".join(page_lines(reader.pages[0]))
    assert float(reader.pages[1].mediabox.width) == pytest.approx(595.28, abs=0.5)
