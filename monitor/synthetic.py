"""A synthetic region for tests and benchmarks: N departments × M projects, seeded and repeatable.

100,000 projects give 1.2 million monthly rows and a million indicators with their 1-10月 progress.
Frames are built with numpy columns (no Python loop per project) in the store's own shape, so a
database of a whole province is written in seconds; `write_csv` writes the same data as the import
CSV files so the importer can be measured on it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .access import ADMIN
from .store import Store

DEPARTMENT_NAMES = (
    "教育局", "卫生健康委员会", "民政局", "农业农村局", "住房和城乡建设局", "交通运输局", "文化广电旅游局",
    "科学技术局", "人力资源和社会保障局", "生态环境局", "水利局", "自然资源局", "应急管理局", "市场监督管理局",
    "退役军人事务局", "体育局", "商务局", "工业和信息化局", "司法局", "总工会",
)
# level1, level2, name, op, unit, nature, value range (low, high) — qualitative when op is None
INDICATOR_TEMPLATES = (
    ("产出指标", "数量指标", "培训人次", ">=", "人次", "cumulative", (50, 5000)),
    ("产出指标", "数量指标", "开展活动场次", ">=", "场", "cumulative", (2, 60)),
    ("产出指标", "数量指标", "覆盖服务对象人数", ">=", "人", "cumulative", (100, 20000)),
    ("产出指标", "质量指标", "验收合格率", "=", "%", "rate", (100, 100)),
    ("产出指标", "质量指标", "资金发放准确率", ">=", "%", "rate", (95, 100)),
    ("产出指标", "时效指标", "项目完成及时率", "=", "%", "rate", (100, 100)),
    ("成本指标", "经济成本", "项目总成本", "<=", "万元", "cumulative", (0, 0)),
    ("效益指标", "社会效益", "服务群众获得感", None, "", "qualitative", (0, 0)),
    ("效益指标", "社会效益", "安全责任事故发生次数", "=", "次", "cumulative", (0, 0)),
    ("满意度指标", "服务对象满意度", "服务对象满意度", ">=", "%", "rate", (85, 95)),
)


def generate(n_projects: int, seed: int = 0, year: int = 2023, projects_per_department: int = 1000,
             units_per_department: int = 10) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = n_projects
    idx = np.arange(n)
    dep_idx = idx // projects_per_department
    unit_idx = idx % units_per_department
    dep_names = np.array([f"{DEPARTMENT_NAMES[d % len(DEPARTMENT_NAMES)]}{'' if d < len(DEPARTMENT_NAMES) else d // len(DEPARTMENT_NAMES) + 1}"
                          for d in range(int(dep_idx.max()) + 1 if n else 0)], dtype=object)
    departments = dep_names[dep_idx] if n else np.array([], dtype=object)
    units = np.char.add(np.char.add(departments.astype(str), "第"), np.char.add((unit_idx + 1).astype(str), "单位")).astype(object)
    codes = np.char.add(f"P{year}-", np.char.zfill(idx.astype(str), 6)).astype(object)
    # budgets: lognormal around 50万元, in whole 元 (fen multiple of 100)
    budget_yuan = np.clip(np.round(rng.lognormal(np.log(500_000), 1.2, n)), 10_000, 2_000_000_000).astype(np.int64)
    adjusted = budget_yuan * 100
    initial = np.where(rng.random(n) < 0.2, (adjusted * rng.uniform(0.7, 1.0, n)).astype(np.int64) // 100 * 100, adjusted)
    projects = pd.DataFrame({
        "year": year, "project_code": codes, "project_name": np.char.add(np.char.add(units.astype(str), "专项"), (idx % 7 + 1).astype(str)).astype(object),
        "department_name": departments, "unit_name": units,
        "start_date": date(year, 1, 1), "end_date": date(year, 12, 31),
        "budget_initial": initial, "budget_adjusted": adjusted,
        "annual_goal": "按计划完成年度任务，提升公共服务水平。", "content": "合成数据。",
    })

    # monthly spend: each project reaches a final share drawn per project, back-loaded into Q4
    final_share = np.clip(rng.beta(8, 1.2, n), 0, 1.02)
    final_share[rng.random(n) < 0.05] = 0.0  # some projects never start
    shape = np.array([4, 5, 6, 7, 8, 8, 9, 9, 9, 10, 11, 14], dtype=float)
    weights = shape[None, :] * rng.uniform(0.3, 1.7, (n, 12))
    weights /= weights.sum(axis=1, keepdims=True)
    spent = np.floor(adjusted[:, None] * final_share[:, None] * weights).astype(np.int64)
    arrive_share = np.where(rng.random(n) < 0.7, 1.0, rng.uniform(0.5, 1.0, n))
    arrived = np.zeros((n, 12), dtype=np.int64)
    arrived[:, [0, 3, 6, 9]] = (adjusted[:, None] * arrive_share[:, None] / 4).astype(np.int64)
    has_plan = rng.random(n) < 0.3
    planned = np.floor(adjusted[:, None] * (shape / shape.sum())[None, :]).astype(np.int64)
    monthly = pd.DataFrame({
        "year": year, "project_code": np.repeat(codes, 12), "month": np.tile(np.arange(1, 13), n),
        "spent": spent.ravel(), "arrived": arrived.ravel(),
        "planned": pd.array(np.where(np.repeat(has_plan, 12), planned.ravel(), 0), dtype="Int64"),
    })
    monthly.loc[~np.repeat(has_plan, 12), "planned"] = pd.NA

    # indicators: ten per project from the templates, with targets scaled to the project
    t = len(INDICATOR_TEMPLATES)
    ti = np.tile(np.arange(t), n)
    pi = np.repeat(idx, t)
    lo = np.array([x[6][0] for x in INDICATOR_TEMPLATES])[ti]
    hi = np.array([x[6][1] for x in INDICATOR_TEMPLATES])[ti]
    value = np.round(lo + (hi - lo) * rng.random(n * t)).astype(np.int64)
    ops = np.array([x[3] for x in INDICATOR_TEMPLATES], dtype=object)[ti]
    unit = np.array([x[4] for x in INDICATOR_TEMPLATES], dtype=object)[ti]
    nature = np.array([x[5] for x in INDICATOR_TEMPLATES], dtype=object)[ti]
    is_cost = np.array([x[2] == "项目总成本" for x in INDICATOR_TEMPLATES])[ti]
    value = np.where(is_cost, adjusted[pi] // 1_000_000, value)  # cost cap = budget in 万元
    op_sign = pd.Series(ops).map({">=": "≥", "=": "=", "<=": "≤"}).fillna("")
    target_text = np.where(nature == "qualitative", "提升", op_sign.to_numpy(dtype=object) + value.astype(str).astype(object) + unit)
    indicators = pd.DataFrame({
        "year": year, "project_code": codes[pi], "name": np.array([x[2] for x in INDICATOR_TEMPLATES], dtype=object)[ti],
        "seq": ti, "level1": np.array([x[0] for x in INDICATOR_TEMPLATES], dtype=object)[ti],
        "level2": np.array([x[1] for x in INDICATOR_TEMPLATES], dtype=object)[ti],
        "target_text": target_text, "target_op": ops,
        "target_value": pd.array(np.where(nature == "qualitative", 0, value * 1_000_000), dtype="Int64"),
        "target_unit": unit, "nature": nature, "adjust_type": "原指标",
    })
    indicators.loc[nature == "qualitative", "target_value"] = pd.NA

    # progress at 1-10月: actual = target × a completion drawn per indicator; 5% not reported
    completion = np.clip(rng.normal(0.85, 0.3, n * t), 0, 2.5)
    actual = np.where(nature == "rate", np.minimum(value, np.round(value * np.clip(completion + 0.15, 0, 1))),
                      np.round(value * completion * 10 / 12))
    actual = np.where(is_cost, np.round(value * np.clip(completion, 0, 1.2) * 10 / 12), actual).astype(np.int64)
    zero_target = np.array([x[2] == "安全责任事故发生次数" for x in INDICATOR_TEMPLATES])[ti]
    actual = np.where(zero_target, (rng.random(n * t) < 0.03).astype(np.int64), actual)
    status = np.where(completion > 0.7, "达成", np.where(completion > 0.4, "部分达成", "未达成")).astype(object)
    reported = rng.random(n * t) >= 0.05
    progress = pd.DataFrame({
        "year": year, "project_code": codes[pi], "indicator_name": indicators["name"].to_numpy(), "month": 10,
        "stage_text": None,
        "stage_value": pd.array([None] * (n * t), dtype="Int64"),
        "actual_text": np.where(nature == "qualitative", status, actual.astype(str).astype(object) + unit),
        "actual_value": pd.array(np.where(nature == "qualitative", 0, actual * 1_000_000), dtype="Int64"),
        "actual_status": np.where(nature == "qualitative", status, None),
    })
    progress.loc[nature == "qualitative", "actual_value"] = pd.NA
    progress = progress[reported].reset_index(drop=True)
    return {"projects": projects, "monthly": monthly, "indicators": indicators, "progress": progress}


def build_database(path: str | Path, n_projects: int, seed: int = 0, year: int = 2023) -> Store:
    """A fresh database file holding a synthetic region (an existing file is replaced)."""
    from .importer import write_frames

    p = Path(path)
    for f in (p, Path(str(p) + ".wal")):
        if str(p) != ":memory:" and f.exists():
            f.unlink()
    store = Store(path)
    write_frames(store, generate(n_projects, seed, year), actor=ADMIN)
    return store


def write_csv(frames: dict[str, pd.DataFrame], folder: str | Path) -> Path:
    """The same data as the import CSV files (amounts in 万元), for measuring the importer."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    p, m, i, g = frames["projects"], frames["monthly"], frames["indicators"], frames["progress"]

    def wan(fen: pd.Series) -> pd.Series:
        v = fen.astype("Int64")
        whole = (v // 1_000_000).astype(str)
        frac = (v % 1_000_000).astype(str).str.zfill(6)
        return (whole + "." + frac).where(v.notna(), "")

    pd.DataFrame({"年度": p["year"], "部门名称": p["department_name"], "单位名称": p["unit_name"], "项目编码": p["project_code"],
                  "项目名称": p["project_name"], "开始日期": p["start_date"], "结束日期": p["end_date"],
                  "年初预算(万元)": wan(p["budget_initial"]), "调整后预算(万元)": wan(p["budget_adjusted"]),
                  "年度绩效目标": p["annual_goal"], "项目内容": p["content"]}).to_csv(out / "项目.csv", index=False)
    pd.DataFrame({"年度": m["year"], "项目编码": m["project_code"], "月份": m["month"], "支出金额(万元)": wan(m["spent"]),
                  "到位资金(万元)": wan(m["arrived"]), "计划支出(万元)": wan(m["planned"])}).to_csv(out / "月度支出.csv", index=False)
    nature_word = i["nature"].map({"rate": "比率类", "cumulative": "累计类", "qualitative": "定性"})
    pd.DataFrame({"年度": i["year"], "项目编码": i["project_code"], "一级指标": i["level1"], "二级指标": i["level2"],
                  "三级指标": i["name"], "年度指标值": i["target_text"], "指标性质": nature_word}).to_csv(out / "绩效指标.csv", index=False)
    pd.DataFrame({"年度": g["year"], "项目编码": g["project_code"], "三级指标": g["indicator_name"], "月份": g["month"],
                  "本阶段目标值": "", "实际完成值": g["actual_text"]}).to_csv(out / "指标进度.csv", index=False)
    return out
