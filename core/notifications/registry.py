"""What can be notified, and the reminder sources every app registers.

A *kind* says how a notification is worded (a msgid with %(subject)s and %(due)s, rendered
in the reader's language when shown) and which page it opens (a URL name taking the
notification's `object_id` as pk).

A *source* is a function `rows(today) -> QuerySet` built with `reminder_rows` (user, key,
object_id, subject, due): who is told, the event's key (unique per event;
the same event found again tomorrow inserts nothing), the object the link opens, what it is
about, and when it is due. `reminders_run` turns every source into one INSERT … SELECT …
ON CONFLICT DO NOTHING: one statement per source whatever the number of people, and each
(recipient, event) at most once however often or concurrently it runs.

Each app registers its sources in its own `reminders.py` (found by autodiscovery):

    from core.notifications.registry import register_kind, register_source, recipients_q

    register_kind("retention_transfer_due", _("%(subject)s: apply to transfer out by %(due)s"),
                  "retention_detail")
    register_source("retention_transfer_due", kind="retention_transfer_due", rows=_rows)

The sources of DESIGN §6, by app (a source whose recipients come from two tables is two
sources sharing one event key, so nobody is told twice):

- development/reminders.py: the applicant talk within a month, the half-yearly assessment,
  the committee's 3-month approval window, the end of probation;
- transfers/reminders.py: applying to transfer out one month before the retention deadline
  (the branch and the graduate), retention expired, letter receipts overdue, mobile-member
  verification overdue;
- education/reminders.py: check-ins late (the graduate and the reviewers), silent branches
  (the branch, its committee and the committee above a general branch);
- members/reminders.py: removal due two years after a lost-contact suspension (the lapse
  job itself writes the lapse warnings and cases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, DateField, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from core.sqltools import insert_select


@dataclass(frozen=True)
class Kind:
    name: str
    text: Promise | str  # msgid with %(subject)s and %(due)s
    url_name: str = ""  # reversed with pk=object_id; "" when there is nothing to open

    def render(self, subject: str, due_on: dt.date | None) -> str:
        due = due_on.isoformat() if due_on else ""
        return str(self.text) % {"subject": subject, "due": due}

    def link(self, object_id: int | None) -> str:
        if not self.url_name or object_id is None:
            return ""
        try:
            return reverse(self.url_name, kwargs={"pk": object_id})
        except NoReverseMatch:
            return ""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    rows: Callable[[dt.date], QuerySet]


KINDS: dict[str, Kind] = {}
SOURCES: dict[str, Source] = {}


def register_kind(name: str, text: Promise | str, url_name: str = "") -> Kind:
    KINDS[name] = Kind(name, text, url_name)
    return KINDS[name]


def register_source(name: str, *, kind: str, rows: Callable[[dt.date], QuerySet]) -> Source:
    SOURCES[name] = Source(name, kind, rows)
    return SOURCES[name]


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        load_sources()
    return KINDS.get(name) or Kind(name, "%(subject)s")


def load_sources() -> None:
    """Import every installed app's `reminders` module, where it registers its sources."""
    autodiscover_modules("reminders")


def event_key(prefix: str, *parts) -> Concat:
    """A key expression: prefix:part:part… (each part a field name or a Value)."""
    pieces: list = [Value(prefix)]
    for part in parts:
        expr = F(part) if isinstance(part, str) else part
        pieces += [Value(":"), Cast(expr, CharField())]
    return Concat(*pieces, output_field=CharField())


def handlers(perm: str, unit_field: str = "unit"):
    """Holders of `perm` on a person's unit (and on the branch above a party group), as a
    join path and filter for a queryset of the model that has `unit_field`. Returns
    (q, user_field): filter with q, take F(user_field) as user_id."""
    rel = f"{unit_field}__orgunituserobjectpermission"
    return (
        Q(**{f"{rel}__permission__codename": perm, f"{unit_field}__is_active": True}),
        f"{rel}__user_id",
    )


def parent_handlers(perm: str, unit_field: str = "unit"):
    """Holders of `perm` on the unit above, for people kept in a party group."""
    rel = f"{unit_field}__parent__orgunituserobjectpermission"
    return (
        Q(**{f"{rel}__permission__codename": perm, f"{unit_field}__kind": "group"}),
        f"{rel}__user_id",
    )


def reminder_rows(queryset: QuerySet, *, user, key, object_id, subject, due=None) -> QuerySet:
    """A source's rows: `queryset` annotated with who is told, the event key, the object the
    link opens, what it is about and when it is due (field names or expressions)."""

    def expr(value):
        return F(value) if isinstance(value, str) else value

    # r_due first: a key may name the due date (F("r_due")).
    return queryset.annotate(
        r_due=expr(due) if due is not None else Value(None, output_field=DateField())
    ).annotate(
        r_user=expr(user),
        r_key=expr(key),
        r_object=expr(object_id),
        r_subject=expr(subject),
    )


def notify_rows(kind: str, rows: QuerySet) -> int:
    """Insert the `reminder_rows` of `rows` as notifications of `kind`, skipping those that
    are already there. One INSERT … SELECT statement whatever the number of rows."""
    from core.models import Notification

    selected = rows.values(
        c0=F("r_user"),
        c1=F("r_key"),
        c2=F("r_object"),
        c3=F("r_subject"),
        c4=F("r_due"),
        c5=Value(kind, output_field=CharField()),
        c6=Value(timezone.now(), output_field=DateTimeField()),
    ).order_by()
    columns = ["user", "key", "object_id", "subject", "due_on", "kind", "created_at"]
    return insert_select(Notification, columns, selected)


def reminders_run(today: dt.date | None = None) -> dict[str, int]:
    """Every registered source, once: {source name: notifications inserted}."""
    load_sources()
    today = today or timezone.localdate()
    return {name: notify_rows(s.kind, s.rows(today)) for name, s in sorted(SOURCES.items())}
