"""imports area: members from a CSV file, all or nothing (issue 13)."""
