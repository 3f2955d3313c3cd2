"""The 使用说明 shipped with the app: one Markdown file, a section per area of the window
(`## 名称 {#key}`). The window shows a section at a time (F1); the whole prints as one PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.common.resources import shipped_dir

_HEADING = re.compile(r"^## (?P<title>.+?) \{#(?P<key>[a-z_]+)\}\s*$", re.M)


@dataclass
class Section:
    key: str
    title: str
    text: str  # Markdown, the heading included


def read_manual() -> tuple[str, list[Section]]:
    """(the introduction, the sections in order)."""
    text = (shipped_dir("resources") / "help" / "manual.md").read_text(encoding="utf-8")
    marks = list(_HEADING.finditer(text))
    intro = text[: marks[0].start()] if marks else text
    sections = []
    for mark, following in zip(marks, [*marks[1:], None]):
        body = text[mark.end(): following.start() if following else len(text)]
        sections.append(Section(mark["key"], mark["title"], f"## {mark['title']}\n{body}".strip() + "\n"))
    return intro.strip() + "\n", sections


def section(key: str) -> Section | None:
    return next((s for s in read_manual()[1] if s.key == key), None)
