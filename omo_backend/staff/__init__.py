"""staff area."""
