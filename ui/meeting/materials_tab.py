"""会议材料: files kept with the meeting (copied into the data folder, with their checksums)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.storage.photos import is_photo

from ..messages import confirm, show_refusal
from ..widgets import button_row

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData


class MaterialsTab(QWidget):
    def __init__(self, editor):
        super().__init__()
        self.editor = editor
        layout = QVBoxLayout(self)
        self.materials = QListWidget()
        self.materials.itemDoubleClicked.connect(self.open)
        layout.addWidget(self.materials)
        button_row(layout, (("添加文件…", self.add), ("打开", self.open), ("删除所选", self.remove)))
        layout.addWidget(QLabel("文件会复制到数据目录中保存，并记录校验值，原文件移动或删除不影响。"))

    def fill(self, data: MeetingData) -> None:
        self.materials.clear()
        for material in data["materials"]:
            taken = f"，{material['taken_on']}拍摄" if material.get("taken_on") else ""
            item = QListWidgetItem(f"{material['title']}　（{material['file_name']}，"
                                   f"{(material['size'] or 0) // 1024 + 1} KB{taken}）")
            item.setData(Qt.ItemDataRole.UserRole, material)
            self.materials.addItem(item)

    def add(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择会议材料")
        meeting_id = self.editor.meeting_id
        taken_on = None
        if any(is_photo(path) for path in paths):  # a 工作简报 shows the photos of its date and before
            from app.services.base import step_date

            from ..form_dialog import ask

            day = min(self.editor.data["meeting"]["date"], date.today().isoformat())
            values = ask(self, "照片的拍摄日期", [step_date("taken_on", "拍摄日期")], {"taken_on": day})
            if values is None:
                return
            taken_on = values["taken_on"]
        for path in paths:
            self.editor.backend.op(lambda s, p=path: s.meetings.add_material(meeting_id, p, taken_on=taken_on),
                                     self.editor.saved(f"材料“{Path(path).name}”"), lambda e: show_refusal(self, e),
                                     summary="添加会议材料")

    def open(self, *_):
        item = self.materials.currentItem()
        if item:
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.ItemDataRole.UserRole)["path"]))

    def remove(self) -> None:
        item = self.materials.currentItem()
        if item and confirm(self, "删除材料", f"删除材料“{item.data(Qt.ItemDataRole.UserRole)['title']}”？", "删除"):
            material_id = item.data(Qt.ItemDataRole.UserRole)["id"]
            self.editor.backend.op(lambda s: s.meetings.remove_material(material_id), self.editor.saved("删除材料"),
                                     lambda e: show_refusal(self, e), summary="删除会议材料")
