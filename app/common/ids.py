"""Record ids: UUID text made without building `uuid.UUID` objects (an import makes thousands)."""

import hashlib
import os
import uuid

# RFC 4122: the variant bits 10 and the version nibble, as uuid.UUID(..., version=n) sets them
_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_VARIANT = 0x8000 << 48


def _text(number: int, version: int) -> str:
    digits = f"{number & _CLEAR | _VARIANT | version << 76:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def random_id() -> str:
    """str(uuid.uuid4())"""
    return _text(int.from_bytes(os.urandom(16), "big"), 4)


def named_id(namespace: uuid.UUID, name: str) -> str:
    """str(uuid.uuid5(namespace, name))"""
    digest = hashlib.sha1(namespace.bytes + name.encode("utf-8"), usedforsecurity=False).digest()
    return _text(int.from_bytes(digest[:16], "big"), 5)
