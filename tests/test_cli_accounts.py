"""The command line with accounts switched on: it works as an account, with that account's rights."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine

from models.accounts import create_account, sign_in, sign_out
from models.entities import Role
from models.paths import DataDir
from tests.helpers import count, dump, is_chinese, query
from tests.test_cli import run_cli

NEW_MEMBER = ("--name", "柳青", "--id-number", "11010519491231002X", "--joined-on", "2020-03-05")


@pytest.fixture
def office(demo_engine: Engine, data_dir: DataDir) -> DataDir:
    """The demo database with accounts on: an administrator, an editor 小李 and a reader 老王."""
    create_account(demo_engine, "admin", "张主任", Role.ADMINISTRATOR, "admin-pass-1")
    sign_in(demo_engine, "admin", "admin-pass-1")
    create_account(demo_engine, "xiaoli", "李晓", Role.EDITOR, "editor-pass-1")
    create_account(demo_engine, "laowang", "王建国", Role.READER, "reader-pass-1")
    sign_out(demo_engine)
    demo_engine.dispose()
    return data_dir


def _union(data_dir: DataDir) -> str:
    return query(
        data_dir.database, """SELECT name FROM "union" WHERE status = 'active' ORDER BY id LIMIT 1"""
    )[0][0]


def _as(account: str | None, password: str | None, data_dir: DataDir, *args: object):
    if password is None:
        os.environ.pop("UNIONDESK_PASSWORD", None)
    else:
        os.environ["UNIONDESK_PASSWORD"] = password
    try:
        prefix = ("--account", account) if account else ()
        return run_cli("--data-dir", data_dir.root, *prefix, *args)
    finally:
        os.environ.pop("UNIONDESK_PASSWORD", None)


def test_without_an_account_a_command_is_refused_and_says_how(office: DataDir) -> None:
    before = dump(office.database)
    run = _as(None, None, office, "member", "add", *NEW_MEMBER, "--union", _union(office))
    assert run.code == 2
    assert "--account" in run.stderr and is_chinese(run.stderr)
    assert dump(office.database) == before


def test_a_wrong_password_is_refused_and_counted(office: DataDir) -> None:
    run = _as("xiaoli", "not-the-password", office, "member", "add", *NEW_MEMBER, "--union", _union(office))
    assert run.code == 2
    assert "账户名或密码不正确" in run.stderr
    assert query(office.database, "SELECT failed_sign_ins FROM account WHERE login_name = 'xiaoli'") == [(1,)]
    assert count(office.database, "member") == 1500


def test_a_reader_cannot_change_anything_and_nothing_changes(office: DataDir) -> None:
    members = count(office.database, "member")
    run = _as("laowang", "reader-pass-1", office, "member", "add", *NEW_MEMBER, "--union", _union(office))
    assert run.code == 2
    assert "查阅权限" in run.stderr
    assert count(office.database, "member") == members
    assert query(office.database, "SELECT count(*) FROM member WHERE id_number = '11010519491231002X'") == [
        (0,)
    ]


def test_an_editor_adds_a_member_and_the_audit_trail_names_the_editor(office: DataDir) -> None:
    run = _as("xiaoli", "editor-pass-1", office, "member", "add", *NEW_MEMBER, "--union", _union(office))
    assert run.code == 0, run.stderr
    uuid = query(office.database, "SELECT uuid FROM member WHERE id_number = '11010519491231002X'")[0][0]
    entries = query(office.database, "SELECT actor, action FROM audit_entry WHERE record_uuid = ?", (uuid,))
    assert entries == [("xiaoli", "insert")]
    check = _as("admin", "admin-pass-1", office, "check")
    assert check.code == 0, check.stdout + check.stderr
    assert "审计记录：通过" in check.stdout


def test_a_reader_cannot_take_a_copy_of_every_id_number(office: DataDir, tmp_path) -> None:
    target = tmp_path / "copy.sqlite3"
    run = _as("laowang", "reader-pass-1", office, "backup", target)
    assert run.code == 2
    assert "备份数据库需要录入员权限" in run.stderr
    assert not target.exists()
    assert _as("xiaoli", "editor-pass-1", office, "backup", target).code == 0
    assert target.exists()


def test_only_an_administrator_restores(office: DataDir, tmp_path) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert _as("xiaoli", "editor-pass-1", office, "backup", copy).code == 0
    _as("xiaoli", "editor-pass-1", office, "member", "add", *NEW_MEMBER, "--union", _union(office))
    before = dump(office.database)

    refused = _as("xiaoli", "editor-pass-1", office, "restore", copy)

    assert refused.code == 2
    assert "恢复备份需要管理员权限" in refused.stderr
    assert dump(office.database) == before
    restored = _as("admin", "admin-pass-1", office, "restore", copy)
    assert restored.code == 0, restored.stderr
    assert query(office.database, "SELECT count(*) FROM member WHERE id_number = '11010519491231002X'") == [
        (0,)
    ]
