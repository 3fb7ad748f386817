"""报告导出: the project report and department 通报 (Word), the monitoring table (Excel), a zip of all reports."""

from datetime import date

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common
from monitor.errors import MonitorError
from monitor.report import department_report, monitoring_table, project_report, report_filename, reports_zip

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL_DEPARTMENTS = "（全部部门）"

common.route_guard()


def _bytes_button(label: str, make, file_name: str, mime: str, key: str) -> None:  # type: ignore[no-untyped-def]
    """Generate on demand (a click), then offer the download: building every file on each rerun would be slow."""
    if st.button(f"生成{label}", key=f"make-{key}"):
        try:
            with st.spinner(f"正在生成{label}……"):
                st.session_state[f"file-{key}"] = (make(), file_name)
        except MonitorError as exc:
            st.error(common.plain(str(exc)))
    got = st.session_state.get(f"file-{key}")
    if got and got[1] == file_name:
        st.download_button(f"下载{label}", got[0], file_name=got[1], mime=mime, key=f"dl-{key}")


def main() -> None:
    # the shared year/month selection and the cached status of the other pages
    c, status = common.require()
    common.page_header("报告导出", c, status)
    store, year, month = common.store(), c.year, c.month
    st.caption("文件按当前数据生成。")
    projects = status.projects

    st.subheader("项目绩效运行监控报告（Word）")
    labels = {f"{r.project_name}（{r.unit_name}，{r.project_code}）": r.project_code for r in projects.itertuples(index=False)}
    # the project open on 项目详情 is the one the user most likely wants a report for
    current = st.session_state.get(common.PROJECT)
    options = list(labels)
    index = next((i for i, k in enumerate(options) if labels[k] == current), 0)
    choice = st.selectbox("项目", options, index=index, key="report-project")
    issuer = st.text_input("报告出具单位（留空则为项目单位）", key="report-issuer")
    when = st.date_input("报告日期", value=date.today(), key="report-date")
    if choice:
        code = labels[choice]
        name = str(projects.loc[projects["project_code"] == code, "project_name"].iloc[0])
        _bytes_button("项目监控报告", lambda: project_report(store, status, code, issuer=issuer or None, report_date=when),
                      report_filename(code, name, month), DOCX, f"project-{code}")

    st.subheader("监控通报（Word）")
    departments = [ALL_DEPARTMENTS] + sorted(status.departments["department_name"])
    dep = st.selectbox("范围", departments, key="report-department")
    department = None if dep == ALL_DEPARTMENTS else dep
    _bytes_button("监控通报", lambda: department_report(store, status, department, report_date=when),
                  f"{year}年{department or '全区'}1-{month}月监控通报.docx", DOCX, f"dept-{dep}")

    st.subheader("绩效目标执行监控表（Excel）")
    _bytes_button("监控表", lambda: monitoring_table(store, status, department=department),
                  f"{year}年{department or '全部'}1-{month}月绩效目标执行监控表.xlsx", XLSX, f"table-{dep}")

    st.subheader("全部项目监控报告（zip）")
    scope = projects if department is None else projects[projects["department_name"] == department]
    chart = st.checkbox("包含执行进度图", value=len(scope) <= 500, key="zip-chart",
                        help="项目很多时不含图可以快一些")
    st.caption(f"共{len(scope)}个项目，每个约0.1–0.2秒。")
    _bytes_button("报告压缩包", lambda: reports_zip(store, status, list(scope["project_code"]), issuer=issuer or None,
                                               report_date=when, chart=chart),
                  f"{year}年{department or '全部'}1-{month}月绩效运行监控报告.zip", "application/zip", f"zip-{dep}-{chart}")


main()
