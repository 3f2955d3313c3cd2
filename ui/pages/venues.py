"""阵地: the deliberation centre, area halls and neighbourhood halls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.rules.codes import NEIGHBOURHOOD_HALL
from app.services.venues import LEVELS

from ..models import Col
from ..widgets import NoWheelCombo
from .base import RecordListPage

if TYPE_CHECKING:
    from app.store import Store


class RoomsEditor(QWidget):
    def __init__(self, names: list[str]):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("会议室（每行一个）："))
        self.text = QPlainTextEdit("\n".join(names))
        self.text.setFixedHeight(80)
        layout.addWidget(self.text)

    def names(self) -> list[str]:
        return [line.strip() for line in self.text.toPlainText().splitlines() if line.strip()]


class VenuesPage(RecordListPage):
    service_name = "venues"
    noun = "阵地"
    register = "venues"
    imports = ("venues",)
    columns = [Col("level_label", "层级"), Col("name", "阵地名称"), Col("build_label", "建设状态"),
               Col("opened_on", "开放日期"), Col("address", "地址"),
               Col("community_name", "所在村（社区）"), Col("group_name", "对应议事小组"),
               Col("room_names", "会议室"), Col("facilities_list", "已配备设施"),
               Col("missing_facilities", "尚缺设施"), Col("schedule", "接待/开放安排")]

    def add_filters(self, toolbar):
        toolbar.addWidget(QLabel("层级："))
        self.level = NoWheelCombo()
        self.level.addItem("全部", None)
        for value, label in LEVELS:
            self.level.addItem(label, value)
        self.level.currentIndexChanged.connect(lambda _: self.reload())
        toolbar.addWidget(self.level)

    def load_rows(self, store: Store):
        return store.venues.list(self.level.currentData())

    def prepare_values(self, store: Store, row):
        if row is None:
            return {"level": self.level.currentData() or NEIGHBOURHOOD_HALL, "_rooms": []}
        values = dict(row)
        values["facilities"] = store.venues.facilities_of(row)
        values["_rooms"] = [r["name"] for r in store.venues.rooms(row["id"])]
        return values

    def dialog_extra(self, values):
        return RoomsEditor((values or {}).get("_rooms", []))

    def dialog_values(self, values, extra):
        return values, {"rooms": extra.names()}
