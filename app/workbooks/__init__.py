"""Workbooks as clerks have them, read safely: .xlsx (Excel 2007 on, WPS), .xls (Excel 97–2003,
what WPS still saves) and .ods (LibreOffice, WPS), each sheet as a grid of values with its merged
ranges and formula cells.

The format is told by the content, not the name: an .xls renamed .xlsx is read as the .xls it is,
and an .xlsx with an opening password (an OLE2 file holding EncryptionInfo/EncryptedPackage) is
named as such. Every read streams and stays within the caps of `base` (rows, columns, cells,
merged ranges, unpacked and parsed size): a file beyond them is refused at once, with a Chinese
message saying what to do.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from app.common.errors import AppError
from app.workbooks.base import (
    MAX_CELLS,
    MAX_COLS,
    MAX_MERGED,
    MAX_OLE,
    MAX_PARSED,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNPACKED,
    SAVE_AS,
    Reading,
    Sheet,
    broken,
    open_ole,
)

__all__ = ["MAX_CELLS", "MAX_COLS", "MAX_MERGED", "MAX_PARSED", "MAX_RATIO", "MAX_ROWS", "MAX_UNPACKED", "OLE_MAGIC",
           "SUFFIXES", "Sheet", "read_sheets"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an .xlsx with an opening password
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")  # what a roster may be (the open dialog's filter)
OTHER_FORMATS = {".et": "WPS 表格（.et）", ".ett": "WPS 表格模板", ".csv": "CSV 文本", ".txt": "文本文件",
                 ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿（.xlsb）",
                 ".fods": "OpenDocument 平面表格（.fods）"}


def read_sheets(path: Path | str) -> list[Sheet]:
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            kind = _kind_of(handle, head, name)
    except OSError as exc:
        from app.common.errors import environmental

        raise (environmental(exc) or exc) from None
    if kind is None:
        raise _not_a_workbook(path)
    reading = Reading(name)
    if kind == "xls":
        from app.workbooks.xls import read_xls

        return read_xls(path, reading)
    if kind == "ods":
        from app.workbooks.ods import read_ods

        return read_ods(path, reading)
    from app.workbooks.xlsx import read_xlsx

    return read_xlsx(path, reading)


def _kind_of(handle, head: bytes, name: str) -> str | None:
    """'xlsx', 'xls' or 'ods' by what the file holds; None when it is none of them."""
    if head.startswith(OLE_MAGIC):
        return _ole_kind(handle, name)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(handle) as archive:
                from app.workbooks.ods import is_ods

                if is_ods(archive):
                    return "ods"
                names = {n.lower() for n in archive.namelist()}
                return "xlsx" if "[content_types].xml" in names and any(
                    n.startswith("xl/") or n.endswith("workbook.xml") for n in names) else None
        except (zipfile.BadZipFile, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError):
            raise broken(name, "不是完整的表格文件") from None
    return None


def _ole_kind(handle, name: str) -> str | None:
    """An OLE2 (compound) file: an .xls when it holds a Workbook (or Excel 95's Book) stream;
    an encrypted .xlsx when it holds EncryptionInfo and EncryptedPackage; else something else
    (a Word 97 document...)."""
    size = handle.seek(0, 2)
    if size > MAX_OLE:
        raise AppError(f"“{name}”过大（{size >> 20} MB，上限 {MAX_OLE >> 20} MB），不像花名册，拒绝读取。"
                       f"请删除其中的图片等内容后另存为 .xlsx，再导入")
    handle.seek(0)
    with open_ole(handle, name) as ole:
        names = {"/".join(entry) for entry in ole.listdir()}
    if {"EncryptionInfo", "EncryptedPackage"} <= names:
        raise AppError(f"“{name}”设置了打开密码（已加密）。请在 Excel 或 WPS 中输入密码打开，"
                       "取消密码后另存为 .xlsx，再导入")
    if "Workbook" in names or "Book" in names:
        return "xls"
    return None


def _not_a_workbook(path: Path) -> AppError:
    suffix = path.suffix.lower()
    if suffix in OTHER_FORMATS:
        return AppError(f"“{path.name}”是{OTHER_FORMATS[suffix]}，不能直接导入。{SAVE_AS}")
    return AppError(f"“{path.name}”不是 Excel 文件，也不是 WPS 或 LibreOffice 的表格（可能已损坏，或只是改了扩展名）。{SAVE_AS}")
