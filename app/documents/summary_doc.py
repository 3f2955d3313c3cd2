"""年度工作总结 in the standard document layout: the four parts of the field report, each as the
clerk left it (or as drafted from the year's records)."""

from __future__ import annotations

from pathlib import Path

from app.documents.dating import issued_date
from app.documents.official import OfficialDoc


def summary(store, year: str, path: Path | str) -> Path:
    year_number = int(year)
    subdistrict = store.settings.get("subdistrict") or ""
    doc = OfficialDoc(store, title=f"{subdistrict}{year_number}年议事代表会议制度工作总结")
    for section in store.summary.sections(year_number):
        if section["key"] != "intro":
            doc.heading(section["heading"])
        for paragraph in section["text"].splitlines():
            if paragraph.strip():
                doc.para(paragraph.strip())
    doc.sign(issued_date(store, "summary", str(year_number)))
    return doc.build(path)
