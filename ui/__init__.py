"""The PySide6 front: widgets, models and dialogs over the Qt-free core in `app`."""
