"""``main.py export``: a list to .xlsx from the command line, in its own process, with its JSON summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.database import create_engine_at
from models.listing import list_ids
from models.paths import DATA_DIR_ENV, DataDir
from tests.helpers import count, is_chinese, query
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-export-demo")
    run = run_cli("--data-dir", root, "demo", "--employers", 80, "--members", 800, "--seed", 5)
    assert run.code == 0, run.stderr
    return DataDir(root).database


@pytest.fixture
def database(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database in the data folder the command line finds through the environment."""
    data_dir = DataDir(tmp_path / "data")
    data_dir.root.mkdir(parents=True)
    shutil.copyfile(demo_template, data_dir.database)
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir.root))
    return data_dir.database


def _rows(path: Path) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()


def _ids(database: Path, listing_key: str, **options) -> list[int]:
    engine = create_engine_at(database)
    try:
        return list_ids(engine, listing_key, **options)
    finally:
        engine.dispose()


def test_export_members_writes_every_member_and_reports_rows_and_path(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "导出" / "会员名册.xlsx"
    target.parent.mkdir()

    run = run_cli("export", "members", target, "--json")

    assert run.code == 0, run.stderr
    assert run.json["ok"] is True
    assert run.json["rows"] == count(database, "member") == 800
    assert Path(run.json["path"]) == target.resolve()
    rows = _rows(target)
    assert rows[0][0].startswith("会员名册（导出时间 ")
    assert rows[1][:2] == ("姓名", "身份证号")
    assert len(rows) == 2 + 800
    assert "已导出会员名册 800 条" in run.stderr
    assert "[100%]" in run.stderr


def test_export_unorganized_lists_the_employers_due_a_union(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "未建会.xlsx"

    run = run_cli("export", "unorganized", target, "--sort", "staff_count", "--descending", "--json")

    assert run.code == 0, run.stderr
    due = query(
        database,
        "SELECT count(*) FROM employer e JOIN federation f ON f.id = 1 WHERE (e.staff_count >= f.staff_threshold "
        "OR (e.employer_class = 'non_public' AND e.staff_count >= f.non_public_staff_threshold)) AND NOT EXISTS "
        '(SELECT 1 FROM union_employer ue JOIN "union" u ON u.id = ue.union_id '
        "WHERE ue.employer_id = e.id AND u.status = 'active')",
    )[0][0]
    assert run.json["rows"] == due > 0
    staff = [row[3] for row in _rows(target)[2:]]
    assert staff == sorted(staff, reverse=True)


def test_search_and_first_level_union_narrow_the_export_as_in_the_window(
    database: Path, tmp_path: Path
) -> None:
    [(parent_id, parent)] = query(database, "SELECT id, name FROM first_level_union ORDER BY id LIMIT 1")
    target = tmp_path / "张.xlsx"

    run = run_cli("export", "members", target, "--search", "张", "--first-level-union", parent, "--json")

    assert run.code == 0, run.stderr
    expected = _ids(database, "members", search="张", filters={"first_level_union": parent_id})
    assert run.json["rows"] == len(expected) > 0
    title = _rows(target)[0][0]
    assert title.startswith(f"会员名册（查找“张”；一级工会：{parent}；导出时间 ")


def test_id_numbers_are_masked_unless_revealed(database: Path, tmp_path: Path) -> None:
    masked, whole = tmp_path / "隐去.xlsx", tmp_path / "完整.xlsx"
    assert run_cli("export", "members", masked).code == 0
    assert run_cli("export", "members", whole, "--full", "--reason", "核对会员实名信息").code == 0

    def id_numbers(path: Path) -> list[str]:
        return [row[1] for row in _rows(path)[2:]]

    assert all("********" in number for number in id_numbers(masked))
    assert set(id_numbers(whole)) == {row[0] for row in query(database, "SELECT id_number FROM member")}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["members", "会员.csv"], "out"),
        (["members", "会员.xlsx", "--sort", "salary"], "sort"),
        (["notices", "文书.xlsx", "--first-level-union", "礼嘉街道工会"], "first_level_union"),
        (["members", "会员.xlsx", "--first-level-union", "没有这个工会"], "first_level_union"),
        (["members", "会员.xlsx", "--full"], "reason"),
        (["members", "会员.pdf", "--full", "--reason", "  "], "reason"),
        (["members", "会员.xlsx", "--reason", "核对"], "reason"),
        (["employers", "单位.pdf"], "out"),
    ],
)
def test_what_cannot_be_exported_is_refused_in_chinese(
    database: Path, tmp_path: Path, arguments: list[str], field: str
) -> None:
    run = run_cli("export", arguments[0], tmp_path / arguments[1], *arguments[2:], "--json")

    assert run.code == 1
    assert run.json["ok"] is False and run.json["field"] == field
    assert is_chinese(run.json["error"])
    assert list(tmp_path.glob("*.*")) == []


def test_an_unknown_list_is_a_usage_error(database: Path, tmp_path: Path) -> None:
    run = run_cli("export", "salaries", tmp_path / "x.xlsx", "--json")

    assert run.code == 2
    assert run.json["ok"] is False
    assert "命令用法有误" in run.stderr
