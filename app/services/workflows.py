"""Meeting flowcharts (会前/会中/会后工作流程图): one editable template of steps per meeting kind."""

from __future__ import annotations

import uuid

from app.common.errors import ValidationError
from app.rules.codes import MEETING_KINDS as KINDS
from app.rules.codes import PHASES
from app.rules.meeting_kinds import kinds
from app.services.base import FieldSpec, Service
from app.services.rows import Row

_NS = uuid.UUID("0b7c5d2e-8a61-4c3f-9f0e-5d2b8c1a7e43")




class WorkflowService(Service[Row]):
    table = "workflow_steps"
    row_type = Row
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
        """Seed each kind's template from the registry once: a kind none of whose fixed step ids is in
        the store (steps deleted or edited since stay so). The ids are fixed so offices seed the same rows."""
        def step_id(code: str, order: int) -> str:
            return str(uuid.uuid5(_NS, f"{code}/{order}"))

        missing = []
        for kind in kinds():
            ids = [step_id(kind.code, order) for order in range(1, len(kind.steps) + 1)]
            if ids and not self.store.scalar(
                    f"SELECT 1 FROM workflow_steps WHERE id IN ({', '.join('?' * len(ids))}) LIMIT 1", ids):
                missing.append(kind)
        if not missing:
            return
        with self.store.write("init", "载入默认会议流程图模板") as tx:
            for kind in missing:
                for order, step in enumerate(kind.steps, 1):
                    tx.insert(self.table, {"kind": kind.code, "phase": step.phase, "title": step.title,
                                           "owner": step.owner, "due_offset": step.offset, "sort_order": order},
                              row_id=step_id(kind.code, order))

    def check(self, values, existing):
        kind = values.get("kind", (existing or {}).get("kind"))
        if kind not in dict(KINDS):
            raise ValidationError("请选择会议类型", field="kind")
