"""Start-up: Qt application, CJK font, Chinese translations, one instance, the main window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from app import APP_NAME
from app.common.resources import shipped_dir
from app.storage.paths import default_data_dir

from .paint import after_first_paint

if TYPE_CHECKING:
    from app.store import Store

log = logging.getLogger(__name__)
PREFERRED_FAMILIES = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei")


# The locale categories LC_ALL stands for, but LC_TIME (glibc's list).
_LOCALE_CATEGORIES = ("LC_CTYPE", "LC_NUMERIC", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES", "LC_PAPER", "LC_NAME",
                      "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION")


@contextmanager
def chinese_dates(environ=os.environ, platform: str = sys.platform) -> Iterator[None]:
    """Make the QApplication inside this block with Chinese dates in its system locale.

    Qt's own file dialog (the one UOS and Kylin show) writes a file's date in the system locale,
    not the default one set in setup_application: on Linux that is LC_TIME (or LC_ALL, or LANG),
    read as the application is made. A machine left in the C or an English locale would show
    "2 12 2026 04:17"; with LC_TIME=zh_CN it shows "2026/12/2 04:17". Only the dates change (LC_ALL,
    which overrides every category, is spread over the others), and only while Qt reads them: the
    environment is given back afterwards, so the programs the app opens see the clerk's own.
    Windows and macOS tell Qt their settings themselves.
    """
    overriding = environ.get("LC_ALL", "")
    current = overriding or environ.get("LC_TIME", "") or environ.get("LANG", "")
    if platform.startswith(("win", "darwin")) or current.startswith("zh"):
        yield
        return
    changed = ["LC_TIME", *(("LC_ALL", *_LOCALE_CATEGORIES) if overriding else ())]
    saved = {name: environ.get(name) for name in changed}
    if overriding:
        del environ["LC_ALL"]
        for name in _LOCALE_CATEGORIES:
            environ[name] = overriding
    environ["LC_TIME"] = "zh_CN.UTF-8"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value


_translators: list[QTranslator] = []  # the ones setup_application installed


def setup_application(app: QApplication) -> str:
    """Register the shipped CJK font, load Qt's zh_CN translations, apply the style.

    Returns the first family asked for (Qt falls back along the list).
    """
    resources = shipped_dir("resources")
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("YishiDesk")
    app.setWindowIcon(QIcon(str(resources / "icons" / "yishi.png")))
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))

    # The system's CJK face if it has one (Windows always has 微软雅黑), else the shipped one:
    # registering the shipped 5 MB face costs ~9 ms, while the font database the question
    # fills is needed for the first Chinese text anyway.
    families = [f for f in PREFERRED_FAMILIES if QFontDatabase.hasFamily(f)]
    if not families:
        for font_file in sorted((resources / "fonts").glob("wqy-*.tt[cf]")):  # the UI face only
            font_id = QFontDatabase.addApplicationFont(str(font_file))
            if font_id >= 0:
                families += QFontDatabase.applicationFontFamilies(font_id)
    font = QFont()
    font.setFamilies(families)
    font.setPointSize(10)
    app.setFont(font)
    family = font.family()

    _translators.clear()  # keep references alive
    for folder in (resources / "translations", Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))):
        translator = QTranslator(app)
        if translator.load("qtbase_zh_CN", str(folder)):
            app.installTranslator(translator)
            _translators.append(translator)
            break
    # Installed last, so asked first: the few words Qt's catalogue lacks (查找范围, 文件类型, 文件夹),
    # from resources/translations/yishi_qt_zh_CN.ts.
    supplement = QTranslator(app)
    if supplement.load("yishi_qt_zh_CN", str(resources / "translations")):
        app.installTranslator(supplement)
        _translators.append(supplement)
    style = resources / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return family


def log_to_file(data_dir: Path) -> None:
    """Keep a rotating log in the data directory: a windowed app has no console to read."""
    from logging.handlers import RotatingFileHandler

    folder = data_dir / "logs"
    folder.mkdir(exist_ok=True)
    handler = RotatingFileHandler(folder / "yishi.log", maxBytes=1_000_000, backupCount=5,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def install_excepthook(window) -> None:
    """An exception escaping a UI slot is a bug: log it and show it with copyable details."""
    import traceback

    from .messages import show_bug

    def hook(kind, value, tb):
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("unhandled exception:\n%s", text)
        show_bug(window, text)

    sys.excepthook = hook


def instance_key(data_dir: Path) -> str:
    # zlib's checksums name the local socket well enough; hashlib would cost ~4 ms before the
    # first paint (OpenSSL), for a name that only has to be the same in both instances.
    import zlib

    path = str(Path(data_dir).resolve()).encode()
    return f"yishi-desk-{zlib.crc32(path):08x}{zlib.adler32(path):08x}"


def raise_running_instance(key: str) -> bool:
    """Ask an instance already running on this data directory to come to the front."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(key)
    if not socket.waitForConnected(300):
        return False
    socket.write(b"raise\n")
    socket.waitForBytesWritten(300)
    socket.disconnectFromServer()
    return True


def listen_for_raise(key: str, window):
    from PySide6.QtNetwork import QLocalServer

    QLocalServer.removeServer(key)  # a stale socket left by a crash
    server = QLocalServer(window)
    server.listen(key)

    def bring_to_front():
        connection = server.nextPendingConnection()
        if connection:
            connection.readAll()
            connection.close()
        window.showNormal()
        window.raise_()
        window.activateWindow()
        modal = QApplication.activeModalWidget()
        if modal is not None:  # a dialog in progress stays in front of its window
            modal.raise_()
            modal.activateWindow()

    server.newConnection.connect(bring_to_front)
    return server


def _security_state(store: Store) -> tuple[bool, int]:
    from app.storage import security

    return security.has_password(store), security.idle_minutes(store)


def offer_demo(window, backend) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.fronts.demo import build_demo

    from .backend import DelayedProgress
    from .messages import show_refusal

    box = QMessageBox(window)
    box.setWindowTitle("欢迎使用议事工作台")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText("这是一个新的空白数据库。\n\n您可以从空白开始，录入本街道的村（社区）、网格、议事小组和代表；"
                "也可以先打开演示街道（中山路街道：25 个村（社区）、534 个网格、5 个议事小组、70 名议事代表）"
                "熟悉各项功能。演示数据均为虚构。")
    empty = box.addButton("从空白开始", QMessageBox.ButtonRole.RejectRole)
    demo = box.addButton("打开演示街道", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(demo)
    box.exec()
    if box.clickedButton() is empty:
        window.show_page("organisation")
        return
    job = backend.op(lambda store, job: build_demo(store, lambda text: job.report(0, 0, f"正在载入：{text}")),
                       lambda _: window.reload_all(), lambda e: show_refusal(window, e), wants_job=True,
                       undoable=False)
    DelayedProgress(window, job, "正在载入演示街道…")


def run_gui(data_dir: str | None = None, argv: list[str] | None = None) -> int:
    from .backend import Backend
    from .window import MainWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance()
    if app is None:
        with chinese_dates():
            app = QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)  # a window's program: its one application is a GUI one
    setup_application(app)
    target = Path(data_dir) if data_dir else default_data_dir()
    key = instance_key(target)
    from app.storage.paths import InstanceLock

    # Only when the data directory is in use does it pay to reach the running window.
    if InstanceLock(target).is_held() and raise_running_instance(key):
        print("议事工作台已在运行，已切换到已打开的窗口。", file=sys.stderr)
        return 0

    backend = Backend()
    window = MainWindow(backend)
    window.show()
    window.status.setText("正在打开数据…")
    app.aboutToQuit.connect(backend.shutdown)
    install_excepthook(window)

    # The database is opened once the window has painted: importing and opening it in the
    # worker, and building the lock and backup machinery, would otherwise delay the first paint.
    after_first_paint(window, lambda: _open_data(app, window, backend, target, key))
    return app.exec()


def _open_data(app, window, backend, target: Path, key: str) -> None:
    """Open the store; then the password (if set), the data, the backups, the welcome."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from app.storage.backup import auto_backup, start_backup

    from .lock import IdleLock, offer_recovery

    idle_lock = window.idle_lock = IdleLock(window, backend)
    # At most every 30 minutes while data changes (auto_backup decides), checked every 5.
    backups = QTimer(window, interval=5 * 60_000)
    backups.timeout.connect(lambda: backend.op(lambda s: auto_backup(s)))

    def opened(path):
        log_to_file(Path(path))
        window.status.setText(f"数据目录：{path}")
        listen_for_raise(key, window)
        backend.query(_security_state, unlock_then_show)

    def unlock_then_show(state):
        protected, idle_lock.minutes = state
        if protected:
            idle_lock.lock("请输入程序密码")
            idle_lock.dialog.accepted.connect(show_data)
        else:
            show_data()

    def show_data():
        window.reload_all()
        backend.op(lambda s: start_backup(s))  # a copy of what was there before today's work
        backups.start()
        if os.environ.get("YISHI_NO_WELCOME") != "1":
            backend.query(lambda s: s.is_empty(), lambda empty: empty and offer_demo(window, backend))

    def refused(error):
        from app.common.errors import CorruptStoreError

        if isinstance(error, CorruptStoreError):
            offer_recovery(window, backend, target, error, opened, lambda: app.exit(1))
            return
        QMessageBox.critical(window, "无法打开数据", str(error) if error else "打开数据库时发生意外错误。")
        app.exit(1)

    backend.open_store(str(target), opened, refused)

