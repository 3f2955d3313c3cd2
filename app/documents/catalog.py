"""The documents a clerk can export, by kind (CLI `export doc KIND ID`, UI buttons)."""

from __future__ import annotations

from pathlib import Path

from ..errors import AppError
from . import meeting_docs

DOCS = {
    "minutes": ("会议纪要", meeting_docs.minutes),
    "notice": ("会议通知", meeting_docs.notice),
    "signin": ("签到表", meeting_docs.signin),
    "flowchart": ("工作流程图", meeting_docs.flowchart),
}


def export_doc(store, kind: str, record_id: str | None, path: Path | str) -> dict:
    if kind not in DOCS:
        raise AppError(f"没有名为“{kind}”的文书，可选：{'、'.join(DOCS)}")
    if not record_id:
        raise AppError("请指定会议编号（可用 yishi list meetings 查看）")
    label, build = DOCS[kind]
    meeting = store.meetings.get(record_id)
    build(store, record_id, path)
    store.audit.record("export", f"导出{label}：{meeting['title']}",
                       {"doc": kind, "meeting": record_id, "file": Path(path).name})
    return {"doc": kind, "title": label, "meeting": meeting["title"], "path": str(path)}
