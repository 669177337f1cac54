"""Plain-Python state machines for the app's flows: no widgets, tested without a screen."""
