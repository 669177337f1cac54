"""bindings area."""
