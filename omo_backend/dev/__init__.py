"""dev area."""
