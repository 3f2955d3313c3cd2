"""The .yspkg file (DESIGN §7): magic, header length, JSON header, AES-256-GCM ciphertext of a zip.

The header is authenticated as associated data, so neither it nor a single byte of the content
can change without the import noticing. Everything that reads a package refuses with a Chinese
message (`PackageError`) before anything is written.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass

from ..errors import AppError

MAGIC = b"YSPKG1\n"
FORMAT_VERSION = 1
DEFAULT_SCRYPT_N = 1 << 17  # 128 MiB of memory: slow to guess, quick enough to type once
MIN_SCRYPT_N = 1 << 14  # the floor a package may ask for (tests use it to stay quick)
MAX_HEADER = 64 * 1024
MAX_FILE = 1 << 30  # a package is read into memory: refuse anything larger than 1 GiB
MAX_MEMBERS = 20_000
MAX_MEMBER_SIZE = 512 << 20
MAX_TOTAL_SIZE = 2 << 30
MAX_RATIO = 100  # uncompressed / compressed; a larger ratio is a decompression bomb
ALLOWED_NAME = re.compile(r"^(manifest\.json|rows/[a-z_]+\.ndjson|files/[0-9a-f]{64})$")


class PackageError(AppError):
    """A package that cannot be taken: the store is left exactly as it was."""


@dataclass
class Sealed:
    header: dict
    content: bytes  # the zip


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(content: bytes, passphrase: str, *, package_id: str, site_id: str, site_name: str, created: str,
         scrypt_n: int = DEFAULT_SCRYPT_N) -> bytes:
    """Encrypt a zip into package bytes."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not passphrase:
        raise PackageError("请设置交换口令（双方约定，不要写在U盘上）")
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {"format": "yspkg", "version": FORMAT_VERSION,
              "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": _b64(salt)},
              "nonce": _b64(nonce), "package_id": package_id, "site_id": site_id, "site_name": site_name,
              "created": created}
    header_bytes = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    key = _key(passphrase, salt, scrypt_n, 8, 1)
    ciphertext = AESGCM(key).encrypt(nonce, content, header_bytes)
    return MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes + ciphertext


def read_header(data: bytes) -> tuple[dict, bytes, bytes]:
    """(header, header bytes, ciphertext) or a PackageError saying what is wrong."""
    if not data:
        raise PackageError("文件是空的（0 字节），不是交换包")
    if not data.startswith(MAGIC):
        raise PackageError("这不是议事工作台的交换包（文件开头的标识不对）")
    if len(data) < len(MAGIC) + 4:
        raise PackageError("交换包不完整：文件在开头处就被截断了")
    (length,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if length > MAX_HEADER or start + length > len(data):
        raise PackageError("交换包不完整或文件头已损坏（文件可能被截断）")
    header_bytes = data[start:start + length]
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
    return header, header_bytes, data[start + length:]


def unseal(data: bytes, passphrase: str) -> Sealed:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(data) > MAX_FILE:
        raise PackageError(f"交换包过大（{len(data) >> 20} MB，上限 {MAX_FILE >> 20} MB）")
    header, header_bytes, ciphertext = read_header(data)
    if len(ciphertext) < 16:
        raise PackageError("交换包不完整：文件被截断了")
    kdf = header["kdf"]
    key = _key(passphrase or "", base64.b64decode(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
    try:
        content = AESGCM(key).decrypt(base64.b64decode(header["nonce"]), ciphertext, header_bytes)
    except InvalidTag:
        raise PackageError("无法打开交换包：口令不正确，或文件在复制过程中被改动、截断。"
                           "请核对口令；口令无误时请让对方重新导出。") from None
    return Sealed(header, content)


def read_members(content: bytes) -> dict[str, bytes]:
    """The zip's members, each checked: fixed names only, no links, duplicates or bombs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise PackageError("交换包的内容已损坏（不是完整的压缩数据）") from None
    if len(infos) > MAX_MEMBERS:
        raise PackageError(f"交换包中的文件过多（{len(infos)} 个，上限 {MAX_MEMBERS}）")
    names, total, members = set(), 0, {}
    for info in infos:
        name = info.filename
        if not ALLOWED_NAME.match(name) or ".." in name or name.startswith(("/", "\\")):
            raise PackageError(f"交换包中含有不允许的文件名“{name[:80]}”，拒绝导入")
        if name in names:
            raise PackageError(f"交换包中“{name}”出现了两次，拒绝导入")
        names.add(name)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise PackageError(f"交换包中的“{name}”是链接或目录，拒绝导入")
        total += info.file_size
        if info.file_size > MAX_MEMBER_SIZE or total > MAX_TOTAL_SIZE:
            raise PackageError("交换包解压后过大，拒绝导入")
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError(f"交换包中的“{name}”压缩比异常（疑似压缩炸弹），拒绝导入")
        try:
            with archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise PackageError(f"交换包中的“{name}”已损坏（{exc.__class__.__name__}）") from None
        if len(data) != info.file_size:
            raise PackageError(f"交换包中的“{name}”大小与记录不符，拒绝导入")
        members[name] = data
    if "manifest.json" not in members:
        raise PackageError("交换包缺少清单（manifest.json），拒绝导入")
    return members
