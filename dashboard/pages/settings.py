"""设置: the rules in force (schedule, denominator, lights, thresholds), presets; saved at once."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common
from monitor import views
from monitor.errors import MonitorError
from monitor.rules import DENOMINATORS, LIGHT_MODES, PRESETS, SCHEDULE_MODES, Rules

common.route_guard()

P = "rules:"  # widget keys: P + field name
LOADED = "rules:loaded"
FLASH = "rules:flash"
NUMBERS = {  # field → (label, help)
    "ratio_green": ("比值法：绿灯下限（比值 ≥）", "比值 = 执行率 ÷ 序时进度 × 100"),
    "ratio_yellow": ("比值法：黄灯下限（比值 ≥）", "低于此值亮红灯"),
    "gap_green": ("差距法：绿灯上限（个百分点 ≤）", "差距 = 序时进度 − 执行率"),
    "gap_yellow": ("差距法：黄灯上限（个百分点 ≤）", "高于此值亮红灯"),
    "not_started_from": ("序时进度达到（%）仍无支出即红灯", "未启动项目"),
    "year_end_target": ("年底执行率目标（%）", "“须月均支出X万元”按此目标计算"),
    "ind_green": ("指标：绿灯下限（完成率 ≥ %）", "累计类指标：实际 ÷ 本阶段目标"),
    "ind_yellow": ("指标：黄灯下限（完成率 ≥ %）", "低于此值亮红灯"),
    "ind_rate_yellow": ("比率类指标：黄灯（达到目标的 %）", "未达目标但不低于此比例为黄灯"),
    "ind_lower_yellow": ("越低越好的比率：黄灯（不超过目标的 %）", ""),
    "ind_blue": ("超额提示：达到年度目标的 %", "提示目标可能偏保守"),
}


def _load(rules: Rules) -> None:
    for f in ("schedule_mode", "denominator", "light_mode", *NUMBERS):
        v = getattr(rules, f)
        st.session_state[P + f] = float(v) if f in NUMBERS else v
    st.session_state[P + "materiality_on"] = rules.materiality_wan is not None
    st.session_state[P + "materiality_wan"] = float(rules.materiality_wan or 0)
    custom = rules.custom_schedule or views.default_custom_schedule()
    for i, v in enumerate(custom):
        st.session_state[f"{P}custom_{i + 1}"] = float(v)
    st.session_state[LOADED] = rules.to_json()


def _store_rules(rules: Rules, message: str) -> None:
    try:
        common.store().set_rules(rules)
    except MonitorError as exc:
        st.session_state[FLASH] = ("error", str(exc))
        return
    common.forget_cached_results()
    _load(rules)
    st.session_state[FLASH] = ("ok", message)


def _save() -> None:
    ss = st.session_state
    values: dict[str, object] = {f: ss[P + f] for f in ("schedule_mode", "denominator", "light_mode", *NUMBERS)}
    values["materiality_wan"] = ss[P + "materiality_wan"] if ss[P + "materiality_on"] else None
    values["custom_schedule"] = [ss[f"{P}custom_{m}"] for m in common.MONTHS] if ss[P + "schedule_mode"] == "custom" else ()
    try:
        rules = views.rules_from_form(common.store().get_rules(), values)
    except MonitorError as exc:
        ss[FLASH] = ("error", f"未保存：{exc}")
        return
    _store_rules(rules, "规则已保存，所有页面即刻按新规则计算。")


def _apply_preset() -> None:
    preset = next(p for p in PRESETS if p.name == st.session_state[P + "preset"])
    try:
        rules = preset.apply(common.store().get_rules())
    except MonitorError as exc:
        st.session_state[FLASH] = ("error", f"未保存：{exc}")
        return
    _store_rules(rules, f"已应用预设「{preset.name}」并保存。")


st.title("设置")
current = common.store().get_rules()
if st.session_state.get(LOADED) != current.to_json():
    _load(current)

flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "ok" else st.error)(flash[1])

st.subheader("预设")
pa, pb = st.columns([3, 1], vertical_alignment="bottom")
pa.selectbox("选择预设", [p.name for p in PRESETS], key=P + "preset",
             format_func=lambda n: f"{n} — {next(p.description for p in PRESETS if p.name == n)}")
pb.button("应用预设", key=P + "apply_preset", on_click=_apply_preset)

st.subheader("规则")
with st.form("rules_form", border=True):
    a, b, c_ = st.columns(3)
    a.selectbox("序时进度口径", list(SCHEDULE_MODES), format_func=SCHEDULE_MODES.get, key=P + "schedule_mode")
    b.selectbox("执行率分母", list(DENOMINATORS), format_func=DENOMINATORS.get, key=P + "denominator")
    c_.selectbox("资金预警方式", list(LIGHT_MODES), format_func=LIGHT_MODES.get, key=P + "light_mode")
    cols = st.columns(4)
    for i, (field, (label, help_)) in enumerate(NUMBERS.items()):
        cols[i % 4].number_input(label, key=P + field, min_value=0.0, max_value=1000.0, step=1.0, format="%.2f",
                                 help=help_ or None)
    m1, m2 = st.columns([1, 3])
    m1.checkbox("启用重要性门槛", key=P + "materiality_on", help="预算低于门槛的项目最多亮黄灯")
    m2.number_input("重要性门槛（万元）", key=P + "materiality_wan", min_value=0.0, step=10.0, format="%.2f")
    st.markdown("自定义序时进度（各月末累计%，仅在口径为“自定义月末进度”时使用）")
    for row in (range(1, 7), range(7, 13)):
        cells = st.columns(6)
        for cell, m in zip(cells, row):
            cell.number_input(f"{m}月末", key=f"{P}custom_{m}", min_value=0.0, max_value=100.0, step=0.5, format="%.2f")
    st.form_submit_button("保存并应用", type="primary", on_click=_save)

st.subheader("现行规则")
st.markdown("\n".join(f"- {common.colorize(line)}" for line in current.describe()))
