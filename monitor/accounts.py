"""Local accounts: who may log in, as what, where; sessions that expire; lockout after failed logins.

Passwords are stored as argon2id hashes (argon2-cffi, the reference implementation's binding), never
in clear. A login that fails five times in a row locks the account for fifteen minutes; a wrong name
costs the same time as a wrong password, so names cannot be probed. A session is a random token the
browser keeps in a cookie; only its SHA-256 is stored, so a copy of the database opens no session.
Sessions end after 30 minutes without activity and 12 hours after the login, whichever comes first.

Account writes do not move the data version (they change no figure), so logging in never makes a
page recompute a province's status.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit
from .access import ROLES, Actor, require
from .errors import LoginFailed, MonitorError
from .store import Store

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)  # a session's last-seen time is written at most this often
MIN_PASSWORD = 8

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("an unknown user costs the same time as a known one")


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    role: str
    department: str | None
    unit: str | None
    disabled: bool
    locked_until: datetime | None
    created_at: datetime

    @property
    def role_name(self) -> str:
        return ROLES[self.role]

    def actor(self, source: str) -> Actor:
        return Actor(self.name, source, self.role, self.department, self.unit)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise MonitorError(f"密码至少{MIN_PASSWORD}位")
    if password.isdigit() or password.isalpha():
        raise MonitorError("密码须同时包含字母和数字（或其他符号）")


def _check_place(role: str, department: str | None, unit: str | None) -> None:
    if role not in ROLES:
        raise MonitorError(f"角色应为 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())} 之一，而不是「{role}」")
    if role == "department" and not department:
        raise MonitorError("主管部门账户须指定所属部门（--department）")
    if role == "unit" and not (department and unit):
        raise MonitorError("预算单位账户须指定所属部门和单位（--department、--unit）")


def add_user(store: Store, actor: Actor, name: str, role: str, password: str, *, department: str | None = None,
             unit: str | None = None, display_name: str = "") -> Account:
    """A new local account (the first administrator needs no actor but the command line's)."""
    name = name.strip()
    if not name or len(name) > 40 or any(ord(c) < 32 for c in name):
        raise MonitorError("用户名须为1至40个字符，不含控制字符")
    _check_place(role, department, unit)
    _check_password(password)
    with store.write() as con:
        if _users(con) and not actor.may("accounts.manage"):
            require(actor, "accounts.manage")
        if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise MonitorError(f"用户「{name}」已存在")
        now = _now()
        con.execute(
            "INSERT INTO users (name, display_name, role, department_name, unit_name, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, display_name or name, role, department, unit, _hasher.hash(password), now])
        audit.record(con, actor, "账户", f"新建账户「{name}」", None,
                     {"角色": ROLES[role], "部门": department, "单位": unit}, at=now)
        return _account(con, name)  # type: ignore[return-value]


def _users(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM users").fetchone()[0])  # type: ignore[index]


def _account(con: duckdb.DuckDBPyConnection, name: str) -> Account | None:
    row = con.execute("SELECT name, display_name, role, department_name, unit_name, disabled, locked_until, created_at "
                      "FROM users WHERE name = ?", [name]).fetchone()
    return None if row is None else Account(*row)


def list_users(store: Store, actor: Actor) -> list[Account]:
    require(actor, "accounts.manage")
    with store.connect() as con:
        names = [r[0] for r in con.execute("SELECT name FROM users ORDER BY role, department_name, unit_name, name").fetchall()]
        return [_account(con, n) for n in names]  # type: ignore[misc]


def disable_user(store: Store, actor: Actor, name: str) -> None:
    require(actor, "accounts.manage")
    with store.write() as con:
        if _account(con, name) is None:
            raise MonitorError(f"没有用户「{name}」")
        con.execute("UPDATE users SET disabled = true WHERE name = ?", [name])
        con.execute("DELETE FROM sessions WHERE user_name = ?", [name])  # logged out everywhere at once
        audit.record(con, actor, "账户", f"停用账户「{name}」", {"停用": False}, {"停用": True})


def set_password(store: Store, actor: Actor, name: str, password: str) -> None:
    """An administrator resets anyone's password; a user changes his own."""
    if actor.name != name:
        require(actor, "accounts.manage")
    _check_password(password)
    with store.write() as con:
        if _account(con, name) is None:
            raise MonitorError(f"没有用户「{name}」")
        con.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE name = ?",
                    [_hasher.hash(password), name])
        con.execute("DELETE FROM sessions WHERE user_name = ?", [name])
        audit.record(con, actor, "账户", f"重设「{name}」的密码", None, None)


def account_actor(store: Store, name: str, source: str) -> Actor:
    """The actor of an existing, enabled account (the command line's `--as USER`)."""
    with store.connect() as con:
        account = _account(con, name)
    if account is None or account.disabled:
        raise MonitorError(f"没有可用的用户「{name}」")
    return account.actor(source)


def authenticate(store: Store, name: str, password: str, source: str) -> Actor:
    """The actor of a correct name and password; LoginFailed (in Chinese) otherwise. A failure is
    counted (and may lock the account) before it is reported."""
    now = _now()
    refusal = ""
    with store.write() as con:
        row = con.execute("SELECT password_hash, disabled, failed_logins, locked_until FROM users WHERE name = ?",
                          [name]).fetchone()
        if row is None:
            _verify(_DUMMY, password)
            refusal = "用户名或密码不正确"
        elif row[3] is not None and row[3] > now:
            refusal = f"连续{MAX_FAILURES}次密码错误，账户已锁定至{row[3]:%H:%M}，请稍后再试或联系管理员"
        elif not _verify(row[0], password):
            failures = int(row[2]) + 1
            lock = now + LOCKOUT if failures >= MAX_FAILURES else None
            con.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?", [0 if lock else failures, lock, name])
            if lock:
                audit.record(con, Actor(name, source), "账户", f"账户「{name}」因连续密码错误被锁定", None, {"锁定至": str(lock)})
                refusal = f"连续{MAX_FAILURES}次密码错误，账户已锁定{int(LOCKOUT.total_seconds() // 60)}分钟"
            else:
                refusal = f"用户名或密码不正确（再错{MAX_FAILURES - failures}次将锁定账户）"
        elif row[1]:
            refusal = "该账户已停用，请联系管理员"
        else:
            con.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", [name])
            if _hasher.check_needs_rehash(row[0]):
                con.execute("UPDATE users SET password_hash = ? WHERE name = ?", [_hasher.hash(password), name])
            actor = _account(con, name).actor(source)  # type: ignore[union-attr]
    if refusal:
        raise LoginFailed(refusal)
    return actor


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, actor: Actor) -> str:
    """A new session for a logged-in actor: the token to keep in the browser's cookie."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with store.write() as con:
        con.execute("DELETE FROM sessions WHERE created_at < ?", [now - SESSION_LIFETIME])  # tidy as we go
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", [_digest(token), actor.name, now, now])
    return token


def resume_session(store: Store, token: str, source: str) -> Actor | None:
    """The actor of a live session, or None (unknown, expired, idle too long, account disabled)."""
    if not token:
        return None
    now = _now()
    with store.connect() as con:
        row = con.execute("SELECT s.user_name, s.created_at, s.last_seen, u.disabled FROM sessions s "
                          "JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?", [_digest(token)]).fetchone()
        if row is None:
            return None
        name, created, seen, disabled = row
        if disabled or now - created > SESSION_LIFETIME or now - seen > IDLE_TIMEOUT:
            return None
        account = _account(con, name)
    if now - seen >= SEEN_EVERY:
        touch_session(store, token)
    return account.actor(source) if account else None


def touch_session(store: Store, token: str) -> None:
    with store.write() as con:
        con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [_now(), _digest(token)])


def end_session(store: Store, token: str) -> None:
    with store.write() as con:
        con.execute("DELETE FROM sessions WHERE token_hash = ?", [_digest(token)])


def sso_actor(store: Store, subject: str, source: str) -> Actor | None:
    """The local account mapped to a single-sign-on identity (its sso_subject, else its name)."""
    with store.connect() as con:
        row = con.execute("SELECT name FROM users WHERE (sso_subject = ? OR name = ?) AND NOT disabled "
                          "ORDER BY sso_subject = ? DESC LIMIT 1", [subject, subject, subject]).fetchone()
        return None if row is None else _account(con, row[0]).actor(source)  # type: ignore[union-attr]


def assign(store: Store, actor: Actor, evaluator: str, year: int, project_codes: list[str]) -> int:
    """The projects an evaluator may see (replacing the earlier list for that year)."""
    require(actor, "assign")
    with store.write() as con:
        account = _account(con, evaluator)
        if account is None or account.role != "evaluator":
            raise MonitorError(f"「{evaluator}」不是第三方评价机构账户")
        con.execute("DELETE FROM assignments WHERE user_name = ? AND year = ?", [evaluator, year])
        for code in dict.fromkeys(project_codes):
            con.execute("INSERT INTO assignments VALUES (?, ?, ?)", [evaluator, year, code])
        audit.record(con, actor, "账户", f"为「{evaluator}」分配{year}年评价项目", None, {"项目": list(dict.fromkeys(project_codes))})
    return len(set(project_codes))
