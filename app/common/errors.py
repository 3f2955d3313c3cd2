"""Typed errors that carry a message for the clerk (Simplified Chinese).

Anything raised that is not an AppError is a bug and is shown as such by the fronts.
"""


class AppError(Exception):
    """An expected refusal: the message is meant for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(AppError):
    """Input that breaks a data rule; `field` names the offending field if any."""


class NotFoundError(AppError):
    pass


class ConflictError(AppError):
    """The request clashes with the current state (duplicate, limit reached...)."""


class StoreLocationError(AppError):
    """The database may not live where it was asked to (removable / network drive)."""


class StoreLockedError(AppError):
    """Another instance already has the data directory open."""


class NoStoreError(AppError):
    """A command that reads data was pointed at a folder with no database in it."""


class NewerSchemaError(AppError):
    """The database was written by a newer version of the app."""


class CorruptStoreError(AppError):
    """The database file cannot be opened or read."""


class MarkedRowsError(AppError):
    """A backup holds rows the rule book refuses (written by an older version or by hand): restored
    only when the clerk says so, the rows then shown marked (`breaches` lists them)."""

    def __init__(self, message: str, breaches: list):
        super().__init__(message)
        self.breaches = breaches


class Cancelled(AppError):
    """The clerk cancelled a long step; nothing of it was kept."""


class EnvironmentFailure(AppError):
    """The machine said no (disk full, a file held by Excel, a stick pulled out, a locked
    database): not a bug, and the message says what to do."""


def _where(exc) -> str:
    name = getattr(exc, "filename", None)
    return f"“{name}”" if name else ""


def environmental(exc: BaseException) -> EnvironmentFailure | None:
    """The one mapping from what the system reports to a message for the clerk, for the CLI and
    the window alike; None for anything that is not the environment's doing (a bug)."""
    import errno
    import sqlite3

    if isinstance(exc, EnvironmentFailure):
        return exc
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return EnvironmentFailure("数据库正被其他程序占用（可能是另一个议事工作台窗口、备份软件或杀毒软件），"
                                      "等待后仍未释放。请关闭占用它的程序后再试；数据没有改动。")
        if "full" in text:
            return EnvironmentFailure("磁盘空间已满，无法写入数据库。请清理磁盘后再试；数据没有改动。")
        if "disk i/o" in text or "readonly" in text or "read-only" in text or "unable to open" in text:
            return EnvironmentFailure("无法读写数据库文件（磁盘出错、只读或文件夹已不在）。"
                                      "请检查数据目录所在的磁盘后再试；数据没有改动。")
        return None
    if not isinstance(exc, OSError):
        return None
    where = _where(exc)
    code = exc.errno
    if getattr(exc, "winerror", None) in (32, 33):  # ERROR_SHARING_VIOLATION / LOCK_VIOLATION
        return EnvironmentFailure(f"文件{where}正被其他程序（如 Excel、WPS）打开。请先关闭它，再重试。")
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return EnvironmentFailure(f"磁盘空间已满，无法写入{where}。请清理磁盘或换一个位置后再试；数据没有改动。")
    if code == errno.EROFS:
        return EnvironmentFailure(f"{where or '目标位置'}是只读的（U盘写保护或光盘）。请换一个位置后再试。")
    if code in (errno.EACCES, errno.EPERM):
        return EnvironmentFailure(f"没有权限写入{where or '目标位置'}。请换一个文件夹；若是已有的文件，"
                                  "请确认它没有被 Excel、WPS 等程序打开。")
    if code == errno.ENOENT:
        return EnvironmentFailure(f"找不到{where or '所需的文件或文件夹'}：它可能已被移走、改名，或U盘已拔出。")
    if code == errno.ENAMETOOLONG:
        return EnvironmentFailure(f"文件名或路径太长：{where}。请用短一些的文件名或文件夹。")
    if code == errno.EBUSY:
        return EnvironmentFailure(f"文件{where}正被其他程序占用。请关闭占用它的程序后再试。")
    if code == errno.EISDIR:
        return EnvironmentFailure(f"{where}是一个文件夹，请给出文件名。")
    if code in (errno.EIO, errno.ENODEV, errno.ENXIO):
        return EnvironmentFailure(f"读写{where}时出错：U盘可能已拔出或损坏。请重新插好后再试。")
    return EnvironmentFailure(f"读写{where or '文件'}时出错（{exc.strerror or exc}）。请检查磁盘和文件夹后再试。")
