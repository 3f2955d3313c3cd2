"""A large package's rows held to the rule book in a second process while this one merges them.

The merge's writes and the rule book's reading of every row then run side by side on two cores
(an office PC has at least two): the worker reads the same decrypted zip and the store as it was
before the merge (a reader of its own: the merge's transaction is not visible to it, and rows the
package brings are looked up in the package first, as in `rules.incoming.Checker`). It walks the
tables in the rule book's order and answers with the first row refused, or that there is none; the
merge asks at every batch (stopping early on a refusal) and waits for the answer before it commits.
Anything wrong with the worker (it cannot start, dies, or cannot read what the merge read) leaves
the answer to the rule book in this process: `Checker` over the rows as merged.
"""

from __future__ import annotations

import os
import queue as queues
from pathlib import Path

from app.rules.incoming import IncomingBreach

# Below this many rows, starting a second Python costs more than it saves. (The environment may
# lower it: CI runs the frozen bundle's worker on a small package that way.)
PARALLEL_ROWS = int(os.environ.get("YISHI_PARALLEL_CHECK_ROWS") or 200_000)
WAIT_SECONDS = 600  # a worker silent this long after the merge is done is taken for dead


class ParallelCheck:
    """The merge's side of the worker: `first` (asked at each batch, as of `Checker`) and `finish`."""

    elsewhere = True  # the rows are held to the rule book by the worker, not as they are merged

    def __init__(self, process, answers):
        self.process, self.answers = process, answers
        self.answer: tuple | None = None

    @classmethod
    def start(cls, sealed, database: Path, target) -> ParallelCheck | None:
        """The worker (`target`: `merge.check_in_worker`, named by the merge so that this module
        needs nothing of it) started for this package, or None if it cannot be (the merge then
        checks)."""
        try:
            # (not in the frozen console tool, which leaves it out to start quicker: it checks itself)
            import multiprocessing

            context = multiprocessing.get_context("spawn")  # never fork a process with Qt's threads
            answers = context.Queue()
            process = context.Process(target=target, daemon=True, name="yishi-package-check",
                                      args=(str(sealed.content), sealed.header, sealed.content_sha256,
                                            str(database), answers))
            process.start()
        except (ImportError, OSError, RuntimeError, ValueError):
            return None
        return cls(process, answers)

    def _poll(self, timeout: float | None) -> tuple | None:
        if self.answer is None:
            try:
                self.answer = self.answers.get(timeout=timeout) if timeout else self.answers.get_nowait()
            except (queues.Empty, OSError, EOFError, ValueError):
                return None
        return self.answer

    def first(self, table: str, items, start: int = 1) -> IncomingBreach | None:
        """A refusal the worker has already found (the merge stops early), else None for now."""
        answer = self._poll(None)
        return answer[1] if answer and answer[0] == "breach" else None

    def finish(self) -> tuple[bool, IncomingBreach | None]:
        """(whether the worker answered, the first row it refuses)."""
        answer = None
        waited = 0.0
        while answer is None and waited < WAIT_SECONDS:
            answer = self._poll(1.0)
            if answer is None and not self.process.is_alive():
                answer = self._poll(0.5)  # (its last words may still be in the pipe)
                break
            waited += 1.0
        if answer is None or answer[0] == "unreadable":
            return False, None
        return True, answer[1]

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.answers.close()
