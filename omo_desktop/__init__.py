"""OMO Counter desktop app (PySide6). Built in the counter-app issue."""
