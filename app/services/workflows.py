"""Meeting flowcharts (会前/会中/会后工作流程图): one editable template of steps per meeting kind."""

from __future__ import annotations

import uuid

from ..errors import ValidationError
from ..rules.codes import MEETING_KINDS as KINDS
from ..rules.codes import PHASES
from .base import FieldSpec, Service

_NS = uuid.UUID("0b7c5d2e-8a61-4c3f-9f0e-5d2b8c1a7e43")

# (phase, title, owner, days from the meeting date), from the field report.
DEFAULT_STEPS = {
    "plenary": [
        ("pre", "确定会议日期", "人大街道工委", -30), ("pre", "拟定会议议程", "人大街道工委", -21),
        ("pre", "确定参加人员", "人大街道工委", -14), ("pre", "开展实地调研", "议事代表", -10),
        ("in", "听取工作报告", "街道办事处", 0), ("in", "开展分组讨论", "各议事小组", 0),
        ("in", "汇总意见建议", "人大街道工委", 0),
        ("post", "交办意见建议", "人大街道工委", 7), ("post", "整理会议资料", "人大街道工委", 14),
    ],
    "group_activity": [
        ("pre", "收集商议确定议题", "小组组长", -21), ("pre", "报人大街道工委审核", "小组组长", -14),
        ("pre", "协调相关部门参与", "人大街道工委", -7), ("pre", "实地走访调研", "议事小组", -5),
        ("in", "座谈协商", "议事小组", 0), ("in", "形成议事纪要", "小组副组长", 0),
        ("post", "督促落实", "人大街道工委、议事代表", 30),
    ],
    "reception": [
        ("pre", "排定值班代表", "人大街道工委", -7), ("pre", "发布接待公告", "社区", -3),
        ("in", "接待登记群众意见", "值班代表", 0),
        ("post", "整理接待记录", "值班代表", 3), ("post", "移交意见建议", "人大街道工委", 7),
    ],
    "special": [
        ("pre", "确定议题", "人大街道工委", -14), ("pre", "通知参加人员和部门", "人大街道工委", -7),
        ("in", "专题协商", "议事代表、相关部门", 0),
        ("post", "形成会议纪要", "人大街道工委", 3), ("post", "督促落实", "人大街道工委", 30),
    ],
}


class WorkflowService(Service):
    table = "workflow_steps"
    noun = "流程环节"
    fields = (
        FieldSpec("phase", "阶段", "choice", required=True, choices=PHASES),
        FieldSpec("title", "环节", required=True),
        FieldSpec("owner", "责任人"),
        FieldSpec("due_offset", "距会议日期（天）", "int"),
        FieldSpec("sort_order", "顺序", "int"),
    )

    def title(self, row):
        return row.get("title") or ""

    def steps(self, kind: str) -> list[dict]:
        return self.store.rows(
            """SELECT * FROM workflow_steps WHERE kind = ? AND deleted = 0
               ORDER BY CASE phase WHEN 'pre' THEN 0 WHEN 'in' THEN 1 ELSE 2 END, sort_order""", [kind])

    def ensure_defaults(self) -> None:
        """Seed the report's templates once; ids are fixed so offices seed the same rows."""
        if self.store.scalar("SELECT 1 FROM workflow_steps LIMIT 1"):
            return
        with self.store.write("init", "载入默认会议流程图模板") as tx:
            for kind, steps in DEFAULT_STEPS.items():
                for order, (phase, title, owner, offset) in enumerate(steps, 1):
                    tx.insert(self.table, {"kind": kind, "phase": phase, "title": title, "owner": owner,
                                           "due_offset": offset, "sort_order": order},
                              row_id=str(uuid.uuid5(_NS, f"{kind}/{order}")))

    def check(self, values, existing):
        kind = values.get("kind", (existing or {}).get("kind"))
        if kind not in dict(KINDS):
            raise ValidationError("请选择会议类型", field="kind")
