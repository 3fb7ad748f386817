"""The embedded demo data: the committed CSV files in data/demo, imported through the normal path,
and one demo account per role (their passwords are printed once and listed in the README: demo only)."""

from __future__ import annotations

from pathlib import Path

from .access import ADMIN
from .importer import ImportReport, import_path
from .store import Store

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_YEAR = 2023
DEMO_MONTH = 10
SEED_PROJECT = "360104-ZGH-2023-001"

# name, role, password, department, unit, display name — DEMO ONLY, never for a real deployment
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str | None, str | None, str], ...] = (
    ("admin", "admin", "Demo-admin-2023", None, None, "系统管理员"),
    ("jixiaoke", "bureau", "Demo-bureau-2023", None, None, "区财政局绩效科"),
    ("qypzgh", "department", "Demo-dept-2023", "青云谱区总工会", None, "青云谱区总工会（主管部门）"),
    ("qypzgh-cw", "unit", "Demo-unit-2023", "青云谱区总工会", "青云谱区总工会", "青云谱区总工会财务室"),
    ("zhengxiao", "evaluator", "Demo-eval-2023", None, None, "江西正效咨询管理有限公司"),
    ("chakan", "viewer", "Demo-view-2023", None, None, "只读查看"),
)


def load_demo(store: Store, only_if_empty: bool = False) -> ImportReport | None:
    """Import the demo data; idempotent, since import replaces rows by their natural keys."""
    if only_if_empty and not store.is_empty():
        return None
    report = import_path(store, DEMO_DIR, actor=ADMIN)
    # the demo is the 1-10月 round of seed 004, although seed 000's units report the whole year
    store.set_monitoring_point(DEMO_YEAR, DEMO_MONTH)
    return report


def create_demo_accounts(store: Store) -> list[tuple[str, str, str, str]]:
    """One account per role when the store has none yet: (name, role, password, place) of each created."""
    from .access import ROLES
    from .accounts import add_user, assign

    if store.scalar("SELECT count(*) FROM users"):
        return []
    made = []
    for name, role, password, department, unit, display in DEMO_ACCOUNTS:
        add_user(store, ADMIN, name, role, password, department=department, unit=unit, display_name=display)
        place = "分配给它的项目" if role == "evaluator" else (" / ".join(x for x in (department, unit) if x) or "全部")
        made.append((name, ROLES[role], password, place))
    assign(store, ADMIN, "zhengxiao", DEMO_YEAR, [SEED_PROJECT])
    return made
