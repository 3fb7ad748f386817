"""数据: import a workbook (all or nothing), download the template, and check what is missing."""

import tempfile
from pathlib import Path

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common, tables
from monitor import views
from monitor.errors import ImportRejected, MonitorError
from monitor.importer import import_path
from monitor.template import write_template

common.route_guard()

RESULT = "data_import_result"

st.title("数据")


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_template(Path(tmp) / "导入模板.xlsx").read_bytes()


def _import() -> None:
    """Runs as the button's callback, so the page below already shows the new data."""
    upload = st.session_state.get("data_upload")
    if upload is None:
        st.session_state[RESULT] = ("error", "请先选择要导入的文件。", None)
        return
    with tempfile.TemporaryDirectory() as tmp:
        # keep the user's file name: problems name it, and a CSV's name says which sheet it is
        path = Path(tmp) / Path(upload.name).name  # type: ignore[attr-defined]
        path.write_bytes(upload.getvalue())  # type: ignore[attr-defined]
        try:
            report = import_path(common.store(), path)
        except ImportRejected as exc:
            st.session_state[RESULT] = ("rejected", f"导入被拒绝，数据库未作任何修改：共发现{exc.total}处错误，请按下表逐处更正后重新导入。", exc)
            return
        except MonitorError as exc:
            st.session_state[RESULT] = ("error", f"导入失败，数据库未作任何修改：{exc}", None)
            return
    common.forget_cached_results()
    st.session_state[RESULT] = ("ok", report.summary(), report)


st.subheader("导入数据")
st.caption("上传按模板填写的 .xlsx 工作簿（或与模板工作表同名的 .csv 文件，如“月度支出.csv”）。"
           "导入是整体的：任何一处错误都不会导入，并列出出错的工作表、行和列；重新导入会替换同一项目、同一月份的原有数据。")
upload = st.file_uploader("选择文件", type=["xlsx", "xlsm", "csv"], key="data_upload")
st.button("导入", type="primary", key="data_import", on_click=_import, disabled=upload is None)

result = st.session_state.get(RESULT)
if result:
    kind, message, detail = result
    if kind == "ok":
        st.success(message)
        if detail.warnings:
            st.warning(f"以下{len(detail.warnings)}条提醒已随数据导入，请核对：")
            st.dataframe(tables.problems(detail.warnings), hide_index=True, key="data_warnings")
    elif kind == "rejected":
        st.error(message)
        st.dataframe(tables.problems(detail.problems), hide_index=True, key="data_problems",
                     column_config={"问题": st.column_config.TextColumn(width="large")})
        if detail.total > len(detail.problems):
            st.caption(f"只列出前{len(detail.problems)}处，另有{detail.total - len(detail.problems)}处错误未列出。")
    else:
        st.error(common.plain(message))

st.download_button("下载导入模板（.xlsx）", template_bytes(), file_name="预算执行监控导入模板.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="data_template")

c = common.ctx()
s = common.status(c) if c else None
st.subheader("数据质量" + (f"（{c.period}）" if c else ""))
if c is None or s is None:
    st.info("数据库中还没有项目数据。")
    st.stop()

missing = views.missing_months(s.projects, c.month)
silent = common.units_without_month(c)
a, b = st.columns(2)
a.metric("缺少月份数据的项目", f"{len(missing):,}个", help=f"1-{c.month}月中有月份没有支出记录（当月无支出应填0）", border=True)
b.metric(f"{c.month}月未报送支出数据的单位", f"{len(silent):,}个", border=True)
if len(missing):
    st.markdown(f"**缺少月份数据的项目**（1-{c.month}月应有{c.month}个月的记录）")
    st.dataframe(missing[["department_name", "unit_name", "project_code", "project_name", "months_reported", "months_missing"]]
                 .rename(columns={"department_name": "主管部门", "unit_name": "预算单位", "project_code": "项目编码",
                                  "project_name": "项目名称", "months_reported": "已报月数", "months_missing": "缺少月数"})
                 .head(500), hide_index=True, key="data_missing")
if len(silent):
    st.markdown(f"**{c.month}月未报送支出数据的单位**")
    st.dataframe(silent.rename(columns={"department_name": "主管部门", "unit_name": "预算单位", "projects": "项目数"}),
                 hide_index=True, key="data_silent")
if not len(missing) and not len(silent):
    st.success(f"所有项目1-{c.month}月均有支出记录，所有单位{c.month}月均已报送。")
