"""Forms of branch life. Every unit or person offered comes from the scoping method, so a
form never offers (or accepts) anything outside the user's scope; saving goes through
education.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import DocumentsField
from development.models import TrainingKind
from education import clock
from education.models import (
    AttendanceStatus,
    FiveOne,
    MeetingKind,
    PartySchool,
    Rating,
)
from members.forms import DateInput, UnitChoiceField
from members.models import OrgUnit, Person
from members.models.people import MEMBER_STAGES

RECORD = "record_meetings"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def recording_units(user, kinds=(OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP)):
    return OrgUnit.objects.restrict(user, RECORD).filter(kind__in=kinds, is_active=True)


def recording_people(user, *, members_only: bool = True):
    people = Person.objects.restrict(user, RECORD).select_related("unit")
    if members_only:
        people = people.filter(stage__in=MEMBER_STAGES)
    return people.order_by("unit__path", "name", "pk")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.name}）"


class MeetingPlanForm(forms.Form):
    unit = UnitChoiceField(label=_("Held by"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=128, required=False)
    online_link = forms.URLField(
        label=_("Online link"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recording_units(user).order_by("path")


class AttendanceForm(forms.Form):
    """Minutes, attachments and one attendance choice per expected person."""

    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))
    files = DocumentsField(label=_("Attachments"), required=False)

    def __init__(self, *args, people, leaves, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person in self.people:
            leave = leaves.get(person.pk)
            approved = leave is not None and leave.status == "approved"
            self.fields[f"p{person.pk}"] = forms.ChoiceField(
                label=person.name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=AttendanceStatus.ON_LEAVE if approved else AttendanceStatus.PRESENT,
            )

    def person_fields(self):
        return [(person, self[f"p{person.pk}"]) for person in self.people]

    def attendance(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p{p.pk}"] for p in self.people}


class AttendanceCorrectForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=255)

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]


class AttachForm(forms.Form):
    files = DocumentsField(label=_("Attachments"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for leave"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class PeriodForm(forms.Form):
    """A period for the compliance view; this calendar year by default."""

    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        default_start, default_end = clock.compliance_period(timezone.localdate())
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        return (start, end) if start <= end else (end, start)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


# Training, service, work, appraisal ------------------------------------------------------


class CourseForm(forms.Form):
    unit = UnitChoiceField(label=_("Run by"), queryset=OrgUnit.objects.none())
    school = forms.ChoiceField(label=_("Party school"), choices=PartySchool.choices)
    audience = forms.ChoiceField(label=_("Training for"), choices=TrainingKind.choices)
    name = forms.CharField(label=_("Course"), max_length=128)
    start = forms.DateField(label=_("Starts"), widget=DateInput())
    end = forms.DateField(label=_("Ends"), widget=DateInput())

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user, RECORD).order_by("path")


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    hours = forms.DecimalField(label=_("Class hours"), min_value=0, max_digits=4, decimal_places=1)


class ResultForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    days = forms.DecimalField(label=_("Days"), min_value=0, max_digits=4, decimal_places=1)
    hours = forms.DecimalField(label=_("Class hours"), min_value=0, max_digits=5, decimal_places=1)
    passed = forms.BooleanField(label=_("Completed"), required=False, initial=True)

    def __init__(self, *args, course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.filter(unit__path__startswith=course.unit.path, removed_at__isnull=True)
            .select_related("unit")
            .order_by("name", "pk")
        )


class VolunteerForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    on = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=1)
    activity = forms.CharField(label=_("Activity"), max_length=128)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = recording_people(user, members_only=False)


class FiveOnesForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Graduate"), coerce=int)
    item = forms.ChoiceField(label=_("Activity"), choices=FiveOne.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]


class WorkForm(forms.Form):
    person = PersonChoiceField(label=_("Member"), queryset=Person.objects.none())
    title = forms.CharField(label=_("Work assigned"), max_length=200)
    detail = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assigned_on = forms.DateField(label=_("Assigned on"), widget=DateInput())
    due_on = forms.DateField(label=_("Due by"), widget=DateInput(), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = recording_people(user)


class WorkDoneForm(forms.Form):
    on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(label=_("How it was done"), max_length=255, required=False)


class AppraisalOpenForm(forms.Form):
    branch = UnitChoiceField(label=_("Branch"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = recording_units(user, (OrgUnit.Kind.BRANCH,)).order_by(
            "path"
        )


class RatingsForm(forms.Form):
    def __init__(self, *args, entries, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entries = [e for e in entries if not e.probationary]
        choices = [("", "—"), *Rating.choices]
        for entry in self.entries:
            self.fields[f"e{entry.pk}"] = forms.ChoiceField(
                label=entry.person.name, choices=choices, required=False, initial=entry.rating
            )

    def ratings(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data[f"e{e.pk}"] for e in self.entries}

    def entry_fields(self):
        return [(e, self[f"e{e.pk}"]) for e in self.entries]
