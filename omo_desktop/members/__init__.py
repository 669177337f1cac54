"""The Members screen's plain-Python side: the list's model, a member's page, exports."""
