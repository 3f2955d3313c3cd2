"""Run work once a widget has painted for the first time: start-up shows the window first."""

from PySide6.QtCore import QEvent, QObject, QTimer


class _FirstPaint(QObject):
    def __init__(self, widget, callback):
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def after_first_paint(widget, callback) -> None:
    _FirstPaint(widget, callback)
