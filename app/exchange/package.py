"""The .yspkg file (DESIGN §7): magic, header length, JSON header, AES-256-GCM ciphertext of a zip.

The header is authenticated as associated data, so neither it nor a single byte of the content
can change without the import noticing. Everything that reads a package refuses with a Chinese
message (`PackageError`) before anything is written.

A package may be as large as `MAX_FILE`, so it is never held in memory: it is encrypted from and
decrypted into a file in a work folder of the data directory, block by block, and its zip is read
one member (and one block of a member) at a time. The plaintext is not read before the GCM tag has
been checked, so nothing but the sender's exact bytes is ever parsed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from app.common import fileio
from app.common.errors import AppError, Cancelled

MAGIC = b"YSPKG1\n"
FORMAT_VERSION = 1
DEFAULT_SCRYPT_N = 1 << 17  # 128 MiB of memory: slow to guess, quick enough to type once
MIN_SCRYPT_N = 1 << 14  # the floor a package may ask for (tests use it to stay quick)
MAX_HEADER = 64 * 1024
MAX_FILE = 1 << 30  # the largest package taken (and made): 1 GiB
MAX_MEMBERS = 20_000
MAX_MEMBER_SIZE = 512 << 20
MAX_TOTAL_SIZE = 2 << 30
MAX_MANIFEST = 32 << 20  # the manifest is read whole: a line per member at most
MAX_LINE = 32 << 20  # one NDJSON row, whatever its fields (each is capped far lower)
TAG_SIZE = 16
BLOCK = 1 << 20
ALLOWED_NAME = re.compile(r"^(manifest\.json|rows/[a-z_]+\.ndjson|files/[0-9a-f]{64})$")
WORK_PREFIX = ".package-"  # the work folders of imports in the data directory


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


class PackageError(AppError):
    """A package that cannot be taken: the store is left exactly as it was."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB" if size >= (10 << 20) else f"{size / (1 << 20):.1f} MB"


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def work_folder(parent: Path):
    """A folder for one package's temporary files in the data directory, removed on every way out
    (and a killed import's by the next one)."""
    return fileio.work_folder(parent, WORK_PREFIX)


# -- sealing ---------------------------------------------------------------------------------------
def seal_stream(source: BinaryIO, target: Writer, passphrase: str, *, package_id: str, site_id: str,
                site_name: str, created: str, scrypt_n: int = DEFAULT_SCRYPT_N) -> str:
    """Encrypt the zip read from `source` into `target`, block by block; returns the zip's SHA-256.
    The bytes are those of AES-GCM's one-shot encryption: ciphertext, then the 16-byte tag."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not passphrase:
        raise PackageError("请设置交换口令（双方约定，不要写在U盘上）")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"format": "yspkg", "version": FORMAT_VERSION,
              "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": _b64(salt)},
              "nonce": _b64(nonce), "package_id": package_id, "site_id": site_id, "site_name": site_name,
              "created": created}
    header_bytes = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    encryptor = Cipher(algorithms.AES(_key(passphrase, salt, scrypt_n, 8, 1)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header_bytes)
    target.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
    digest = hashlib.sha256()
    for block in iter(lambda: source.read(BLOCK), b""):
        digest.update(block)
        target.write(encryptor.update(block))
    target.write(encryptor.finalize())
    target.write(encryptor.tag)
    return digest.hexdigest()


def seal(content: bytes, passphrase: str, *, package_id: str, site_id: str, site_name: str, created: str,
         scrypt_n: int = DEFAULT_SCRYPT_N) -> bytes:
    """Encrypt a zip held in memory into package bytes (small packages; tests)."""
    out = io.BytesIO()
    seal_stream(io.BytesIO(content), out, passphrase, package_id=package_id, site_id=site_id,
                site_name=site_name, created=created, scrypt_n=scrypt_n)
    return out.getvalue()


# -- unsealing -------------------------------------------------------------------------------------
def read_header(handle: BinaryIO, size: int) -> tuple[dict, bytes, int]:
    """(header, header bytes, offset of the ciphertext) of the package open in `handle`
    (`size` bytes long), or a PackageError saying what is wrong."""
    if not size:
        raise PackageError("文件是空的（0 字节），不是交换包")
    start = len(MAGIC) + 4
    head = handle.read(start)
    if not head.startswith(MAGIC):
        raise PackageError("这不是议事工作台的交换包（文件开头的标识不对）")
    if len(head) < start:
        raise PackageError("交换包不完整：文件在开头处就被截断了")
    (length,) = struct.unpack(">I", head[len(MAGIC):])
    if length > MAX_HEADER or start + length > size:
        raise PackageError("交换包不完整或文件头已损坏（文件可能被截断）")
    header_bytes = handle.read(length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise PackageError("交换包的文件头已损坏") from None
    if not isinstance(header, dict) or header.get("format") != "yspkg":
        raise PackageError("这不是议事工作台的交换包（文件头格式不对）")
    if not isinstance(header.get("version"), int) or header["version"] > FORMAT_VERSION:
        raise PackageError("这个交换包由更新版本的议事工作台制作，请先升级本机的议事工作台再导入")
    kdf = header.get("kdf") or {}
    try:
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PackageError("交换包的文件头已损坏（加密参数不全）") from None
    # At most what this app writes (scrypt n = 2^17, r = 8, p = 1): larger costs would make the
    # passphrase check itself a denial of service (seconds and gigabytes), smaller ones trivial.
    if kdf.get("name") != "scrypt" or not (MIN_SCRYPT_N <= n <= DEFAULT_SCRYPT_N) or n & (n - 1) or r != 8 \
            or p != 1:
        raise PackageError("交换包的加密参数不在允许范围内，拒绝导入")
    if len(salt) != 16 or len(nonce) != 12:
        raise PackageError("交换包的文件头已损坏（加密参数长度不对）")
    return header, header_bytes, start + length


@dataclass
class Sealed:
    header: dict
    content: Path  # the decrypted zip, in the work folder
    content_sha256: str


def unseal(source: Path, passphrase: str, work: Path, progress=None) -> Sealed:
    """Decrypt the package at `source` into `work`, block by block (`progress(MB done, MB in all,
    text)` may cancel). The zip is handed on only once the tag has proved the whole file
    authentic; otherwise it is deleted unread."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    size = source.stat().st_size
    if size > MAX_FILE:
        raise PackageError(f"交换包过大（{_mb(size)}，上限 {_mb(MAX_FILE)}），拒绝导入")
    with open(source, "rb") as handle:
        header, header_bytes, start = read_header(handle, size)
        length = size - start - TAG_SIZE
        if length < 0:
            raise PackageError("交换包不完整：文件被截断了")
        kdf = header["kdf"]
        key = _key(passphrase or "", base64.b64decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        handle.seek(start + length)
        tag = handle.read(TAG_SIZE)
        handle.seek(start)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(base64.b64decode(header["nonce"]), tag)).decryptor()
        decryptor.authenticate_additional_data(header_bytes)
        target, digest = work / "content.zip", hashlib.sha256()
        try:
            with open(target, "wb") as out:
                total = length
                while length:
                    if progress is not None and (total - length) % (16 * BLOCK) == 0 and \
                            progress((total - length) >> 20, total >> 20, "正在解密交换包") is False:
                        raise Cancelled("已取消导入，数据未作任何改动")
                    block = handle.read(min(BLOCK, length))
                    if not block:
                        raise PackageError("交换包不完整：文件在读取时变短了（U盘是否已拔出？）")
                    length -= len(block)
                    plain = decryptor.update(block)
                    digest.update(plain)
                    out.write(plain)
                try:
                    out.write(decryptor.finalize())
                except InvalidTag:
                    raise PackageError("无法打开交换包：口令不正确，或文件在复制过程中被改动、截断。"
                                       "请核对口令；口令无误时请让对方重新导出。") from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return Sealed(header, target, digest.hexdigest())


# -- the zip ---------------------------------------------------------------------------------------
def open_content(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise PackageError("交换包的内容已损坏（不是完整的压缩数据）") from None


def check_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's members by name, each checked from the zip's directory before any is inflated:
    fixed names only, no links, directories or duplicates, and the unpacked sizes within the caps
    (beyond them it is a decompression bomb). A high compression ratio alone is no reason to
    refuse: a long run of one character packs that well, and the rows check names it."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackageError(f"交换包中的文件过多（{len(infos)} 个，上限 {MAX_MEMBERS}）")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not ALLOWED_NAME.match(name) or ".." in name or name.startswith(("/", "\\")):
            raise PackageError(f"交换包中含有不允许的文件名“{name[:80]}”，拒绝导入")
        if name in members:
            raise PackageError(f"交换包中“{name}”出现了两次，拒绝导入")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise PackageError(f"交换包中的“{name}”是链接或目录，拒绝导入")
        if info.file_size > MAX_MEMBER_SIZE:
            raise PackageError(f"交换包中的“{name}”解压后有 {_mb(info.file_size)}，超过上限 {_mb(MAX_MEMBER_SIZE)}"
                               "（疑似压缩炸弹），拒绝导入")
        total += info.file_size
        if total > MAX_TOTAL_SIZE:
            raise PackageError(f"交换包解压后超过 {_mb(MAX_TOTAL_SIZE)} 的上限（疑似压缩炸弹），拒绝导入")
        members[name] = info
    if "manifest.json" not in members:
        raise PackageError("交换包缺少清单（manifest.json），拒绝导入")
    return members


def member_blocks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes, a block at a time, never more than its recorded size (zipfile stops
    inflating there and checks the CRC), and exactly that many."""
    read = 0
    try:
        with archive.open(info) as handle:
            while block := handle.read(BLOCK):
                read += len(block)
                yield block
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise PackageError(f"交换包中的“{info.filename}”已损坏（{exc.__class__.__name__}）") from None
    if read != info.file_size:
        raise PackageError(f"交换包中的“{info.filename}”大小与记录不符，拒绝导入")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise PackageError(f"交换包中的“{info.filename}”过大（{_mb(info.file_size)}），拒绝导入")
    return b"".join(member_blocks(archive, info))


class Listed:
    """What the manifest says of a member (size, SHA-256), checked as the member is read."""

    def __init__(self, name: str, size: int, sha256: str):
        self.name, self.size, self.sha256 = name, size, sha256
        self._digest, self._read = hashlib.sha256(), 0

    def feed(self, block: bytes) -> None:
        self._digest.update(block)
        self._read += len(block)

    def check(self) -> None:
        if self._read != self.size or self._digest.hexdigest() != self.sha256:
            raise PackageError(f"交换包中“{self.name}”与清单记录不符，拒绝导入")


def member_lines(archive: zipfile.ZipFile, info: zipfile.ZipInfo, listed: Listed) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of an NDJSON member, split on b"\\n" only (UTF-8 never has that byte
    inside a character, and JSON escapes it inside strings; other line breaks may stand in text),
    no line longer than MAX_LINE; the member's size and hash checked against the manifest at its end."""
    number, rest = 0, b""
    for block in member_blocks(archive, info):
        listed.feed(block)
        lines = (rest + block).split(b"\n") if rest else block.split(b"\n")
        rest = lines.pop()
        if len(rest) > MAX_LINE:
            raise PackageError(f"交换包数据有误：“{info.filename}”第 {number + len(lines) + 1} 行过长"
                               f"（超过 {_mb(MAX_LINE)}），拒绝导入")
        for line in lines:
            number += 1
            yield number, line
    if rest:
        yield number + 1, rest
    listed.check()
