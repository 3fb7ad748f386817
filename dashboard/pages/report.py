"""报告导出: per project the report (Word) and its monitoring table (Excel); per scope (全区 or one
department) the 通报 (Word), the monitoring tables (Excel) and a zip of every project's report."""

from datetime import date

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common, report_edits
from monitor.errors import MonitorError
from monitor.report import (
    default_report_date,
    department_report,
    monitoring_table,
    project_report,
    report_filename,
    reports_zip,
    toc,
)
from monitor.report.docx_base import split_basis

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGION = "全区（全部部门）"

common.route_guard()
common.require_page("read")


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


def _report_date(default: date) -> date | None:
    """The report date as typed (年-月-日). A text box, not st.date_input: its calendar is English."""
    text = st.text_input("报告日期（年-月-日）", value=default.isoformat(), key="report-date",
                         help="默认为监控时点的次月末（不晚于今天），印在封面和落款处")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        st.error(f"报告日期应写成 年-月-日，如 {default.isoformat()}，而不是「{common.plain(text)}」")
        return None


def main() -> None:
    # the shared year/month selection and the cached status of the other pages
    c, status = common.require()
    common.page_header("报告导出", c, status)
    store, year, month = c.data(), c.year, c.month  # a closed month: its snapshot, so the report does not move
    st.caption(f"文件按当前数据生成，所用规则写在每份文件的附录中。监控时点：{c.period}（在左侧更改）。")
    projects = status.projects

    a, b = st.columns(2)
    issuer = a.text_input("报告出具单位（留空则为项目单位）", key="report-issuer")
    commissioner = b.text_input("委托方（可留空）", key="report-commissioner", help="写入报告开头：受……委托")
    basis = split_basis(st.text_area("监控依据文件（每行一个，含文号，可留空）", key="report-basis",
                                     placeholder="《XX区财政局关于开展2023年预算绩效运行监控工作的通知》（X财绩〔2023〕12号）"))
    when = _report_date(default_report_date(year, month))
    if when is None:
        return
    # the 目录's page numbers and the chart's place need a layout: LibreOffice's when the server has it,
    # else Word updates the 目录 on opening
    toc_pages = st.checkbox("用 LibreOffice 排版（填入目录页码，图不留空白）", value=toc.available(), key="report-toc",
                            disabled=not toc.available(),
                            help="每份约多2–4秒。未安装 LibreOffice 时，用 Word 打开报告会提示更新域，确认后生成目录页码")

    def with_pages(data: bytes) -> bytes:
        return toc.update_toc(data) if toc_pages and toc.available() else data

    st.subheader("单个项目：监控报告（Word）和监控表（Excel）")
    labels = {f"{r.project_name}（{r.unit_name}，{r.project_code}）": r.project_code for r in projects.itertuples(index=False)}
    # the project open on 项目详情 is the one the user most likely wants a report for
    current = st.session_state.get(common.PROJECT)
    options = list(labels)
    index = next((i for i, k in enumerate(options) if labels[k] == current), 0)
    choice = st.selectbox("项目", options, index=index, key="report-project")
    if choice:
        code = labels[choice]
        name = str(projects.loc[projects["project_code"] == code, "project_name"].iloc[0])
        left, right = st.columns(2)
        with left:
            _bytes_button("项目监控报告", lambda: with_pages(project_report(store, status, code, issuer=issuer or None, report_date=when,
                                                                         basis=basis, commissioner=commissioner or None)),
                          report_filename(code, name, month), DOCX, f"project-{code}")
        with right:
            _bytes_button("项目监控表", lambda: monitoring_table(store, status, [code]),
                          f"{year}年{name}1-{month}月绩效目标执行监控表.xlsx", XLSX, f"project-table-{code}")
        report_edits.render(store, status, code, issuer or None)

    st.subheader("按范围：监控通报、监控表、全部项目报告")
    departments = [REGION] + sorted(status.departments["department_name"])
    dep = st.selectbox("范围", departments, key="report-department", help="以下三个文件都按此范围生成")
    department = None if dep == REGION else dep
    where = department or "全区"
    scope = projects if department is None else projects[projects["department_name"] == department]
    st.caption(f"范围：{common.plain(where)}，共{len(scope):,}个项目。")
    _bytes_button(f"{where}监控通报（Word）", lambda: with_pages(department_report(store, status, department, report_date=when,
                                                                              issuer=issuer or None, basis=basis)),
                  f"{year}年{where}1-{month}月监控通报.docx", DOCX, f"dept-{dep}")
    _bytes_button(f"{where}监控表（Excel）", lambda: monitoring_table(store, status, department=department),
                  f"{year}年{where}1-{month}月绩效目标执行监控表.xlsx", XLSX, f"table-{dep}")
    chart = st.checkbox("报告包含执行进度图", value=len(scope) <= 500, key="zip-chart", help="项目很多时不含图可以快一些")
    st.caption(f"全部项目报告：每个约0.1–0.2秒，{len(scope):,}个项目约需{max(1, round(len(scope) * 0.15))}秒。")
    _bytes_button(f"{where}全部项目报告（zip）", lambda: reports_zip(store, status, list(scope["project_code"]), issuer=issuer or None,
                                                             report_date=when, chart=chart, basis=basis,
                                                             commissioner=commissioner or None),
                  f"{year}年{where}1-{month}月绩效运行监控报告.zip", "application/zip", f"zip-{dep}-{chart}")


main()
