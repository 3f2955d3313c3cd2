"""统计: the year's figures and charts of the opinions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.opinions import CATEGORIES

from ...models import Col, ListTableModel
from ...widgets import NoWheelCombo
from ..base import export_with_dialog, make_table
from .common import OPINION_TABLES


class StatsTab(QWidget):
    """The report's figures with charts: by category, month, group and unit."""

    def __init__(self, backend, parent=None):
        super().__init__(parent)
        self.backend = backend
        self.year = NoWheelCombo()
        for year in range(date.today().year, date.today().year - 6, -1):
            self.year.addItem(f"{year}年", year)
        self.year.addItem("全部年份", None)
        self._year_known = False
        self.year.currentIndexChanged.connect(lambda _: self.reload())
        export = QPushButton("导出统计表…")
        export.clicked.connect(lambda: export_with_dialog(self, backend, "stats", year=self.year.currentData()))
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addStretch(1)
        top.addWidget(export)
        self.figures = QGridLayout()
        self.labels: dict[str, QLabel] = {}
        for i, (key, title) in enumerate((("plenary", "召开议事代表大会"), ("group_activity", "开展分组活动"),
                                          ("collected", "收集意见建议"), ("solved", "已办结"),
                                          ("solved_rate", "办结率"), ("rate", "满意率"), ("overdue", "逾期未办结"))):
            box = QLabel()
            box.setObjectName("statFigure")
            box.setAlignment(Qt.AlignCenter)
            box.setStyleSheet("background: white; border: 1px solid #d7dde5; border-radius: 6px; padding: 8px;")
            self.labels[key] = box
            self.figures.addWidget(box, 0, i)
            box.setProperty("title", title)
        self.labels["solved_rate"].setToolTip("已办结条数÷已交办条数（未交办的和不予采纳的不计入），与统计表相同")
        self.charts = QHBoxLayout()
        self.chart_views = []
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.figures)
        layout.addLayout(self.charts, 1)
        self.by_unit = ListTableModel([Col("unit", "承办单位"), Col("count", "交办（条）")], self)
        unit_view = make_table(self.by_unit)
        unit_view.setMaximumHeight(180)
        layout.addWidget(unit_view)
        backend.changed.connect(lambda c: c.tables & (OPINION_TABLES | {"meetings"}) and self.reload())

    def reload(self) -> None:
        if not self._year_known:  # first show: the year with figures (last year's early in a new one)
            self.backend.query(lambda s: s.summary.current_year(), self._start_at)
            return
        year = self.year.currentData()
        self.backend.query(lambda s: s.opinion_stats.report(year), self._show)

    def _start_at(self, year: int) -> None:
        self._year_known = True
        index = self.year.findData(year)
        if index >= 0 and index != self.year.currentIndex():
            self.year.setCurrentIndex(index)  # which reloads
        else:
            self.reload()

    def _show(self, report) -> None:
        o, held = report["opinions"], report["meetings_held"]
        values = {"plenary": f"{held.get('plenary', 0)} 次", "group_activity": f"{held.get('group_activity', 0)} 次",
                  "collected": f"{o['total']} 条", "solved": f"{o['solved']} 条",
                  "solved_rate": f"{o['solved_rate']}%" if o["solved_rate"] is not None else "—",
                  "rate": f"{o['satisfaction_rate']}%" if o["satisfaction_rate"] is not None else "—",
                  "overdue": f"{o['overdue']} 条"}
        for key, label in self.labels.items():
            colour = "#c62828" if key == "overdue" and o["overdue"] else "#b22222"
            label.setText(f"<div style='color:#5b6777'>{label.property('title')}</div>"
                          f"<div style='font-size:22px;font-weight:bold;color:{colour}'>{values[key]}</div>")
        self.by_unit.set_rows([{"unit": k, "count": v} for k, v in o["by_unit"].items()])
        self._draw_charts(o)

    def _draw_charts(self, o: dict) -> None:
        try:
            from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QPieSeries, QValueAxis
        except ImportError:  # PySide6-Addons missing: the figures and the table still show
            return
        from PySide6.QtGui import QPainter

        for view in self.chart_views:
            self.charts.removeWidget(view)
            view.deleteLater()
        self.chart_views = []
        pie = QPieSeries()
        for key, label in CATEGORIES:
            if o["by_category"].get(key):
                pie.append(f"{label} {o['by_category'][key]}", o["by_category"][key])
        charts = [("事项类别", pie, None)]
        for title, data in (("按月收集", o["by_month"]), ("按小组", o["by_group"])):
            bars = QBarSet("意见建议")
            keys = list(data)
            for key in keys:
                bars.append(data[key])
            series = QBarSeries()
            series.append(bars)
            charts.append((title, series, [str(int(k[5:])) if title == "按月收集" else k for k in keys]))
        for title, series, categories in charts:
            chart = QChart()
            chart.setTitle(title)
            chart.addSeries(series)
            chart.legend().setVisible(categories is None)  # the pie explains itself in its legend
            chart.legend().setAlignment(Qt.AlignBottom)
            if categories is not None:
                axis_x = QBarCategoryAxis()
                axis_x.append(categories)
                chart.addAxis(axis_x, Qt.AlignBottom)
                series.attachAxis(axis_x)
                axis_y = QValueAxis()
                axis_y.setLabelFormat("%d")
                chart.addAxis(axis_y, Qt.AlignLeft)
                series.attachAxis(axis_y)
            view = QChartView(chart)
            view.setRenderHint(QPainter.Antialiasing)
            view.setMinimumHeight(260)
            self.charts.addWidget(view)
            self.chart_views.append(view)
