"""What a document left out or set otherwise than asked (a photo whose file is gone, a chosen
font that no longer passes): told to the clerk beside the document, never printed in it.

A note goes to the log (the window's log file; the command line's stderr) and to the export
being built, which hands it to the front that asked for the document (`collecting`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger(__name__)
_current: ContextVar[list[str] | None] = ContextVar("document_notes", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """The notes of the documents built inside the block, each once, in order."""
    token = _current.set([])
    try:
        notes = _current.get()
        assert notes is not None
        yield notes
    finally:
        _current.reset(token)


def note(text: str, to_log: bool = True) -> None:
    """Tell `text` with the export being built; `to_log=False` when the log has it already."""
    if to_log:
        log.warning(text)
    notes = _current.get()
    if notes is not None and text not in notes:
        notes.append(text)
