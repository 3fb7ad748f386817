"""数据: import a workbook (all or nothing), download the template, and check what is missing."""

import logging
import tempfile
import uuid
from pathlib import Path

import dashboard_path  # noqa: F401  (repository root on sys.path)
import streamlit as st

from dashboard import common, tables
from monitor import limits, views
from monitor.access import Actor
from monitor.errors import ImportRejected, MonitorError
from monitor.importer import ImportReport, import_path
from monitor.template import template_bytes

common.route_guard()
common.require_page("data.import")

RESULT = "data_import_result"
UPLOAD = "data_upload"
log = logging.getLogger(__name__)


def Result(file_id: str, kind: str, message: str, detail: ImportReport | ImportRejected | None = None) -> dict[str, object]:  # noqa: N802
    """The outcome of one import (kind: ok | rejected | error), shown only while the file that
    produced it is still chosen: leaving the page clears the uploader, so an old 导入成功 never
    greets a later visit. A dict, not a class of this page: the page's module is run afresh on
    every rerun, so a class defined here would not be the class of what session state holds."""
    return {"file_id": file_id, "kind": kind, "message": message, "detail": detail}


st.title("数据")


@st.cache_data(show_spinner=False)
def blank_template() -> bytes:
    return template_bytes()


@st.cache_data(show_spinner="正在生成预填模板……", max_entries=8)
def prefilled_template(path: str, version: int, department: str, year: int, month: int, who: Actor) -> bytes:
    return template_bytes(common.get_store(path), department, year, month, actor=who)


def _import() -> None:
    """Runs where the 导入 button is, so its progress bar shows under the button (a callback's
    elements would be drawn above the page's title); the page then runs again on the new data."""
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        return
    file_id = str(getattr(upload, "file_id", ""))
    with tempfile.TemporaryDirectory() as tmp:
        # keep the user's file name: problems name it, and a CSV's name says which sheet it is
        path = Path(tmp) / Path(upload.name).name  # type: ignore[attr-defined]
        path.write_bytes(upload.getvalue())  # type: ignore[attr-defined]
        bar = st.progress(0.0, text="导入进度 0% 读取文件")

        def progress(fraction: float, stage: str) -> None:
            bar.progress(fraction, text=f"导入进度 {round(fraction * 100)}% {stage}")

        try:
            report = import_path(common.store(), path, actor=common.actor(), progress=progress)
        except ImportRejected as exc:
            st.session_state[RESULT] = Result(file_id, "rejected", f"导入被拒绝，数据库未作任何修改：共发现{exc.total}处错误，请按下表逐处更正后重新导入。", exc)
            return
        except MonitorError as exc:
            st.session_state[RESULT] = Result(file_id, "error", f"导入失败，数据库未作任何修改：{exc}")
            return
        except Exception:  # noqa: BLE001 - the edge: whatever a file does, the page answers calmly
            ref = uuid.uuid4().hex[:8]
            log.exception("import of %s failed (error id %s)", upload.name, ref)  # type: ignore[attr-defined]
            st.session_state[RESULT] = Result(file_id, "error", f"导入时发生内部错误（错误编号{ref}），数据库未作任何修改。"
                                                               "请把文件和编号交给系统管理员。")
            return
        finally:
            bar.empty()  # the outcome below replaces it
    common.forget_cached_results()
    st.session_state[RESULT] = Result(file_id, "ok", report.summary(), report)


def _show(result: dict[str, object]) -> None:
    kind, message, detail = result["kind"], str(result["message"]), result["detail"]
    if kind == "ok" and isinstance(detail, ImportReport):
        st.success(message)
        latest = detail.latest()
        if latest:
            year, month = latest
            # a link to the app's own overview at that period (relative: same host and base path)
            st.markdown(f"[查看{year}年1-{month}月的监控情况 →](overview?year={year}&month={month})")
        if detail.warnings:
            st.warning(f"以下{len(detail.warnings)}条提醒已随数据导入，请核对：")
            st.dataframe(tables.problems(detail.warnings), hide_index=True, key="data_warnings")
    elif kind == "rejected" and isinstance(detail, ImportRejected):
        st.error(message)
        st.dataframe(tables.problems(detail.problems), hide_index=True, key="data_problems",
                     column_config={"问题": st.column_config.TextColumn(width="large")})
        if detail.total > len(detail.problems):
            st.caption(f"只列出前{len(detail.problems)}处，另有{detail.total - len(detail.problems)}处错误未列出。")
    else:
        st.error(common.plain(message))


st.subheader("导入数据")
st.caption("上传按模板填写的 .xlsx 工作簿（或与模板工作表同名的 .csv 文件，如“月度支出.csv”）。"
           "导入是整体的：任何一处错误都不会导入，并列出出错的工作表、行和列；重新导入会替换同一项目、同一月份的原有数据。")
st.caption(f"上限：{limits.describe()}")
upload = st.file_uploader("选择文件", type=["xlsx", "xlsm", "csv"], key=UPLOAD, max_upload_size=limits.MAX_UPLOAD_MB)
if st.button("导入", type="primary", key="data_import", disabled=upload is None):
    _import()
    st.rerun()  # the whole page, the sidebar's periods included, on the new data

result = st.session_state.get(RESULT)
if isinstance(result, dict):
    if upload is not None and result["file_id"] == str(getattr(upload, "file_id", "")):
        _show(result)
    else:
        del st.session_state[RESULT]  # from an earlier visit or another file

c = common.ctx()
s = common.status(c) if c else None

st.subheader("导入模板")
st.download_button("下载空白导入模板（.xlsx）", blank_template(), file_name="预算执行监控导入模板.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="data_template")
if c is not None and s is not None and len(s.departments):
    departments = sorted(s.departments["department_name"].astype(str))
    a, b = st.columns([3, 1])
    department = a.selectbox("预填部门", departments, key="data_template_department",
                             help="模板中预填该部门已有的项目和绩效指标，只需填写所选月份的支出和指标完成情况")
    month = b.selectbox("填报月份", common.MONTHS, index=min(c.month, 11), key="data_template_month", format_func=lambda m: f"{m}月")
    st.download_button(f"下载「{department}」{c.year}年{month}月预填模板（.xlsx）",
                       prefilled_template(c.path, c.version, department, c.year, month, c.who),
                       file_name=f"{department}{c.year}年{month}月导入模板.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="data_template_prefilled")

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
