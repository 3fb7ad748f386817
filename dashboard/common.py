"""What every page shares: the store, the cached computations and the year/month selection.

Caching
-------
Every cached result is keyed on `Ctx` = (db path, data version, year, month, rules json, viewpoint), so
a page shows new data on its first run after an import, a rule change or a saved note — from this
dashboard or from the CLI. The viewpoint is the logged-in user stripped to his scope
(`Actor.viewpoint`): two users of one unit share results, a unit never gets a result computed for
anyone wider, and nothing cached carries a person's name (an evaluator's assignments excepted).

- `Status` (100,000 projects come with a million indicator rows) sits in `st.cache_resource`: shared
  read-only across sessions. `st.cache_data` would unpickle a copy of it on every rerun, which
  costs more than the page itself. Nothing may mutate it; the views in `monitor.views` never do.
- What pages render (chart frames, the curve, warnings, notes) goes through `st.cache_data`.
- Saving a note bumps the data version but cannot change money or indicator lights (status does
  not read notes). So when a note save is the only write in between, the new version is recorded
  as an alias of the old one for the status and the suggestions (`base`), instead of recomputing a
  province's status after every note.
- Reading the data version opens the DuckDB file (tens of ms for a province); it is cached on the
  file's stat signature, which every commit changes and no read does.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from monitor import accounts, rulebook, snapshots, views
from monitor.access import ACTION_WORDS, PAGE, Actor
from monitor.errors import Forbidden, MonitorError, NotFound, StoreBusy
from monitor.money import fmt_bp
from monitor.notes import Note, load_notes
from monitor.pgstore import is_postgres
from monitor.rules import Rules
from monitor.status import LEVEL_ICONS, LEVEL_LABELS, Status, compute_status, monthly_curve, refresh_status
from monitor.store import Facts, Store, open_store
from monitor.warnings import warning_items

ROOT = Path(__file__).resolve().parent.parent

APP_TITLE = "预算执行与绩效运行监控看板"
DEFAULT_DB = "data/monitor.duckdb"
MONTHS = tuple(range(1, 13))
# Points drawn in the quadrant chart (all projects when fewer; else the most idle money plus a sample
# per quadrant, see views.quadrant_points). Every point is an SVG element the browser parses and draws
# on each first visit: 600 points cost ~0.06 s more than 300 (bench/dashboard_bench), and 300 already
# show the shape of the cloud; the counts beside the chart and the 低执行项目 list cover every project.
QUADRANT_POINTS = 300
# Streamlit's colour names per light, for metric deltas and Markdown dots (:red[●]). The theme in
# .streamlit/config.toml sets these colours to monitor.status.LEVEL_COLORS, so dots, deltas and
# charts show one colour per light. Dots, not the emoji of LEVEL_ICONS: many office PCs (and this
# CI machine) have no colour-emoji font and would show empty boxes.
LEVEL_ST_COLORS = {"red": "red", "yellow": "yellow", "green": "green", "blue": "blue", "none": "gray"}

# session-state keys shared by all pages (the report page may read them too)
YEAR, MONTH, PROJECT = "year", "month", "project"


def db_path() -> str:
    """MONITOR_DB: a PostgreSQL address as given, a DuckDB file by its absolute path (one cache key
    whichever way the path was written)."""
    target = os.environ.get("MONITOR_DB", DEFAULT_DB)
    return target if is_postgres(target) else str(Path(target).resolve())


# A page waits at most this long for another process's write (a CLI import) before it says the data is
# busy and shows what it has; the CLI waits longer (Store's default).
PAGE_BUSY_TIMEOUT = 2.0


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    return open_store(path, busy_timeout=PAGE_BUSY_TIMEOUT)


def store() -> Store:
    return get_store(db_path())


# -- routing ------------------------------------------------------------------------------------
ROUTED = "_routed_by_app"


def routed_run(page: object) -> None:
    """app.py runs the chosen page through this, so the page knows the sidebar and state are set."""
    st.session_state[ROUTED] = True
    try:
        page.run()  # type: ignore[attr-defined]
    finally:
        st.session_state.pop(ROUTED, None)


# -- errors: what a user sees when something goes wrong ----------------------------------------
def _error_log() -> logging.Logger:
    """The log where errors are written with their id: the server's standard error, as Streamlit's own."""
    logger = logging.getLogger("monitor.dashboard")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


log = _error_log()
CALLBACK_ERROR = "_callback_error"


def _unexpected(exc: BaseException) -> str:
    """Log the full error under a short id for the administrator; give the user the id, never the
    traceback (paths, process details) — client.showErrorDetails is "none" in .streamlit/config.toml."""
    eid = uuid.uuid4().hex[:8].upper()
    log.error("页面错误 %s：%s", eid, exc, exc_info=exc)
    return f"页面出错了（错误编号 {eid}）。已保存的数据不受影响；请刷新页面重试，如仍出错请把错误编号告诉系统管理员。"


def guarded(body: Callable[[], None]) -> None:
    """Run the app's body so that no error reaches the user as a traceback: the product's own errors
    (MonitorError) as their Chinese message, a busy store as a notice that retries by itself, anything
    else as a calm message with an error id written to the server log. Streamlit's own control flow
    (st.stop, st.rerun, st.switch_page) derives from BaseException and passes through."""
    flashed = st.session_state.pop(CALLBACK_ERROR, None)
    if flashed:
        st.error(flashed)
    try:
        body()
    except StoreBusy as exc:
        st.info(f"{plain(exc)}页面将自动重试。")
        _retry_when_free()
    except MonitorError as exc:
        st.error(plain(exc))
    except Exception as exc:  # noqa: BLE001 - the boundary: everything unexpected ends here
        st.error(_unexpected(exc))


def guard(callback: Callable[..., None]) -> Callable[..., None]:
    """The same boundary for a widget callback (it runs before the page, outside `guarded`)."""
    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> None:
        try:
            callback(*args, **kwargs)
        except MonitorError as exc:
            st.session_state[CALLBACK_ERROR] = plain(exc)
        except Exception as exc:  # noqa: BLE001 - see guarded
            st.session_state[CALLBACK_ERROR] = _unexpected(exc)
    return run


@st.fragment(run_every=2)
def _retry_when_free() -> None:
    """While another process writes the database: look again every 2 s and rerun once it is free."""
    if get_store(db_path()).is_free():
        _busy_until().pop(db_path(), None)
        st.rerun(scope="app")


def route_guard() -> None:
    """First line of every page: make sure the entrypoint ran.

    A folder named pages/ beside the entrypoint makes Streamlit treat the app as an old-style
    multipage app until st.navigation has run once in the process (AppTest even resets that before
    every run), so a page can be started directly — without the sidebar or the session state. Such a
    run executes the entrypoint instead, which routes back to this same page, and stops.
    """
    if st.session_state.get(ROUTED):
        return
    import runpy

    runpy.run_path(str(ROOT / "dashboard" / "app.py"), run_name="__main__")
    st.stop()


# -- versions -----------------------------------------------------------------------------------
def _signature(path: str) -> tuple[object, ...]:
    out: list[object] = []
    for f in (path, path + ".wal"):
        try:
            s = os.stat(f)
            out.append((s.st_mtime_ns, s.st_size))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=16)
def _version_at(path: str, signature: tuple[object, ...]) -> int:
    return get_store(path).data_version()


@st.cache_resource(show_spinner=False)
def _last_versions() -> dict[str, int]:
    return {}


def data_version(path: str | None = None) -> int:
    """The data version; while another process holds the file (a CLI import), the last one read, so
    pages keep showing the last committed data from the caches instead of waiting (see `busy_notice`)."""
    path = path or db_path()
    last = _last_versions().get(path)
    busy_until = _busy_until()
    if last is not None and time.monotonic() < busy_until.get(path, 0.0):
        st.session_state[BUSY] = True  # found busy a moment ago: do not wait again in every call of this run
        return last
    try:
        version = _version_at(path, _signature(path))
    except StoreBusy:
        busy_until[path] = time.monotonic() + BUSY_RECHECK_S
        if last is None:
            raise
        st.session_state[BUSY] = True
        return last
    _last_versions()[path] = version
    st.session_state.pop(BUSY, None)
    return version


BUSY = "_store_busy"
BUSY_RECHECK_S = 3.0  # after a busy store, serve the last data this long before trying the file again


@st.cache_resource(show_spinner=False)
def _busy_until() -> dict[str, float]:
    return {}


def busy_notice() -> None:
    """On every page while the file is being written by another process: say the figures are those
    from before, and refresh by itself when the write is done."""
    if st.session_state.get(BUSY):
        st.info("数据正在导入或写入中，页面显示的是写入前的数据；写入完成后将自动刷新。")
        _retry_when_free()


@st.cache_resource(show_spinner=False)
def _aliases() -> dict[tuple[str, int], int]:
    return {}


def base_version(path: str, version: int) -> int:
    return _aliases().get((path, version), version)


def record_note_write(path: str, before: int, after: int) -> None:
    """After a note save: if it was the only write (versions are consecutive), reuse the status."""
    if after == before + 1:
        _aliases()[(path, after)] = base_version(path, before)


@st.cache_data(show_spinner=False, max_entries=16)
def _facts(path: str, version: int) -> Facts:
    """The small facts every page reads first (years, months, closed months, rules), in one go per version."""
    return get_store(path).facts()


def facts() -> Facts:
    path = db_path()
    return _facts(path, base_version(path, data_version(path)))


def _rules_json(path: str, version: int, year: int) -> str:
    text = _facts(path, version).rules_for(year)
    return (Rules.from_json(text) if text else Rules()).to_json()


def last_data_month(year: int) -> int | None:
    return facts().last_month.get(year)


def years() -> list[int]:
    return facts().years


def latest_month(year: int) -> int:
    return facts().monitoring_month(year) or 12


# -- the selection ------------------------------------------------------------------------------
def _query_int(name: str, allowed: list[int] | tuple[int, ...]) -> int | None:
    raw = st.query_params.get(name)
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value in allowed else None


def init_selection() -> None:
    """The one place session state is initialised: from the URL if it names a year/month, else the
    latest year and its latest month with data."""
    ys = years()
    if not ys:
        return
    # A server-side page switch (st.switch_page) drops all widget state, the sidebar's included.
    restore_widgets(YEAR, MONTH)
    if st.session_state.get(YEAR) not in ys:
        st.session_state[YEAR] = _query_int("year", ys) or facts().default_year or ys[-1]
        st.session_state.pop(MONTH, None)
    if st.session_state.get(MONTH) not in MONTHS:
        st.session_state[MONTH] = _query_int("month", MONTHS) or latest_month(st.session_state[YEAR])


def month_label(month: int, last: int | None) -> str:
    """A month in the period chooser: grey when the data does not reach it yet."""
    return f"{month}月" if last is not None and month <= last else f":gray[{month}月]"


def no_data_banner() -> None:
    """On every page: the chosen period runs past the data, so its lights would be false alarms."""
    if YEAR not in st.session_state:
        return
    year, month = int(st.session_state[YEAR]), int(st.session_state[MONTH])
    last = last_data_month(year)
    if last is not None and month <= last:
        return
    if last is None:
        st.warning(f"{year}年尚无支出数据，以下资金灯和执行率都不能说明执行情况。")
        return
    gap = f"{last + 1}月" if last + 1 == month else f"{last + 1}-{month}月"
    a, b = st.columns([4, 1], vertical_alignment="center")
    a.warning(f"{year}年{gap}尚无数据，数据截至{last}月：按1-{month}月计算的序时进度和灯色会把未报送的月份当成没有支出。"
              f"本期应为1-{last}月。")
    b.button(f"改看1-{last}月", key="no_data_switch", on_click=_switch_month, args=(last,))


def _switch_month(month: int) -> None:
    st.session_state[MONTH] = month


# -- who is logged in ----------------------------------------------------------------------------
ACTOR, TOKEN, ACTIVE, CHECKED = "_actor", "_session_token", "_last_active", "_session_checked"
COOKIE = "monitor_session"
SET_COOKIE = "_set_cookie"  # the cookie the next page run writes into the browser ("" = remove it)
RECHECK_S = 60  # a logged-in session is checked against the store (disabled? expired?) at most this often


def current_actor() -> Actor | None:
    """The logged-in user of this browser session, or None (show the login page).

    Logged in here, or earlier in this browser (the session cookie, checked against the store); idle
    longer than accounts.IDLE_TIMEOUT logs out. Streamlit keeps session state on the server only, so
    no client can make itself someone by sending a value.
    """
    ss = st.session_state
    now = time.time()
    who = ss.get(ACTOR)
    cookie = st.context.cookies.get(COOKIE)
    token = ss.get(TOKEN) or (cookie if isinstance(cookie, str) else None)  # (AppTest has no real cookies)
    if who is not None:
        if now - ss.get(ACTIVE, now) > accounts.IDLE_TIMEOUT.total_seconds():
            logout("登录已超时（30分钟无操作），请重新登录。")
            return None
        if ss.get(TOKEN) and now - ss.get(CHECKED, 0) > RECHECK_S:
            if accounts.resume_session(store(), ss[TOKEN], PAGE) is None:
                logout("登录已失效（账户被停用、密码被重设或登录已过期），请重新登录。")
                return None
            ss[CHECKED] = now
        ss[ACTIVE] = now
        return who
    if token:
        who = accounts.resume_session(store(), token, PAGE)
        if who is not None:
            ss[ACTOR], ss[TOKEN], ss[ACTIVE], ss[CHECKED] = who, token, now, now
            return who
    sso = _sso_actor()
    if sso is not None:
        ss[ACTOR], ss[ACTIVE] = sso, now
    return sso


def _sso_actor() -> Actor | None:
    """A single-sign-on login (Streamlit's st.login, configured in .streamlit/secrets.toml [auth]),
    mapped to the local account of the same name or sso_subject; None where SSO is not configured."""
    try:
        user = st.user
        if not user.is_logged_in:
            return None
        subject = str(user.get("email") or user.get("sub") or "")
    except Exception:  # noqa: BLE001 - no [auth] section: SSO is simply not in use
        return None
    return accounts.sso_actor(store(), subject, PAGE) if subject else None


def login(name: str, password: str) -> None:
    """Check the password, start a session, and have the next run keep it in a cookie."""
    who = accounts.authenticate(store(), name.strip(), password, PAGE)
    token = accounts.start_session(store(), who)
    st.session_state.update({ACTOR: who, TOKEN: token, ACTIVE: time.time(), CHECKED: time.time(), SET_COOKIE: token})
    st.session_state.pop("_login_message", None)


def logout(message: str = "") -> None:
    token = st.session_state.get(TOKEN)
    if token:
        accounts.end_session(store(), token)
    for key in (ACTOR, TOKEN, ACTIVE, CHECKED):
        st.session_state.pop(key, None)
    st.session_state[SET_COOKIE] = ""
    st.session_state["_login_message"] = message


def write_cookie() -> None:
    """Write (or remove) the session cookie after a login or logout. A script in the page, because
    Streamlit has no server-side Set-Cookie; SameSite=Strict, and Secure behind HTTPS."""
    token = st.session_state.pop(SET_COOKIE, None)
    if token is None:
        return
    value = f"{COOKIE}={token}; path=/; SameSite=Strict" if token else f"{COOKIE}=; path=/; max-age=0; SameSite=Strict"
    st.html(f"<script>document.cookie = {value!r} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
            unsafe_allow_javascript=True)


def actor() -> Actor:
    """Who is acting on this page (every read and write of monitor takes him)."""
    who = st.session_state.get(ACTOR)
    if who is None:
        raise Forbidden("请先登录。")
    return who


def require_page(action: str, what: str = "") -> Actor:
    """First lines of a page: refuse (not just hide) a page the user's role may not open."""
    who = actor()
    if not who.may(action):
        st.title("无权访问")
        st.error(f"{who.role_name}「{plain(who.name)}」无权{ACTION_WORDS[action]}{what}，本页不予显示。")
        st.stop()
    return who


def on_year_change() -> None:
    st.session_state[MONTH] = latest_month(st.session_state[YEAR])


def keep_selection_in_url() -> None:
    """Year and month in the address, so a reload or a shared link shows the same figures."""
    for name, key in (("year", YEAR), ("month", MONTH)):
        if key not in st.session_state:
            continue
        value = str(st.session_state[key])
        if st.query_params.get(name) != value:
            st.query_params[name] = value



@dataclass(frozen=True)
class Ctx:
    """The cache key of everything a page shows."""

    path: str
    version: int  # the data version: notes included
    base: int  # the version whose status and suggestions still hold (see the module docstring)
    year: int
    month: int
    rules_json: str
    who: Actor  # whose view: the logged-in user stripped to his scope (Actor.viewpoint), never his name
    closed_at: str = ""  # a closed month (关账) is read from its snapshot

    def data(self) -> Store:
        """The store the figures come from: the month's snapshot once it is closed, else the live one."""
        if self.closed_at:
            frozen = snapshots.frozen_store(get_store(self.path), self.year, self.month)
            if frozen is not None:
                return frozen
        return get_store(self.path)

    @property
    def rules(self) -> Rules:
        return Rules.from_json(self.rules_json)

    @property
    def period(self) -> str:
        return f"{self.year}年1-{self.month}月"


@st.cache_data(show_spinner=False, max_entries=16)
def _frozen_rules_json(path: str, year: int, month: int, closed_at: str) -> str:
    frozen = snapshots.frozen_store(get_store(path), year, month)
    return rulebook.load(frozen, year).to_json() if frozen is not None else rulebook.load(get_store(path), year).to_json()


def ctx() -> Ctx | None:
    if YEAR not in st.session_state:
        return None
    path = db_path()
    version = data_version(path)
    base = base_version(path, version)
    year, month = int(st.session_state[YEAR]), int(st.session_state[MONTH])
    closed = _facts(path, base).closed.get((year, month), "")
    rules_json = _frozen_rules_json(path, year, month, closed) if closed else _rules_json(path, base, year)
    return Ctx(path, version, base, year, month, rules_json, actor().viewpoint(), closed)


@st.cache_resource(show_spinner=False)
def _latest() -> dict[tuple[object, ...], tuple[int, Status]]:
    """The newest status computed per period and view, with its version: the starting point of the
    next one when only a few projects changed in between (monitor.status.refresh_status)."""
    return {}


# Above this many changed projects a full computation is cheaper than replacing rows.
REFRESH_LIMIT = 2000


def _compute(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> Status | None:
    c = Ctx(path, base, base, year, month, rules_json, who, closed_at)
    key = (path, year, month, rules_json, who, closed_at)
    try:
        previous = _latest().get(key) if who.sees_everything and not closed_at else None
        if previous is not None and previous[0] < base:
            # a unit's save changed one project: recompute it, not the province (bench/round_bench.py)
            changed = get_store(path).changed_projects(year, previous[0], base)
            if changed is not None and len(changed) <= REFRESH_LIMIT:
                s = refresh_status(get_store(path), previous[1], changed)
                _latest()[key] = (base, s)
                return s
        s = compute_status(c.data(), year, month, Rules.from_json(rules_json), actor=who)
    except NotFound:
        return None
    if who.sees_everything and not closed_at:
        _latest()[key] = (base, s)
    return s


# Two caches, because statuses differ in size by five orders of magnitude: the whole region's (a
# province: hundreds of MB) is kept for a few periods; each department's, unit's or evaluator's is
# small, and a round has hundreds of them — with one shared bound of a few entries they pushed each
# other out and the same scope was computed again and again (bench/round_bench.py, 20 users).
@st.cache_resource(show_spinner="正在计算监控状态……", max_entries=3)
def _status_all(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> Status | None:
    return _compute(path, base, year, month, rules_json, who, closed_at)


@st.cache_resource(show_spinner="正在计算监控状态……", max_entries=512)
def _status_scoped(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> Status | None:
    return _compute(path, base, year, month, rules_json, who, closed_at)


def _status(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> Status | None:
    cache = _status_all if who.sees_everything else _status_scoped
    return cache(path, base, year, month, rules_json, who, closed_at)


def status(c: Ctx) -> Status | None:
    return _status(c.path, c.base, c.year, c.month, c.rules_json, c.who, c.closed_at)


def require() -> tuple[Ctx, Status]:
    """The context and status of the page, or a message and stop when there is nothing to show."""
    c = ctx()
    s = status(c) if c else None
    if c is None or s is None:
        st.info("数据库中还没有项目数据。请到「数据」页下载导入模板、填好后上传导入。")
        st.stop()
    return c, s


def page_header(title: str, c: Ctx, s: Status) -> None:
    st.title(title)
    closed = f" · :blue-badge[已关账（{c.closed_at[:16]}），显示关账时的数据]" if c.closed_at else ""
    scope = "" if c.who.sees_everything else f" · 范围：{plain(' / '.join(x for x in (c.who.department, c.who.unit) if x) or '分配给本账户的项目')}"
    st.caption(f"{c.period} · 序时进度 {fmt_bp(s.schedule.bp)}{scope}{closed}")


# Text from data (names, notes, file names) shown through Markdown must stay text: a name like
# ":green[● 绿灯]" would fake a light, "![t](http://host/x.png)" make every viewer fetch an outside
# image, "#" start a heading. Streamlit has no plain-text variant of its titles, captions, alerts and
# expander labels, so such text is escaped: a backslash before each Markdown character, and an
# invisible word joiner inside "://", "www." and "@", which GitHub-flavoured Markdown would otherwise
# turn into links even when escaped.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:~$=^&\"'])")
_LINKISH = re.compile(r"(?i)(://|www\.|@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """Data text for a Markdown element, shown exactly as written (one line)."""
    t = _LINKISH.sub(lambda m: m.group(1)[0] + WORD_JOINER + m.group(1)[1:], str(text))
    return _MARKDOWN.sub(r"\\\1", t).replace("\r", " ").replace("\n", " ")


def dot(level: str) -> str:
    return f":{LEVEL_ST_COLORS.get(level, 'gray')}[{'○' if level == 'none' else '●'}]"


def light(level: str) -> str:
    """Markdown: a coloured dot and the word, e.g. :red[●] 红灯."""
    return f"{dot(level)} {LEVEL_LABELS.get(level, level)}"


def label(level: str) -> str:
    """Plain text for widgets that cannot colour (select boxes)."""
    return LEVEL_LABELS.get(level, level)


def colorize(text: str) -> str:
    """Core texts (rules, reasons) write lights as emoji; show them as coloured dots instead."""
    for level, icon in LEVEL_ICONS.items():
        text = text.replace(icon, dot(level))
    return text


def rules_text(s: Status) -> str:
    """Markdown: the rules in force, one per line."""
    return "现行规则：\n" + "\n".join(f"- {colorize(line)}" for line in s.rules.describe())


def forget_cached_results() -> None:
    """After an import or a rule change: results are keyed by version anyway; this frees memory."""
    st.cache_data.clear()
    for cache in (_status_all, _status_scoped, _warnings_all, _warnings_scoped):
        cache.clear()
    _latest().clear()


# -- cached results -----------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=256)
def overview(c: Ctx) -> dict[str, object]:
    s = status(c)
    assert s is not None
    return {
        "region": s.region.to_dict(),
        "departments": s.departments.copy(),
        # the figures, not s.projects: that one sorts and words every project (0.16 s for a province)
        # and the chart needs neither
        "points": views.quadrant_points(s.project_figures, limit=QUADRANT_POINTS),
        "quadrants": views.quadrant_counts(s.project_figures),
        "projects": len(s.project_figures),
    }


def figures_ctx(c: Ctx) -> Ctx:
    """The context of what notes cannot change (money, lights, charts): a note save keeps its results."""
    return replace(c, version=c.base)


@st.cache_resource(show_spinner=False, max_entries=256)
def overview_figures(c: Ctx) -> dict[str, object]:
    """The overview's figures, built once per data version (read-only; Streamlit copies them to send).
    Building a Plotly figure validates every point, which costs more than drawing it."""
    from dashboard import charts

    s = status(c)
    assert s is not None
    data = overview(c)
    deps, shown = charts.departments(data["departments"], s.schedule.bp)  # type: ignore[arg-type]
    x_col, x_label, x_line = views.money_axis(s.rules)
    return {
        "departments": deps, "departments_shown": shown,
        "curve": charts.cumulative(curve(c), c.month, clickable=True),
        "quadrants": charts.quadrants(data["points"], x_col, x_label, x_line, views.money_line_label(s.rules)),  # type: ignore[arg-type]
    }


@st.cache_data(show_spinner=False, max_entries=256)
def curve(c: Ctx, project: str | None = None) -> pd.DataFrame:
    return monthly_curve(c.data(), c.year, c.rules, project=project, actor=c.who)


def _warnings_items(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> pd.DataFrame:
    s = _status(path, base, year, month, rules_json, who, closed_at)
    assert s is not None
    return warning_items(s, [])


# the same split as the status: a region's list is large, each scope's small and many
@st.cache_resource(show_spinner="正在整理预警清单……", max_entries=3)
def _warnings_all(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> pd.DataFrame:
    return _warnings_items(path, base, year, month, rules_json, who, closed_at)


@st.cache_resource(show_spinner="正在整理预警清单……", max_entries=512)
def _warnings_scoped(path: str, base: int, year: int, month: int, rules_json: str, who: Actor, closed_at: str) -> pd.DataFrame:
    return _warnings_items(path, base, year, month, rules_json, who, closed_at)


@st.cache_data(show_spinner=False, max_entries=8)
def _warnings_marked_all(c: Ctx) -> pd.DataFrame:
    return views.mark_noted(_warnings_all(c.path, c.base, c.year, c.month, c.rules_json, c.who, c.closed_at), month_notes(c), c.month)


@st.cache_data(show_spinner=False, max_entries=256)
def _warnings_marked_scoped(c: Ctx) -> pd.DataFrame:
    return views.mark_noted(_warnings_scoped(c.path, c.base, c.year, c.month, c.rules_json, c.who, c.closed_at), month_notes(c),
                            c.month)


def warnings(c: Ctx) -> pd.DataFrame:
    return (_warnings_marked_all if c.who.sees_everything else _warnings_marked_scoped)(c)


@st.cache_data(show_spinner=False, max_entries=256)
def month_notes(c: Ctx) -> list[Note]:
    """Every note of the year up to the month (notes are few; one query for all projects)."""
    return load_notes(c.data(), c.year, month=c.month, actor=c.who)


@st.cache_data(show_spinner=False, max_entries=64)
def project_notes(c: Ctx, code: str) -> list[Note]:
    return load_notes(c.data(), c.year, project_code=code, actor=c.who)


@st.cache_data(show_spinner=False, max_entries=256)
def units_without_month(c: Ctx) -> pd.DataFrame:
    return views.units_without_month(c.data(), c.year, c.month, actor=c.who)


def restore_widgets(*keys: str) -> None:
    """Give back widget values Streamlit dropped while another page was shown (filters survive a
    visit to a project)."""
    for key in keys:
        kept = "_kept_" + key
        if key not in st.session_state and kept in st.session_state:
            st.session_state[key] = st.session_state[kept]


def remember_widgets(*keys: str) -> None:
    for key in keys:
        if key in st.session_state:
            st.session_state["_kept_" + key] = st.session_state[key]


def open_project(code: str) -> None:
    """Go to 项目详情 for a project, keeping the selection (a rerun, not a new session)."""
    st.session_state[PROJECT] = code
    st.switch_page(str(ROOT / "dashboard" / "pages" / "project.py"), query_params={
        "project": code, "year": str(st.session_state[YEAR]), "month": str(st.session_state[MONTH])})
