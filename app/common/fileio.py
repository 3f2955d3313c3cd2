"""Atomic file writes: write a temp file beside the target, then replace it; writes whose record
in the database stands or falls with the file; and files' checksums."""

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The temp files `atomic_path` has handed out and not yet put in place. A writer that writes
# atomically itself (a register, a PDF) is handed such a temp file by a caller that also writes
# atomically (an export recorded with its audit entry): the outer write syncs the file and puts
# it in place, so the inner one writes straight into it instead of syncing a temp of its own and
# renaming it over the outer's (one fsync and one rename fewer; the file is as durable).
_PENDING: set[str] = set()


@contextmanager
def work_folder(parent: Path | str, prefix: str) -> Iterator[Path]:
    """A folder for one job's temporary files inside `parent` (the data directory: the same disk as
    the store, not the system's temporary folder), removed on every way out. A folder of the same
    prefix that a killed process left behind goes when the next job starts (one process holds a
    data directory)."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(prefix + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def atomic_path(target: Path | str):
    """Yield a temp path in the target's folder; on success it replaces the target."""
    target = Path(target)
    if _PENDING and os.path.abspath(target) in _PENDING:  # (an outer atomic write's temp: it places it)
        yield target
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise _about(exc, target) from None
    os.close(fd)
    pending = os.path.abspath(temp)
    _PENDING.add(pending)
    try:
        yield Path(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise _about(exc, target, temp) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    finally:
        _PENDING.discard(pending)


def _about(exc: OSError, target: Path, temp: Path | str | None = None) -> OSError:
    """The same failure, naming the file the clerk asked for rather than our temp file. A failure
    on another file (a picture or template read while writing) keeps that file's own name: the
    clerk is told what is really missing, not that the file being written is."""
    if not exc.errno:
        return exc
    if temp is not None and exc.filename is not None and not str(exc.filename).startswith(str(temp)):
        return exc
    return type(exc)(exc.errno, exc.strerror, str(target))


def sha256_of(path: Path | str) -> str:
    """The file's SHA-256, read a block at a time (a large file never whole in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def atomic_folder(target: Path | str):
    """Yield a temp folder beside `target` (which must not exist); on success it becomes `target`."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise _about(exc, target) from None
    try:
        yield temp
        if target.exists():  # a rename would merge into (or replace) what is there
            raise FileExistsError(errno.EEXIST, "File exists", str(target))
        os.rename(temp, target)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise _about(exc, target, temp) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


@contextmanager
def recorded_write(db, target: Path | str, *, folder: bool = False):
    """Write `target` (a file, or with `folder` a folder) atomically together with what is recorded
    in `db` meanwhile (an export's audit entry): the record commits only once the file is in
    place, and a file whose record cannot commit is removed again. No record without its file,
    no file without its record."""
    target = Path(target)
    placed = False
    try:
        with db.atomic():
            with (atomic_folder(target) if folder else atomic_path(target)) as temp:
                yield temp
            placed = True
    except BaseException:
        if placed:
            if folder:
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise
