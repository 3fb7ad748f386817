"""AppTest: every page against a real demo database file, and the behaviour users rely on."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from dashboard_support import DEMO_MONTH, DEMO_YEAR, SEED_PROJECT, demo_db, make_app  # noqa: F401
from openpyxl import Workbook
from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import Block, Widget

from dashboard.notes_form import form_key
from monitor import rulebook
from monitor.access import ADMIN, Actor
from monitor.notes import load_notes, save_note
from monitor.store import Store

pytestmark = pytest.mark.usefixtures("demo_db")
PAGES = ("pages/overview.py", "pages/low_execution.py", "pages/project.py", "pages/warnings.py", "pages/data.py",
         "pages/settings.py")


def _ok(at) -> None:  # type: ignore[no-untyped-def]
    assert not at.exception, [e.value for e in at.exception]


def _metric(at, label: str):  # type: ignore[no-untyped-def]
    return next(m for m in at.metric if m.label == label)


def _card(at, label: str) -> str:  # type: ignore[no-untyped-def]
    """The Markdown of the overview's KPI card named `label`."""
    return next(m.value for m in at.markdown if m.value.startswith(f":gray[:small[{label}]]"))


def _table(at, *columns: str):  # type: ignore[no-untyped-def]
    """The first table with these columns (a read-only st.dataframe carries no key)."""
    for d in at.dataframe:
        frame = d.value
        if all(c in frame.columns for c in columns):
            return frame
    raise AssertionError(f"no table with {columns}")


def _seen(markdown: str) -> str:
    """Markdown source as a reader sees it: escapes resolved, no-break spaces read as spaces, word joiners unseen."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u00a0", " ").replace("\u2060", "")


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    """The page's text as a reader sees it."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [s.value for s in at.success] + [i.value for i in at.info]
    return _seen("\n".join(parts))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page: str) -> None:
    at = make_app().run()
    _ok(at)
    at.switch_page(page).run()
    _ok(at)
    assert at.title, f"{page} shows no title"


def test_overview_shows_region_figures_and_the_seed_department() -> None:
    at = make_app().run()
    _ok(at)
    rate = _card(at, "预算执行率")
    assert "### 72.13%" in rate and ":green-badge[落后序时进度11.20个百分点（比值86.56，绿灯）]" in rate
    assert "### 3,294.3648万元" in _card(at, "累计支出")
    assert not at.dataframe  # the department table is sent only once its expander is opened
    at.session_state["overview_departments_open"] = True  # what opening 各部门明细 does
    at.run()
    _ok(at)
    deps = _table(at, "主管部门", "执行率", "红灯项目")
    seed = deps[deps["主管部门"] == "青云谱区总工会"].iloc[0]
    assert round(float(seed["执行率"]), 2) == 27.46
    assert "红灯 1" in _texts(at)
    assert "序时进度口径：按月（m/12）" in _texts(at)  # the rules in force, under the legend


class _ChartClick(Widget):
    """An overview chart as AppTest would hold it if it knew Plotly selections: AppTest keeps a
    st.plotly_chart as an element it cannot set, so a click is this stand-in sending the widget value
    the browser sends — the selection's JSON — under the chart's own id, and the next run calls the
    chart's on_select as a real click would."""

    def __init__(self, chart, selection: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
        self.proto, self.root, self.type = chart.proto, chart.root, "plotly_chart"
        self.id, self.key, self.disabled = chart.proto.id, chart.key, False
        self._value = json.dumps({"selection": selection}, ensure_ascii=False)

    @property
    def value(self) -> str:
        return self._value

    @property
    def _widget_state(self) -> WidgetState:
        return WidgetState(id=self.id, string_value=self._value)


def _chart(at, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in at.get("plotly_chart") if c.key == f"chart_{name}")


def _figure(at, name: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return json.loads(_chart(at, name).proto.spec)


def _click(at, name: str, trace: int, point: int):  # type: ignore[no-untyped-def]
    """Click a point of an overview chart: the selection as Streamlit's frontend reports it, then a run."""
    t = _figure(at, name)["data"][trace]
    selection = {"points": [{"curve_number": trace, "point_number": point, "point_index": point, "x": t["x"][point],
                             "y": t["y"][point], "customdata": t["customdata"][point]}],
                 "point_indices": [point], "box": [], "lasso": []}
    key = f"chart_{name}"

    def swap(block) -> bool:  # type: ignore[no-untyped-def]
        for i, node in block.children.items():
            if getattr(node, "type", None) == "plotly_chart" and node.key == key:
                block.children[i] = _ChartClick(node, selection)
                return True
            if isinstance(node, Block) and swap(node):
                return True
        return False

    assert swap(at._tree), f"no chart {key}"
    return at.run()


def test_overview_charts_are_drawn_in_the_browser_and_answer_clicks() -> None:
    at = make_app().run()
    _ok(at)
    assert not at.image and not at.main.button  # no server-drawn images, no button to switch to them
    for name in ("departments", "curve", "quadrants"):
        chart = _chart(at, name)
        assert list(chart.proto.selection_mode) == [PlotlyChartProto.SelectionMode.POINTS], name
        assert chart.proto.alt  # read out by screen readers
        assert _figure(at, name)["layout"]["clickmode"] == "event+select"


def test_a_click_on_a_department_bar_opens_its_low_execution_list() -> None:
    at = make_app().run()
    bars = _figure(at, "departments")["data"][0]
    seed = bars["y"].index("青云谱区总工会")
    at.switch_page("pages/low_execution.py").run()
    at.multiselect("le_units").set_value(["南昌市工人文化宫"]).run()  # of another department: cleared
    at.switch_page("pages/overview.py").run()
    _click(at, "departments", 0, seed)
    _ok(at)
    assert at.title[0].value == "低执行项目"
    assert at.multiselect("le_departments").value == ["青云谱区总工会"] and at.multiselect("le_units").value == []
    table = at.dataframe("le_table").value
    assert list(table["项目编码"]) == [SEED_PROJECT] and set(table["主管部门"]) == {"青云谱区总工会"}
    assert at.query_params["month"] == str(DEMO_MONTH)  # the period is kept


def test_a_click_on_a_quadrant_point_opens_the_project() -> None:
    at = make_app().run()
    points = _figure(at, "quadrants")["data"]
    trace, point = next((t, i) for t, d in enumerate(points) for i, c in enumerate(d["customdata"]) if c == [SEED_PROJECT])
    _click(at, "quadrants", trace, point)
    _ok(at)
    assert at.title[0].value == "项目详情" and at.selectbox("project_select").value == SEED_PROJECT
    assert at.query_params["project"] == SEED_PROJECT and _metric(at, "预算执行率").value == "27.46%"


def test_a_click_on_a_month_of_the_curve_shows_that_period() -> None:
    at = make_app().run()
    actual = _figure(at, "curve")["data"][0]
    assert actual["name"] == "累计执行率" and actual["x"][5] == "6月"
    _click(at, "curve", 0, 5)
    _ok(at)
    assert at.title[0].value == "总览" and at.session_state["month"] == 6
    assert at.query_params["month"] == "6"  # a reload or a shared link keeps it
    assert "### 41.69%" in _card(at, "预算执行率") and "2023年1-6月" in _texts(at)
    assert at.sidebar.button_group("month").value == 6
    schedule = _figure(at, "curve")["data"][1]
    assert schedule["name"] == "序时进度" and schedule["x"][9] == "10月"  # the actual curve now ends at 6月
    _click(at, "curve", 1, 9)
    assert at.session_state["month"] == 10 and "### 72.13%" in _card(at, "预算执行率")


def test_default_month_is_the_monitoring_point_of_the_data(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app(month=None).run()
    _ok(at)
    assert at.sidebar.button_group("month").value == Store(demo_db).monitoring_month(DEMO_YEAR) == 10
    assert at.sidebar.button_group("year").value == DEMO_YEAR


def test_changing_the_month_changes_the_figures() -> None:
    at = make_app().run()
    assert "### 72.13%" in _card(at, "预算执行率")
    at.sidebar.button_group("month").set_value(12).run()
    _ok(at)
    assert "### 92.21%" in _card(at, "预算执行率")
    assert at.query_params["month"] == "12"  # a reload keeps the month
    at.switch_page("pages/project.py").run()  # the choice is shared by the pages
    _ok(at)
    assert "2023年1-12月" in _texts(at)


def test_low_execution_filter_red_shows_only_red_rows() -> None:
    at = make_app().run()
    at.switch_page("pages/low_execution.py").run()
    table = at.dataframe("le_table").value
    assert len(table) == 6
    assert list(table["沉淀资金(万元)"]) == sorted(table["沉淀资金(万元)"], reverse=True)  # idle money first
    at.multiselect("le_levels").set_value(["red"]).run()
    _ok(at)
    table = at.dataframe("le_table").value
    assert list(table["项目编码"]) == [SEED_PROJECT]
    assert set(table["资金灯"]) == {"● 红灯"}
    assert "符合条件的项目 1 个" in _texts(at)


def test_low_execution_text_search_zero_spend_and_note_filters() -> None:
    at = make_app().run()
    at.switch_page("pages/low_execution.py").run()
    at.text_input("le_text").input("文化宫").run()
    assert list(at.dataframe("le_table").value["项目名称"]) == ["南昌市工人文化宫运转及职工文化活动"]
    at.text_input("le_text").input("").run()
    at.checkbox("le_zero").check().run()
    assert len(at.dataframe("le_table").value) == 0
    at.checkbox("le_zero").uncheck().run()
    at.checkbox("le_no_note").check().run()
    codes = set(at.dataframe("le_table").value["项目编码"])
    assert SEED_PROJECT not in codes and len(codes) == 5  # the seed's money note is written (demo §五)


def test_filters_survive_a_visit_to_a_project() -> None:
    at = make_app().run()
    at.switch_page("pages/low_execution.py").run()
    at.multiselect("le_levels").set_value(["red"]).run()
    at.switch_page("pages/project.py").run()
    at.switch_page("pages/low_execution.py").run()
    assert at.multiselect("le_levels").value == ["red"]


def test_project_page_from_query_param_shows_money_lights_and_pace() -> None:
    at = make_app(project=SEED_PROJECT).run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    assert at.selectbox("project_select").value == SEED_PROJECT
    assert _metric(at, "预算执行率").value == "27.46%"
    assert _metric(at, "预算执行率").delta == "落后序时进度55.88个百分点"  # the alert above gives the ratio and light
    assert _metric(at, "累计支出").value == "134.5368万元"
    assert _metric(at, "调整后预算").value == "490万元"
    text = _texts(at)
    assert "红灯" in at.error[0].value and "比值32.95" in _seen(at.error[0].value)
    assert "须月均支出177.7316万元方可在年底达到100%" in text
    assert "实际落后于用款计划：截至本月计划累计支出170万元，实际支出134.5368万元（为计划的79.14%）" in text
    assert "各口径预计年底执行率：目前月均支出32.95%（采用），用款计划92.76%" in text
    assert _metric(at, "预计年底执行率").value == "32.95%"
    inds = _table(at, "三级指标", "完成率")
    row = inds[inds["三级指标"] == "上解上级工会经费工作完成率"].iloc[0]
    assert row["灯"] == "● 红灯" and row["完成率"] == "0.00%"


def _open_seed(at):  # type: ignore[no-untyped-def]
    at.run()
    at.switch_page("pages/project.py").run()
    _ok(at)
    return at


def test_saving_a_note_stores_it_with_the_logged_in_user(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _open_seed(make_app(project=SEED_PROJECT, user="qypzgh-cw"))
    prefix = form_key(DEMO_YEAR, DEMO_MONTH, SEED_PROJECT, "")
    assert at.session_state[f"{prefix}:version"] == 1  # the imported §五 note
    at.text_area(f"{prefix}:explanation").input("已与施工方完成结算，11月支付。")
    at.selectbox(f"{prefix}:status").set_value("已完成")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    _ok(at)
    assert any("已保存（第2版" in s.value for s in at.success)
    saved = next(n for n in load_notes(Store(demo_db), DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")
    assert (saved.explanation, saved.status, saved.version, saved.updated_by) == \
        ("已与施工方完成结算，11月支付。", "已完成", 2, "qypzgh-cw")


def test_a_stale_form_gets_the_conflict_message_and_overwrites_nothing(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = _open_seed(make_app(project=SEED_PROJECT))
    prefix = form_key(DEMO_YEAR, DEMO_MONTH, SEED_PROJECT, "")
    store = Store(demo_db)
    theirs = next(n for n in load_notes(store, DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")
    save_note(store, replace(theirs, explanation="财务室：另一人的修改"), Actor("李四"))  # after our form was read
    at.text_area(f"{prefix}:explanation").input("我的修改")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    _ok(at)
    assert any("已被他人修改" in e.value and "未保存" in e.value for e in at.error)
    stored = next(n for n in load_notes(store, DEMO_YEAR, project_code=SEED_PROJECT, actor=ADMIN) if n.indicator_name == "")
    assert stored.explanation == "财务室：另一人的修改" and stored.version == 2
    assert at.text_area(f"{prefix}:explanation").value == "我的修改"  # the user's text is kept
    at.button(f"{prefix}:reload").click().run()
    _ok(at)
    assert at.text_area(f"{prefix}:explanation").value == "财务室：另一人的修改"
    assert not any("已被他人修改" in e.value for e in at.error)


def test_a_new_note_opens_with_the_suggestion_and_saves_as_version_1(demo_db) -> None:  # type: ignore[no-untyped-def]
    code = "360100-SZGH-XM"  # yellow, no note yet
    at = _open_seed(make_app(project=code))
    prefix = form_key(DEMO_YEAR, DEMO_MONTH, code, "")
    assert at.session_state[f"{prefix}:version"] == 0
    assert at.text_input(f"{prefix}:problem").value == "资金执行略慢于序时进度"
    assert "预算执行率59.98%" in at.text_area(f"{prefix}:explanation").value
    assert at.multiselect(f"{prefix}:causes").value == [] and at.selectbox(f"{prefix}:likelihood").value == ""
    at.switch_page("pages/warnings.py").run()  # a draft is not a written note
    table = _table(at, "项目编码", "说明")
    assert set(table.loc[table["项目编码"] == code, "说明"]) == {"○ 未填写"}
    at.switch_page("pages/project.py").run()
    at.multiselect(f"{prefix}:causes").select("经费保障")
    at.selectbox(f"{prefix}:likelihood").set_value("有可能")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    _ok(at)
    notes = load_notes(Store(demo_db), DEMO_YEAR, project_code=code, actor=ADMIN)
    assert [(n.indicator_name, n.version, n.causes, n.likelihood) for n in notes] == [("", 1, ("经费保障",), "有可能")]


def test_a_rejected_note_shows_the_chinese_reason() -> None:
    code = "360100-SZGH-XM"
    at = _open_seed(make_app(project=code))
    prefix = form_key(DEMO_YEAR, DEMO_MONTH, code, "")
    at.selectbox(f"{prefix}:likelihood").set_value("完全不可能")
    at.selectbox(f"{prefix}:measure_type").set_value("")
    at.text_area(f"{prefix}:measure").input("")
    at.button(f"FormSubmitter:{prefix}:form-保存说明").click().run()
    assert any("必须填写纠偏措施" in e.value for e in at.error)


def test_warnings_page_lists_items_and_filters_unwritten() -> None:
    at = make_app().run()
    at.switch_page("pages/warnings.py").run()
    _ok(at)
    table = at.dataframe("w_table").value
    assert len(table) == 8 and set(table["主管部门"]) == {"南昌市总工会", "青云谱区总工会"}
    assert (table["说明"] == "● 已填写").sum() == 3
    at.checkbox("w_no_note").check().run()
    table = at.dataframe("w_table").value
    assert len(table) == 5 and set(table["说明"]) == {"○ 未填写"}


def _workbook(rows: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, data in rows.items():
        ws = wb.create_sheet(sheet)
        for r in data:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MONTHLY_HEADER = ["年度", "项目编码", "月份", "支出金额(万元)", "到位资金(万元)", "计划支出(万元)"]


def test_a_bad_workbook_is_rejected_with_a_fixable_table_and_nothing_changes(demo_db) -> None:  # type: ignore[no-untyped-def]
    before = Store(demo_db).data_version()
    at = make_app().run()
    at.switch_page("pages/data.py").run()
    bad = _workbook({"月度支出": [MONTHLY_HEADER, [2023, SEED_PROJECT, 13, "abc", None, None]]})
    at.file_uploader("data_upload").upload("十一月支出.xlsx", bad).run()
    at.button("data_import").click().run()
    _ok(at)
    assert any("数据库未作任何修改" in e.value for e in at.error)
    problems = _table(at, "文件", "工作表", "行", "列", "问题")
    assert list(problems.columns) == ["文件", "工作表", "行", "列", "问题"]
    assert set(problems["文件"]) == {"十一月支出.xlsx"} and set(problems["行"]) == {"2"}
    assert Store(demo_db).data_version() == before


def test_a_good_workbook_is_imported_and_the_figures_move(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()
    at.switch_page("pages/data.py").run()
    good = _workbook({"月度支出": [MONTHLY_HEADER, [2023, SEED_PROJECT, 10, "100", "122.5", "28"]]})
    at.file_uploader("data_upload").upload("十月更正.xlsx", good).run()
    at.button("data_import").click().run()
    _ok(at)
    assert any("导入成功" in s.value for s in at.success)
    at.switch_page("pages/project.py").run()
    at.switch_page("pages/project.py").run()
    assert _metric(at, "累计支出").value != "134.5368万元"


def test_an_import_names_its_period_links_to_it_and_is_gone_after_leaving_the_page(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()
    at.switch_page("pages/data.py").run()
    good = _workbook({"月度支出": [MONTHLY_HEADER, [2023, SEED_PROJECT, 10, "100", "122.5", "28"]]})
    at.file_uploader("data_upload").upload("十月更正.xlsx", good).run()
    at.button("data_import").click().run()
    _ok(at)
    assert [s.value for s in at.success if s.value.startswith("导入成功")] == ["导入成功：2023年10月；月度支出1行"]
    assert "[查看2023年1-10月的监控情况 →](overview?year=2023&month=10)" in _texts(at)
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/data.py").run()
    _ok(at)
    assert not [s.value for s in at.success if "导入成功" in s.value]


def test_the_xfd1048576_bomb_is_refused_and_the_page_keeps_working(demo_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from workbooks import bomb_xlsx

    before = Store(demo_db).data_version()
    at = make_app().run()
    at.switch_page("pages/data.py").run()
    at.file_uploader("data_upload").upload("炸弹.xlsx", bomb_xlsx(tmp_path / "b.xlsx").read_bytes()).run()
    at.button("data_import").click().run()
    _ok(at)
    assert any("超过每张工作表200,000行的上限" in str(v) for d in at.dataframe for v in d.value["问题"])
    assert Store(demo_db).data_version() == before
    at.switch_page("pages/overview.py").run()
    _ok(at)


def test_the_data_page_shows_the_limits_beside_the_uploader_and_a_prefilled_template() -> None:
    from monitor import limits

    at = make_app().run()
    at.switch_page("pages/data.py").run()
    _ok(at)
    assert f"单个文件不超过{limits.MAX_UPLOAD_MB} MB" in _texts(at) and "200,000行" in _texts(at)
    at.selectbox("data_template_department").set_value("南昌市总工会").run()
    assert at.download_button("data_template_prefilled").label == "下载「南昌市总工会」2023年11月预填模板（.xlsx）"


def test_the_upload_limit_of_the_server_is_the_documented_one() -> None:
    import tomllib

    from dashboard_support import ROOT

    from monitor import limits

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_data_page_offers_the_template_and_a_quality_summary() -> None:
    at = make_app().run()
    at.switch_page("pages/data.py").run()
    _ok(at)
    assert at.download_button("data_template").label.startswith("下载空白导入模板")
    assert _metric(at, "缺少月份数据的项目").value == "0个"


def _rk(at, field: str) -> str:  # type: ignore[no-untyped-def]
    """The key of a settings widget: it carries the fingerprint of the rules the form was built from."""
    return f"rules:{field}@{at.session_state['rules:gen']}"


def test_settings_preset_applies_at_once(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()
    at.switch_page("pages/settings.py").run()
    _ok(at)
    at.selectbox("rules:preset").set_value("差距法 10/20")
    at.button("rules:apply_preset").click().run()
    _ok(at)
    assert rulebook.load(Store(demo_db), 2023).light_mode == "gap"
    at.switch_page("pages/overview.py").run()
    assert "资金预警（差距法）" in _texts(at)


def test_settings_refuse_inconsistent_thresholds(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()
    at.switch_page("pages/settings.py").run()
    at.number_input(_rk(at, "ratio_yellow")).set_value(90.0)
    at.button("FormSubmitter:rules_form-保存并应用").click().run()
    _ok(at)
    assert any("黄灯下限不能高于绿灯下限" in e.value for e in at.error)
    assert rulebook.load(Store(demo_db), 2023).ratio_yellow == 60


def test_settings_save_a_custom_schedule(demo_db) -> None:  # type: ignore[no-untyped-def]
    at = make_app().run()
    at.switch_page("pages/settings.py").run()
    at.selectbox(_rk(at, "schedule_mode")).set_value("custom")
    at.text_input(_rk(at, "custom_schedule")).set_value("7:58")
    at.button("FormSubmitter:rules_form-保存并应用").click().run()
    _ok(at)
    rules = rulebook.load(Store(demo_db), 2023)
    assert rules.schedule_mode == "custom" and str(rules.custom_schedule[6]) == "58"
    at.sidebar.button_group("month").set_value(7).run()
    at.switch_page("pages/overview.py").run()
    assert "序时进度 58.00%" in _texts(at)
