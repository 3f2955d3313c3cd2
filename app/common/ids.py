"""Record ids: UUID text made without building `uuid.UUID` objects (an import makes thousands)."""

import hashlib
import os
import threading
import uuid

# RFC 4122: the variant bits 10 and the version nibble, as uuid.UUID(..., version=n) sets them
_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_VARIANT = 0x8000 << 48


def _text(number: int, version: int) -> str:
    digits = f"{number & _CLEAR | _VARIANT | version << 76:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


_POOL = threading.local()  # a thread's random bytes not yet handed out: (bytes, next offset)
_POOL_SIZE = 4096


def random_id() -> str:
    """str(uuid.uuid4()): its 16 random bytes taken from the system's random source 4 KiB at a time
    (an import makes thousands of ids; a call to that source costs more than the id). Each thread
    has its own bytes and a forked process starts with none, so no byte is handed out twice."""
    pool = _POOL.__dict__
    data, at = pool.get("data", b""), pool.get("at", 0)
    if at >= len(data):
        data = pool["data"] = os.urandom(_POOL_SIZE)
        at = 0
    pool["at"] = at + 16
    return _text(int.from_bytes(data[at:at + 16], "big"), 4)


os.register_at_fork(after_in_child=lambda: _POOL.__dict__.clear())  # (the forking thread's, in the child)


def named_id(namespace: uuid.UUID, name: str) -> str:
    """str(uuid.uuid5(namespace, name))"""
    digest = hashlib.sha1(namespace.bytes + name.encode("utf-8"), usedforsecurity=False).digest()
    return _text(int.from_bytes(digest[:16], "big"), 5)
