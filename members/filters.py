"""Filtering, searching and sorting people: shared by the people list and the Excel export.

The queryset passed in must already be scoped (`Person.objects.restrict(user, perm)`);
nothing here widens it. Unit choices come only from the units the caller may see, and the
exact ID-number search goes through the blind index, so no row is ever decrypted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.idnumber import normalize_id_number
from members.models import OrgUnit, Person, Stage
from members.services.people import id_number_index

# Sortable columns: the public key → the ORDER BY it stands for. Each ends with the primary
# key, so the order is total and a page never repeats or skips a row; the leading columns
# are indexed (name, student number, grade, expected graduation, the unit foreign key).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "student_number": ("student_number", "id"),
    "unit": ("unit__path", "name", "id"),
    "stage": ("stage", "name", "id"),
    "grade": ("grade", "name", "id"),
    "expected_graduation": ("expected_graduation", "name", "id"),
    "whereabouts": ("whereabouts", "name", "id"),
}
DEFAULT_SORT = "name"
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def unit_label(unit: OrgUnit, base_depth: int = 0) -> str:
    """A unit's name indented by its depth, for flat <select> lists in tree order."""
    return "\u3000" * max(unit.depth - base_depth, 0) + unit.name


def scope_units(user, perm: str = "view_people") -> list[OrgUnit]:
    """The units a user may pick in a filter: one query, in tree order."""
    return list(
        OrgUnit.objects.restrict(user, perm).order_by("path").only("id", "name", "path", "depth")
    )


class PeopleFilterForm(forms.Form):
    """GET parameters of the people list. Invalid values are reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, student number or ID number"), "type": "search"}
        ),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=1900, max_value=2200)
    graduation_year = forms.IntegerField(
        label=_("Graduation year"), required=False, min_value=1900, max_value=2200
    )
    whereabouts = forms.ChoiceField(label=_("Whereabouts"), required=False)
    removed = forms.BooleanField(label=_("Removed people"), required=False)
    lost_contact = forms.BooleanField(label=_("Lost contact"), required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in PAGE_SIZES],
        empty_value=DEFAULT_PAGE_SIZE,
    )

    def __init__(self, data: Mapping[str, Any] | None, *, units: Sequence[OrgUnit]) -> None:
        # Always bound (a list page is a search with no terms); the page size shows its
        # default when the request names none.
        params = data.copy() if hasattr(data, "copy") else dict(data or {})
        if not params.get("per_page"):
            params["per_page"] = str(DEFAULT_PAGE_SIZE)
        super().__init__(params)
        self.units_by_id = {unit.pk: unit for unit in units}
        base = min((u.depth for u in units), default=0)
        self.fields["unit"].choices = [("", _("All units"))] + [
            (unit.pk, unit_label(unit, base)) for unit in units
        ]
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        self.fields["whereabouts"].choices = [
            ("", _("Anywhere")),
            *Person.Whereabouts.choices,
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


def _search(queryset: QuerySet[Person], q: str, cleaned: dict[str, Any]) -> QuerySet[Person]:
    """An 18-character valid ID number → exact blind-index match; otherwise name contains,
    or (when the query has digits) student number exact or prefix."""
    compact = q.replace(" ", "")
    if len(compact) == 18:
        try:
            value = normalize_id_number(compact)
        except ValidationError as exc:
            cleaned["q_error"] = exc.messages[0]
        else:
            cleaned["q_kind"] = "id_number"
            return queryset.filter(id_number_index=id_number_index(value))
    if any(ch.isdigit() for ch in q):
        cleaned["q_kind"] = "student_number"
        return queryset.filter(Q(student_number__startswith=q) | Q(name__icontains=q))
    cleaned["q_kind"] = "name"
    return queryset.filter(name__icontains=q)


def apply_people_filters(
    queryset: QuerySet[Person], form: PeopleFilterForm
) -> tuple[QuerySet[Person], dict[str, Any]]:
    """Apply the valid parts of a bound filter form; return the queryset and what was used."""
    form.is_valid()  # fills cleaned_data with the valid fields; errors stay on the form
    data = form.cleaned_data
    cleaned: dict[str, Any] = {}

    unit_id = data.get("unit")
    if unit_id is not None:
        unit = form.units_by_id[unit_id]
        cleaned["unit"] = unit
        queryset = queryset.filter(unit__path__startswith=unit.path)
    if data.get("stage"):
        cleaned["stage"] = data["stage"]
        queryset = queryset.filter(stage=data["stage"])
    if data.get("grade") is not None:
        cleaned["grade"] = data["grade"]
        queryset = queryset.filter(grade=data["grade"])
    year = data.get("graduation_year")
    if year is not None:
        cleaned["graduation_year"] = year
        # A date range, not __year, so the index on expected_graduation serves it.
        queryset = queryset.filter(
            expected_graduation__gte=dt.date(year, 1, 1),
            expected_graduation__lt=dt.date(year + 1, 1, 1),
        )
    if data.get("whereabouts"):
        cleaned["whereabouts"] = data["whereabouts"]
        queryset = queryset.filter(whereabouts=data["whereabouts"])
    if data.get("lost_contact"):  # the people behind the homes' lost-contact counts
        cleaned["lost_contact"] = True
        queryset = queryset.filter(lost_contact=True)
    # Removed people appear only when asked for, and only if the base queryset holds them
    # (`restrict(..., include_removed=True)`).
    cleaned["removed"] = bool(data.get("removed"))
    queryset = queryset.filter(removed_at__isnull=not cleaned["removed"])
    if data.get("q"):
        cleaned["q"] = data["q"]
        queryset = _search(queryset, data["q"], cleaned)

    sort = data.get("sort") or DEFAULT_SORT
    cleaned["sort"] = sort
    columns = SORTS[sort.lstrip("-")]
    if sort.startswith("-"):
        columns = tuple(f"-{c}" for c in columns)
    cleaned["per_page"] = data.get("per_page") or DEFAULT_PAGE_SIZE
    return queryset.order_by(*columns), cleaned


def filter_people(
    queryset: QuerySet[Person],
    params: Mapping[str, Any],
    *,
    user=None,
    units: Sequence[OrgUnit] | None = None,
) -> tuple[QuerySet[Person], dict[str, Any]]:
    """Filter, search and sort a scoped people queryset by request parameters.

    Give `units` (the in-scope units already read) or `user` (they are read with one
    query); a unit id outside them is ignored. Returns the queryset and the values used.
    """
    if units is None:
        units = scope_units(user) if user is not None else []
    form = PeopleFilterForm(params, units=units)
    queryset, cleaned = apply_people_filters(queryset, form)
    cleaned["errors"] = form.errors
    return queryset, cleaned
