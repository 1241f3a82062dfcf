"""Accounts and roles: who may sign in, and what each may do.

An office of one clerk can switch accounts off: then nobody signs in, everyone has every right, and the
audit trail names the Windows user. With accounts on, each person signs in with a password; the role
decides what they may do:

- 管理员 (administrator): everything, including settings, accounts, restoring a backup and exports that
  show full ID numbers;
- 录入员 (editor): enters and changes records, exports with a reason recorded;
- 查阅 (reader): reads only, and sees ID numbers and phones masked everywhere (models.privacy).

Passwords are kept as scrypt hashes (memory-hard: 16 MB a try), never as text. Wrong passwords slow the
next try down (``wait_before_next_try``), counted in the database so that restarting does not reset it.
The person signed in is kept per database (``sign_in_as``); models.audit records their name, and a
reader's connection refuses every write (see models.audit.register_functions).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from models import audit
from models.database import reading, writing
from models.entities import Account, Role, Setting, now
from models.errors import InvalidInput, KnownError

ACCOUNTS_SETTING = "accounts"  # "on" or "off"; missing until the first start has asked
ROLE_NAMES = {Role.ADMINISTRATOR: "管理员", Role.EDITOR: "录入员", Role.READER: "查阅"}
MIN_PASSWORD_LENGTH = 8
# scrypt cost: N=2^14, r=8 takes 16 MB and about 50 ms here; p=1. Stored with each hash, so they can grow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
# Three tries are free; after that each wrong password doubles the wait, up to five minutes.
FREE_TRIES = 3
FIRST_WAIT_SECONDS = 5
LONGEST_WAIT_SECONDS = 300


class SignInRefused(KnownError):
    """Wrong name or password, a switched-off account, or a try too soon after wrong ones."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class NotAllowed(KnownError):
    """The person signed in has no right to do this."""


@dataclass(frozen=True)
class SignedIn:
    """Who is working: an account, or (accounts off, or the command line) the Windows user."""

    name: str  # what the audit trail records: the login name, or the OS user
    full_name: str
    role: Role
    account_id: int | None = None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


@dataclass(frozen=True)
class AccountRow:
    id: int
    login_name: str
    full_name: str
    role: Role
    active: bool
    failed_sign_ins: int


_signed_in: dict[str, SignedIn] = {}


# --- passwords ------------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        tried = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(tried, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_new_password(password: str, login_name: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", "password")
    if password.strip().lower() == login_name.strip().lower():
        raise InvalidInput("密码不能与账户名相同", "password")
    return password


# --- whether accounts are used -----------------------------------------------------------------------------


def accounts_setting(engine: Engine) -> str | None:
    """ "on", "off", or None when the first start has not yet asked."""
    with reading(engine) as s, s.begin():
        return s.scalar(select(Setting.value).where(Setting.key == ACCOUNTS_SETTING))


def accounts_in_use(engine: Engine) -> bool:
    return accounts_setting(engine) == "on"


def switch_accounts_off(engine: Engine) -> None:
    """Nobody signs in any more; the accounts are kept for when they are switched on again."""
    require_role(engine, Role.ADMINISTRATOR, "关闭账户登录")
    _store_setting(engine, "off")


def switch_accounts_on(engine: Engine) -> None:
    """From the next start everyone signs in; needs an active administrator to sign in with."""
    if not _active_administrators(engine):
        raise InvalidInput("请先建立至少一个管理员账户，再启用账户登录")
    _store_setting(engine, "on")


def decline_accounts(engine: Engine) -> None:
    """The first start's answer of a one-clerk office: no accounts, the Windows user is recorded."""
    _store_setting(engine, "off")


def _store_setting(engine: Engine, value: str) -> None:
    with writing(engine) as s, s.begin():
        setting = s.get(Setting, ACCOUNTS_SETTING)
        if setting is None:
            s.add(Setting(key=ACCOUNTS_SETTING, value=value))
        else:
            setting.value = value


def _active_administrators(engine: Engine) -> int:
    with reading(engine) as s, s.begin():
        return (
            s.scalar(select(func.count()).where(Account.role == Role.ADMINISTRATOR, Account.active.is_(True)))
            or 0
        )


# --- accounts -------------------------------------------------------------------------------------------


def list_accounts(engine: Engine) -> list[AccountRow]:
    with reading(engine) as s, s.begin():
        rows = s.execute(
            select(Account.id, Account.login_name, Account.full_name, Account.role, Account.active,
                   Account.failed_sign_ins).order_by(Account.login_name)
        ).all()  # fmt: skip
    return [AccountRow(r[0], r[1], r[2], Role(r[3]), bool(r[4]), r[5]) for r in rows]


def create_account(engine: Engine, login_name: str, full_name: str, role: Role, password: str) -> int:
    """A new account. The first administrator switches accounts on (the first start asks for one).

    Raises:
        InvalidInput: an empty or taken name, or a password too short.
        NotAllowed: someone other than an administrator is signed in.
    """
    first = not list_accounts(engine)
    if not first:
        require_role(engine, Role.ADMINISTRATOR, "建立账户")
    login_name, full_name = _checked_names(login_name, full_name)
    check_new_password(password, login_name)
    if first and role != Role.ADMINISTRATOR:
        raise InvalidInput("第一个账户必须是管理员", "role")
    with writing(engine) as s, s.begin():
        if s.scalar(select(Account.id).where(func.lower(Account.login_name) == login_name.lower())):
            raise InvalidInput(f"账户名“{login_name}”已被使用", "login_name")
        account = Account(
            login_name=login_name,
            full_name=full_name,
            role=Role(role).value,
            password_hash=hash_password(password),
        )
        s.add(account)
        if first:
            setting = s.get(Setting, ACCOUNTS_SETTING)
            if setting is None:
                s.add(Setting(key=ACCOUNTS_SETTING, value="on"))
            else:
                setting.value = "on"
        s.flush()
        return account.id


def _checked_names(login_name: str, full_name: str) -> tuple[str, str]:
    login_name, full_name = login_name.strip(), full_name.strip()
    if not 2 <= len(login_name) <= 40:
        raise InvalidInput("账户名需要 2 至 40 个字符", "login_name")
    if not 1 <= len(full_name) <= 40:
        raise InvalidInput("请填写使用人的姓名（不超过 40 个字）", "full_name")
    return login_name, full_name


def change_account(
    engine: Engine, account_id: int, *, role: Role | None = None, active: bool | None = None,
    full_name: str | None = None,
) -> None:  # fmt: skip
    """An administrator changes someone's role, name or whether the account may sign in.

    Raises:
        InvalidInput: the change would leave no active administrator.
        NotAllowed: not an administrator.
    """
    require_role(engine, Role.ADMINISTRATOR, "修改账户")
    with writing(engine) as s, s.begin():
        account = s.get(Account, account_id)
        if account is None:
            raise InvalidInput("该账户不存在")
        if full_name is not None:
            account.full_name = _checked_names(account.login_name, full_name)[1]
        if role is not None:
            account.role = Role(role).value
        if active is not None:
            account.active = active
        s.flush()
        left = s.scalar(
            select(func.count()).where(Account.role == Role.ADMINISTRATOR, Account.active.is_(True))
        )
        if not left:
            raise InvalidInput("至少要保留一个可以登录的管理员账户", "role")


def set_password(engine: Engine, account_id: int, new_password: str, old_password: str | None = None) -> None:
    """Someone changes their own password (with the old one), or an administrator resets another's.

    Raises:
        InvalidInput: the new password is too short, or the old one is wrong.
        NotAllowed: resetting someone else's password without being an administrator.
    """
    me = signed_in(engine)
    if me.account_id != account_id:
        require_role(engine, Role.ADMINISTRATOR, "重设他人的密码")
    with audit.own_password_change(engine), writing(engine) as s, s.begin():
        account = s.get(Account, account_id)
        if account is None:
            raise InvalidInput("该账户不存在")
        if me.account_id == account_id and not password_matches(old_password or "", account.password_hash):
            raise InvalidInput("原密码不正确", "old_password")
        check_new_password(new_password, account.login_name)
        account.password_hash = hash_password(new_password)
        account.failed_sign_ins = 0


# --- signing in -----------------------------------------------------------------------------------------


def wait_before_next_try(failed: int, last_failed_at: datetime | None, at: datetime) -> int:
    """Seconds still to wait before a password may be tried again after ``failed`` wrong ones."""
    if failed < FREE_TRIES or last_failed_at is None:
        return 0
    wait = min(FIRST_WAIT_SECONDS * 2 ** (failed - FREE_TRIES), LONGEST_WAIT_SECONDS)
    left = (last_failed_at + timedelta(seconds=wait) - at).total_seconds()
    return max(0, int(left + 0.999))


def sign_in(engine: Engine, login_name: str, password: str, at: datetime | None = None) -> SignedIn:
    """Check the name and password; on success the person is signed in for ``engine``.

    A name that does not exist gets the same answer as a wrong password, so trying names finds nothing.

    Raises:
        SignInRefused: wrong name or password, account switched off, or too soon after wrong passwords.
    """
    at = at or now()
    wrong = SignInRefused("账户名或密码不正确。")
    with writing(engine) as s, s.begin():
        account = s.scalar(
            select(Account).where(func.lower(Account.login_name) == login_name.strip().lower())
        )
        if account is None:
            password_matches(password, hash_password("—"))  # the same time as a real try
            raise wrong
        wait = wait_before_next_try(account.failed_sign_ins, account.last_failed_at, at)
        if wait:
            raise SignInRefused(f"密码错误次数过多，请在 {wait} 秒后再试。", wait)
        if not password_matches(password, account.password_hash):
            account.failed_sign_ins += 1
            account.last_failed_at = at
            wait = wait_before_next_try(account.failed_sign_ins, at, at)
            failed = wrong if not wait else SignInRefused(f"账户名或密码不正确。请在 {wait} 秒后再试。", wait)
        elif not account.active:
            failed = SignInRefused("该账户已停用，请联系管理员。")
        else:
            failed = None
            if account.failed_sign_ins:
                account.failed_sign_ins = 0
                account.last_failed_at = None
            who = SignedIn(account.login_name, account.full_name, Role(account.role), account.id)
    if failed is not None:
        raise failed  # after the commit: the count of wrong tries must stay
    sign_in_as(engine, who)
    return who


def sign_in_as(engine: Engine, who: SignedIn | None) -> None:
    """Who works through ``engine`` from now on (None: nobody signed in, the OS user with every right)."""
    key = audit.database_key(engine)
    if who is None:
        _signed_in.pop(key, None)
    else:
        _signed_in[key] = who
    audit.set_actor(
        engine, None if who is None else who.name, read_only=who is not None and who.role == Role.READER
    )


def sign_out(engine: Engine) -> None:
    sign_in_as(engine, None)


def signed_in(engine: Engine) -> SignedIn:
    """Who is working: the account signed in, or the OS user with every right (accounts off, command line)."""
    who = _signed_in.get(audit.database_key(engine))
    if who is not None:
        return who
    name = audit.os_user()
    return SignedIn(name, name, Role.ADMINISTRATOR)


_RANK = {Role.READER: 0, Role.EDITOR: 1, Role.ADMINISTRATOR: 2}


def may(engine: Engine, role: Role) -> bool:
    """Whether the person working has ``role``'s rights (an administrator has an editor's too)."""
    return _RANK[signed_in(engine).role] >= _RANK[Role(role)]


def require_role(engine: Engine, role: Role, what: str) -> None:
    who = signed_in(engine)
    if not may(engine, role):
        raise NotAllowed(f"{what}需要{ROLE_NAMES[Role(role)]}权限；当前账户“{who.name}”是{who.role_name}。")


def sees_personal_data(engine: Engine) -> bool:
    """False for a reader: ID numbers and phones are masked for them everywhere."""
    return may(engine, Role.EDITOR)
