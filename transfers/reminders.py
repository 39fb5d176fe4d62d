"""Notification kinds of transfers/, registered with core.notifications.registry (it imports
every app's `reminders` module). Deadline sources for retention and letters go here too."""

from django.utils.translation import gettext_lazy as _

from core.notifications.registry import register_kind

register_kind(
    "retention_decided",
    _("Your retention application has been decided: %(subject)s"),
    "retention_detail",
)
