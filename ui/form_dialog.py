"""A small modal form (交办、督办、反馈…): FieldEditors with validation as you type; returns values."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel

from .dialog_frame import FittingDialog
from .forms import FieldEditor, show_why_not


class FormDialog(FittingDialog):
    def __init__(self, title: str, specs, values: dict | None = None, refs: dict | None = None,
                 note: str = "", parent=None, ok: str = "确定"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        # the note and the fields scroll on a short screen; the buttons stay in view
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            label.setStyleSheet("color: #b26a00;")
            self.body.addWidget(label)
        form = QFormLayout()
        self.body.addLayout(form)
        self.editors: dict[str, FieldEditor] = {}
        for spec in specs:
            editor = FieldEditor(spec, refs or {}, self)
            editor.set_value((values or {}).get(spec.name))
            editor.edited.connect(lambda e=editor: self._edited(e))
            form.addRow(spec.label + ("＊" if spec.required else ""), editor)
            self.editors[spec.name] = editor
        self.extra = QLabel()
        self.extra.setWordWrap(True)
        self.footer.addWidget(self.extra)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.footer.addWidget(self.buttons)
        self._update()

    def _edited(self, editor: FieldEditor) -> None:
        editor.show_error(editor.local_error())
        self._update()

    def _update(self) -> None:
        show_why_not(self.buttons.button(QDialogButtonBox.StandardButton.Ok), self.editors.values())

    def values(self) -> dict:
        return {name: editor.value() for name, editor in self.editors.items()}


def ask(parent, title: str, specs, values: dict | None = None, refs: dict | None = None, note: str = "",
        ok: str = "确定") -> dict | None:
    dialog = FormDialog(title, specs, values, refs, note, parent, ok)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
