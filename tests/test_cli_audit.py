"""``audit`` as an administrator runs it: ``main.py`` in its own process, the newest entries with a count,
the filters, the export, whole ID numbers only with a reason, and nobody but an administrator."""

from __future__ import annotations

import getpass
import json
from contextlib import closing
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from models.accounts import create_account
from models.database import open_database
from models.entities import Role
from models.paths import DataDir
from tests import test_cli
from tests.helpers import is_chinese, query, tool_connection
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow

data_dir = test_cli.data_dir
demo_template = test_cli.demo_template
demo_data_dir = test_cli.demo_data_dir

ME = f"{getpass.getuser()}（本机用户）"
ID_NUMBER = "500112199001010017"  # weighted digit sum 137, 137 mod 11 = 5: check character 7
MASKED_ID = "500112********0017"


def add_zhang_san(demo_data_dir: DataDir) -> str:
    """张三 joins the first union of the demo, from the command line; returns his UUID."""
    union = query(demo_data_dir.database, "SELECT name FROM \"union\" WHERE status = 'active' ORDER BY id")[
        0
    ][0]
    run = run_cli(
        "member", "add", "--name", "张三", "--id-number", ID_NUMBER, "--union", union, "--joined-on", "2020-01-01",
        "--mobile", "13800000001", "--json",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    return run.json["member"]["uuid"]


def test_the_newest_entries_come_first_with_a_count(demo_data_dir: DataDir) -> None:
    uuid = add_zhang_san(demo_data_dir)
    total = query(demo_data_dir.database, "SELECT count(*) FROM audit_entry")[0][0]

    run = run_cli("audit", "--limit", 5, "--json")

    assert run.code == 0, run.stderr
    data = run.json
    assert (data["count"], data["more"], data["limit"]) == (5, True, 5)
    newest = data["entries"][0]
    assert (newest["action"], newest["action_name"], newest["table"], newest["table_name"]) == (
        "insert",
        "新增",
        "member",
        "会员",
    )
    assert (newest["record_uuid"], newest["record"], newest["actor"]) == (uuid, "张三", ME)
    fields = {field["label"]: (field["old"], field["new"]) for field in newest["fields"]}
    assert fields["姓名"] == ("", "张三")
    assert fields["身份证号"] == ("", MASKED_ID), "masked as in every list"
    assert fields["手机号码"] == ("", "138****0001")
    assert newest["summary"] == f"姓名：张三；身份证号：{MASKED_ID}；手机号码：138****0001 等 8 项"
    assert [entry["id"] for entry in data["entries"]] == list(range(total, total - 5, -1))

    text = run_cli("audit", "--limit", 5)
    lines = text.stdout.strip().splitlines()
    assert lines[0] == "审计记录" and len(lines) == 7
    assert lines[1].startswith(date.today().isoformat()) and f"{ME}  新增" in lines[1]
    assert lines[1].endswith(f"会员 张三  姓名：张三；身份证号：{MASKED_ID}；手机号码：138****0001 等 8 项")
    assert lines[-1] == "仅列出最近 5 条，请用条件缩小范围（--record、--actor、--since、--until）。"


def test_one_records_history_includes_the_import_that_brought_it(demo_data_dir: DataDir) -> None:
    uuid = add_zhang_san(demo_data_dir)
    demo_member = query(demo_data_dir.database, "SELECT uuid FROM member ORDER BY id LIMIT 1")[0][0]
    members = query(demo_data_dir.database, "SELECT count(*) FROM member WHERE uuid != ?", (uuid,))[0][0]

    mine = run_cli("audit", "--record", uuid, "--json")
    imported = run_cli("audit", "--record", demo_member, "--json")

    assert [entry["action"] for entry in mine.json["entries"]] == ["insert"]
    assert mine.json["count"] == 1 and mine.json["more"] is False
    [bulk] = imported.json["entries"]
    assert (bulk["action_name"], bulk["table_name"], bulk["record_count"]) == ("批量新增", "会员", members)
    assert bulk["facts"]["来源"] == "演示数据"
    assert bulk["summary"] == f"来源：演示数据；条数：{members:,}"


def test_filters_by_person_and_date_and_refusals_in_chinese(demo_data_dir: DataDir) -> None:
    add_zhang_san(demo_data_dir)
    total = query(demo_data_dir.database, "SELECT count(*) FROM audit_entry")[0][0]
    tomorrow = date.today() + timedelta(days=1)

    everyone = run_cli("audit", "--actor", getpass.getuser(), "--limit", 100_000, "--json")
    nobody = run_cli("audit", "--actor", "不存在的人", "--json")
    from_tomorrow = run_cli("audit", "--since", tomorrow.isoformat())
    today = run_cli(
        "audit", "--since", date.today().isoformat(), "--until", date.today().isoformat(), "--json"
    )
    bad_date = run_cli("audit", "--since", "2026-13-01", "--json")
    reversed_dates = run_cli("audit", "--since", "2026-05-01", "--until", "2026-04-01", "--json")

    assert everyone.code == 0 and everyone.json["count"] == total, "one person did everything"
    assert {entry["actor"] for entry in everyone.json["entries"]} == {ME}
    assert (
        nobody.code == 1 and nobody.json["error"] == f"审计记录中没有“不存在的人”的操作。记录中的人员有：{ME}"
    )
    assert from_tomorrow.code == 0 and from_tomorrow.stdout.strip().splitlines()[-1] == "共 0 条。"
    assert today.json["count"] == min(total, 200)
    assert bad_date.code == 1 and bad_date.json["error"] == "日期“2026-13-01”无效，请写成 2020-03-05 的形式"
    assert reversed_dates.code == 1 and is_chinese(reversed_dates.json["error"])


def test_the_export_writes_what_is_listed_with_phones_masked(demo_data_dir: DataDir, tmp_path) -> None:
    uuid = add_zhang_san(demo_data_dir)
    target = tmp_path / "审计记录.xlsx"

    run = run_cli("audit", "--record", uuid, "--export", target, "--json")

    assert run.code == 0, run.stderr
    assert run.json["path"] == str(target) and run.json["count"] == 1
    rows = [row for row in load_workbook(target).active.iter_rows(values_only=True)]
    assert rows[0][0].startswith(f"审计记录（记录：{uuid}；导出时间 ") and rows[0][0].endswith("共 1 条）")
    assert rows[1] == ("时间", "人员", "操作", "对象", "内容", "详细内容", "记录 UUID")
    assert rows[2][1:5] == (ME, "新增", "会员 张三", run.json["entries"][0]["summary"])
    assert rows[2][6] == uuid
    assert f"身份证号：{MASKED_ID}" in rows[2][5] and ID_NUMBER not in str(rows)


def test_whole_id_numbers_need_a_reason_which_the_trail_keeps(demo_data_dir: DataDir, tmp_path) -> None:
    uuid = add_zhang_san(demo_data_dir)
    target = tmp_path / "完整.xlsx"

    without = run_cli("audit", "--record", uuid, "--full", "--export", target, "--json")
    written_without = target.exists()
    reason_alone = run_cli("audit", "--record", uuid, "--reason", "核对身份证号", "--json")
    run = run_cli(
        "audit", "--record", uuid, "--full", "--reason", "核对身份证号", "--export", target, "--json"
    )
    on_screen = run_cli("audit", "--record", uuid, "--full", "--reason", "电话核实")

    assert without.code == 1 and not written_without
    assert without.json["error"] == "完整显示或导出身份证号和手机号码须用 --reason 说明理由（将记入审计记录）"
    assert reason_alone.code == 1 and is_chinese(reason_alone.json["error"])
    assert run.code == 0, run.stderr
    rows = [row for row in load_workbook(target).active.iter_rows(values_only=True)]
    assert f"身份证号：{ID_NUMBER}" in rows[2][5] and "含完整身份证号、手机号码" in rows[0][0]
    assert run.json["entries"][0]["fields"][1] == {
        "field": "id_number",
        "label": "身份证号",
        "old": "",
        "new": ID_NUMBER,
    }
    assert f"身份证号：{ID_NUMBER}" in on_screen.stdout
    disclosures = query(
        demo_data_dir.database,
        "SELECT actor, changes FROM audit_entry WHERE action = 'disclose' ORDER BY id",
    )
    assert [(actor, json.loads(changes)) for actor, changes in disclosures] == [
        (
            ME,
            {
                "内容": "审计记录（完整身份证号、手机号码）",
                "人数": 1,
                "理由": "核对身份证号",
                "去向": "完整.xlsx",
            },
        ),
        (ME, {"内容": "审计记录（完整身份证号、手机号码）", "人数": 1, "理由": "电话核实", "去向": "命令行"}),
    ]


def test_only_an_administrator_may_read_the_trail(demo_data_dir: DataDir, monkeypatch) -> None:
    engine = open_database(demo_data_dir)
    try:
        create_account(engine, "admin", "刘主任", Role.ADMINISTRATOR, "管理员的密码123")
        create_account(engine, "chayue", "赵查阅", Role.READER, "查阅员的密码123")
    finally:
        engine.dispose()
    monkeypatch.setenv("UNIONDESK_PASSWORD", "查阅员的密码123")

    reader = run_cli("audit", "--account", "chayue", "--json")
    monkeypatch.setenv("UNIONDESK_PASSWORD", "管理员的密码123")
    admin = run_cli("audit", "--account", "admin", "--limit", 3, "--json")

    assert reader.code == 2
    assert reader.json["error"] == "查看审计记录需要管理员权限；当前账户“chayue”是查阅。"
    assert admin.code == 0, admin.stderr
    assert admin.json["entries"][0]["table_name"] == "账户"


def test_check_catches_an_entry_edited_with_sqlite(demo_data_dir: DataDir) -> None:
    with closing(tool_connection(demo_data_dir.database)) as connection, connection:
        connection.execute("UPDATE audit_entry SET actor = '别人' WHERE id = 3")

    run = run_cli("check", "--json")

    assert run.code == 1
    assert run.json["problems"]["audit_trail"] == 1
    assert any(example.startswith("审计记录 #3（") for example in run.json["examples"])
