"""The Qt runtime the app relies on: CJK font, Chinese standard dialogs, signal bindings."""

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetrics


class _Emitter(QObject):
    flag = Signal(bool)


def test_bool_signals_keep_reference_counts(qapp):
    # PySide6 6.12.0 decremented True on each emit and crashed the app after ~1000 clicks.
    emitter = _Emitter()
    emitter.flag.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(2000):
        emitter.flag.emit(True)
    assert abs(sys.getrefcount(True) - before) < 50


def test_without_a_system_cjk_face_the_shipped_one_is_registered(qapp, monkeypatch):
    from ui.main import setup_application

    monkeypatch.setattr(QFontDatabase, "hasFamily", staticmethod(lambda family: False))
    assert setup_application(qapp) == "WenQuanYi Micro Hei"
    assert any("WenQuanYi Micro Hei" in QFontDatabase.applicationFontFamilies(i) for i in range(8))


def test_the_ui_font_covers_the_ui(ui_font, qapp):
    assert QFontInfo(qapp.font()).family() in ("WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
                                               "Noto Sans CJK SC")
    metrics = QFontMetrics(qapp.font())
    text = "概览代表组织阵地回收站设置议事工作台花名册身份证号村（社区）网格副组长撤销"
    missing = [ch for ch in text if not metrics.inFontUcs4(ord(ch))]
    assert not missing


def test_standard_dialogs_are_chinese(ui_font, qapp):
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QPlatformTheme", "Save") == "保存"


def test_the_supplementary_catalogue_is_compiled_from_its_source(ui_font, qapp):
    """resources/translations/yishi_qt_zh_CN.qm answers every message of its .ts (recompile with
    pyside6-lrelease after editing the .ts)."""
    import xml.etree.ElementTree as ET

    from app.common.resources import shipped_dir

    source = ET.parse(shipped_dir("resources") / "translations" / "yishi_qt_zh_CN.ts")
    messages = [(ctx.findtext("name"), m.findtext("source"), m.findtext("translation"))
                for ctx in source.getroot().iter("context") for m in ctx.iter("message")]
    assert len(messages) >= 10
    for context, text, translation in messages:
        assert QCoreApplication.translate(context, text) == translation
