"""stores area."""
