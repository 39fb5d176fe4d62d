"""Forms of the lapse-case pages. Rules live in members.services.lapses; these only parse."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import DocumentField
from members.forms import DateInput
from members.models import LapseCount, LapseStatus


class LapseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("open cases")), ("all", _("all cases")), *LapseStatus.choices],
    )
    count = forms.ChoiceField(
        label=_("Count"), required=False, choices=[("", _("every count")), *LapseCount.choices]
    )


class LapseStepForm(forms.Form):
    """One step taken by the branch: which, when, what happened, and the evidence."""

    ACTIONS = [
        ("notice", _("written notice")),
        ("talk", _("talk")),
        ("suspend", _("suspension of membership")),
        ("removal_decision", _("branch meeting decision to remove")),
        ("close", _("close the case")),
    ]
    action = forms.ChoiceField(label=_("Step"), choices=ACTIONS)
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("What happened (or the reason for closing)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    evidence = DocumentField(label=_("Evidence (photo, scan, PDF or Word)"), required=False)


class LapseApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("approve the removal")), ("refuse", _("do not approve"))],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Reference or reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    evidence = DocumentField(label=_("Evidence (photo, scan, PDF or Word)"), required=False)


class LapseAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    evidence = DocumentField(label=_("Attach a file (optional)"), required=False)
