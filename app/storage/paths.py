"""Where the live database may live, and the one-instance lock on it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from app.common.errors import StoreLocationError, StoreLockedError

NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "davfs",
    "fuse.sshfs", "sshfs", "fuse.rclone", "glusterfs", "ceph", "fuse.davfs2",
}
REMOVABLE_FS = {"vfat", "exfat", "msdos", "iso9660", "udf", "fuseblk"}
REMOVABLE_PREFIXES = ("/media/", "/run/media/", "/mnt/usb", "/Volumes/")


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("YishiDesk", appauthor=False, roaming=False))


def _mount_table() -> list[tuple[str, str, str]]:
    """(device, mount point, fs type) rows; YISHI_MOUNTS points tests at a fake table."""
    source = os.environ.get("YISHI_MOUNTS", "/proc/mounts")
    try:
        text = Path(source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            rows.append((parts[0], parts[1].replace("\\040", " "), parts[2]))
    return rows


def _posix_drive_kind(path: Path) -> str:
    resolved = str(path)
    best: tuple[str, str, str] | None = None
    for device, mount_point, fstype in _mount_table():
        prefix = mount_point.rstrip("/") + "/"
        if (resolved + "/").startswith(prefix) and (best is None or len(mount_point) > len(best[1])):
            best = (device, mount_point, fstype)
    if best:
        device, mount_point, fstype = best
        if fstype in NETWORK_FS or device.startswith("//"):
            return "network"
        if _block_device_removable(device):
            return "removable"
        if fstype in REMOVABLE_FS:
            # FAT/exFAT/ISO file systems on a clerk's PC are USB sticks, cards and discs.
            return "removable"
    if (resolved + "/").startswith(REMOVABLE_PREFIXES):
        return "removable"
    return "local"


def _block_device_removable(device: str) -> bool:
    if not device.startswith("/dev/"):
        return False
    name = Path(device).name
    sys_block = Path("/sys/class/block") / name
    try:
        real = sys_block.resolve()
        # A partition's "removable" flag lives on its parent disk.
        for candidate in (real, real.parent):
            flag = candidate / "removable"
            if flag.exists():
                return flag.read_text().strip() == "1"
    except OSError:
        return False
    return False


def _windows_drive_kind(path: Path) -> str:
    text = str(path)
    if text.startswith("\\\\"):
        return "network"
    import ctypes

    root = os.path.splitdrive(text)[0] + "\\"
    kind = ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))  # type: ignore[attr-defined]
    return {2: "removable", 4: "network"}.get(kind, "local")


def drive_kind(path: Path) -> str:
    """'local', 'removable' or 'network' for the drive holding `path` (links followed: a link
    to a USB stick or a share is where the data would really be)."""
    path = Path(os.path.realpath(path))
    if sys.platform == "win32":
        return _windows_drive_kind(path)
    return _posix_drive_kind(path)


def ensure_local_data_dir(path: Path) -> Path:
    kind = drive_kind(path)
    if kind == "removable":
        raise StoreLocationError(
            f"数据目录“{path}”位于U盘或移动硬盘上。为防止拔出时数据损坏，"
            "工作数据库只能放在本机硬盘上；U盘请用于交换包和备份。"
        )
    if kind == "network":
        raise StoreLocationError(
            f"数据目录“{path}”位于网络驱动器上。网络中断会损坏数据库，"
            "请把数据目录放在本机硬盘上。"
        )
    path.mkdir(parents=True, exist_ok=True)
    private(path, 0o700)
    return path


def private(path: Path, mode: int) -> None:
    """Only this account may read the delegates' data (ID numbers): folder 0700, files 0600. On
    Windows the user's profile folders are private already and chmod is all but a no-op."""
    if sys.platform == "win32":
        return
    try:
        if path.exists() and path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # a folder the clerk does not own: left as it is


class InstanceLock:
    """An OS-level exclusive lock on the data directory, released when the process dies."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "yishi.lock"
        self._file: Any = None

    def acquire(self) -> None:
        handle = open(self.path, "a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StoreLockedError(
                "议事工作台已经在使用这个数据目录（可能已在另一个窗口中打开）。"
                "请切换到已打开的窗口，或关闭它后再试。"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._file = handle

    def is_held(self) -> bool:
        """Whether another process holds the lock right now (probes without keeping it)."""
        if not self.path.exists():
            return False
        try:
            self.acquire()
        except StoreLockedError:
            return True
        self.release()
        return False

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
