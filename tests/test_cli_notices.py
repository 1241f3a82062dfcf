"""``notice print|batch|register`` as an admin runs them: ``main.py`` in its own process, files, JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from models.paths import DataDir
from tests import test_cli
from tests.conftest import FANGSONG_STAND_IN_NAME
from tests.helpers import is_chinese, query
from tests.printing.pdf_reading import font_names, page_lines
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow

# The command line's fixtures: a data folder found through the environment, a demo database made once.
data_dir = test_cli.data_dir
demo_template = test_cli.demo_template
demo_data_dir = test_cli.demo_data_dir


def codes(data_dir: DataDir, organised: bool, limit: int) -> list[str]:
    sql = (
        "SELECT credit_code FROM employer WHERE credit_code IS NOT NULL AND id "
        f"{'' if organised else 'NOT '}IN (SELECT employer_id FROM union_employer) ORDER BY id LIMIT ?"
    )
    return [row[0] for row in query(data_dir.database, sql, (limit,))]


def receipts(path: Path) -> int:
    return sum(1 for page in PdfReader(path).pages if page_lines(page)[:1] == ["送达回证"])


def test_a_batch_issues_prints_and_lists_whom_it_skipped(demo_data_dir: DataDir, tmp_path: Path) -> None:
    free = codes(demo_data_dir, organised=False, limit=3)
    organised = codes(demo_data_dir, organised=True, limit=1)
    unknown = "91500000MA5U7A2X3B"
    target = tmp_path / "意见函.pdf"
    given = ",".join([*free, *organised, unknown.lower()])
    run = run_cli(
        "notice",
        "batch",
        "--kind",
        "opinion_letter",
        "--employers",
        given,
        target,
        "--date",
        "2026-01-05",
        "--json",
    )

    assert run.code == 1, run.stderr  # done, but some employers were refused
    summary = run.json
    assert [n["number"] for n in summary["issued"]] == summary["numbers"]
    assert len(summary["numbers"]) == 3 and summary["numbers"][0].endswith("〔2026〕1号")
    skipped = {s["credit_code"]: s["reason_text"] for s in summary["skipped"]}
    assert skipped == {organised[0]: "已建会", unknown: "没有这家单位"}
    assert receipts(target) == 3
    assert "已建会" in run.stderr and "跳过 2 家单位" in run.stderr

    again = run_cli(
        "notice",
        "batch",
        "--kind",
        "opinion_letter",
        "--employers",
        free[0],
        tmp_path / "again.pdf",
        "--json",
    )
    assert again.code == 1 and again.json["issued"] == [] and again.json["path"] is None
    assert again.json["skipped"][0]["reason_text"] == "已有未结的同类文书"
    assert not (tmp_path / "again.pdf").exists()


def test_a_batch_reads_codes_from_a_file_and_writes_one_pdf_per_employer(
    demo_data_dir: DataDir, tmp_path: Path
) -> None:
    free = codes(demo_data_dir, organised=False, limit=2)
    listing = tmp_path / "名单.csv"
    listing.write_bytes(
        ("统一社会信用代码,单位名称\r\n" + "".join(f"{c},某单位\r\n" for c in free)).encode("gbk")
    )
    folder = tmp_path / "文书"
    run = run_cli(
        "notice",
        "batch",
        "--kind",
        "opinion_letter",
        "--employers",
        listing,
        folder,
        "--separate-files",
        "--json",
    )
    assert run.code == 0, run.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    assert sorted(number for number in run.json["numbers"]) == sorted(name.split("_")[0] for name in names)


def test_print_writes_one_notice_with_or_without_its_receipt(demo_data_dir: DataDir, tmp_path: Path) -> None:
    code = codes(demo_data_dir, organised=False, limit=1)[0]
    issued = run_cli(
        "notice", "issue", "--kind", "opinion_letter", "--employer", code, "--date", "2026-01-05", "--json"
    )
    number = issued.json["number"]
    run = run_cli("notice", "print", number, tmp_path / "一份.pdf", "--json")
    assert run.code == 0, run.stderr
    assert run.json["number"] == number and receipts(tmp_path / "一份.pdf") == 1
    text = "".join(page_lines(PdfReader(tmp_path / "一份.pdf").pages[0]))
    assert number in text and "工会组建意见函" in text

    assert run_cli("notice", "print", number, tmp_path / "无回证.pdf", "--no-proof").code == 0
    assert receipts(tmp_path / "无回证.pdf") == 0

    missing = run_cli("notice", "print", "两江工组函〔1999〕9号", tmp_path / "x.pdf", "--json")
    assert missing.code == 1 and is_chinese(missing.json["error"])


def test_bundled_font_leaves_the_pcs_fonts_out(
    demo_data_dir: DataDir, tmp_path: Path, windows_with_fangsong: Path
) -> None:
    code = codes(demo_data_dir, organised=False, limit=1)[0]
    number = run_cli("notice", "issue", "--kind", "opinion_letter", "--employer", code, "--json").json[
        "number"
    ]

    assert run_cli("notice", "print", number, tmp_path / "本机字体.pdf").code == 0
    assert FANGSONG_STAND_IN_NAME in font_names(PdfReader(tmp_path / "本机字体.pdf"))
    assert run_cli("notice", "print", number, tmp_path / "自带字体.pdf", "--bundled-font").code == 0
    assert font_names(PdfReader(tmp_path / "自带字体.pdf")) == {"WenQuanYiMicroHei-0"}


def test_register_writes_xlsx_and_pdf_and_refuses_other_files(demo_data_dir: DataDir, tmp_path: Path) -> None:
    free = codes(demo_data_dir, organised=False, limit=2)
    run_cli(
        "notice",
        "batch",
        "--kind",
        "opinion_letter",
        "--employers",
        ",".join(free),
        tmp_path / "b.pdf",
        "--date",
        "2026-01-05",
    )

    xlsx = run_cli("notice", "register", tmp_path / "台账.xlsx", "--year", "2026", "--json")
    assert xlsx.code == 0, xlsx.stderr
    assert xlsx.json["count"] == 2
    sheet = load_workbook(tmp_path / "台账.xlsx").active
    assert [sheet.cell(row, 1).value for row in (3, 4)] == xlsx.json["numbers"]

    pdf = run_cli("notice", "register", tmp_path / "台账.pdf", "--kind", "opinion_letter", "--json")
    assert pdf.code == 0 and pdf.json["count"] == 2
    page = PdfReader(tmp_path / "台账.pdf").pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height), "landscape"

    wrong = run_cli("notice", "register", tmp_path / "台账.docx", "--json")
    assert wrong.code == 1 and ".xlsx" in wrong.json["error"]


def test_a_broken_wording_file_stops_a_batch_before_any_number_is_given(
    demo_data_dir: DataDir, tmp_path: Path
) -> None:
    edited = demo_data_dir.root / "notices" / "opinion_letter.toml"
    edited.parent.mkdir()
    edited.write_text('title = "工会组建意见函\n', encoding="utf-8")
    code = codes(demo_data_dir, organised=False, limit=1)[0]
    run = run_cli(
        "notice", "batch", "--kind", "opinion_letter", "--employers", code, tmp_path / "b.pdf", "--json"
    )
    assert run.code == 2 and "opinion_letter.toml" in run.json["error"] and "第 1 行" in run.json["error"]
    assert query(demo_data_dir.database, "SELECT count(*) FROM notice") == [(0,)]
