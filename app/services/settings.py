"""Office settings kept in the meta table (not synced): office name, unit, subdistrict."""

from __future__ import annotations

import re

from ..errors import ValidationError
from ..settings_labels import SETTING_LABELS as SETTINGS
from ..textutil import clean


class SettingsService:
    def __init__(self, store):
        self.store = store

    def get(self, key: str, default: str = "") -> str:
        return self.store.meta(key, default) or default

    def unit(self) -> str:
        """The unit named on registers and documents (抬头), falling back to the office name."""
        return self.get("unit_name") or self.get("site_name")

    def office(self) -> dict:
        """This installation's identity (not synced): its site id, name and subdistrict."""
        return {"site_id": self.store.site_id, "site_name": self.get("site_name"),
                "subdistrict": self.get("subdistrict")}

    def all(self) -> dict:
        return {key: self.get(key) for key in SETTINGS}

    def update(self, values: dict):
        """Change settings in one audited transaction; returns the Changes (no synced rows)."""
        values = {k: clean(v) for k, v in values.items() if k in SETTINGS}
        if values.get("serial_code"):
            values["serial_code"] = values["serial_code"].upper()
            # A letter first: "YJ2026-12-0001" would read as number 12 of an office without a code.
            if not re.fullmatch(r"[A-Z][A-Z0-9]{0,3}", values["serial_code"]):
                raise ValidationError("办公室代码应为 1—4 个英文字母或数字，以字母开头（如 CZ、XC1）",
                                      field="serial_code")
        before = {k: self.get(k) for k in values}
        changed = {k: v for k, v in values.items() if before[k] != v}
        with self.store.write("settings", "修改设置") as tx:
            for key, value in changed.items():
                self.store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                      [key, value])
            if changed:
                self.store.audit.append("settings", "修改设置",
                                        {"before": {k: before[k] for k in changed}, "after": changed})
        return tx.changes
