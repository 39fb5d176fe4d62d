"""Forms of the transfer pages. They only parse input; every rule is in transfers/services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import DocumentField
from members.forms import DateInput
from transfers.clock import MAX_VALIDITY_DAYS
from transfers.models import (
    Category,
    DestinationKind,
    GraduateException,
    GraduationCampaign,
    LetterIssuer,
    Reach,
)


class MonthField(forms.DateField):
    """A month (<input type=month>, 2026-06), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class TransferStartForm(forms.Form):
    destination_kind = forms.ChoiceField(label=_("transfer kind"), choices=DestinationKind.choices)
    reach = forms.ChoiceField(
        label=_("within or outside the province"),
        choices=Reach.choices,
        widget=forms.RadioSelect,
        help_text=_("Outside the province a paper introduction letter is issued as well."),
    )
    other_committee = forms.CharField(
        label=_("receiving grassroots Party committee"), max_length=160, required=False
    )
    other_heading = forms.CharField(
        label=_("letter heading"),
        max_length=160,
        help_text=_("The receiving organization's exact name, as the letter must show it."),
    )
    other_branch = forms.CharField(label=_("Party branch there"), max_length=160, required=False)
    contact = forms.CharField(label=_("member's contact details"), max_length=160, required=False)
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)
    requested_on = forms.DateField(label=_("requested on"), widget=DateInput(), required=False)


class IncomingForm(forms.Form):
    reach = forms.ChoiceField(
        label=_("within or outside the province"), choices=Reach.choices, widget=forms.RadioSelect
    )
    other_heading = forms.CharField(label=_("sending organization"), max_length=160)
    category = forms.ChoiceField(label=_("full or probationary"), choices=Category.choices)
    incoming_letter_number = forms.CharField(
        label=_("number of their letter"), max_length=64, required=False
    )
    online_reference = forms.CharField(
        label=_("online system reference"), max_length=64, required=False
    )
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)
    requested_on = forms.DateField(label=_("registered on"), widget=DateInput(), required=False)


class OnlineForm(forms.Form):
    reference = forms.CharField(label=_("online system reference"), max_length=64)
    on = forms.DateField(label=_("date"), widget=DateInput(), required=False)


class CompleteForm(forms.Form):
    on = forms.DateField(label=_("completed on"), widget=DateInput(), required=False)
    evidence = forms.CharField(label=_("evidence"), max_length=255, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=255)


class LetterIssueForm(forms.Form):
    validity_days = forms.IntegerField(
        label=_("validity in days"), min_value=1, max_value=MAX_VALIDITY_DAYS
    )
    dues_paid_through = MonthField(label=_("dues paid up to"))
    member_contact = forms.CharField(
        label=_("member's contact details"), max_length=160, required=False
    )


class ReissueForm(forms.Form):
    validity_days = forms.IntegerField(
        label=_("validity in days"), min_value=1, max_value=MAX_VALIDITY_DAYS, required=False
    )


class ReceiptForm(forms.Form):
    received_on = forms.DateField(label=_("receipt registered on"), widget=DateInput())
    receipt_from = forms.CharField(label=_("receipt sent by"), max_length=160, required=False)
    file = DocumentField(label=_("scan of the receipt"), required=False)


class IssuerForm(forms.ModelForm):
    class Meta:
        model = LetterIssuer
        fields = [
            "formal_name", "serial_prefix", "address", "phone", "fax", "postcode",
            "validity_days", "graduate_validity_days",
        ]  # fmt: skip


class CampaignForm(forms.ModelForm):
    class Meta:
        model = GraduationCampaign
        fields = ["year", "roster_due", "destinations_due", "summaries_due", "archive_due"]
        widgets = {
            "roster_due": DateInput(),
            "destinations_due": DateInput(),
            "summaries_due": DateInput(),
            "archive_due": DateInput(),
        }


class CampaignCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("organized by"), queryset=None)
    year = forms.IntegerField(label=_("graduation year"), min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].initial = dt.date.today().year


class ExceptionForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("kind"), choices=GraduateException.Kind.choices)
    reason = forms.CharField(label=_("reason"), max_length=255)
    new_graduation = forms.DateField(
        label=_("new expected graduation"), widget=DateInput(), required=False
    )


class MobileForm(forms.Form):
    destination = forms.CharField(label=_("where they are"), max_length=128)
    abroad = forms.BooleanField(label=_("abroad"), required=False)
    host_organization = forms.CharField(
        label=_("Party organization there"), max_length=160, required=False
    )
    card_number = forms.CharField(
        label=_("mobile Party member activity card number"), max_length=32, required=False
    )
    contact = forms.CharField(label=_("contact details"), max_length=160)
    reason = forms.CharField(label=_("reason for leaving"), max_length=255, required=False)
    started_on = forms.DateField(label=_("away since"), widget=DateInput())


class VerifyForm(forms.Form):
    on = forms.DateField(label=_("verified on"), widget=DateInput(), required=False)
    how = forms.CharField(label=_("how"), max_length=120)
    contact = forms.CharField(label=_("contact details"), max_length=160, required=False)


class PairForm(forms.Form):
    helper = forms.IntegerField(label=_("helper (1+1 / 1+n)"), required=False)


class EndForm(forms.Form):
    on = forms.DateField(label=_("back or transferred on"), widget=DateInput(), required=False)
    reason = forms.CharField(label=_("reason"), max_length=255)
