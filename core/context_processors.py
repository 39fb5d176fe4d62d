"""The navigation a user sees depends on what they hold, not on a role name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.scoping import granted_paths


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if granted_paths(user, "view_people"):
        items.append((reverse("people_list"), _("People")))
        items.append((reverse("org_tree"), _("Organization")))
    if granted_paths(user, "import_people"):
        items.append((reverse("people_import"), _("Import roster")))
    if hasattr(user, "person"):
        items.append((reverse("my_record"), _("My record")))
    return {"nav_items": items}
