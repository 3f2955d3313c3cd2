"""统计: the year's figures and charts of the opinions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QMargins, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.rules.meeting_kinds import kinds
from app.services.opinion_clocks import CLOCKS
from app.services.opinions import CATEGORIES

from ...backend import Watch
from ...models import Col, ListTableModel
from ...widgets import NoWheelCombo
from ..base import export_with_dialog, make_table


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
        # a figure per registered meeting kind (held), then the ledger's figures in a row under them
        figures = [(0, i, k.code, k.stats_item) for i, k in enumerate(kinds())] + [
            (1, i, key, title) for i, (key, title) in enumerate(
                (("collected", "收集意见建议"), ("solved", "已办结"), ("solved_rate", "办结率"),
                 ("on_time_rate", "按期办结率"), ("rate", "满意率"), ("overdue", "逾期未办结")))] + [
            # each step of the chain: the year's opinions late at it (done late or still waiting)
            (2, i, f"late_{c.key}", f"{c.label}超时") for i, c in enumerate(CLOCKS)]
        for row, i, key, title in figures:
            box = QLabel()
            box.setObjectName("statFigure")
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setStyleSheet("background: white; border: 1px solid #d7dde5; border-radius: 6px; padding: 8px;")
            self.labels[key] = box
            self.figures.addWidget(box, row, i)
            box.setProperty("title", title)
        self.labels["solved_rate"].setToolTip("已办结条数÷已交办条数（未交办的和不予采纳的不计入），与统计表相同")
        self.labels["on_time_rate"].setToolTip("在办理期限内（经批准延期的按延期后的期限）办结的条数÷已办结条数，与统计表相同")
        for clock in CLOCKS:
            self.labels[f"late_{clock.key}"].setToolTip(
                f"本年收集的意见建议中，“{clock.label}”超过时限的条数：超时完成的和至今仍未完成的（时限在“设置”中）")
        # 按月收集 across the page (12 months), 事项类别 and 按小组 side by side under it; the page
        # scrolls, so each chart keeps a readable height on a 1366 × 768 screen.
        self.charts = QGridLayout()
        self.charts.setColumnStretch(0, 1)
        self.charts.setColumnStretch(1, 1)
        self.chart_views = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        scroll = QScrollArea()
        scroll.setObjectName("stats_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        layout = QVBoxLayout(inner)
        layout.addLayout(self.figures)
        layout.addLayout(self.charts)
        self.by_unit = ListTableModel([Col("unit", "承办单位"), Col("count", "交办（条）")], self)
        unit_view = make_table(self.by_unit)
        unit_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # whole unit names
        unit_view.setMinimumHeight(160)
        unit_view.setMaximumHeight(240)
        layout.addWidget(unit_view)
        self.watch = Watch(backend, self.reload, self)

    def reload(self) -> None:
        if not self._year_known:  # first show: the year with figures (last year's early in a new one)
            self.backend.query(lambda s: s.summary.current_year(), self._start_at, watch=self.watch)
            return
        year = self.year.currentData()
        self.backend.query(lambda s: s.opinion_stats.report(year), self._show, watch=self.watch)

    def _start_at(self, year: int) -> None:
        self._year_known = True
        index = self.year.findData(year)
        if index >= 0 and index != self.year.currentIndex():
            self.year.setCurrentIndex(index)  # which reloads
        else:
            self.reload()

    def _show(self, report) -> None:
        o, held = report["opinions"], report["meetings_held"]
        values = {**{k.code: f"{held.get(k.code, 0)} 次" for k in kinds()},
                  "collected": f"{o['total']} 条", "solved": f"{o['solved']} 条",
                  "solved_rate": f"{o['solved_rate']}%" if o["solved_rate"] is not None else "—",
                  "rate": f"{o['satisfaction_rate']}%" if o["satisfaction_rate"] is not None else "—",
                  "overdue": f"{o['overdue']} 条",
                  "on_time_rate": f"{o['on_time_rate']}%" if o["on_time_rate"] is not None else "—",
                  **{f"late_{k}": f"{n} 条" for k, n in o["late_steps"].items()}}
        for key, label in self.labels.items():
            late = (key == "overdue" and o["overdue"]) or (key.startswith("late_") and o["late_steps"][key[5:]])
            colour = "#c62828" if late else "#b22222"
            label.setText(f"<div style='color:#5b6777'>{label.property('title')}</div>"
                          f"<div style='font-size:22px;font-weight:bold;color:{colour}'>{values[key]}</div>")
        self.by_unit.set_rows([{"unit": k, "count": v} for k, v in o["by_unit"].items()])
        self._draw_charts(o)

    def _draw_charts(self, o: dict) -> None:
        try:
            from PySide6.QtCharts import (
                QAbstractBarSeries,
                QBarCategoryAxis,
                QBarSeries,
                QBarSet,
                QChart,
                QChartView,
                QHorizontalBarSeries,
                QPieSeries,
            )
        except ImportError:  # PySide6-Addons missing: the figures and the table still show
            return
        from PySide6.QtGui import QColor, QPainter

        for view in self.chart_views:
            self.charts.removeWidget(view)
            view.deleteLater()
        self.chart_views = []
        year = self.year.currentData()
        months = month_counts(o["by_month"], year)
        # (title, the bars' counts or None for the pie, the bars' series class, grid place)
        charts: list[tuple[str, dict[str, int] | None, type[QAbstractBarSeries] | None, tuple[int, int, int, int]]] = [
            ("按月收集" if year else "按年收集", months, QBarSeries, (0, 0, 1, 2))]
        pie = QPieSeries()
        for key, label in CATEGORIES:
            if o["by_category"].get(key):
                pie.append(f"{label} {o['by_category'][key]} 条", o["by_category"][key])
        groups = dict(reversed(list(o["by_group"].items())))  # horizontal bars list the first on top
        charts += [("事项类别", None, None, (1, 0, 1, 1)), ("按小组", groups, QHorizontalBarSeries, (1, 1, 1, 1))]
        for title, data, kind, place in charts:
            chart = QChart()
            chart.setTitle(title)
            chart.setMargins(QMargins(4, 4, 4, 4))
            height = 300
            if data is None or kind is None:  # the pie explains itself in its legend, beside it (never cut off)
                chart.addSeries(pie)
                chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
                chart.legend().setShowToolTips(True)
                if not pie.count():
                    chart.setTitle(f"{title}（暂无）")
            else:
                bars = QBarSet("意见建议（条）")
                bars.setLabelColor(QColor("#333333"))
                for value in data.values():
                    bars.append(value)
                series = kind()
                series.append(bars)
                series.setLabelsVisible(True)  # the count on each bar
                series.setLabelsPosition(series.LabelsPosition.LabelsOutsideEnd)
                chart.addSeries(series)
                chart.legend().setVisible(False)
                categories = QBarCategoryAxis()
                categories.append(list(data))  # full names: 新城一组 / 新城二组, never 新… / 新…
                counts = integer_axis(max(data.values(), default=0))
                bottom, left = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft
                across, up = (bottom, left) if kind is QBarSeries else (left, bottom)
                chart.addAxis(categories, across)
                chart.addAxis(counts, up)
                series.attachAxis(categories)
                series.attachAxis(counts)
                if kind is QHorizontalBarSeries:
                    height = max(300, 60 + 34 * len(data))
            view = QChartView(chart)
            view.setObjectName(f"chart_{title}")
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(height)
            self.charts.addWidget(view, *place)
            self.chart_views.append(view)


def month_counts(by_month: dict[str, int], year: int | None) -> dict[str, int]:
    """Every month of the year, zeros included ("1月"…"12月"); for all years, every year from the
    first to the last with any ("2024年"…), so that no label is squeezed into "20…"."""
    if year:
        return {f"{m}月": by_month.get(f"{year}-{m:02d}", 0) for m in range(1, 13)}
    years = sorted({int(k[:4]) for k in by_month})
    if not years:
        return {}
    return {f"{y}年": sum(n for k, n in by_month.items() if k.startswith(f"{y}-"))
            for y in range(years[0], years[-1] + 1)}


def integer_axis(top: int):
    """A count axis from 0 with whole-number ticks only (0, 1, 2… or 0, 5, 10…, never 0, 0, 1, 1, 2)."""
    from PySide6.QtCharts import QValueAxis

    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 10**9)
                if top / s <= 8)
    intervals = max(1, -(-top // step)) + (1 if top and top % step == 0 else 0)  # room above the tallest bar
    axis = QValueAxis()
    axis.setRange(0, step * intervals)
    axis.setTickCount(intervals + 1)
    axis.setMinorTickCount(0)
    axis.setLabelFormat("%d")
    return axis
