"""基本信息: the meeting's own fields, checked as they are typed, saved together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QFrame, QPushButton, QScrollArea, QWidget

from ..forms import FieldEditor, refill_refs
from ..messages import show_refusal

if TYPE_CHECKING:
    from ..meeting_editor import MeetingData


class DetailsTab(QScrollArea):
    """The form scrolls: a meeting has more fields than a 1366 × 768 screen shows at once."""

    def __init__(self, editor, fields, refs: dict, submit):
        super().__init__()
        self.editor = editor
        self.submit = submit  # (values, parent, done, failed): the frame's create-or-update
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.setWidget(inner)
        form = QFormLayout(inner)
        self.editors: dict[str, FieldEditor] = {}
        for spec in fields:
            field_editor = FieldEditor(spec, refs, self)
            self.editors[spec.name] = field_editor
            form.addRow(spec.label + ("＊" if spec.required else ""), field_editor)
            field_editor.edited.connect(lambda e=field_editor: e.show_error(e.local_error()))
        save = QPushButton("保存基本信息")
        save.clicked.connect(self.save)
        form.addRow("", save)

    def fill(self, data: MeetingData) -> None:
        m = data["meeting"]
        for name, field_editor in self.editors.items():
            field_editor.set_value(m["departments_list"] if name == "departments" else m.get(name))
            field_editor.show_error(None)

    def set_choices(self, refs: dict) -> None:
        """The form's lists as the store has them now, what is chosen kept (the departments are a
        checklist of names, the clerk's department list)."""
        refill_refs(self.editors, refs)
        if "departments" in self.editors:
            self.editors["departments"].set_options(refs["departments"])

    def save(self) -> None:
        values = {name: e.value() for name, e in self.editors.items()}
        bad = [(e, e.local_error()) for e in self.editors.values() if e.local_error()]
        for field_editor, message in bad:
            field_editor.show_error(message)
        if bad:
            return

        def failed(error):
            field_editor = self.editors.get(getattr(error, "field", None) or "")
            if field_editor is not None:
                field_editor.show_error(str(error))
            else:
                show_refusal(self, error)

        self.submit(values, self, self.editor.saved("基本信息"), failed)
