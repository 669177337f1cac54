"""pages area."""
