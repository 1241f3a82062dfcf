"""Personal data (个人信息保护法): who sees ID numbers and mobile phones whole, and who takes them out.

The rules, in one place for the window, the exports, the printouts and the command line:

- A 查阅 (reader) account sees every ID number as 110105********123X and every mobile as 138****5678:
  in lists, opened records, the duplicates review, exports, printouts. Searching still matches the whole
  values (the search runs in SQL over the stored ones), so a reader typing a whole ID number finds the
  person, and sees the number masked.
- 录入员 and 管理员 see whole values in lists and opened records: they check and correct them.
- Exports and printouts are masked for everyone by default. A full one needs the editor's right and a
  reason the person types (``check_full_disclosure``); it is kept in the audit trail with how many people
  and where the file went (``record_full_disclosure``).

The masks keep the length of the value and its first and last characters only (6 + 4 of an ID number,
3 + 4 of a mobile), so a masked list still lines up and a clerk can tell two people apart on paper.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from models import audit, codes
from models.accounts import require_role, sees_personal_data
from models.entities import Role
from models.errors import InvalidInput
from models.labels import COLUMN_TITLES, LIST_TITLES, MASKED_COLUMNS

# What a full export or printout is called where the role is refused ("…需要录入员权限").
FULL_EXPORT = "导出完整身份证号和手机号码"
FULL_PRINT = "打印完整身份证号和手机号码"
REASON_LENGTH = 200  # a sentence, not a letter: the audit viewer shows it on one line


def mask_id_number(id_number: str | None) -> str | None:
    """110105********123X: the area code and the last four characters; the birth date and sequence hidden.

    None stays None (no value); a value too short to be an ID number is masked all the same, never shown.
    """
    return None if id_number is None else codes.mask_id_number(id_number)


def mask_mobile(mobile: str | None) -> str | None:
    """138****5678: the network prefix and the last four digits. None stays None."""
    return None if mobile is None else codes.mask_mobile(mobile)


def id_number_for(engine: Engine, id_number: str | None) -> str | None:
    """An ID number as the person working may see it in an opened record: whole, or masked for a reader."""
    return id_number if sees_personal_data(engine) else mask_id_number(id_number)


def mobile_for(engine: Engine, mobile: str | None) -> str | None:
    """A mobile (a member's, a union chair's) as the person working may see it."""
    return mobile if sees_personal_data(engine) else mask_mobile(mobile)


def personal_columns(listing_key: str, columns: Sequence[str] | None = None) -> list[str]:
    """The columns of a list (of ``columns`` when given) that hold personal data, masked unless revealed."""
    keys = columns if columns is not None else COLUMN_TITLES[listing_key]
    return [column for column in keys if (listing_key, column) in MASKED_COLUMNS]


def check_full_disclosure(engine: Engine, reason: str | None, what: str = FULL_EXPORT) -> str:
    """May the person working take personal data out whole? Returns the reason, tidied, when they may.

    Raises:
        NotAllowed: a reader (whatever the reason).
        InvalidInput: no reason given (field "reason").
    """
    require_role(engine, Role.EDITOR, what)
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput(f"{what}须填写理由（将记入审计记录）", "reason")
    if len(text) > REASON_LENGTH:
        raise InvalidInput(f"理由请不超过 {REASON_LENGTH} 个字", "reason")
    return text


def disclosure_subject(listing_key: str, columns: Sequence[str], document: str | None = None) -> str:
    """What left the program, as the audit trail says it: 会员名册（完整身份证号、手机号码）."""
    revealed = "、".join(
        COLUMN_TITLES[listing_key][column] for column in personal_columns(listing_key, columns)
    )
    return f"{document or LIST_TITLES[listing_key]}（完整{revealed}）"


def record_full_disclosure(engine: Engine, subject: str, count: int, reason: str, target: str | None) -> None:
    """Keep in the audit trail that ``count`` people's whole ID numbers or phones went to ``target``."""
    audit.record_disclosure(engine, subject, count, reason, target)
