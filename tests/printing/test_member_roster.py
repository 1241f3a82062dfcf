"""The member roster (花名册) printed: the list's rows in its order on landscape A4, masked unless a full
roster is asked for with a reason, every glyph inside its column, the fonts embedded."""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from models.accounts import NotAllowed, create_account, sign_in, sign_out
from models.audit import AuditFilter, audit_entries
from models.database import open_database
from models.demo import DemoPlan, generate_demo
from models.entities import Role
from models.errors import InvalidInput
from models.listing import list_ids
from models.paths import DataDir
from printing.fonts import DocumentFonts, document_fonts
from printing.member_roster import write_member_roster
from tests.helpers import execute, query
from tests.printing.pdf_reading import MM, embedded_font_files, page_glyphs, page_lines, read

MADE_AT = dt.datetime(2026, 3, 5, 14, 30)
PASSWORD = "口令-2026-roster"
HEADINGS = ("序号", "姓名", "性别", "身份证号", "手机号码", "所在工会", "入会日期", "状态")
# The columns' edges in millimetres from the left of the landscape page: 15 mm margins, then 序号 14,
# 姓名 24, 性别 10, 身份证号 40, 手机号码 28, 所在工会 115, 入会日期 22, 状态 14.
EDGES = [edge * MM for edge in (15, 29, 53, 63, 103, 131, 246, 268, 282)]
STATUS = {"active": "在会", "transferred_out": "转出", "withdrawn": "退会"}
LONG_UNION = "重庆两江新区" + "某某智能制造科技产业园区联合" * 6 + "工会委员会"  # 96 characters
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A demo database with one union renamed far beyond a column's width, and three accounts."""
    engine = open_database(DataDir(tmp_path_factory.mktemp("roster")))
    for _ in generate_demo(engine, DemoPlan(employers=60, members=1200, seed=5)):
        pass
    execute(
        engine.url.database,
        'UPDATE "union" SET name = ? WHERE id = (SELECT union_id FROM member ORDER BY id LIMIT 1)',
        (LONG_UNION,),
    )
    create_account(engine, "admin", "管理员甲", Role.ADMINISTRATOR, PASSWORD)
    create_account(engine, "luru", "录入员乙", Role.EDITOR, PASSWORD)
    create_account(engine, "chayue", "查阅丙", Role.READER, PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
def signed_in(engine: Engine) -> Iterator[callable]:
    """Sign someone in for the test; nobody is signed in after it."""
    yield lambda login: sign_in(engine, login, PASSWORD)
    sign_out(engine)


@pytest.fixture(scope="module")
def fonts() -> DocumentFonts:
    return document_fonts(use_office_fonts=False)


def roster(engine: Engine, fonts: DocumentFonts, **options) -> PdfReader:
    buffer = io.BytesIO()
    for _ in write_member_roster(engine, buffer, fonts=fonts, made_at=MADE_AT, **options):
        pass
    return read(buffer.getvalue())


def expected_rows(engine: Engine, masked: bool, **options) -> list[tuple[str, ...]]:
    """The list's rows (its order from models.listing) as the roster should print them, worked out from
    the stored values."""
    stored = {
        row[0]: row[1:]
        for row in query(
            engine.url.database,
            "SELECT m.id, m.name, m.id_number, m.mobile, u.name, m.joined_on, m.status FROM member m "
            'JOIN "union" u ON u.id = m.union_id',
        )
    }
    rows = []
    for serial, member_id in enumerate(list_ids(engine, "members", **options), start=1):
        name, id_number, mobile, union, joined_on, status = stored[member_id]
        sex = "男" if int(id_number[16]) % 2 else "女"
        if masked:
            id_number = id_number[:6] + "********" + id_number[14:]
            mobile = mobile and mobile[:3] + "****" + mobile[7:]
        rows.append((str(serial), name, sex, id_number, mobile or "", union, joined_on[:10], STATUS[status]))
    return rows


def printed_rows(reader: PdfReader) -> list[tuple[str, ...]]:
    """Each page's table read back glyph by glyph: a glyph belongs to the column its left edge is in and
    to the row whose 序号 baseline is nearest (a long union name set on two small lines included)."""
    rows = []
    for page in reader.pages:
        glyphs = page_glyphs(page)
        serials = sorted(
            {round(g.y, 1) for g in glyphs if EDGES[0] <= g.x0 < EDGES[1] and g.char.isdigit()}, reverse=True
        )
        cells = {y: [""] * len(HEADINGS) for y in serials}
        for glyph in sorted(glyphs, key=lambda g: (-g.y, g.x0)):
            column = bisect.bisect_right(EDGES, glyph.x0) - 1
            nearest = min(serials, key=lambda y: abs(y - glyph.y), default=None)
            if 0 <= column < len(HEADINGS) and nearest is not None and abs(nearest - glyph.y) < 8:
                assert glyph.x1 <= EDGES[column + 1] + 0.01, f"{glyph.char} runs out of its column"
                cells[nearest][column] += glyph.char
        rows += [tuple(cells[y]) for y in serials]
    return rows


def test_the_roster_is_the_member_list_masked_on_landscape_a4_with_page_numbers(
    engine: Engine, fonts: DocumentFonts
) -> None:
    reader = roster(engine, fonts)

    assert printed_rows(reader) == expected_rows(engine, masked=True)
    pages = len(reader.pages)
    assert pages > 10
    for number, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) == pytest.approx(841.89, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(595.28, abs=0.5)
        lines = page_lines(page)
        assert lines[0] == "会员花名册"
        assert lines[1] == (
            "范围：全部会员　　共 1,200 人　　制表时间：2026-03-05 14:30　　身份证号、手机号码已隐去部分数字"
        )
        assert lines[2] == "".join(HEADINGS)
        assert lines[-1] == f"第 {number} 页　共 {pages} 页"
    assert all(embedded for _, embedded in embedded_font_files(reader))
    assert reader.metadata.title == "会员花名册"


def test_pypdf_finds_no_whole_id_number_or_phone_in_a_masked_roster(
    engine: Engine, fonts: DocumentFonts
) -> None:
    text = "".join(page.extract_text() for page in roster(engine, fonts).pages)

    stored = query(engine.url.database, "SELECT id_number, mobile FROM member")
    assert not ID_NUMBER.search(text)
    assert not any(number in text for number, _ in stored)
    assert not any(mobile in text for _, mobile in stored if mobile)
    assert all(f"{number[:6]}********{number[14:]}" in text for number, _ in stored)


def test_a_long_union_name_is_set_smaller_within_its_column(engine: Engine, fonts: DocumentFonts) -> None:
    members = query(
        engine.url.database, 'SELECT m.id FROM member m JOIN "union" u ON u.id = m.union_id WHERE u.name = ?',
        (LONG_UNION,),
    )  # fmt: skip
    reader = roster(engine, fonts, filters={"ids": [member_id for (member_id,) in members]})

    unions = {row[5] for row in printed_rows(reader)}  # printed_rows checks every glyph is in its column
    assert len(unions) == 1
    [printed] = unions
    assert printed == LONG_UNION or (printed.endswith("…") and LONG_UNION.startswith(printed[:-1]))


def test_the_roster_follows_the_search_filters_and_order_shown(engine: Engine, fonts: DocumentFonts) -> None:
    options = {"search": "张", "filters": {"status": "active"}, "sort": "joined_on", "descending": True}
    reader = roster(engine, fonts, conditions=["状态：在会"], **options)

    rows = expected_rows(engine, masked=True, **options)
    assert 0 < len(rows) < 1200
    assert printed_rows(reader) == rows
    assert page_lines(reader.pages[0])[1].startswith(f"范围：查找“张”；状态：在会　　共 {len(rows):,} 人")


def test_an_empty_roster_is_one_page_with_its_heading(engine: Engine, fonts: DocumentFonts) -> None:
    reader = roster(engine, fonts, search="没有这个人")

    assert len(reader.pages) == 1
    lines = page_lines(reader.pages[0])
    assert "共 0 人" in lines[1] and lines[2] == "".join(HEADINGS) and lines[-1] == "第 1 页　共 1 页"


def test_a_full_roster_needs_a_reason_and_is_kept_in_the_audit_trail(
    engine: Engine, fonts: DocumentFonts, signed_in, tmp_path: Path
) -> None:
    signed_in("luru")
    with pytest.raises(InvalidInput):
        roster(engine, fonts, full=True, reason=" ")
    before = len(audit_entries(engine, AuditFilter(action="disclose")))
    target = tmp_path / "花名册.pdf"

    for _ in write_member_roster(
        engine, target, fonts=fonts, made_at=MADE_AT, full=True, reason="上报实名制台账"
    ):
        pass

    reader = PdfReader(target)
    assert printed_rows(reader) == expected_rows(engine, masked=False)
    assert "含完整身份证号、手机号码，请妥善保管" in page_lines(reader.pages[0])[1]
    entries = audit_entries(engine, AuditFilter(action="disclose"))
    assert len(entries) == before + 1
    assert entries[0].actor == "luru"
    assert entries[0].changes == {"内容": "会员花名册（完整身份证号、手机号码）", "人数": 1200,
                                  "理由": "上报实名制台账", "去向": "花名册.pdf"}  # fmt: skip


def test_a_reader_gets_the_masked_roster_and_never_a_full_one(
    engine: Engine, fonts: DocumentFonts, signed_in, tmp_path: Path
) -> None:
    signed_in("chayue")
    target = tmp_path / "花名册.pdf"
    with pytest.raises(NotAllowed):
        for _ in write_member_roster(engine, target, fonts=fonts, full=True, reason="上级要求"):
            pass
    assert not target.exists()

    reader = roster(engine, fonts)
    assert printed_rows(reader) == expected_rows(engine, masked=True)
