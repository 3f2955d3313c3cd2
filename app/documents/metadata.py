"""What a document file says of itself (its properties): title, author (the office), subject (the
kind of document, set by `export_doc` for the export it runs), creator 议事工作台 — the same in a
PDF and a Word file, never reportlab's "anonymous" or "unspecified"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CREATOR = "议事工作台"
_subject: ContextVar[str] = ContextVar("document_subject", default="")


@contextmanager
def describing(subject: str) -> Iterator[None]:
    token = _subject.set(subject)
    try:
        yield
    finally:
        _subject.reset(token)


def subject() -> str:
    return _subject.get()


def stamp(canvas, *, title: str, author: str) -> None:
    """A reportlab canvas's document information."""
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator(CREATOR)
    canvas.setSubject(subject() or title)
    canvas.setProducer(CREATOR)


def template_info(*, title: str, author: str) -> dict:
    """The same for a reportlab document template (its keyword arguments)."""
    return {"title": title, "author": author, "creator": CREATOR, "subject": subject() or title}
