"""Departments and units invited to meetings or handling opinions (城管、公安、住建…): an editable list."""

from __future__ import annotations

import uuid

from ..errors import ConflictError
from ..resources import reference
from .base import FieldSpec, Service

_NS = uuid.UUID("5a0f3b8e-2c4d-4e61-8b7a-9c3d1e2f4a50")


class DepartmentService(Service):
    table = "departments"
    noun = "部门（单位）"
    fields = (FieldSpec("name", "名称", required=True), FieldSpec("sort_order", "排序", "int"))

    def list(self) -> list[dict]:
        return self.store.rows("SELECT * FROM departments WHERE deleted = 0 ORDER BY sort_order, name")

    def names(self) -> list[str]:
        return [r["name"] for r in self.list()]

    def ensure_defaults(self) -> None:
        if self.store.scalar("SELECT 1 FROM departments LIMIT 1"):
            return
        with self.store.write("init", "载入默认部门（单位）名单") as tx:
            for order, name in enumerate(reference()["departments"], 1):
                tx.insert(self.table, {"name": name, "sort_order": order},
                          row_id=str(uuid.uuid5(_NS, name)))

    def check(self, values, existing):
        if self.name_taken(values.get("name"), existing):
            raise ConflictError(f"已有“{values['name']}”", field="name")
