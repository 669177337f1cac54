"""invitations area."""
