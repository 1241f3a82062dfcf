"""A 查阅 account takes no whole ID number or phone out of the program: not in an export (read back with
openpyxl and with LibreOffice), not in the printed roster, not from the command line. Whole values leave
only with the editor's right and a reason, and the audit trail keeps each time.

Every check compares with the ID numbers and phones stored in the database, read with sqlite3.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine

from models.accounts import NotAllowed, create_account, sign_in, sign_out
from models.audit import AuditFilter, audit_entries
from models.database import open_database
from models.demo import DemoPlan, generate_demo
from models.entities import Role
from models.paths import DATA_DIR_ENV, DataDir
from spreadsheets.exporting import export_listing
from tests.helpers import is_chinese, libreoffice_csv, query
from tests.test_cli import run_cli

pytestmark = pytest.mark.slow

PASSWORD = "口令-2026-privacy"
MEMBERS = 600


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database with an administrator, an editor (luru) and a reader (chayue)."""
    data_dir = DataDir(tmp_path_factory.mktemp("privacy"))
    engine = open_database(data_dir)
    for _ in generate_demo(engine, DemoPlan(employers=40, members=MEMBERS, seed=9)):
        pass
    create_account(engine, "admin", "管理员甲", Role.ADMINISTRATOR, PASSWORD)
    create_account(engine, "luru", "录入员乙", Role.EDITOR, PASSWORD)
    create_account(engine, "chayue", "查阅丙", Role.READER, PASSWORD)
    engine.dispose()
    return data_dir.database


@pytest.fixture
def office(tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    """A copy of the database in the data folder the command line finds; the password it signs in with."""
    data_dir = DataDir(tmp_path / "data")
    data_dir.root.mkdir()
    shutil.copyfile(template, data_dir.database)
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir.root))
    monkeypatch.setenv("UNIONDESK_PASSWORD", PASSWORD)
    return data_dir


@pytest.fixture
def engine(office: DataDir) -> Iterator[Engine]:
    engine = open_database(office)
    yield engine
    sign_out(engine)
    engine.dispose()


def stored(database: Path) -> tuple[list[str], list[str]]:
    """Every member's ID number, and every phone, as stored."""
    rows = query(database, "SELECT id_number, mobile FROM member")
    return [number for number, _ in rows], [mobile for _, mobile in rows if mobile]


def masked_id(number: str) -> str:
    return number[:6] + "********" + number[14:]


def masked_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[7:]


def workbook_texts(path: Path) -> list[str]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [str(value) for row in workbook.active.iter_rows(values_only=True) for value in row if value]
    finally:
        workbook.close()


def assert_nothing_whole(texts: list[str], database: Path) -> None:
    """No stored ID number or phone appears whole, and every ID number appears masked."""
    numbers, mobiles = stored(database)
    text = "\n".join(texts)
    assert not [number for number in numbers if number in text]
    assert not [mobile for mobile in mobiles if mobile in text]
    assert all(masked_id(number) in text for number in numbers)
    assert any(masked_mobile(mobile) in text for mobile in mobiles)


def disclosures(engine: Engine) -> list:
    return audit_entries(engine, AuditFilter(action="disclose"))


# --- exports and printouts, in the program -------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_readers_export_holds_only_masks_in_excel_and_in_libreoffice(
    engine: Engine, tmp_path: Path
) -> None:
    sign_in(engine, "chayue", PASSWORD)
    target = tmp_path / "会员名册.xlsx"

    for _ in export_listing(engine, "members", target):
        pass

    assert_nothing_whole(workbook_texts(target), Path(engine.url.database))
    seen = [cell for row in libreoffice_csv(target, tmp_path) for cell in row]
    assert_nothing_whole(seen, Path(engine.url.database))
    assert disclosures(engine) == []


def test_a_reader_asking_for_a_full_export_is_refused_and_nothing_is_written(
    engine: Engine, tmp_path: Path
) -> None:
    sign_in(engine, "chayue", PASSWORD)
    target = tmp_path / "完整.xlsx"

    with pytest.raises(NotAllowed) as refused:
        for _ in export_listing(engine, "members", target, full=True, reason="上级要求核对"):
            pass

    assert is_chinese(refused.value.message) and "查阅" in refused.value.message
    assert list(tmp_path.glob("*.xlsx")) == []
    assert disclosures(engine) == []


def test_an_editors_export_is_masked_unless_asked_with_a_reason(engine: Engine, tmp_path: Path) -> None:
    sign_in(engine, "luru", PASSWORD)
    masked, whole = tmp_path / "默认.xlsx", tmp_path / "完整.xlsx"

    for _ in export_listing(engine, "members", masked):
        pass
    for _ in export_listing(engine, "members", whole, full=True, reason="报送市总工会核对实名"):
        pass

    database = Path(engine.url.database)
    assert_nothing_whole(workbook_texts(masked), database)
    numbers, mobiles = stored(database)
    texts = set(workbook_texts(whole))
    assert set(numbers) <= texts and set(mobiles) <= texts
    [entry] = disclosures(engine)
    assert entry.actor == "luru"
    assert entry.changes == {"内容": "会员名册（完整身份证号、手机号码）", "人数": MEMBERS,
                             "理由": "报送市总工会核对实名", "去向": "完整.xlsx"}  # fmt: skip


# --- the command line -------------------------------------------------------------------------------------


def test_the_command_line_gives_a_reader_masks_in_the_workbook_and_the_roster(
    office: DataDir, tmp_path: Path
) -> None:
    workbook, pdf = tmp_path / "名册.xlsx", tmp_path / "花名册.pdf"

    assert run_cli("--account", "chayue", "export", "members", workbook).code == 0
    run = run_cli("--account", "chayue", "export", "members", pdf, "--bundled-font", "--json")

    assert run.code == 0, run.stderr
    assert run.json["rows"] == MEMBERS and run.json["full"] is False
    assert_nothing_whole(workbook_texts(workbook), office.database)
    assert_nothing_whole([page.extract_text() for page in PdfReader(pdf).pages], office.database)


def test_the_command_line_refuses_a_reader_a_full_export(office: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "完整.xlsx"

    run = run_cli("--account", "chayue", "export", "members", target, "--full", "--reason", "核对", "--json")

    assert run.code == 2 and run.json["ok"] is False
    assert "录入员" in run.json["error"] and is_chinese(run.json["error"])
    assert not target.exists()
    assert query(office.database, "SELECT count(*) FROM audit_entry WHERE action = 'disclose'") == [(0,)]


def test_the_command_line_wants_a_reason_for_a_full_export(office: DataDir, tmp_path: Path) -> None:
    run = run_cli("--account", "luru", "export", "members", tmp_path / "完整.xlsx", "--full", "--json")

    assert run.code == 1
    assert run.json["field"] == "reason" and "--reason" in run.json["error"] and is_chinese(run.json["error"])
    assert list(tmp_path.glob("*.xlsx")) == []


def test_an_editors_full_export_from_the_command_line_is_kept_with_its_reason(
    office: DataDir, tmp_path: Path
) -> None:
    target = tmp_path / "完整.xlsx"

    run = run_cli(
        "--account", "luru", "export", "members", target, "--full", "--reason", "报送实名制台账", "--json"
    )

    assert run.code == 0, run.stderr
    numbers, _ = stored(office.database)
    assert set(numbers) <= set(workbook_texts(target))
    rows = query(office.database, "SELECT actor, changes FROM audit_entry WHERE action = 'disclose'")
    assert len(rows) == 1 and rows[0][0] == "luru"
    assert '"理由": "报送实名制台账"' in rows[0][1] and f'"人数": {MEMBERS}' in rows[0][1]
