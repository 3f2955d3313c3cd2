"""The meeting editor's tabs, a widget each; `ui.meeting_editor` holds the frame around them."""
