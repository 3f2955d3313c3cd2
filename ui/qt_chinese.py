"""Qt's own words in Chinese where its zh_CN catalogue has none.

Qt's qtbase_zh_CN catalogue lags its sources: the widget file dialog (what UOS and Kylin show,
and what Windows shows when the native one is unavailable) still says "Look in:", "Files of
type:" and "Folder". This translator answers those few; everything else falls through to
Qt's catalogue (a None answer is "not mine").
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

SUPPLEMENT = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "Look in:"): "查找范围：",
    ("QFileDialog", "Files of type:"): "文件类型：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Alias"): "替身",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
}


class ChineseSupplement(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):
        return SUPPLEMENT.get((context, source))

    def isEmpty(self) -> bool:
        return False
