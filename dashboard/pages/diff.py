"""关账对比: a closed month as it was closed against the data now (corrections after closing), and
one month against another (new reds, reds turned green, departments' ranks) for the 月度通报."""

import dashboard_path  # noqa: F401  (repository root on sys.path)
import pandas as pd
import streamlit as st

from dashboard import common
from monitor import snapshots
from monitor.money import fmt_bp, fmt_wan
from monitor.status import LEVEL_LABELS

common.route_guard()
who = common.require_page("read")
c = common.ctx()
if c is None:
    st.info("数据库中还没有项目数据。")
    st.stop()
st.title("关账对比")
closed = snapshots.closed_months(common.store(), c.year)
st.caption(f"{c.year}年已关账的月份：" + ("、".join(f"1-{m}月（{at:%Y-%m-%d}，{by}）" for m, (at, by) in closed.items()) or "无"))

st.subheader(f"{c.period}：关账时与现在")
if c.month not in closed:
    st.caption(f"{c.period}尚未关账。关账后，此后导入的更正会在这里逐项目列出。")
else:
    d = snapshots.diff(common.store(), who, c.year, c.month)
    if d.empty:
        st.success(f"{c.period}关账后数据没有变化。")
    else:
        st.warning(f"{c.period}关账后有{len(d)}个项目的数据发生了变化（关账后调整），报告仍按关账时的数据生成。")
        st.dataframe(pd.DataFrame({
            "主管部门": d["department_name"], "预算单位": d["unit_name"], "项目编码": d["project_code"], "项目名称": d["project_name"],
            "关账时累计支出": [fmt_wan(v) for v in d["spent_fen_closed"]], "现在累计支出": [fmt_wan(v) for v in d["spent_fen_now"]],
            "关账时执行率": [fmt_bp(v) for v in d["rate_bp_closed"]], "现在执行率": [fmt_bp(v) for v in d["rate_bp_now"]],
            "关账时资金灯": [LEVEL_LABELS.get(str(v), "—") for v in d["level_closed"]],
            "现在资金灯": [LEVEL_LABELS.get(str(v), "—") for v in d["level_now"]],
        }), hide_index=True, key="diff_table")

st.subheader("月份对比")
earlier = st.segmented_control("与哪个月对比", [m for m in common.MONTHS if m < c.month], key="diff_against",
                               format_func=lambda m: f"1-{m}月", default=c.month - 1 if c.month > 1 else None)
if earlier:
    got = snapshots.compare_months(common.store(), who, c.year, int(earlier), c.month)
    a, b = st.columns(2)
    a.markdown(f"**新增红灯项目 {len(got['new_reds'])} 个**")
    a.dataframe(got["new_reds"][["department_name", "project_name"]].rename(columns={"department_name": "主管部门", "project_name": "项目名称"}),
                hide_index=True, key="diff_new_reds")
    b.markdown(f"**红灯转绿灯项目 {len(got['reds_turned_green'])} 个**")
    b.dataframe(got["reds_turned_green"][["department_name", "project_name"]].rename(
        columns={"department_name": "主管部门", "project_name": "项目名称"}), hide_index=True, key="diff_cleared")
    r = got["ranking"]
    st.markdown("**各部门执行率排名**")
    st.dataframe(pd.DataFrame({
        "排名": r["rank"], "主管部门": r["department_name"], "执行率": [fmt_bp(v) for v in r["rate_bp"]],
        f"1-{earlier}月排名": r["rank_before"],
        "变化": ["—" if pd.isna(m) else (f"上升{int(m)}位" if m > 0 else f"下降{-int(m)}位" if m < 0 else "不变") for m in r["moved"]],
    }), hide_index=True, key="diff_ranking")
