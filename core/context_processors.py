"""The navigation a user sees depends on what they hold, not on a role name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.scoping import granted_paths

# (permission held somewhere, URL name, label), in the order a branch's work goes.
STAFF_ITEMS = (
    ("view_people", "home", _("Home")),
    ("view_people", "people_list", _("People")),
    ("view_people", "dev_board", _("Development pipeline")),
    ("view_people", "meeting_list", _("Branch life")),
    ("review_checkins", "checkin_queue", _("Check-ins")),
    ("manage_dues", "dues_index", _("Party dues")),
    ("view_people", "retention_list", _("Retention")),
    ("manage_transfers", "transfer_list", _("Transfers")),
    ("handle_lapses", "lapse_list", _("Lapse cases")),
    ("view_people", "org_tree", _("Organization")),
    ("import_people", "people_import", _("Import roster")),
    ("import_people", "dev_ledger_import", _("Import development ledger")),
)
# Everyone with a person record: their own pages.
MEMBER_ITEMS = (
    ("my_record", _("My record")),
    ("my_meetings", _("My meetings")),
    ("checkin_mine", _("My check-ins")),
    ("retention_mine", _("My retention")),
)


def navigation(request) -> dict:
    """Menu entries for the user's grants, and which one the current page belongs to.

    Each permission costs at most one query per request (the scope is cached on the user),
    so the menu adds a fixed number of queries to every page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_active": ""}
    items: list[tuple[str, str]] = []
    for perm, url_name, label in STAFF_ITEMS:
        if granted_paths(user, perm):
            items.append((reverse(url_name), label))
    if getattr(user, "person", None) is not None:
        staff = bool(items)
        items += [
            (reverse(url_name), label)
            for url_name, label in MEMBER_ITEMS
            if not (staff and url_name == "retention_mine")  # staff reach it from the list
        ]
    # The entry whose URL is the longest prefix of the current path is the active one.
    path = getattr(request, "path", "")
    # "/" (home) is a prefix of every path: it is the active entry only on the home pages.
    home = reverse("home")
    matches = [url for url, _label in items if path.startswith(url) and url != home]
    if not matches and path.startswith("/home/"):
        matches = [home]
    return {"nav_items": items, "nav_active": max(matches, key=len, default="")}


def notifications(request) -> dict:
    """The unread count in the header: one indexed COUNT (partial index on unread rows)."""
    from core.notifications.services import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user)}
