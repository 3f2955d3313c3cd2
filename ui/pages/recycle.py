"""回收站: deleted records, newest first, restorable."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..messages import show_refusal
from ..models import Col
from .base import RecordListPage

if TYPE_CHECKING:
    from app.store import Store


class RecyclePage(RecordListPage):
    service_name = "recycle"
    noun = "记录"
    columns = [Col("kind_label", "类别"), Col("title", "名称"), Col("deleted_at", "删除时间")]

    def __init__(self, backend, parent=None):
        super().__init__(backend, parent)
        self.view.row_hooks = {"open": self.restore, "open_label": "恢复"}  # right-click: no 编辑, no 删除

    def buttons(self):
        return [("恢复", self.restore, "恢复所选记录（回车）")]

    def edit(self):
        self.restore()

    def add(self):
        pass

    def delete(self):
        pass

    def load_rows(self, store: Store):
        rows = store.recycle.list()
        for row in rows:
            row["name"] = row["title"]
            row["deleted_at"] = datetime.fromtimestamp(row["wall_ms"] / 1000).strftime("%Y-%m-%d %H:%M")
        return rows

    def restore(self):
        row = self.current()
        if not row:
            return show_refusal(self, "请先在列表中选择要恢复的记录")
        self.backend.op(lambda s: s.recycle.restore(row["tbl"], row["id"]), None,
                          lambda e: show_refusal(self, e, "无法恢复"),
                          summary=f"恢复{row['kind_label']}“{row['title']}”")
