"""制度建设: what the field report begins with — "街道党工委…先后3次召开会议进行专题研究；及时成立
领导小组，印发…实施方案，制定议事代表联系接待群众等4项制度".

One list of institutions by kind: the 领导小组 (with its members), the 实施方案, each 制度 (title,
number, date, in force or repealed, the document's file), and the 党工委's studies (date, topic,
decisions). The 备案报告 and the registers cite them.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from typing import Any

from app.common.errors import ValidationError
from app.common.textutil import clean, parse_date
from app.rules.codes import INSTITUTION_KINDS as KINDS
from app.rules.codes import INSTITUTION_STATUSES as STATUSES
from app.services.base import FieldSpec, Service, choice_label
from app.services.rows import Row
from app.storage import attachments


def parse_members(text: str) -> builtins.list[dict]:
    """'组长：王某某（党工委书记）' per line (also '组长 王某某 党工委书记') -> members in order."""
    members = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = clean(line)
        if not line:
            continue
        match = re.fullmatch(r"(组长|副组长|成员)[：:\s]+([^（(\s]+)\s*[（(]?([^）)]*)[）)]?", line)
        if not match:
            raise ValidationError(f"成员第 {number} 行“{line}”应写成“组长：姓名（职务）”，角色为组长、副组长或成员",
                                  field="members")
        role, name, post = match.groups()
        members.append({"role": role, "name": name, "post": clean(post) or None})
    return members


class InstitutionService(Service[Row]):
    table = "institutions"
    row_type = Row
    noun = "制度建设记录"
    fields = (
        FieldSpec("kind", "类别", "choice", required=True, choices=KINDS),
        FieldSpec("title", "名称（研究的议题）", required=True),
        FieldSpec("doc_number", "文号（或会议纪要编号）"),
        FieldSpec("day", "日期（印发、成立或会议日期）", "date", required=True),
        FieldSpec("status", "状态", "choice", choices=STATUSES),
        FieldSpec("content", "主要内容（研究决定的事项、职责等）", "multiline"),
        FieldSpec("members", "领导小组成员（每行：组长：姓名（职务））", "multiline"),
    )

    def title(self, row):
        return row.get("title") or ""

    def check(self, values: dict, existing: Mapping[str, Any] | None) -> None:
        merged = {**(existing or {}), **values}
        parse_date(merged.get("day"), "日期", "day")
        if merged.get("kind") in ("plan", "rule") and not merged.get("status"):
            values["status"] = "in_force"

    def _members_of(self, values: dict) -> builtins.list[dict] | None:
        text = values.pop("members", None)
        return None if text is None else parse_members(text)

    def create(self, values: dict):
        values = dict(values)
        members = self._members_of(values)
        values = self.prepare(values)
        if values["kind"] == "leading_group" and not members:
            raise ValidationError("请填写领导小组成员（每行：组长：姓名（职务））", field="members")
        with self.store.write("create", f"新增{choice_label(KINDS, values['kind'])}：{values['title']}") as tx:
            row_id = tx.insert(self.table, values)
            tx.sync_list("leading_members", {"institution_id": row_id}, members or [], [])
        return tx.changes

    def update(self, row_id: str, values: dict):
        row = self.get(row_id)
        values = dict(values)
        members = self._members_of(values)
        values = self.prepare(values, row)
        existing = [m["id"] for m in self.members(row_id)]
        with self.store.write("update", f"修改{choice_label(KINDS, row['kind'])}：{row['title']}") as tx:
            tx.update(self.table, row_id, values)
            if members is not None:  # the roster's rows reused in order, the rest added or removed
                tx.sync_list("leading_members", {"institution_id": row_id},
                             [{**m, "id": existing[i] if i < len(existing) else None} for i, m in enumerate(members)],
                             existing)
        return tx.changes

    # A deleted 领导小组 keeps its members' rows: restored from the bin, it comes back whole.
    def members(self, institution_id: str) -> builtins.list[dict]:
        return self.store.rows("SELECT * FROM leading_members WHERE institution_id = ? AND deleted = 0"
                               " ORDER BY sort_order", [institution_id])

    def members_text(self, institution_id: str) -> str:
        return "\n".join(f"{m['role']}：{m['name']}" + (f"（{m['post']}）" if m["post"] else "")
                         for m in self.members(institution_id))

    def list(self, kind: str | None = None) -> builtins.list[dict]:
        where, params = "i.deleted = 0", []
        if kind:
            where += " AND i.kind = ?"
            params.append(kind)
        rows = self.store.rows(
            f"""SELECT i.*, (SELECT group_concat(m.role || '：' || m.name, '；') FROM leading_members m
                  WHERE m.institution_id = i.id AND m.deleted = 0 ORDER BY m.sort_order) AS member_names
                FROM institutions i WHERE {where}
                ORDER BY CASE i.kind WHEN 'study' THEN 0 WHEN 'leading_group' THEN 1 WHEN 'plan' THEN 2 ELSE 3 END,
                  i.day, i.sort_order, i.title""", params)
        for row in rows:
            row["kind_label"] = choice_label(KINDS, row["kind"])
            row["status_label"] = choice_label(STATUSES, row["status"]) if row["status"] else ""
        return rows

    def for_editing(self, institution_id: str) -> dict:
        return {**self.get(institution_id), "members": self.members_text(institution_id)}

    # -- the document's file -------------------------------------------------------------
    def attach(self, institution_id: str, source):
        row = self.get(institution_id)
        kept = attachments.take_in(self.store, source)
        with self.store.write("update", f"附上文件：{row['title']}") as tx:
            tx.update(self.table, institution_id, kept)
        return tx.changes

    def file_path(self, institution_id: str) -> str | None:
        row = self.get(institution_id)
        return str(attachments.stored_path(self.store, row)) if row.get("sha256") else None

    # -- what documents cite --------------------------------------------------------------
    def summary(self) -> dict:
        """The institutions as the 备案报告 and the 年度工作总结 cite them."""
        rows = self.list()
        in_force = [r for r in rows if r["status"] != "repealed"]
        return {"studies": [r for r in rows if r["kind"] == "study"],
                "leading_group": next((r for r in rows if r["kind"] == "leading_group"), None),
                "plan": next((r for r in in_force if r["kind"] == "plan"), None),
                "rules": [r for r in in_force if r["kind"] == "rule"]}
