"""The registers a clerk can export, by name (CLI `export register NAME`, UI menus)."""

from pathlib import Path
from typing import Any, Callable

from app.common.errors import AppError
from app.common.fileio import recorded_write
from app.common.outputs import check_out
from app.registers import fieldwork, issued, ledger, meetings, nomination, org
from app.registers.writer import write_register

REGISTERS: dict[str, tuple[str, Callable[..., Any]]] = {
    "roster": ("议事代表花名册", org.roster),
    "candidates": ("推荐人选名单", nomination.candidates),
    "joint_review": ("联审情况表", nomination.joint_review),
    "notice_list": ("公示名单", nomination.notice_list),
    "quotas": ("名额分配表", nomination.quotas),
    "groups": ("分组名单", org.groups),
    "grids": ("网格对应表", org.grids),
    "contacts": ("网格联系表", org.contacts),
    "institutions": ("制度建设情况", org.institutions),
    "venues": ("阵地一览表", org.venues),
    "departments": ("部门（单位）联系表", org.departments),
    "meetings": ("议事活动登记台账", meetings.meetings),
    "rota": ("接待日值班表", meetings.rota),
    "attendance": ("议事代表出勤统计表", meetings.attendance),
    "performance": ("议事代表年度履职情况", meetings.performance),
    "visits": ("网格走访登记表", fieldwork.visits),
    "actions": ("落实事项台账", fieldwork.actions),
    "ledger": ("意见建议办理台账", ledger.ledger),
    "supervision": ("意见建议督办记录", ledger.supervision),
    "stats": ("工作统计表", ledger.stats),
    "audit": ("审计日志", org.audit),
    "issued": ("发文登记簿", issued.issued),
}


def export_register(store, name: str, path: Path | str, **options) -> dict:
    """Build register `name`, write it atomically, audit the export; returns a summary."""
    if name not in REGISTERS:
        raise AppError(f"没有名为“{name}”的台账，可选：{'、'.join(REGISTERS)}")
    check_out("register", path)
    label, build = REGISTERS[name]
    register = build(store, **options)
    full = bool(options.get("full_id"))
    paper = store.settings.register_paper()
    # The export's record and its file stand or fall together: no file without its record
    # (personal data), no record of a file that was never written.
    with recorded_write(store.db, path) as temp:
        write_register(temp, register, paper=paper)
        store.audit.record("export", f"导出{label}（{len(register.rows)} 行）"
                           + ("，含完整身份证号" if full else ""),
                           {"register": name, "rows": len(register.rows), "file": Path(path).name,
                            "full_id": full})
    return {"register": name, "title": label, "rows": len(register.rows), "path": str(path),
            "heading": register.title, "paper": paper.upper()}
