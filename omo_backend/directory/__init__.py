"""The member directory for managers: the list, its search index, the overview, one member's
profile, orders and audit trail, and the CSV export (API.md "Member management")."""
