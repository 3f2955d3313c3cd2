"""The meeting flowchart, drawn: three phase lanes, step boxes coloured by progress, clickable."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.meetings import STEP_COLOURS, STEP_STATES

PHASES = (("pre", "会前"), ("in", "会中"), ("post", "会后"))
BOX_H, GAP, HEADER_H, MARGIN = 58, 22, 34, 16


class FlowchartView(QWidget):
    step_clicked = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.steps: list[dict] = []
        self.boxes: list[tuple[QRectF, dict]] = []
        self.setMouseTracking(True)
        self.setMinimumHeight(320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("点击环节可登记完成情况")

    def set_steps(self, steps: list[dict]) -> None:
        self.steps = steps
        rows = max([sum(1 for s in steps if s["phase"] == p) for p, _ in PHASES] + [1])
        self.setMinimumHeight(HEADER_H + MARGIN * 3 + rows * (BOX_H + GAP))
        self._layout()
        self.update()

    def state_of(self, title: str) -> str | None:
        return next((s["state"] for s in self.steps if s["title"] == title), None)

    def box_of(self, title: str) -> QRectF | None:
        return next((rect for rect, s in self.boxes if s["title"] == title), None)

    def resizeEvent(self, event):
        self._layout()
        super().resizeEvent(event)

    def _layout(self) -> None:
        self.boxes = []
        lane_w = (self.width() - 2 * MARGIN) / 3
        for lane, (phase, _) in enumerate(PHASES):
            x = MARGIN + lane * lane_w + 14
            y = MARGIN + HEADER_H + 14
            for step in [s for s in self.steps if s["phase"] == phase]:
                self.boxes.append((QRectF(x, y, lane_w - 28, BOX_H), step))
                y += BOX_H + GAP

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#fafbfc"))
        lane_w = (self.width() - 2 * MARGIN) / 3
        base = QFont(self.font())
        for lane, (_, label) in enumerate(PHASES):
            header = QRectF(MARGIN + lane * lane_w + 6, MARGIN, lane_w - 12, HEADER_H)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#b22222"))
            painter.drawRoundedRect(header, 8, 8)
            painter.setPen(QColor("white"))
            bold = QFont(base)
            bold.setBold(True)
            if base.pointSizeF() > 0:
                bold.setPointSizeF(base.pointSizeF() * 1.15)
            else:  # the style sheet sizes fonts in pixels
                bold.setPixelSize(round(base.pixelSize() * 1.15))
            painter.setFont(bold)
            painter.drawText(header, Qt.AlignmentFlag.AlignCenter, label)
        previous = None
        for rect, _step in self.boxes:
            if previous is not None:
                self._connector(painter, previous, rect)
            previous = rect
        for rect, step in self.boxes:
            colour = QColor(STEP_COLOURS[step["state"]])
            painter.setPen(QPen(colour, 2))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(rect, 7, 7)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(rect.x(), rect.y(), 7, rect.height()), 3, 3)
            title_font = QFont(base)
            title_font.setBold(True)
            painter.setFont(title_font)
            painter.setPen(QColor("#222222"))
            painter.drawText(rect.adjusted(14, 6, -8, -rect.height() / 2),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, step["title"])
            painter.setFont(base)
            painter.setPen(QColor("#666666"))
            painter.drawText(rect.adjusted(14, 6, -8, -rect.height() / 2),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, step.get("owner") or "")
            painter.setPen(colour)
            status = STEP_STATES[step["state"]]
            status += f" {step['done_on']}" + (f"（{step['done_by']}）" if step.get("done_by") else "") \
                if step.get("done_on") else (
                f"（期限 {step['due_date']}）" if step.get("due_date") else "")
            painter.drawText(rect.adjusted(14, rect.height() / 2, -8, -4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, status)
        painter.end()

    @staticmethod
    def _connector(painter: QPainter, a: QRectF, b: QRectF) -> None:
        painter.setPen(QPen(QColor("#90a4ae"), 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        start, end = QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top())
        path = QPainterPath(start)
        if abs(start.x() - end.x()) > 1:
            mid_y = start.y() + GAP / 2
            path.lineTo(start.x(), mid_y)
            path.lineTo((start.x() + end.x()) / 2, mid_y)
            path.lineTo((start.x() + end.x()) / 2, end.y() - GAP / 2)
            path.lineTo(end.x(), end.y() - GAP / 2)
        path.lineTo(end.x(), end.y() - 4)
        painter.drawPath(path)
        painter.setBrush(QColor("#90a4ae"))
        painter.drawPolygon(QPolygonF([end, QPointF(end.x() - 5, end.y() - 8), QPointF(end.x() + 5, end.y() - 8)]))

    def mousePressEvent(self, event):
        for rect, step in self.boxes:
            if rect.contains(event.position()):
                self.step_clicked.emit(step)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        over = any(rect.contains(event.position()) for rect, _ in self.boxes)
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
