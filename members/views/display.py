"""Turning people and their history into what the pages show. Presentation only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from members.forms import PersonForm
from members.models import Person, PersonChange


@dataclass
class Fact:
    name: str
    label: str
    value: Any


@dataclass
class HistoryEntry:
    change: PersonChange
    kind: str
    actor: str
    reason: str
    diffs: list[tuple[str, str, str]] = field(default_factory=list)


def field_label(name: str) -> str:
    """The translated label of a person field named in a history entry."""
    if name == "id_number_masked":
        return _("ID number")
    if name == "user":
        return _("account")
    try:
        return str(Person._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _value(person: Person, name: str) -> Any:
    if name == "unit":
        return person.unit.name
    value = getattr(person, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    display = getattr(person, f"get_{name}_display", None)
    if display is not None and value:
        return display()
    return value


def fact_groups(person: Person, *, hide_empty: bool = False) -> list[tuple[str, list[Fact]]]:
    """The person's fields in the same groups as the form (identity, Party standing,
    contact, student). The ID number is left to the template: it has its own widget.
    `hide_empty` drops unset fields (a member's own page on a phone stays short)."""
    groups = []
    for title, names in PersonForm.GROUPS:
        facts = [
            Fact(name, capfirst(field_label(name)), _value(person, name))
            for name in names
            if name != "id_number"
        ]
        if hide_empty:
            facts = [f for f in facts if f.value not in (None, "", _("no"))]
        groups.append((str(title), facts))
    return groups


def history(changes: QuerySet[PersonChange] | list[PersonChange]) -> list[HistoryEntry]:
    """Timeline entries, newest first: who, when, what changed from what to what, why."""
    entries = []
    for change in changes:
        actor = change.actor
        entries.append(
            HistoryEntry(
                change=change,
                kind=str(change.get_kind_display()),
                actor=(actor.get_full_name() or actor.username) if actor else _("the system"),
                reason=change.reason,
                diffs=[
                    (capfirst(field_label(name)), _text(pair[0]), _text(pair[1]))
                    for name, pair in (change.changes or {}).items()
                ],
            )
        )
    return entries


def _text(value: Any) -> str:
    return "—" if value in (None, "") else str(value)
