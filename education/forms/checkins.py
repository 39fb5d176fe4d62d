"""Forms of the check-in and dues pages. They read input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import ALL_TYPES, CONTENT_TYPES, IMAGE_TYPES, DocumentsField
from education.models import CadenceUnit, CheckinCategory, DuesBasis


class CheckinSubmitForm(forms.Form):
    """A check-in from a phone: a photo straight from the camera (`accept="image/*"
    capture`), files from the phone or computer, and a short text."""

    kind = forms.CharField(widget=forms.HiddenInput)
    period = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    photos = DocumentsField(label=_("Take a photo"), required=False, allowed=IMAGE_TYPES)
    files = DocumentsField(label=_("Or choose files"), required=False, allowed=ALL_TYPES)
    text = forms.CharField(
        label=_("A few words"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you studied or took part in; for a study report, the report itself."),
    )

    def __init__(self, *args, allowed=ALL_TYPES, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update({"accept": "image/*", "capture": "environment"})
        files = self.fields["files"]
        files.allowed = allowed
        files.widget.attrs["accept"] = ",".join(CONTENT_TYPES[t] for t in allowed)

    def uploads(self) -> list:
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("files", [])]


class CheckinReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for sending back"),
        max_length=500,
        required=False,  # accepting needs none; the service requires it for sending back
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanOpenForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CheckinCategory.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class RuleForm(forms.Form):
    """One kind for one category: off, or every N weeks or months."""

    enabled = forms.BooleanField(label=_("Asked"), required=False)
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=12, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=CadenceUnit.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not (data.get("every") and data.get("unit")):
            raise forms.ValidationError(_("Give how often: every 1 to 12 weeks or months."))
        return data


class DuesPaymentForm(forms.Form):
    first_month = forms.CharField(
        label=_("From month"), widget=forms.TextInput(attrs={"type": "month"})
    )
    last_month = forms.CharField(
        label=_("To month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("Empty: only the first month."),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class DuesAccountForm(forms.Form):
    basis = forms.ChoiceField(label=_("Dues basis"), choices=DuesBasis.choices)
    monthly_income = forms.DecimalField(
        label=_("Monthly stipend (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Only for graduate students with a stipend."),
    )


class DuesUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Dues workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
