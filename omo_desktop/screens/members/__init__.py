"""The Members screen (managers and admins): ``MembersScreen(client)``."""

from omo_desktop.screens.members.screen import MembersScreen

__all__ = ["MembersScreen"]
