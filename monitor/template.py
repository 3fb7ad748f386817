"""The import template a unit fills by hand (README, 导入格式).

One sheet per table with its headers frozen, a grey italic example row whose first cell is 示例
(the importer never imports such a row and says so), drop-down lists where the importer accepts
only some words, and a 填写说明 sheet. The pre-filled variant carries a department's projects and
indicators of a year, with this month's rows to fill (spend, funds, indicator actuals) marked.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import limits
from .access import ADMIN, Actor, scope_sql
from .errors import NotFound
from .importer import ADJUST_TYPES, EXAMPLE_MARK, INFO_SHEET, SHEETS, YES_NO
from .notes import CAUSES, LIKELIHOODS, MEASURE_STATUSES, MEASURE_TYPES
from .project_facts import MONITOR_BODIES, SOURCE_NAMES, facts_on
from .store import Store
from .targets import NATURE_LABELS

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标", "决策指标", "过程指标")
LEVEL2 = ("数量指标", "质量指标", "时效指标", "经济成本", "社会成本", "生态环境成本", "经济效益", "社会效益", "生态效益",
          "可持续影响", "服务对象满意度")
MONTHS = tuple(str(m) for m in range(1, 13))

# column → (choices, strict): strict lists are all the importer accepts; the others suggest (the
# importer takes any 一级/二级 wording, and several 偏差原因 joined by 、)
CHOICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "一级指标": (LEVEL1, False),
    "二级指标": (LEVEL2, False),
    "调整类型": (ADJUST_TYPES, True),
    "指标性质": (tuple(NATURE_LABELS.values()), True),
    "月份": (MONTHS, True),
    "完成时限": (MONTHS, True),
    "偏差原因": (CAUSES, False),
    "完成目标可能性": (LIKELIHOODS, True),
    "措施类型": (MEASURE_TYPES, True),
    "措施状态": (MEASURE_STATUSES, True),
    "截至月份": (MONTHS, True),
    "总目标是否调整": (YES_NO, True),
    "监控主体": (MONITOR_BODIES, True),
    "资金来源": (SOURCE_NAMES, False),
}

EXAMPLE_CODE = "360104-ZGH-2023-001"
EXAMPLES: dict[str, list[object]] = {
    "项目": [EXAMPLE_MARK, "青云谱区总工会", "青云谱区总工会", EXAMPLE_CODE, "工会经费项目", "2023-01-01", "2023-12-31", 490, 490,
             "提升工会服务群众的能力和水平", "基层工会建设、劳模补助及宣传、职工培训",
             "工会是党联系职工群众的桥梁和纽带……", "《中华人民共和国工会法》《基层工会经费收支管理办法》……", "是",
             "加强基层工会规范化建设，全年计划完成60家以上基层工会创建工作……", "第三方", "江西正效咨询管理有限公司",
             "资金拨付程序完整，原始凭证和记账凭证完整，未发现截留、挤占、挪用、虚列支出等情况。"],
    "月度支出": [EXAMPLE_MARK, EXAMPLE_CODE, 10, 13.4537, 122.5, 28],
    "绩效指标": [EXAMPLE_MARK, EXAMPLE_CODE, "产出指标", "数量指标", "技能培训人数", "≥100人", 10, "原指标", "考察项目实施情况", "累计类", "", ""],
    "指标进度": [EXAMPLE_MARK, EXAMPLE_CODE, "技能培训人数", 10, "80人", "183人", "5月、7月、9月共举办3期技能培训，参训183人（据培训签到表）"],
    "监控说明": [EXAMPLE_MARK, EXAMPLE_CODE, "技能培训人数", 10, "培训进度偏慢", "人员保障、其他", "师资到位较晚", "有可能",
             "加快组织剩余培训班", "加快执行", "区总工会", 12, "进行中"],
    "资金来源": [EXAMPLE_MARK, EXAMPLE_CODE, 10, "财政拨款", 490, 0, 0, 490, 134.5368],
    "工作进展": [EXAMPLE_MARK, EXAMPLE_CODE, "2023-07-03", "2023-08-11", "开设职工子女暑期托管班", "委托区青少年校外活动和资助中心举办，83名职工子女参加"],
}

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
TO_FILL = PatternFill("solid", fgColor="FFF2CC")  # this month's cells of the pre-filled variant


def header_text(sheet: str, column: str, money: bool) -> str:
    return f"{column}(万元)" if money else column


def write_template(path: str | Path, store: Store | None = None, department: str | None = None,
                   year: int | None = None, month: int | None = None, *, actor: Actor = ADMIN) -> Path:
    """The empty template, or with `store` and `department` (and `year`, `month`) pre-filled."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(template_bytes(store, department, year, month, actor=actor))
    return out


def template_bytes(store: Store | None = None, department: str | None = None, year: int | None = None,
                   month: int | None = None, *, actor: Actor = ADMIN) -> bytes:
    """`actor`: whose projects a pre-filled template may list (a unit's own only); the empty template
    holds no data, so the command line's administrator is the right default for it."""
    prefill = None
    if department is not None:
        if store is None or year is None or month is None:
            raise ValueError("a pre-filled template needs the store, the year and the month")
        if not 1 <= month <= 12:
            raise NotFound(f"月份应为1到12，而不是{month}")
        prefill = _department_rows(store, department, year, month, actor)
    wb = _book(prefill, department, year, month)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _book(prefill: dict[str, list[list[object]]] | None, department: str | None, year: int | None, month: int | None) -> Workbook:
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _info(info, department, year, month)
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append([header_text(spec.name, c.name, c.money) for c in spec.columns])
        for cell in ws[1]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            ws.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) * 2 + 2)
        ws.freeze_panes = "A2"
        ws.append(EXAMPLES[spec.name])
        for cell in ws[2]:
            cell.font = EXAMPLE_FONT
            cell.fill = EXAMPLE_FILL
            _as_text(cell)
        rows = (prefill or {}).get(spec.name, [])
        fill_cols = {i for i, c in enumerate(spec.columns) if c.name in _NEW_COLUMNS.get(spec.name, ())}
        for r in rows:
            ws.append(r)
            for i, cell in enumerate(ws[ws.max_row]):
                _as_text(cell)
                if i in fill_cols:
                    cell.fill = TO_FILL
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        _validations(ws, [c.name for c in spec.columns])
    return wb


# the columns a unit fills each month in the pre-filled variant
_NEW_COLUMNS = {"月度支出": ("支出金额", "到位资金", "计划支出"), "指标进度": ("本阶段目标值", "实际完成值")}


def _as_text(cell) -> None:  # type: ignore[no-untyped-def]
    if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"  # "=100%" is a target text, never a formula


def _validations(ws, columns: list[str]) -> None:  # type: ignore[no-untyped-def]
    last = limits.MAX_XLSX_ROWS
    for i, name in enumerate(columns, start=1):
        if name not in CHOICES:
            continue
        options, strict = CHOICES[name]
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="stop" if strict else "warning",
                            errorTitle=f"{name}不在可选范围内",
                            error=f"{name}应为：{'、'.join(options)}" + ("" if strict else "（也可填写其他内容）"),
                            promptTitle=name, prompt="从下拉列表中选择" + ("" if strict else "，或直接填写"), showInputMessage=True)
        dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{last}")
        ws.add_data_validation(dv)


def _info(info, department: str | None, year: int | None, month: int | None) -> None:  # type: ignore[no-untyped-def]
    info.append(["工作表", "列", "是否必填", "说明"])
    for spec in SHEETS:
        for c in spec.columns:
            notes = []
            if c.money:
                notes.append("金额单位为万元；表头写成“(元)”则按元导入")
            if c.name in CHOICES:
                options, strict = CHOICES[c.name]
                notes.append(("下拉选择：" if strict else "可下拉选择，也可填写其他：") + "、".join(options))
            info.append([spec.name + ("（可选工作表）" if spec.optional_sheet else ""), c.name, "必填" if c.required else "可选", "；".join(notes)])
        info.append([spec.name, "", "", spec.help])
    rules = [
        f"每张工作表第2行是灰色斜体的示例行，第一格为“{EXAMPLE_MARK}”：以“{EXAMPLE_MARK}”开头的行不会导入（导入结果会提示），可保留也可删除；请从第3行起填写。",
        "导入是整体的：任何一处错误都会使整个文件不被导入，并列出出错的工作表、行和列。重新导入更正后的文件会替换同一项目（同一月份、同一指标）的原有数据，不会重复。",
        f"上限：{limits.describe()}",
        "工作表名须与模板一致（不要改名、不要隐藏）；单元格内不要有公式错误值（如 #DIV/0!）；数字只用0-9（全角数字按半角读入）。",
    ]
    if department:
        rules.insert(0, f"本模板已预填「{department}」{year}年的项目和绩效指标；黄色单元格为{month}月需要填写的内容"
                        f"（{month}月支出、到位资金、指标完成情况），其余内容如无变化请勿修改。")
    for text in rules:
        info.append(["全部", "", "", text])
    for cell in info[1]:
        cell.font = BOLD
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 16
    info.column_dimensions["D"].width = 90
    info.freeze_panes = "A2"
    for row in info.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True)


def _department_rows(store: Store, department: str, year: int, month: int, actor: Actor) -> dict[str, list[list[object]]]:
    """The department's projects and indicators of `year` that the actor may see, and one row per
    project and indicator for `month`, as template rows (money in 万元, exact)."""
    scope, params = scope_sql(actor)
    projects = store.df(f"""SELECT * FROM projects p WHERE p.year = ? AND p.department_name = ? AND {scope}
                           ORDER BY p.unit_name, p.project_code""", [year, department, *params])
    if projects.empty:
        raise NotFound(f"{year}年没有部门「{department}」的项目，无法生成预填模板")
    codes = projects["project_code"].tolist()
    inds = store.df("""SELECT * FROM indicators WHERE year = ? AND project_code IN (SELECT unnest(?::VARCHAR[]))
                       ORDER BY project_code, seq""", [year, codes])
    planned = store.df("""SELECT project_code, planned FROM monthly WHERE year = ? AND month = ?
                          AND project_code IN (SELECT unnest(?::VARCHAR[]))""", [year, month, codes])
    plan = dict(zip(planned["project_code"], planned["planned"], strict=False))

    def wan(v: object) -> object:
        return None if v is None or pd.isna(v) else Decimal(str(v)) / 10_000  # 元 → 万元, exact

    def text(v: object) -> object:
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    def day(v: object) -> object:
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()

    with store.connect() as con:
        facts = facts_on(con, year, codes)  # written back unchanged when the filled template is imported
    rows: dict[str, list[list[object]]] = {"项目": [], "月度支出": [], "绩效指标": [], "指标进度": []}
    for p in projects.itertuples(index=False):
        f = facts.get(p.project_code)
        said = ([f.background, f.basis, {True: "是", False: "否", None: ""}[f.goal_adjusted], f.adjusted_goal, f.monitor_body,
                 f.third_party, f.compliance, f.efficiency, f.effectiveness, f.fairness] if f and f.version else [])
        rows["项目"].append([year, p.department_name, p.unit_name, p.project_code, p.project_name, day(p.start_date), day(p.end_date),
                            wan(p.budget_initial), wan(p.budget_adjusted), text(p.annual_goal), text(p.content),
                            *(v or None for v in said)])
        rows["月度支出"].append([year, p.project_code, month, None, None, wan(plan.get(p.project_code))])
    for i in inds.itertuples(index=False):
        weight = None if i.weight is None or pd.isna(i.weight) else Decimal(str(i.weight))
        rows["绩效指标"].append([year, i.project_code, i.level1, i.level2, i.name, i.target_text, weight, i.adjust_type,
                                text(i.explanation), NATURE_LABELS.get(i.nature), text(i.original_name), text(i.original_target)])
        if i.adjust_type != "删除":
            rows["指标进度"].append([year, i.project_code, i.name, month, None, None])
    return rows
