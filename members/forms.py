"""Forms of the people and organization pages.

Every choice of a unit or a person comes from the scoping method, so a form can never offer
(or accept) anything outside the user's scope. Saving goes through members.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.idnumber import normalize_id_number
from members.filters import unit_label
from members.models import BranchPost, OrgUnit, Person, User
from members.models.access import ROLE_PERMISSIONS, Role
from members.scoping import granted_paths, has_unit_perm
from members.services.people import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return unit_label(obj, getattr(self, "base_depth", 0))


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---------------------------------------------------------------------------------------
# People


class PersonForm(forms.ModelForm):
    """Create or edit a person. The stage is not here: only the pipeline changes it."""

    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=255,
        help_text=_("Kept in the person's history."),
    )

    GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        (
            _("Identity"),
            (
                "name", "sex", "ethnicity", "id_number", "birth_date", "native_place",
                "education",
            ),
        ),
        (
            _("Party standing"),
            (
                "unit", "applied_on", "joined_on", "full_member_on", "post", "lost_contact",
                "lost_contact_since", "is_mobile_member", "mobile_destination",
            ),
        ),
        (
            _("Contact"),
            (
                "mobile", "landline", "email", "home_address", "emergency_contact",
                "emergency_phone",
            ),
        ),
        (
            _("Student"),
            (
                "student_number", "college", "major", "class_name", "grade", "degree_level",
                "dormitory", "household_registration", "expected_graduation", "whereabouts",
                "whereabouts_detail", "remarks",
            ),
        ),
    )  # fmt: skip

    class Meta:
        model = Person
        fields = list(EDITABLE_FIELDS)
        field_classes = {"unit": UnitChoiceField}
        widgets = {
            "birth_date": DateInput(),
            "applied_on": DateInput(),
            "joined_on": DateInput(),
            "full_member_on": DateInput(),
            "lost_contact_since": DateInput(),
            "expected_graduation": DateInput(),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        # Units where this user may put people; a person's current unit stays selectable
        # even when it has been deactivated since.
        active = Q(is_active=True)
        if editing:
            active |= Q(pk=self.instance.unit_id)
        units = OrgUnit.objects.restrict(user, "change_people").filter(active).order_by("path")
        unit_field = self.fields["unit"]
        unit_field.queryset = units
        unit_field.base_depth = _top_depth(user, "change_people")
        if editing:
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the current number (%(masked)s)."
            ) % {"masked": self.instance.id_number_masked or _("none")}
        else:
            del self.fields["reason"]
            self.fields["id_number"].help_text = _(
                "18 characters; the birth date and sex are read from it when left empty."
            )

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        return normalize_id_number(raw) if raw.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        joined, full = data.get("joined_on"), data.get("full_member_on")
        if joined and full and full < joined:
            self.add_error(
                "full_member_on",
                _("A member becomes a full member after joining the Party, not before."),
            )
        return data

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.GROUPS
        ]

    def service_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in EDITABLE_FIELDS}


def _top_depth(user, perm: str) -> int:
    """Depth of the highest unit the user holds `perm` on, so choices indent from zero.
    Read from the cached scope: no query."""
    paths = granted_paths(user, perm)
    return min((path.count(".") - 1 for path in paths), default=0)


class PersonRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removal"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The record and its history stay; lists stop showing the person."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why this person is removed."))
        return reason


class PersonRestoreForm(forms.Form):
    reason = forms.CharField(label=_("Reason for restoring"), max_length=255, required=False)


# ---------------------------------------------------------------------------------------
# Organization tree


def kinds_under(parent: OrgUnit) -> list[tuple[str, str]]:
    """The unit kinds that may sit directly under `parent` (DESIGN §2)."""
    return [
        (kind.value, kind.label)
        for kind in OrgUnit.Kind
        if parent.kind in OrgUnit.ALLOWED_PARENTS[kind]
    ]


class OrgUnitForm(forms.Form):
    """Create a child unit under a fixed parent, or edit a unit's own fields.

    A plain form (not a ModelForm) so the unit instance is left untouched until the service
    applies the change and records what it was before.
    """

    def __init__(
        self,
        *args: Any,
        parent: OrgUnit | None = None,
        unit: OrgUnit | None = None,
        **kwargs: Any,
    ) -> None:
        if unit is not None:
            kwargs.setdefault(
                "initial",
                {
                    f: getattr(unit, f)
                    for f in ("name", "branch_kind", "has_approval_power", "code", "founded_on")
                }
                | {"is_active": unit.is_active},
            )
        super().__init__(*args, **kwargs)
        self.unit = unit
        names = ["name", "branch_kind", "has_approval_power", "code", "founded_on"]
        if unit is not None:
            names.append("is_active")
            # Only branches have a branch type; only committees approve admissions.
            if unit.kind != OrgUnit.Kind.BRANCH:
                names.remove("branch_kind")
            if unit.kind != OrgUnit.Kind.COMMITTEE:
                names.remove("has_approval_power")
        model_fields = fields_for_model(OrgUnit, fields=names, widgets={"founded_on": DateInput()})
        if parent is not None:
            self.fields["kind"] = forms.ChoiceField(label=_("Kind"), choices=kinds_under(parent))
            model_fields["branch_kind"].help_text = _("Only for Party branches.")
        self.fields.update(model_fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind") or (self.unit.kind if self.unit else None)
        if kind == OrgUnit.Kind.BRANCH and "branch_kind" in self.fields:
            if not data.get("branch_kind"):
                self.add_error("branch_kind", _("Choose the branch type."))
        elif "branch_kind" in data:
            data["branch_kind"] = ""
        if kind != OrgUnit.Kind.COMMITTEE and "has_approval_power" in data:
            data["has_approval_power"] = False
        return data


class OrgUnitMoveForm(forms.Form):
    new_parent = UnitChoiceField(label=_("New parent unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, unit: OrgUnit, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Targets: units the user manages, of a kind that may hold this one, never the
        # unit itself or anything below it, and not where it already is.
        allowed = OrgUnit.ALLOWED_PARENTS[OrgUnit.Kind(unit.kind)]
        self.fields["new_parent"].queryset = (
            OrgUnit.objects.restrict(user, "manage_tree")
            .filter(kind__in=allowed, is_active=True)
            .exclude(path__startswith=unit.path)
            .exclude(pk=unit.parent_id)
            .order_by("path")
        )
        self.fields["new_parent"].base_depth = _top_depth(user, "manage_tree")


class BranchPostForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    post = forms.ChoiceField(label=_("Post"), choices=BranchPost.Post.choices)
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), required=False, widget=DateInput())

    def __init__(self, *args: Any, unit: OrgUnit, user, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"term_start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.restrict(user, "view_people")
            .filter(unit__path__startswith=unit.path)
            .order_by("name", "id")
        )
        self.fields["person"].label_from_instance = _person_label

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("A term cannot end before it starts."))
        return data


def _person_label(person: Person) -> str:
    return f"{person.name} {person.student_number or ''} · {person.get_stage_display()}"


class BranchPostEndForm(forms.Form):
    on = forms.DateField(label=_("Term ends on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


def grantable_roles(actor, unit: OrgUnit) -> list[tuple[str, str]]:
    """Roles the actor may hand out on `unit`: only those whose every permission the actor
    holds there, so nobody can grant more than they have (e.g. a committee office cannot
    make someone an organization-department admin)."""
    return [
        (role.value, role.label)
        for role in Role
        if all(has_unit_perm(actor, perm, unit) for perm in ROLE_PERMISSIONS[role])
    ]


class RoleGrantForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, unit: OrgUnit, actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(actor, unit)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError(
                _("There is no active account with the user name %(name)s.") % {"name": username}
            )
        return user
