"""Office settings kept in the meta table (not synced): office name, unit, subdistrict."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.common.errors import ValidationError
from app.common.settings_labels import REGISTER_PAPERS
from app.common.settings_labels import SETTING_LABELS as SETTINGS
from app.common.textutil import clean

if TYPE_CHECKING:
    from app.store import Store


def issuer_of(text: str) -> str:
    """The issuing body's name in a mark (中山路街道人大工委文件) or a 文号 pattern (…〔{年}〕{号}号)."""
    return text.split("〔")[0].split("[")[0].removesuffix("文件").strip()


def default_pattern(mark: str) -> str:
    """The 文号 of a mark's body: its name, the year in 〔〕, the number (GB/T 9704 §7.2.4)."""
    return f"{issuer_of(mark)}〔{{年}}〕{{号}}号"


class SettingsService:
    def __init__(self, store: Store):
        self.store = store

    def get(self, key: str, default: str = "") -> str:
        return self.store.meta(key, default) or default

    def unit(self) -> str:
        """The unit named on registers and documents (抬头), falling back to the office name."""
        return self.get("unit_name") or self.get("site_name")

    def district(self) -> str:
        """The district (区) named in the unit, e.g. 永川区 of 永川区人大常委会中山路街道工委."""
        unit = self.unit()
        return unit.split("人大常委会")[0] if "人大常委会" in unit else ""

    def register_paper(self) -> str:
        """The paper the office prints registers on: "a4" (the default) or "a3", which prints more
        of a wide register's columns."""
        paper = self.get("register_paper")
        return paper if paper in REGISTER_PAPERS else "a4"

    def clerk(self) -> str:
        """操作人/记录人 on documents and registers: the clerk's name, else the login name."""
        from app.storage.audit import current_actor

        return current_actor(self.store.db)

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
        from app.services.opinion_clocks import LIMIT_SETTINGS, check_limit

        for key in LIMIT_SETTINGS:  # empty: the default limit
            if values.get(key):
                check_limit(key, values[key])
        if values.get("seal_layout") and values["seal_layout"] not in ("seal", "no_seal"):
            raise ValidationError("落款样式只能是“加盖印章”或“不加盖印章”", field="seal_layout")
        if values.get("register_paper") and values["register_paper"] not in REGISTER_PAPERS:
            raise ValidationError("台账打印纸张只能是 A4 或 A3", field="register_paper")
        pattern = values.get("doc_number_pattern")
        if pattern and "{号}" not in pattern:
            raise ValidationError("发文字号格式中要有 {号}，如：中山路街道人大工委〔{年}〕{号}号", field="doc_number_pattern")
        mark = values.get("issuer_mark", self.get("issuer_mark"))
        pattern = values.get("doc_number_pattern", self.get("doc_number_pattern"))
        if mark and not pattern and "issuer_mark" in values:
            values["doc_number_pattern"] = pattern = default_pattern(mark)
        if mark and pattern and issuer_of(pattern) != issuer_of(mark):
            raise ValidationError(f"发文字号中的发文机关“{issuer_of(pattern)}”与发文机关标志“{issuer_of(mark)}”不一致："
                                  f"请用同一名称，如 {default_pattern(mark)}", field="doc_number_pattern")
        # A chosen font file is kept with the SHA-256 it had when it passed: the documents use it
        # while it is that file, and check it again (or set it aside) once it is not.
        digests = {}
        for key in [k for k in values if k.startswith("font_")]:
            from app.common.font_check import check_font_file

            digests[f"{key}_sha256"] = check_font_file(values[key], SETTINGS[key], key) if values[key] else ""
        before = {k: self.get(k) for k in values}
        changed = {k: v for k, v in values.items() if before[k] != v}
        with self.store.write("settings", "修改设置") as tx:
            for key, value in [*changed.items(), *digests.items()]:
                self.store.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                      [key, value])
            if changed:
                self.store.audit.append("settings", "修改设置",
                                        {"before": {k: before[k] for k in changed}, "after": changed})
        return tx.changes
