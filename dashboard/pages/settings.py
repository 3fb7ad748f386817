"""设置: the rules in force (schedule, denominator, lights, thresholds), presets, defaults, history.

Rules are kept per year: the page edits the rules of the year chosen at its top (the sidebar's year
to begin with); a year without its own rules shows the ones it inherits, and a save gives it its own.

The form always opens on the rules stored now: its widgets take their values from them (`value=`),
under keys that carry the rules' fingerprint, so leaving the page (Streamlit then drops the widgets'
state) or a change by somebody else gives fresh widgets showing the rules in force, never a leftover
or a fallback zero. A save sends only the fields the person changed (`rulebook.update`).
"""

import datetime as dt
import hashlib

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common, schedule_preview
from monitor import rulebook
from monitor.errors import MonitorError
from monitor.rules import FIELDS, PRESETS, Rules, default_custom_schedule

common.route_guard()
common.require_page("rules.change")

P = "rules:"
YEAR_KEY = "rules:year"  # the year whose rules the page edits
GEN = "rules:gen"  # the fingerprint of the rules the form was built from (tests read it to find widgets)
FLASH = "rules:flash"  # (where, kind, message): a result shown beside the button that produced it
NUMBERS = [f for f in FIELDS.values() if f.kind == "number"]
OPTIONALS = [f for f in FIELDS.values() if f.kind == "optional_number"]  # a checkbox to enable, then the number
CHOICES = [f for f in FIELDS.values() if f.kind == "choice"]  # shown as select boxes, three to a row


def widget_key(field: str, gen: str) -> str:
    return f"{P}{field}@{gen}"


def _form_changes(baseline: Rules, gen: str) -> dict[str, object]:
    """The fields whose widgets differ from the rules the form was built from, as typed."""
    ss = st.session_state
    changes: dict[str, object] = {}
    for f in CHOICES + NUMBERS:
        value = ss[widget_key(f.key, gen)]
        if f.coerce(value) != getattr(baseline, f.key):
            changes[f.key] = value
    for f in OPTIONALS:
        value = ss[widget_key(f.key, gen)] if ss[widget_key(f.key + "_on", gen)] else None
        if f.coerce(value) != getattr(baseline, f.key):
            changes[f.key] = value
    floors = ss[widget_key("milestone_floors", gen)]
    if FIELDS["milestone_floors"].coerce(floors) != baseline.milestone_floors:
        changes["milestone_floors"] = floors
    shown = baseline.custom_schedule or default_custom_schedule()
    typed = FIELDS["custom_schedule"].coerce(ss[widget_key("custom_schedule", gen)]) or default_custom_schedule()
    custom_now = changes.get("schedule_mode", baseline.schedule_mode) == "custom"
    if typed != shown or (custom_now and not baseline.custom_schedule):
        changes["custom_schedule"] = typed
    return changes


def _flash(where: str, kind: str, message: str) -> None:
    st.session_state[FLASH] = (where, kind, message)


def _show_flash(where: str) -> None:
    got = st.session_state.get(FLASH)
    if got and got[0] == where:
        st.session_state.pop(FLASH)
        (st.success if got[1] == "ok" else st.info if got[1] == "info" else st.error)(got[2])


def _saved(where: str, before: Rules, after: Rules, done: str) -> None:
    common.forget_cached_results()
    changed = after.changes_from(before)
    if not changed:
        _flash(where, "info", "规则没有变化，未保存。" if after.preset == before.preset else f"规则没有变化，已记为预设「{after.preset}」。")
        return
    names = "、".join(FIELDS[k].label for k in changed)
    where_year = "" if _year() is None else f"{_year()}年"
    _flash(where, "ok", f"{done}：{names}。{where_year}所有页面即刻按新规则（{after.preset}）计算，修改已记入下方的修改记录。")


def _year() -> int | None:
    return st.session_state.get(YEAR_KEY)


@common.guard
def _save(baseline_json: str, gen: str) -> None:
    baseline = Rules.from_json(baseline_json)
    try:
        changes = _form_changes(baseline, gen)
        before = rulebook.load(common.store(), _year())
        after = rulebook.update(common.store(), changes, common.actor(), expected=baseline, year=_year()) if changes else before
    except MonitorError as exc:
        _flash("form", "error", f"未保存：{exc}")
        return
    _saved("form", before, after, "规则已保存")


@common.guard
def _apply_preset() -> None:
    preset = next(p for p in PRESETS if p.name == st.session_state[P + "preset"])
    try:
        before = rulebook.load(common.store(), _year())
        after = rulebook.apply_preset(common.store(), preset, common.actor(), _year())
    except MonitorError as exc:
        _flash("preset", "error", f"未保存：{exc}")
        return
    _saved("preset", before, after, f"已应用预设「{preset.name}」")


@common.guard
def _reset() -> None:
    try:
        before = rulebook.load(common.store(), _year())
        after = rulebook.reset(common.store(), common.actor(), _year())
    except MonitorError as exc:
        _flash("reset", "error", f"未恢复：{exc}")
        return
    _saved("reset", before, after, "已恢复默认规则")


def _v(value: object) -> str:
    if value is None:
        return "不启用"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) if value else "（空）"
    return str(value)


st.title("设置")
# a bureau sets next year's rules before its data arrives: the years with data, the next one, and this calendar year
year_options = sorted({*common.years(), *((max(common.years()) + 1,) if common.years() else ()), dt.date.today().year})
if year_options:
    if st.session_state.get(YEAR_KEY) not in year_options:
        sidebar_year = st.session_state.get(common.YEAR)
        st.session_state[YEAR_KEY] = sidebar_year if sidebar_year in year_options else year_options[-1]
    ya, yb = st.columns([1, 3], vertical_alignment="bottom")
    ya.selectbox("规则适用年度", year_options, key=YEAR_KEY, format_func=lambda y: f"{y}年")
else:
    st.session_state[YEAR_KEY] = None
    ya, yb = st.columns([1, 3], vertical_alignment="bottom")
current = rulebook.load(common.store(), _year())
yb.caption(f"现行预设：**{current.preset}**。规则按年度保存；某年度未单独设置时沿用此前最近年度的规则。")
gen = hashlib.sha1(f"{_year()}|{current.to_json()}".encode()).hexdigest()[:10]
st.session_state[GEN] = gen

st.subheader("预设")
pa, pb = st.columns([3, 1], vertical_alignment="bottom")
pa.selectbox("选择预设", [p.name for p in PRESETS], key=P + "preset",
             format_func=lambda n: f"{n} — {next(p.description for p in PRESETS if p.name == n)}")
pb.button("应用预设", key=P + "apply_preset", on_click=_apply_preset)
chosen = next((p for p in PRESETS if p.name == st.session_state.get(P + "preset")), PRESETS[0])
st.caption(f"来源：{chosen.source}。应用预设会替换全部预警规则，但保留本地区的序时进度口径、执行率分母和送审要求。")
_show_flash("preset")

st.subheader("规则")
# outside the form so the preview follows each keystroke; the form's save reads it from the session
schedule_preview.render(current, widget_key("custom_schedule", gen))
with st.form("rules_form", border=True):
    for row in range(0, len(CHOICES), 3):
        for col, f in zip(st.columns(3), CHOICES[row:row + 3], strict=False):
            options = list(f.choices or {})
            col.selectbox(f.label, options, index=options.index(getattr(current, f.key)), format_func=(f.choices or {}).get,
                          key=widget_key(f.key, gen))
    cols = st.columns(4)
    for i, f in enumerate(NUMBERS):
        cols[i % 4].number_input(f.label, value=float(getattr(current, f.key)), min_value=float(f.low), max_value=float(f.high),
                                 step=1.0, format="%.2f", help=f.help or None, key=widget_key(f.key, gen))
    for f in OPTIONALS:
        m1, m2 = st.columns([1, 3])
        m1.checkbox(f"启用{f.label.split('（')[0].split('：')[0]}", value=getattr(current, f.key) is not None, key=widget_key(f.key + "_on", gen),
                    help=f.help or None)
        m2.number_input(f.label, value=float(getattr(current, f.key) or 0), min_value=0.0, max_value=float(f.high), step=10.0,
                        format=f"%.{f.places}f", key=widget_key(f.key, gen))
    st.text_input(FIELDS["milestone_floors"].label, value=FIELDS["milestone_floors"].show(current.milestone_floors).replace("（未设置）", ""),
                  help=FIELDS["milestone_floors"].help + "；仅在资金预警方式为“里程碑底线”时使用",
                  placeholder="4:25,6:40,8:60,10:80", key=widget_key("milestone_floors", gen))
    st.form_submit_button("保存并应用", type="primary", on_click=_save, args=(current.to_json(), gen))
    _show_flash("form")

ra, rb = st.columns([1, 3], vertical_alignment="center")
with ra.popover("恢复默认规则", icon=":material/restart_alt:"):
    st.markdown("把**全部**规则恢复为出厂默认值（比值法 80/60、按月序时进度、调整后预算为分母……）。")
    st.button("确认恢复", key=P + "reset", type="primary", on_click=_reset)
rb.caption("恢复后可在修改记录中看到被替换的原值。")
_show_flash("reset")

st.subheader("现行规则")
st.markdown("\n".join(f"- {common.colorize(line)}" for line in current.describe()))

st.subheader("修改记录")
changes = rulebook.history(common.store(), limit=50)  # every year's, each entry naming its year
if not changes:
    st.caption("规则尚未修改过（一直为默认规则）。")
else:
    st.dataframe(pd.DataFrame({
        "时间": [f"{c.at:%Y-%m-%d %H:%M}" for c in changes],
        "操作人": [c.actor for c in changes],
        "途径": [c.source for c in changes],
        "操作": [c.what for c in changes],
        "修改内容": ["；".join(f"{label}：{_v(b)} → {_v(a)}" for label, b, a in c.fields) for c in changes],
    }), hide_index=True, key="rules_history", column_config={"修改内容": st.column_config.TextColumn(width="large")})
