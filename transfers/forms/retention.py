"""Forms of the retention pages. They only carry input: what is allowed, required and in
scope is decided by transfers.services.retention."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import DocumentField, DocumentsField
from members.forms import DateInput
from members.models import BranchPost, OrgUnit, Person, Stage
from members.scoping import scope_q
from transfers.models import COMMITMENTS, RetentionApplication
from transfers.services.retention import APPLICATION_FIELDS, EVIDENCE_TYPES, REPORT_TYPES, Decision


class ApplicationForm(forms.ModelForm):
    """The college's template (seed 000), in the order it is written; everything optional
    while a draft, checked as a whole on submit."""

    commitments = forms.MultipleChoiceField(
        label=_("Commitments"),
        choices=COMMITMENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = DocumentsField(
        label=_("Evidence"),
        required=False,
        allowed=EVIDENCE_TYPES,
        help_text=_(
            "Photos of your handwritten application and any certificates (JPEG, PNG, WebP or "
            "PDF); several at once."
        ),
    )

    GROUPS = (
        (_("Reason and category"), ("reason", "reason_detail", "category", "whereabouts_detail")),
        (
            _("Contact"),
            ("mobile", "emergency_contact", "emergency_relation", "emergency_phone"),
        ),
        (_("Retention period"), ("starts_on", "ends_on")),
        (
            _("Going abroad"),
            ("abroad_place", "abroad_from", "abroad_until", "china_contact", "china_contact_phone"),
        ),  # fmt: skip
        (_("Statement"), ("statement",)),
    )

    class Meta:
        model = RetentionApplication
        fields = [f for f in APPLICATION_FIELDS if f != "commitments"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "abroad_from": DateInput(),
            "abroad_until": DateInput(),
            "statement": forms.Textarea(attrs={"rows": 4}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "emergency_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "china_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "ends_on": _("At most two years after the start."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["commitments"] = list(self.instance.commitments or [])

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in APPLICATION_FIELDS}


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.name}）"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=(
            (Decision.APPROVE, _("Approve")),
            (Decision.RETURN, _("Return for changes")),
            (Decision.REJECT, _("Reject")),
        ),
    )
    note = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return or reject; the graduate reads it."),
    )
    branch = UnitChoiceField(
        label=_("Retained-graduate branch"), queryset=OrgUnit.objects.none(), required=False
    )
    contact_person = ContactChoiceField(
        label=_("Contact person"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("A branch committee member of the branches in your scope."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = OrgUnit.objects.restrict(user, "decide_retention").filter(
            kind=OrgUnit.Kind.BRANCH, branch_kind=OrgUnit.BranchKind.RETAINED, is_active=True
        )
        # Contact people: full members holding a branch post now, in scope (a short list,
        # whatever the size of the college).
        today = timezone.localdate()
        posts = BranchPost.objects.filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today),
            scope_q(user, "decide_retention", field="unit__path"),
            term_start__lte=today,
        ).values("person_id")
        self.fields["contact_person"].queryset = (
            Person.objects.restrict(user, "view_people")
            .filter(pk__in=posts, stage=Stage.FULL)
            .select_related("unit")
            .order_by("name", "id")
        )


class ExaminationForm(forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=128)
    employer_contact = forms.CharField(
        label=_("Contact at the employer"), max_length=64, required=False
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())


class ReportForm(forms.Form):
    report = DocumentField(
        label=_("Employer's assessment report"),
        allowed=REPORT_TYPES,
        help_text=_("A scan or photo of the signed and stamped report, or a PDF or Word file."),
    )
