"""Pieces the screens share: numpad, QR view (more come with the screens)."""
