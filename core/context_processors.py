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
    if granted_paths(user, "import_people"):
        items.append((reverse("people_import"), _("Import roster")))
        items.append((reverse("dev_ledger_import"), _("Import development ledger")))
    if getattr(user, "person", None) is not None:
        items.append((reverse("my_record"), _("My record")))
    # The entry whose URL is the longest prefix of the current path is the active one.
    path = getattr(request, "path", "")
    # "/" (home) is a prefix of every path: it is the active entry only on the home pages.
    home = reverse("home")
    matches = [url for url, _label in items if path.startswith(url) and url != home]
    if not matches and path.startswith("/home/"):
        matches = [home]
    return {"nav_items": items, "nav_active": max(matches, key=len, default="")}
