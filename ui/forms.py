"""Record forms built from the core's FieldSpecs, so rules are written once (in app/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.common import idcard
from app.common.errors import ValidationError
from app.common.textutil import validate_phone
from app.services.base import rule_problem

from .dialog_frame import FittingDialog
from .widgets import NoWheelCombo, person_choice, person_picker

if TYPE_CHECKING:
    from app.store import Store

ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"


class FieldEditor(QWidget):
    """One field's widget plus an inline message line for validation as you type."""

    edited = Signal()

    def __init__(self, spec, refs: dict, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.person = spec.kind == "ref" and spec.ref == "delegates"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.widget = self._make(spec, refs)
        layout.addWidget(self.widget)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

    def _make(self, spec, refs):
        if spec.kind == "multiline":
            widget = QPlainTextEdit()
            widget.setTabChangesFocus(True)  # Tab moves on to the next field, as in every other field
            widget.setFixedHeight(60)
            widget.textChanged.connect(self.edited)
            return widget
        if spec.kind in ("choice", "ref"):
            widget = NoWheelCombo()
            widget.setEditable(spec.editable)
            if not spec.required:
                widget.addItem("（无）", None)
            options = refs.get(spec.ref, []) if spec.kind == "ref" else spec.choices
            for option in options:
                value, label = option if isinstance(option, tuple) else (option, option)
                widget.addItem(label, value)
            if spec.editable:
                widget.setCurrentIndex(-1)
                widget.lineEdit().setPlaceholderText("可从列表选择或直接输入")
                widget.editTextChanged.connect(self.edited)
            elif self.person:  # a delegate: typed by name or pinyin initials (zs), as the roster finds them
                person_picker(widget)
                widget.editTextChanged.connect(self.edited)
            widget.currentIndexChanged.connect(self.edited)
            return widget
        if spec.kind == "checklist":
            widget = QWidget()
            grid = QGridLayout(widget)
            grid.setContentsMargins(0, 0, 0, 0)
            self.boxes = []
            for i, item in enumerate(spec.choices):
                box = QCheckBox(item)
                box.toggled.connect(self.edited)
                grid.addWidget(box, i // 3, i % 3)
                self.boxes.append(box)
            return widget
        widget = QLineEdit()
        if spec.kind == "date":
            widget.setPlaceholderText("例如 1975-03-15")
        elif spec.kind == "idcard":
            widget.setPlaceholderText("18 位身份证号，出生日期和性别将自动填写")
            widget.setMaxLength(24)
        elif spec.kind == "phone":
            widget.setPlaceholderText("手机号或座机号")
        widget.textChanged.connect(self.edited)
        return widget

    # -- values ----------------------------------------------------------------
    def value(self):
        w = self.widget
        if self.spec.kind == "multiline":
            return w.toPlainText()
        if self.spec.kind in ("choice", "ref"):
            if self.spec.editable:
                text = w.currentText().strip()
                return text or None
            if self.person:
                try:
                    return person_choice(w, self.spec.label)
                except ValidationError:
                    return None  # local_error names the text that names no one
            return w.currentData()
        if self.spec.kind == "checklist":
            return [box.text() for box in self.boxes if box.isChecked()]
        return w.text()

    def set_value(self, value) -> None:
        w = self.widget
        if self.spec.kind == "multiline":
            w.setPlainText(value or "")
        elif self.spec.kind in ("choice", "ref"):
            index = w.findData(value)
            if index < 0 and self.spec.editable and value:
                w.setEditText(str(value))
            else:
                w.setCurrentIndex(max(index, 0) if value is not None or not self.spec.editable else -1)
        elif self.spec.kind == "checklist":
            chosen = set(value or [])
            for box in self.boxes:
                box.setChecked(box.text() in chosen)
        else:
            w.setText("" if value is None else str(value))

    def set_options(self, options) -> None:
        """Refill a choice list as the store has it now (a group renamed, a venue added in another
        window) keeping what is chosen, by value, and without reporting an edit. A value the list
        no longer offers stays chosen under its old text: the save, not a refill, decides about it."""
        if self.spec.kind == "checklist":
            chosen = self.value()
            items = list(options) + [item for item in chosen if item not in options]
            if items == [box.text() for box in self.boxes]:
                return
            grid = self.widget.layout()
            for box in self.boxes:
                grid.removeWidget(box)
                box.setParent(None)  # out of Tab's chain now, not at the next event loop turn
                box.deleteLater()
            self.boxes = []
            previous = self._tab_stop_before()  # new boxes join the end of Tab's chain: put them back in place
            for i, item in enumerate(items):
                box = QCheckBox(item, self.widget)
                box.setChecked(item in chosen)
                box.toggled.connect(self.edited)
                grid.addWidget(box, i // 3, i % 3)
                if previous is not None:
                    QWidget.setTabOrder(previous, box)
                self.boxes.append(box)
                previous = box
            return
        if self.spec.kind not in ("choice", "ref"):
            return
        w = self.widget
        value, text, index = w.currentData(), w.currentText(), w.currentIndex()
        w.blockSignals(True)
        try:
            w.clear()
            if not self.spec.required:
                w.addItem("（无）", None)
            for option in options:
                choice, label = option if isinstance(option, tuple) else (option, option)
                w.addItem(label, choice)
            if self.spec.editable:  # the text is the value: as typed, or as chosen
                w.setCurrentIndex(-1)
                w.setEditText(text)
            elif index < 0:  # nothing chosen (the first item added would be)
                w.setCurrentIndex(-1)
            else:
                if value is not None and w.findData(value) < 0:
                    w.addItem(text, value)
                w.setCurrentIndex(max(w.findData(value), 0))
        finally:
            w.blockSignals(False)

    def _tab_stop_before(self) -> QWidget | None:
        """The widget Tab reaches just before this field (None: there is none)."""
        widget = self.widget.previousInFocusChain()
        while widget is not self.widget and not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                                                  and not self.isAncestorOf(widget)):
            widget = widget.previousInFocusChain()
        return None if widget is self.widget else widget

    # -- validation as you type -------------------------------------------------
    def local_error(self) -> str | None:
        """Checks that need no database: required, ID number, phone, date."""
        if isinstance(self.widget, QLineEdit) and self.widget.isReadOnly():
            return None  # shown masked, not being edited
        if self.person:
            try:
                person_choice(self.widget, self.spec.label)
            except ValidationError as exc:
                return exc.message
        value = self.value()
        if self.spec.required and (value is None or str(value).strip() == ""):
            return f"请填写“{self.spec.label}”"
        text = str(value or "").strip()
        if not text:
            return None
        try:
            if self.spec.kind == "idcard":
                idcard.parse(text)
            elif self.spec.kind == "phone":
                validate_phone(text)
            elif self.spec.kind == "date":
                from datetime import date

                if len(text) != 10:
                    raise ValidationError("日期格式应为 1975-03-15")
                try:
                    date.fromisoformat(text)
                except ValueError:
                    raise ValidationError(f"“{text}”不是有效日期") from None
            elif self.spec.kind == "int":
                int(text)
        except ValidationError as exc:
            return exc.message
        except ValueError:
            return f"“{self.spec.label}”应为整数"
        # the rule book, as the service will ask it (a future step date, a text too long...)
        return rule_problem(self.spec, value if self.spec.kind == "multiline" else text)

    def show_error(self, message: str | None) -> None:
        target = self.widget
        target.setStyleSheet(ERROR_STYLE if message else "")
        self.message.setText(message or "")
        self.message.setVisible(bool(message))


def refill_refs(editors: dict[str, FieldEditor], refs: dict) -> None:
    """Every record field of a form offered the records `refs` has now (FieldEditor.set_options)."""
    for editor in editors.values():
        if editor.spec.kind == "ref":
            editor.set_options(refs.get(editor.spec.ref, []))


def follow_choices(backend, owner: QObject, load: Callable[[Store], dict], show: Callable[[dict], None]) -> None:
    """Keep a window's choice lists current while it is open: `load(store)` reads them, `show(refs)`
    refills them. The tables `load` read are watched (ui.backend.Watch), so a group renamed or a
    venue added in another window reaches this one too."""
    from .backend import Watch

    def reload() -> None:
        backend.query(load, lambda refs: show(refs) if isValid(owner) else None, watch=watch)

    watch = Watch(backend, reload, owner)
    reload()  # learns which tables the choices are read from


class RecordDialog(FittingDialog):
    """Add/edit dialog for any service whose fields are described by FieldSpecs.

    `submit(values, dialog)` sends the values to the core (through the backend); the
    dialog stays open and marks the offending field when the core refuses.
    """

    def __init__(self, title: str, fields, refs: dict, values: dict | None, submit, parent=None,
                 extra: QWidget | None = None, skip: tuple = ()):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.submit = submit
        # the fields (and `extra`) scroll on a short screen; the message and 保存 / 取消 stay in view
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.body.addLayout(self.form)
        self.editors: dict[str, FieldEditor] = {}
        self._loading = True
        for spec in fields:
            if spec.name in skip:
                continue
            editor = FieldEditor(spec, refs, self)
            editor.edited.connect(lambda e=editor: self._revalidate(e))
            label = spec.label + ("＊" if spec.required else "")
            self.form.addRow(label, editor)
            self.editors[spec.name] = editor
        if extra is not None:
            self.body.addWidget(extra)
        self.general = QLabel(self)
        self.general.setStyleSheet("color: #c62828;")
        self.general.setWordWrap(True)
        self.general.hide()
        self.footer.addWidget(self.general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.footer.addWidget(self.buttons)
        self._loading = True  # filling in the stored values is not the clerk typing
        for name, editor in self.editors.items():
            editor.set_value((values or {}).get(name))
        self._loading = False
        self._update_save()

    def _revalidate(self, editor: FieldEditor) -> None:
        if self._loading:
            return
        editor.show_error(editor.local_error())
        self.general.hide()
        self._update_save()

    def _update_save(self) -> None:
        show_why_not(self.buttons.button(QDialogButtonBox.StandardButton.Save), self.editors.values())

    def values(self) -> dict:
        return {name: editor.value() for name, editor in self.editors.items()}

    def _save(self) -> None:
        bad = [(e, e.local_error()) for e in self.editors.values() if e.local_error()]
        if bad:
            for editor, message in bad:
                editor.show_error(message)
            return
        self.buttons.setEnabled(False)
        self.submit(self.values(), self)

    # called back by the page after the core answered
    def refused(self, error) -> None:
        self.buttons.setEnabled(True)
        if error is None:
            return
        editor = self.editors.get(getattr(error, "field", None) or "")
        if editor is not None:
            editor.show_error(str(error))
            editor.widget.setFocus()
        else:
            self.general.setText(str(error))
            self.general.show()

    def saved(self, *_):
        self.accept()


def show_why_not(button, editors) -> None:
    """Enable `button` when every field is acceptable; else disable it with a tooltip naming the
    fields still wanting something (a greyed 交办 used to give no reason)."""
    wanting = [(e.spec.label, error) for e in editors if (error := e.local_error())]
    button.setEnabled(not wanting)
    button.setToolTip("" if not wanting else "还不能保存：" + "；".join(
        f"{label}：{error}" if label not in error else error for label, error in wanting[:4])
        + ("……" if len(wanting) > 4 else ""))
