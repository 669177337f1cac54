"""members area: member management for managers and admins (issue 12)."""
