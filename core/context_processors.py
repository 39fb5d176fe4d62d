"""The navigation a user sees depends on what they hold, not on a role name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.scoping import granted_paths


def navigation(request) -> dict:
    """Menu entries for the user's grants, and which one the current page belongs to.

    Each permission costs at most one query per request (the scope is cached on the user),
    so the menu adds a fixed number of queries to every page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_active": ""}
    items: list[tuple[str, str]] = []
    if granted_paths(user, "view_people"):
        items.append((reverse("home"), _("Home")))
        items.append((reverse("people_list"), _("People")))
        items.append((reverse("org_tree"), _("Organization")))
        items.append((reverse("dev_board"), _("Development pipeline")))
    if granted_paths(user, "import_people"):
        items.append((reverse("people_import"), _("Import roster")))
    if granted_paths(user, "review_checkins"):
        items.append((reverse("checkin_queue"), _("Check-ins")))
    if granted_paths(user, "manage_dues"):
        items.append((reverse("dues_index"), _("Party dues")))
    if granted_paths(user, "manage_transfers"):
        items.append((reverse("transfer_list"), _("Transfers")))
    if getattr(user, "person", None) is not None:
        items.append((reverse("my_record"), _("My record")))
        items.append((reverse("checkin_mine"), _("My check-ins")))
    # Retained graduates: staff see the applications of their scope, members their own.
    if granted_paths(user, "view_people"):
        items.append((reverse("retention_list"), _("Retention")))
    elif getattr(user, "person", None) is not None:
        items.append((reverse("retention_mine"), _("My retention")))
    # The entry whose URL is the longest prefix of the current path is the active one.
    path = getattr(request, "path", "")
    # "/" (home) is a prefix of every path: it is the active entry only on the home pages.
    home = reverse("home")
    matches = [url for url, _label in items if path.startswith(url) and url != home]
    if not matches and path.startswith("/home/"):
        matches = [home]
    return {"nav_items": items, "nav_active": max(matches, key=len, default="")}
