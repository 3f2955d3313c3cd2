"""The frame every form-like dialog is built in, so that it fits any screen: its body (a form, the
lists under it) scrolls when the screen is too short for it, its buttons and messages stay below
the body, always in view, and it opens at the size its content asks for, capped by the screen's
free area (ui.memory.fit_on_screen): a 1366 × 768 screen less its taskbar leaves 728 px."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFrame, QScrollArea, QVBoxLayout, QWidget


def scrolling(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area that sizes it to the area: it scrolls only where the window
    is smaller than it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class FittingDialog(QDialog):
    """`self.body`: the layout that scrolls; `self.footer`: the layout below it (messages, buttons)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        content = QWidget()
        content.setObjectName("dialog_content")
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = scrolling(content)
        self.scroll_area.setObjectName("dialog_body")
        outer.addWidget(self.scroll_area, 1)
        self.footer = QVBoxLayout()
        outer.addLayout(self.footer)
        self._fitted = False

    def showEvent(self, event) -> None:
        if not self._fitted:  # the first time only: a size the clerk dragged to is theirs
            self._fitted = True
            self.body.addStretch(1)  # a body shorter than the window stays at its top
            self.fit_to_content()
        super().showEvent(event)

    def fit_to_content(self) -> None:
        """The whole body in view where the screen has room for it, else as much as it has."""
        from .memory import fit_on_screen, room_on_screen

        content = self.scroll_area.widget().sizeHint()
        around = self.sizeHint() - self.scroll_area.sizeHint()  # the footer, margins and spacing
        frame = 2 * self.scroll_area.frameWidth()
        width = max(self.minimumWidth(), around.width() + content.width() + frame, self.sizeHint().width())
        height = around.height() + content.height() + frame
        room = room_on_screen(self)
        if room is not None and height > room[1]:  # it will scroll: room for the scroll bar
            width += self.scroll_area.verticalScrollBar().sizeHint().width()
        fit_on_screen(self, (width, max(height, self.minimumSizeHint().height())))
