"""``report`` as an admin runs it: ``main.py`` in its own process, the figures as JSON and as a table, the
report upward as .xlsx and PDF, and a bad date refused in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from models.paths import DataDir
from tests import test_cli
from tests.helpers import is_chinese, query
from tests.printing.pdf_reading import page_lines
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow

# The command line's fixtures: a data folder found through the environment, a demo database made once.
data_dir = test_cli.data_dir
demo_template = test_cli.demo_template
demo_data_dir = test_cli.demo_data_dir


def scalar(data_dir: DataDir, sql: str, *parameters) -> int:
    return query(data_dir.database, sql, parameters)[0][0] or 0


def test_the_json_holds_the_years_figures_counted_from_the_records(demo_data_dir: DataDir) -> None:
    run = run_cli("report", "--from", "2024-01-01", "--to", "2024-12-31", "--json")

    assert run.code == 0, run.stderr
    data = run.json
    assert data["ok"] is True
    assert data["period"] == {
        "from": "2024-01-01",
        "to": "2024-12-31",
        "label": "2024年1月1日至2024年12月31日",
    }
    # The same figures asked of the database directly: joinings and returns in the year; unions founded in it
    # that did not come from elsewhere (the demo marks those by a transfer-in date), and their staff.
    joined = scalar(
        demo_data_dir, "SELECT count(*) FROM member WHERE joined_on BETWEEN '2024-01-01' AND '2024-12-31'"
    )
    rejoined = scalar(
        demo_data_dir,
        "SELECT count(*) FROM membership_change WHERE kind = 'rejoined' "
        "AND happened_on BETWEEN '2024-01-01' AND '2024-12-31'",
    )
    new_unions = (
        "FROM \"union\" u WHERE founded_on BETWEEN '2024-01-01' AND '2024-12-31' AND transferred_in_on IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM union_event e WHERE e.union_id = u.id AND e.kind = 'transferred_in')"
    )
    assert data["new_members"] == joined + rejoined > 0
    assert data["new_unions"] == scalar(demo_data_dir, f"SELECT count(*) {new_unions}") > 0
    assert data["covered_staff"] == scalar(demo_data_dir, f"SELECT sum(covered_staff) {new_unions}")
    assert data["coverage_100_plus"]["total"] == scalar(
        demo_data_dir,
        "SELECT count(*) FROM employer WHERE staff_count >= 100 AND (founded_on IS NULL OR founded_on <= '2024-12-31')",
    )
    assert 0 < data["coverage_100_plus"]["organized"] <= data["coverage_100_plus"]["total"]
    assert "unions_transferred_in" in data and "notices" in data

    parents = [
        row[0]
        for row in query(demo_data_dir.database, "SELECT name FROM first_level_union ORDER BY sort_order, id")
    ]
    rows = data["by_first_level_union"]
    assert [row["name"] for row in rows] == parents  # every employer of the demo has a first-level union
    for key in ("new_unions", "new_members", "covered_staff", "unions_transferred_in", "members_at_end"):
        assert sum(row[key] for row in rows) == data[key], key
    for part in ("organized", "total"):
        assert sum(row["coverage_100_plus"][part] for row in rows) == data["coverage_100_plus"][part]
    assert sum(row["new_members"] for row in data["by_employer_class"]) == data["new_members"]


def test_without_a_file_the_figures_are_a_table_in_chinese(demo_data_dir: DataDir) -> None:
    run = run_cli("report", "--year", "2024")

    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].endswith("2024年（2024-01-01 至 2024-12-31）工会组建工作统计")
    assert any(line.split()[:1] == ["新建工会"] and line.endswith("家") for line in lines)
    header = lines.index("按一级工会：") + 1
    assert lines[header].split()[:3] == ["一级工会", "新建工会", "覆盖职工"]
    assert any(line.split()[:1] == ["合计"] for line in lines[header:])


def test_the_report_as_a_workbook_holds_the_figures_of_the_json(
    demo_data_dir: DataDir, tmp_path: Path
) -> None:
    figures = run_cli("report", "--half", "2024-1", "--json").json
    target = tmp_path / "2024年上半年报表.xlsx"
    run = run_cli("report", "--half", "2024-1", target)

    assert run.code == 0, run.stderr
    assert "2024年上半年" in run.stdout and str(target) in run.stdout
    workbook = load_workbook(target)
    assert workbook.sheetnames[:3] == ["汇总", "按一级工会", "按单位类型"]
    summary = {row[0]: row[1] for row in workbook["汇总"].iter_rows(min_row=6, values_only=True)}
    assert summary["新建工会"] == figures["new_unions"]
    assert summary["新增会员"] == figures["new_members"]
    assert summary["新建工会覆盖职工"] == figures["covered_staff"]
    assert workbook["汇总"]["A3"].value == "统计期间：2024年上半年（2024-01-01 至 2024-06-30）"
    by_parent = workbook["按一级工会"]
    names = [row[0] for row in by_parent.iter_rows(min_row=6, values_only=True)]
    assert names == [row["name"] for row in figures["by_first_level_union"]] + ["合计"]


def test_the_report_as_a_pdf(demo_data_dir: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "报表.pdf"
    run = run_cli("report", "--quarter", "2024-2", target, "--json", "--bundled-font")

    assert run.code == 0, run.stderr
    assert run.json["path"] == str(target) and run.json["period"]["label"] == "2024年第二季度"
    first = page_lines(PdfReader(target).pages[0])
    assert first[0] == "工会组建工作统计报表"
    assert "统计期间：2024年第二季度（2024-04-01 至 2024-06-30）" in first[1]
    assert f"新增会员{run.json['new_members']:,}人" in first


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        (("--from", "2024-02-30", "--to", "2024-12-31"), "from", "2024-02-30"),
        (("--month", "2024-13"), "period", "月份"),
        (("--half", "2024"), "half", "2020-1"),
        (("--from", "2024-12-31", "--to", "2024-01-01"), "period", "晚于"),
        ((), "period", "请指定统计期间"),
        (("--year", "2024", "报表.docx"), "out", ".xlsx"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(
    demo_data_dir: DataDir, arguments: tuple, field: str, words: str
) -> None:
    run = run_cli("report", *arguments, "--json")

    assert run.code == 1
    assert run.json == {"ok": False, "exit_code": 1, "error": run.json["error"], "field": field}
    assert words in run.json["error"] and is_chinese(run.stderr)
