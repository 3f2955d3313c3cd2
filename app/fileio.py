"""Atomic file writes (a temp file beside the target, then replace it), and files' checksums."""

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path | str):
    """Yield a temp path in the target's folder; on success it replaces the target."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise _about(exc, target) from None
    os.close(fd)
    try:
        yield Path(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise _about(exc, target) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _about(exc: OSError, target: Path) -> OSError:
    """The same failure, naming the file the clerk asked for rather than our temp file."""
    return type(exc)(exc.errno, exc.strerror, str(target)) if exc.errno else exc


def sha256_of(path: Path | str) -> str:
    """The file's SHA-256, read a block at a time (a large file never whole in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
