"""The audit trail as an administrator would check it: each change of a record leaves exactly one entry with
who, when, which record and the fields' old and new values; nothing else leaves one; ``check`` notices an
entry edited, deleted or a trigger dropped by someone with a SQLite tool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date

import pytest
from sqlalchemy import Engine, text

from models import codes
from models.accounts import SignedIn, create_account, set_password, sign_in_as, sign_out
from models.audit import (
    HIDDEN,
    AuditFilter,
    AuditRow,
    audit_actors,
    audit_entries,
    audit_trail_problems,
    record_disclosure,
    set_actor,
)
from models.checks import check_database
from models.database import writing
from models.employers import add_employer
from models.entities import EmployerClass, Member, Role
from models.errors import InvalidInput
from models.imports import MemberRow, write_members
from models.members import recycle_members
from models.paths import DataDir
from models.registers import add_member, update_member
from tests.helpers import query, tool_connection

CLERK = SignedIn("wangfang", "王芳", Role.EDITOR)
ID_NUMBER = "500112199001010017"  # sum of weighted digits 137, 137 mod 11 = 5: 7
SECOND_ID_NUMBER = "500112198505050528"  # sum of weighted digits 224, 224 mod 11 = 4: 8


@pytest.fixture
def clerk(engine: Engine) -> Iterator[SignedIn]:
    """王芳 (an editor) is signed in: the trail names her by her login name."""
    sign_in_as(engine, CLERK)
    yield CLERK
    sign_out(engine)


def last_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_entry")).scalar_one()


def entries_since(engine: Engine, mark: int) -> list[AuditRow]:
    """The entries written after entry ``mark``, oldest first."""
    return [row for row in reversed(audit_entries(engine, limit=None)) if row.id > mark]


def add_zhang_san(engine: Engine, union_id: int):
    return add_member(
        engine,
        name="张三",
        id_number=ID_NUMBER,
        union=union_id,
        joined_on=date(2020, 1, 1),
        mobile="13800000001",
    )


def zhang_sans_fields(union_id: int, mobile: str = "13800000001") -> dict:
    """Every column the trail keeps of 张三 as the form adds him: no id, uuid or stamps (the entry has its
    own), the search text neither (it follows from the others)."""
    return {
        "name": "张三",
        "id_number": ID_NUMBER,
        "ethnicity": None,
        "political_status": None,
        "education": None,
        "mobile": mobile,
        "household_type": None,
        "employment_form": "regular",
        "flexible_occupation": None,
        "union_id": union_id,
        "joined_on": "2020-01-01",
        "join_channel": "regular",
        "status": "active",
        "left_on": None,
    }


def problems(engine: Engine) -> tuple[int, list[str]]:
    with engine.connect() as connection:
        return audit_trail_problems(connection)


# --- what a change writes ---------------------------------------------------------------------------------


def test_the_check_digits_of_the_numbers_used_here() -> None:
    assert codes.check_id_number(ID_NUMBER) == ID_NUMBER
    assert codes.check_id_number(SECOND_ID_NUMBER) == SECOND_ID_NUMBER


def test_adding_a_member_writes_one_insert_entry_with_the_member_and_every_field(
    engine: Engine, union_id: int, clerk: SignedIn
) -> None:
    mark = last_id(engine)

    record = add_zhang_san(engine, union_id)

    [entry] = entries_since(engine, mark)
    assert (entry.action, entry.table_name, entry.record_uuid, entry.actor) == (
        "insert",
        "member",
        record.uuid,
        "wangfang",
    )
    assert entry.changes == zhang_sans_fields(union_id)
    assert entry.at.startswith(date.today().isoformat())
    assert len(entry.at) == len("2026-11-24 09:30:00")


def test_changing_the_phone_writes_the_phone_alone_with_old_and_new(
    engine: Engine, union_id: int, clerk: SignedIn
) -> None:
    record = add_zhang_san(engine, union_id)
    mark = last_id(engine)

    update_member(
        engine, record.id, name="张三", id_number=ID_NUMBER, union=union_id, joined_on=date(2020, 1, 1),
        mobile="139 0000 0002",
    )  # fmt: skip

    [entry] = entries_since(engine, mark)
    assert (entry.action, entry.record_uuid, entry.actor) == ("update", record.uuid, "wangfang")
    assert entry.changes == {"mobile": ["13800000001", "13900000002"]}


def test_saving_unchanged_or_touching_only_the_stamp_writes_nothing(engine: Engine, union_id: int) -> None:
    record = add_zhang_san(engine, union_id)
    mark = last_id(engine)

    update_member(
        engine, record.id, name="张三", id_number=ID_NUMBER, union=union_id, joined_on=date(2020, 1, 1),
        mobile="13800000001",
    )  # fmt: skip
    with writing(engine) as s, s.begin():  # what a save of an unchanged form amounts to at worst
        s.execute(
            text("UPDATE member SET updated_at = '2030-01-01 00:00:00.000000' WHERE id = :id"),
            {"id": record.id},
        )

    assert entries_since(engine, mark) == []


def test_recycling_writes_a_delete_entry_with_the_old_values(
    engine: Engine, union_id: int, clerk: SignedIn
) -> None:
    record = add_zhang_san(engine, union_id)
    mark = last_id(engine)

    recycle_members(engine, [record.id], "重复登记")

    written = entries_since(engine, mark)
    deleted = [entry for entry in written if entry.action == "delete"]
    assert [(entry.table_name, entry.record_uuid, entry.actor) for entry in deleted] == [
        ("member", record.uuid, "wangfang")
    ]
    assert deleted[0].changes == zhang_sans_fields(union_id)
    # The recycle bin's own row is a record too, added in the same transaction.
    assert [(entry.action, entry.table_name) for entry in written] == [
        ("insert", "recycled_record"),
        ("delete", "member"),
    ]


def test_a_rolled_back_change_or_a_refused_one_writes_nothing(engine: Engine, union_id: int) -> None:
    record = add_zhang_san(engine, union_id)
    mark = last_id(engine)

    with pytest.raises(RuntimeError), writing(engine) as s, s.begin():
        s.get(Member, record.id).mobile = "13900000002"
        s.flush()  # the UPDATE ran, and its trigger with it
        raise RuntimeError("the clerk's PC lost power")
    with pytest.raises(InvalidInput):  # the same ID number again: refused after the union was looked up
        add_member(engine, name="张三", id_number=ID_NUMBER, union=union_id, joined_on=date(2021, 1, 1))

    assert entries_since(engine, mark) == []
    assert query(engine.url.database, "SELECT mobile FROM member")[0][0] == "13800000001"


def test_an_import_writes_one_entry_naming_every_member_and_the_file(
    engine: Engine, union_id: int, clerk: SignedIn
) -> None:
    rows = [
        MemberRow("张三", ID_NUMBER, union_id, date(2020, 1, 1)),
        MemberRow("李四", SECOND_ID_NUMBER, union_id, date(2021, 6, 1), mobile="13800000003"),
        MemberRow("王五", "11010519491231002X", union_id, date(2022, 3, 1)),
    ]
    mark = last_id(engine)

    for _ in write_members(engine, rows, source={"来源": "导入", "文件": "会员.xlsx", "工作表": "Sheet1"}):
        pass

    [entry] = entries_since(engine, mark)
    uuids = [row[0] for row in query(engine.url.database, "SELECT uuid FROM member ORDER BY id")]
    assert (entry.action, entry.table_name, entry.record_uuid, entry.actor) == (
        "bulk_insert",
        "member",
        None,
        "wangfang",
    )
    assert entry.changes == {
        "来源": "导入",
        "文件": "会员.xlsx",
        "工作表": "Sheet1",
        "条数": 3,
        "记录": uuids,
    }
    # The record's history begins with the import that brought it in.
    assert [row.id for row in audit_entries(engine, AuditFilter(record_uuid=uuids[1]))] == [entry.id]
    # The insert trigger is back: a member added afterwards has an entry of its own.
    assert problems(engine) == (0, [])


def test_a_new_password_never_puts_the_hash_in_the_trail(engine: Engine) -> None:
    mark = last_id(engine)
    account_id = create_account(engine, "admin", "刘主任", Role.ADMINISTRATOR, "第一个密码1234")
    set_password(engine, account_id, "第二个密码5678")

    written = [entry for entry in entries_since(engine, mark) if entry.table_name == "account"]
    assert [entry.action for entry in written] == ["insert", "update"]
    assert written[0].changes["password_hash"] == HIDDEN == "（不记录内容）"
    assert written[0].changes["login_name"] == "admin"
    assert written[1].changes == {"password_hash": [HIDDEN, "已更改"]}
    stored = query(engine.url.database, "SELECT password_hash FROM account")[0][0]
    trail = " ".join(row[0] for row in query(engine.url.database, "SELECT changes FROM audit_entry"))
    assert stored.startswith("scrypt$") and stored not in trail and "scrypt" not in trail


def test_a_disclosure_says_what_how_many_why_and_where(engine: Engine) -> None:
    mark = last_id(engine)

    record_disclosure(engine, "会员名册", 120, "上报市总工会", "D:/上报/会员名册.xlsx")

    [entry] = entries_since(engine, mark)
    assert (entry.action, entry.table_name, entry.record_uuid) == ("disclose", "member", None)
    assert entry.changes == {
        "内容": "会员名册",
        "人数": 120,
        "理由": "上报市总工会",
        "去向": "D:/上报/会员名册.xlsx",
    }


# --- check ---------------------------------------------------------------------------------------------------


@pytest.fixture
def trail(engine: Engine, union_id: int) -> list[AuditRow]:
    """A trail of a few entries: 张三 added, his phone changed twice. Oldest first."""
    record = add_zhang_san(engine, union_id)
    for mobile in ("13900000002", "13900000003"):
        update_member(
            engine, record.id, name="张三", id_number=ID_NUMBER, union=union_id, joined_on=date(2020, 1, 1),
            mobile=mobile,
        )  # fmt: skip
    return list(reversed(audit_entries(engine, limit=None)))


def run_tool(data_dir: DataDir, sql: str) -> None:
    """What someone with sqlite3.exe (and the program's two functions) does to the file."""
    with closing(tool_connection(data_dir.database)) as connection, connection:
        connection.execute(sql)


def test_a_clean_trail_passes_check(engine: Engine, trail: list[AuditRow]) -> None:
    assert len(trail) == 5  # the first-level union, the union, 张三, two changes of his phone
    assert problems(engine) == (0, [])
    report = check_database(engine)
    assert report.problems["audit_trail"] == 0 and report.total == 0


def test_an_entry_edited_by_hand_is_caught(engine: Engine, data_dir: DataDir, trail: list[AuditRow]) -> None:
    first_change = trail[3]
    assert first_change.changes == {"mobile": ["13800000001", "13900000002"]}

    run_tool(
        data_dir,
        f"UPDATE audit_entry SET changes = replace(changes, '13900000002', '13900000009') WHERE id = {first_change.id}",
    )

    # Only that entry: the next one was chained to the hash stored with it, which is unchanged.
    expected = (
        f"审计记录 #{first_change.id}（{first_change.at}，{first_change.actor}）与记录时的内容不符，已被改动"
    )
    assert problems(engine) == (1, [expected])
    report = check_database(engine)
    assert report.problems["audit_trail"] == 1 and expected in report.examples


def test_an_entry_whose_actor_was_changed_is_caught(
    engine: Engine, data_dir: DataDir, trail: list[AuditRow]
) -> None:
    entry = trail[4]

    run_tool(data_dir, f"UPDATE audit_entry SET actor = '别人' WHERE id = {entry.id}")

    assert problems(engine) == (1, [f"审计记录 #{entry.id}（{entry.at}，别人）与记录时的内容不符，已被改动"])


def test_an_entry_deleted_in_the_middle_is_caught(
    engine: Engine, data_dir: DataDir, trail: list[AuditRow]
) -> None:
    gone, after = trail[2], trail[3]

    run_tool(data_dir, f"DELETE FROM audit_entry WHERE id = {gone.id}")

    # A gap in the numbers, and the entry after it no longer follows the one before it.
    assert problems(engine) == (
        2,
        [
            f"审计记录 #{gone.id}–#{gone.id} 已被删除",
            f"审计记录 #{after.id}（{after.at}，{after.actor}）与记录时的内容不符，已被改动",
        ],
    )


def test_the_last_entry_deleted_is_caught(engine: Engine, data_dir: DataDir, trail: list[AuditRow]) -> None:
    last = trail[-1]

    run_tool(data_dir, f"DELETE FROM audit_entry WHERE id = {last.id}")

    # Nothing after it to break, but SQLite remembers the number it handed out.
    assert problems(engine) == (1, [f"最后的审计记录 #{last.id}–#{last.id} 已被删除"])


def test_a_dropped_trigger_is_caught(engine: Engine, data_dir: DataDir, trail: list[AuditRow]) -> None:
    run_tool(data_dir, "DROP TRIGGER audit_member_update")

    assert problems(engine) == (
        1,
        ["审计触发器 audit_member_update 缺失或已被改动：对该表的修改可能未被记录"],
    )
    assert check_database(engine).problems["audit_trail"] == 1


# --- reading the trail ----------------------------------------------------------------------------------------


def test_the_filters_return_what_they_should(engine: Engine, data_dir: DataDir) -> None:
    """Four employers by two people on four days around the end of April, then one changed."""
    made = []
    for actor, name in (
        ("wangfang", "甲公司"),
        ("liqiang", "乙公司"),
        ("wangfang", "丙公司"),
        ("liqiang", "丁公司"),
    ):
        set_actor(engine, actor)
        made.append(add_employer(engine, name=name, employer_class=EmployerClass.NON_PUBLIC))
    set_actor(engine, "wangfang")
    with writing(engine) as s, s.begin():
        s.execute(text("UPDATE employer SET staff_count = 120 WHERE uuid = :uuid"), {"uuid": made[1].uuid})
    set_actor(engine, None)
    entries = list(reversed(audit_entries(engine, limit=None)))[-5:]  # oldest first
    days = ("2026-03-31 23:59:59", "2026-04-01 00:00:00", "2026-04-30 23:59:59", "2026-05-01 00:00:00",
            "2026-05-02 08:00:00")  # fmt: skip
    for entry, day in zip(entries, days, strict=True):  # as if written on those days
        run_tool(data_dir, f"UPDATE audit_entry SET at = '{day}' WHERE id = {entry.id}")
    ids = [entry.id for entry in entries]

    def found(**criteria) -> list[int]:
        return [row.id for row in audit_entries(engine, AuditFilter(**criteria)) if row.id in ids]

    assert found() == ids[::-1]  # newest first
    assert found(actor="wangfang") == [ids[4], ids[2], ids[0]]
    assert found(actor="liqiang") == [ids[3], ids[1]]
    assert found(since=date(2026, 4, 1), until=date(2026, 4, 30)) == [ids[2], ids[1]]
    assert found(since=date(2026, 5, 1)) == [ids[4], ids[3]]
    assert found(until=date(2026, 3, 31)) == [ids[0]]
    assert found(record_uuid=made[1].uuid) == [ids[4], ids[1]]
    assert found(action="update") == [ids[4]]
    assert found(table_name="employer", action="insert", actor="liqiang", since=date(2026, 4, 2)) == [ids[3]]
    assert found(table_name="member") == []
    assert [row.id for row in audit_entries(engine, AuditFilter(table_name="employer"), limit=2)] == [
        ids[4],
        ids[3],
    ]
    assert {"wangfang", "liqiang"} <= set(audit_actors(engine))
    [changed] = audit_entries(engine, AuditFilter(action="update"))
    assert changed.changes == {"staff_count": [None, 120]}
