"""Departments and units invited to meetings or handling opinions (城管、公安、住建…): an editable list
of short names (as meetings and the ledger use them) with each one's full official name (as
documents address them), and whom to call there (联系人, 联系电话)."""

from __future__ import annotations

import builtins
import uuid

from app.common.errors import ConflictError, ValidationError
from app.common.resources import reference
from app.common.textutil import validate_phone
from app.services.base import FieldSpec, Service
from app.services.rows import Row

_NS = uuid.UUID("5a0f3b8e-2c4d-4e61-8b7a-9c3d1e2f4a50")


class DepartmentService(Service[Row]):
    table = "departments"
    row_type = Row
    noun = "部门（单位）"
    fields = (FieldSpec("name", "简称", required=True), FieldSpec("full_name", "全称（用于文书）"),
              FieldSpec("contact", "联系人"), FieldSpec("phone", "联系电话", "phone"),
              FieldSpec("sort_order", "排序", "int"))

    def list(self) -> list[dict]:
        rows = self.store.rows("SELECT * FROM departments WHERE deleted = 0 ORDER BY sort_order, name")
        for row in rows:
            row["full_name_shown"] = self.full_name(row["name"], row)
        return rows

    def names(self) -> builtins.list[str]:
        return [r["name"] for r in self.store.rows(
            "SELECT name FROM departments WHERE deleted = 0 ORDER BY sort_order, name")]

    def full_name(self, name: str, row: dict | None = None) -> str:
        """The official name documents use: the one the clerk entered, else the reference list's
        (区… and 街道… completed with the district and subdistrict from 设置), else the name."""
        if row is None:
            found = self.store.rows("SELECT full_name FROM departments WHERE name = ? AND deleted = 0", [name])
            row = found[0] if found else {}
        if row.get("full_name"):
            return row["full_name"]
        known = reference().get("department_full_names", {}).get(name)
        if not known:
            return name
        if known.startswith("区"):
            return self.store.settings.district() + known[1:] if self.store.settings.district() else known
        if known.startswith("街道"):
            return (self.store.settings.get("subdistrict") or "街道") + known[2:]
        return known

    def full_names(self, names: builtins.list[str]) -> builtins.list[str]:
        return [self.full_name(name) for name in names]

    def units_text(self, text: str | None) -> str:
        """Units as a record names them (交通运输、公交公司), each department by its one official name
        (documents name a department the same everywhere); other units as written."""
        import re

        parts = [p for p in re.split(r"[、，,；;]\s*", text or "") if p.strip()]
        return "、".join(self.full_name(p.strip()) for p in parts)

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
        if values.get("phone"):  # stored as every phone is: digits only
            try:
                values["phone"] = validate_phone(values["phone"])
            except ValidationError as exc:
                raise ValidationError(exc.message, field="phone") from None
