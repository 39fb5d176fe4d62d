"""Forms of the development pipeline's screens.

A form only collects what a step's service needs and hands it over in `submit`; every rule
(order, dates, stage, authority) is the service's, and its refusals come back as the
ValidationError messages the view puts on the form. Every person a form offers (contacts,
introducers, people on a notice or discussed at a meeting) comes from the scoping method.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import DocumentsField
from development import services as s
from development.models import (
    Attendance,
    NoticeEntry,
    NoticeObjection,
    OpinionSource,
    PublicNotice,
    Purpose,
    RecommendationKind,
    Step,
    VetoKind,
)
from development.services import VoteInput
from members.forms import DateInput
from members.models import OrgUnit, Person, Stage


def _date(label, **kw) -> forms.DateField:
    kw.setdefault("initial", timezone.localdate)
    return forms.DateField(label=label, widget=DateInput(), **kw)


def _text(label, *, required: bool = False, rows: int = 3, **kw) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kw
    )


def _line(label, *, required: bool = False, max_length: int = 255, **kw) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kw)


def _evidence() -> forms.CharField:
    return _text(
        _("Evidence"),
        rows=2,
        help_text=_("What the step rests on: the document, minutes or material, as written."),
    )


def _evidence_ref() -> forms.CharField:
    return _line(_("Evidence reference"), help_text=_("File number or where the paper is kept."))


def _decision(label, yes, no) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", yes), ("no", no)],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.name}）"


def full_members_near(person: Person, user) -> QuerySet[Person]:
    """Full members a contact or introducer can be chosen from: in the user's scope and in
    the committee (or general branch) above the person's branch. The service checks again
    that each is a full member on the day."""
    unit = person.unit
    parent_path = unit.path
    if unit.parent_id is not None:
        parent_path = OrgUnit.objects.only("path").get(pk=unit.parent_id).path
    return (
        Person.objects.restrict(user, "view_people")
        .filter(stage=Stage.FULL, unit__path__startswith=parent_path)
        .exclude(pk=person.pk)
        .select_related("unit")
        .order_by("unit__path", "name", "id")
    )


# Steps whose evidence is usually a document: their forms take scans or files too.
DOCUMENT_STEPS = frozenset(
    {
        Step.APPLICATION,
        Step.ACTIVIST_DETERMINED,
        Step.ACTIVIST_FILED,
        Step.ASSESSMENT,
        Step.THOUGHT_REPORT,
        Step.CANDIDATE_DETERMINED,
        Step.CANDIDATE_FILED,
        Step.POLITICAL_REVIEW,
        Step.BRANCH_REVIEW,
        Step.PRE_REVIEW,
        Step.APPLICATION_FORM,
        Step.ADMISSION_APPROVAL,
        Step.ADMISSION_FILED,
        Step.CONVERSION_APPLICATION,
        Step.CONVERSION_APPROVAL,
    }
)


class StepForm(forms.Form):
    """One step of one person; `submit` calls its service (which may refuse)."""

    step: str = ""

    def __init__(self, *args, person: Person, user, **kwargs) -> None:
        self.person = person
        self.user = user
        super().__init__(*args, **kwargs)
        if self.step in DOCUMENT_STEPS:
            self.fields["documents"] = DocumentsField(
                label=_("Documents"),
                required=False,
                help_text=_("Photos or scans (JPEG, PNG, WebP), PDF or Word (.docx)."),
            )

    def record(self) -> Any:  # pragma: no cover - each step defines it
        raise NotImplementedError

    def submit(self) -> Any:
        """The step's service, and its documents kept with it (all or nothing)."""
        files = self.cleaned_data.get("documents") or []
        if not files:
            return self.record()
        return s.step_record_with_documents(record=self.record, files=files, actor=self.user)

    @property
    def d(self) -> dict[str, Any]:
        return self.cleaned_data


class ApplicationForm(StepForm):
    step = Step.APPLICATION
    on = _date(_("Application received on"))
    evidence = _evidence()
    evidence_ref = _evidence_ref()

    def record(self):
        d = self.d
        return s.person_apply(
            person=self.person,
            applied_on=d["on"],
            evidence=d["evidence"],
            evidence_ref=d["evidence_ref"],
            actor=self.user,
        )


class ApplicantTalkForm(StepForm):
    step = Step.APPLICANT_TALK
    on = _date(_("Talk held on"))
    talked_by = _line(_("Talked by"), max_length=128)
    note = _text(_("Content of the talk"))
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.applicant_talk_record(
            person=self.person,
            on=d["on"],
            talked_by=d["talked_by"],
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class RecommendationForm(StepForm):
    step = Step.RECOMMENDATION
    on = _date(_("Recommended on"))
    kind = forms.ChoiceField(label=_("Recommended by"), choices=RecommendationKind.choices)
    recommenders = _line(_("Recommenders"))
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.recommendation_record(
            person=self.person,
            on=d["on"],
            kind=d["kind"],
            recommenders=d["recommenders"],
            evidence=d["evidence"],
            actor=self.user,
        )


class DecisionNoteForm(StepForm):
    """A branch committee decision with its minutes and evidence."""

    on = _date(_("Decided on"))
    note = _text(_("Minutes of the decision"))
    evidence = _evidence()


class ActivistDetermineForm(DecisionNoteForm):
    step = Step.ACTIVIST_DETERMINED

    def record(self):
        d = self.d
        return s.activist_determine(
            person=self.person, on=d["on"], note=d["note"], evidence=d["evidence"], actor=self.user
        )


class FilingForm(StepForm):
    on = _date(_("Filed on"))
    filed_with = _line(_("Filed with"), max_length=128)
    evidence = _evidence()
    service = None

    def record(self):
        d = self.d
        return type(self).service(
            person=self.person,
            on=d["on"],
            filed_with=d["filed_with"],
            evidence=d["evidence"],
            actor=self.user,
        )


class ActivistFileForm(FilingForm):
    step = Step.ACTIVIST_FILED
    service = staticmethod(s.activist_file)


class CandidateFileForm(FilingForm):
    step = Step.CANDIDATE_FILED
    service = staticmethod(s.candidate_file)


class AdmissionFileForm(FilingForm):
    step = Step.ADMISSION_FILED
    service = staticmethod(s.admission_file)


class AssignForm(StepForm):
    on = _date(_("Assigned on"))
    members = PersonChoice(
        label=_("Full members"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = full_members_near(self.person, self.user)


class ContactsForm(AssignForm):
    step = Step.CONTACTS_ASSIGNED

    def record(self):
        d = self.d
        return s.contacts_assign(
            person=self.person, contacts=list(d["members"]), on=d["on"], actor=self.user
        )


class IntroducersForm(AssignForm):
    step = Step.INTRODUCERS_ASSIGNED

    def record(self):
        d = self.d
        return s.introducers_assign(
            person=self.person, introducers=list(d["members"]), on=d["on"], actor=self.user
        )


class AssessmentForm(StepForm):
    step = Step.ASSESSMENT
    on = _date(_("Assessed on"))
    assessor = _line(_("Assessed by"), max_length=128)
    conclusion = _text(_("Conclusion"), required=True)
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.assessment_record(
            person=self.person,
            on=d["on"],
            assessor=d["assessor"],
            conclusion=d["conclusion"],
            evidence=d["evidence"],
            actor=self.user,
        )


class ThoughtReportForm(StepForm):
    step = Step.THOUGHT_REPORT
    on = _date(_("Handed in on"))
    title = _line(_("Title"))
    evidence = _evidence()
    evidence_ref = _evidence_ref()

    def record(self):
        d = self.d
        return s.thought_report_record(
            person=self.person,
            on=d["on"],
            title=d["title"],
            evidence=d["evidence"],
            evidence_ref=d["evidence_ref"],
            actor=self.user,
        )


class CandidateDetermineForm(DecisionNoteForm):
    step = Step.CANDIDATE_DETERMINED

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for source in OpinionSource:
            self.fields[f"opinion_{source.value}"] = _text(
                _("Opinion of %(source)s") % {"source": source.label}, rows=2
            )

    def record(self):
        d = self.d
        return s.candidate_determine(
            person=self.person,
            on=d["on"],
            opinions={src.value: d[f"opinion_{src.value}"] for src in OpinionSource},
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class PoliticalReviewForm(StepForm):
    step = Step.POLITICAL_REVIEW
    on = _date(_("Concluded on"))
    passed = _decision(_("Result"), _("politically qualified"), _("not qualified"))
    conclusion = _text(_("Written conclusion"), required=True)
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.political_review_record(
            person=self.person,
            on=d["on"],
            conclusion=d["conclusion"],
            passed=d["passed"],
            evidence=d["evidence"],
            actor=self.user,
        )


class TrainingForm(StepForm):
    step = Step.TRAINING
    course = _line(_("Course"), required=True, max_length=128)
    start = _date(_("Starts"))
    end = _date(_("Ends"))
    days = forms.DecimalField(label=_("Days"), min_value=0, max_digits=4, decimal_places=1)
    hours = forms.DecimalField(label=_("Class hours"), min_value=0, max_digits=5, decimal_places=1)
    passed = forms.BooleanField(label=_("Completed"), required=False, initial=True)
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.training_record(
            person=self.person,
            course=d["course"],
            start=d["start"],
            end=d["end"],
            days=d["days"],
            hours=d["hours"],
            passed=d["passed"],
            evidence=d["evidence"],
            actor=self.user,
        )


class BranchReviewForm(StepForm):
    step = Step.BRANCH_REVIEW
    on = _date(_("Reviewed on"))
    agreed = _decision(_("Decision"), _("agreed, report for pre-review"), _("not agreed"))
    note = _text(_("Minutes of the decision"))
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.branch_review_record(
            person=self.person,
            on=d["on"],
            agreed=d["agreed"],
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class PreReviewForm(StepForm):
    step = Step.PRE_REVIEW
    on = _date(_("Pre-reviewed on"))
    passed = _decision(_("Result"), _("passed"), _("not passed"))
    note = _text(_("Opinion"))
    evidence = _evidence()

    def record(self):
        d = self.d
        return s.pre_review_decide(
            person=self.person,
            on=d["on"],
            passed=d["passed"],
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class ApplicationFormIssueForm(StepForm):
    step = Step.APPLICATION_FORM
    on = _date(_("Issued on"))
    form_number = _line(_("Number of the application form"), max_length=64)

    def record(self):
        d = self.d
        return s.application_form_issue(
            person=self.person, on=d["on"], form_number=d["form_number"], actor=self.user
        )


class HigherTalkForm(StepForm):
    step = Step.HIGHER_TALK
    on = _date(_("Talk held on"))
    talked_by = _line(_("Talked by"), max_length=128)
    note = _text(_("Content of the talk"))

    def record(self):
        d = self.d
        return s.higher_talk_record(
            person=self.person,
            on=d["on"],
            talked_by=d["talked_by"],
            note=d["note"],
            actor=self.user,
        )


class ApprovalForm(StepForm):
    on = _date(_("Decided on"))
    approve = _decision(_("Decision"), _("approved"), _("not approved"))
    note = _text(_("Opinion"))
    evidence = _evidence()
    service = None

    def record(self):
        d = self.d
        return type(self).service(
            person=self.person,
            on=d["on"],
            approve=d["approve"],
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class AdmissionApprovalForm(ApprovalForm):
    step = Step.ADMISSION_APPROVAL
    service = staticmethod(s.admission_approve)


class ConversionApprovalForm(ApprovalForm):
    step = Step.CONVERSION_APPROVAL
    service = staticmethod(s.conversion_approve)


class PlacementForm(StepForm):
    step = Step.PLACEMENT
    on = _date(_("Placed on"))
    group = forms.ModelChoiceField(
        label=_("Party group"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = OrgUnit.objects.filter(
            parent_id=self.person.unit_id, kind=OrgUnit.Kind.GROUP, is_active=True
        ).order_by("path")

    def record(self):
        d = self.d
        return s.placement_record(person=self.person, on=d["on"], group=d["group"], actor=self.user)


class OathForm(StepForm):
    step = Step.OATH
    on = _date(_("Oath taken on"))
    note = _text(_("Note"))

    def record(self):
        d = self.d
        return s.oath_record(person=self.person, on=d["on"], note=d["note"], actor=self.user)


class ConversionApplyForm(StepForm):
    step = Step.CONVERSION_APPLICATION
    on = _date(_("Application received on"))
    evidence = _evidence()
    evidence_ref = _evidence_ref()

    def record(self):
        d = self.d
        return s.conversion_apply(
            person=self.person,
            on=d["on"],
            evidence=d["evidence"],
            evidence_ref=d["evidence_ref"],
            actor=self.user,
        )


class ConversionPreReviewForm(StepForm):
    step = Step.CONVERSION_PRE_REVIEW
    on = _date(_("Pre-reviewed on"))
    passed = _decision(_("Result"), _("passed"), _("not passed"))
    note = _text(_("Opinion"))

    def record(self):
        d = self.d
        return s.conversion_pre_review_decide(
            person=self.person, on=d["on"], passed=d["passed"], note=d["note"], actor=self.user
        )


class ExtensionForm(StepForm):
    step = Step.EXTENSION
    on = _date(_("Decided on"))
    months = forms.IntegerField(label=_("Extended by (months)"), initial=6)
    reason = _text(_("Reason"), required=True)

    def record(self):
        d = self.d
        return s.probation_extend(
            person=self.person,
            months=d["months"],
            on=d["on"],
            reason=d["reason"],
            actor=self.user,
        )


class ReasonForm(StepForm):
    on = _date(_("Decided on"))
    reason = _text(_("Reason"), required=True)
    service = None

    def record(self):
        d = self.d
        return type(self).service(
            person=self.person, on=d["on"], reason=d["reason"], actor=self.user
        )


class CancellationForm(ReasonForm):
    step = Step.CANCELLATION
    service = staticmethod(s.probation_cancel)


class WithdrawalForm(ReasonForm):
    step = Step.WITHDRAWAL
    service = staticmethod(s.application_withdraw)


class ArchiveForm(StepForm):
    step = Step.ARCHIVE
    on = _date(_("Archived on"))
    location = _line(_("Where the materials are kept"))

    def record(self):
        d = self.d
        return s.archive_record(
            person=self.person, on=d["on"], location=d["location"], actor=self.user
        )


STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        ApplicationForm,
        ApplicantTalkForm,
        RecommendationForm,
        ActivistDetermineForm,
        ActivistFileForm,
        ContactsForm,
        AssessmentForm,
        ThoughtReportForm,
        CandidateDetermineForm,
        CandidateFileForm,
        IntroducersForm,
        PoliticalReviewForm,
        TrainingForm,
        BranchReviewForm,
        PreReviewForm,
        ApplicationFormIssueForm,
        HigherTalkForm,
        AdmissionApprovalForm,
        AdmissionFileForm,
        PlacementForm,
        OathForm,
        ConversionApplyForm,
        ConversionPreReviewForm,
        ConversionApprovalForm,
        ExtensionForm,
        CancellationForm,
        WithdrawalForm,
        ArchiveForm,
    )
}


# Meetings and notices --------------------------------------------------------------------

# Who is discussed at a meeting or listed on a notice, by purpose.
ROUND_STAGE = {Purpose.ADMISSION: Stage.CANDIDATE, Purpose.CONVERSION: Stage.PROBATIONARY}


def round_people(branch: OrgUnit, purpose: str, user) -> QuerySet[Person]:
    """People of the branch (and its Party groups) in the stage a round is about."""
    return (
        Person.objects.restrict(user, "change_people")
        .filter(unit__path__startswith=branch.path, stage=ROUND_STAGE[Purpose(purpose)])
        .select_related("unit")
        .order_by("name", "id")
    )


def branch_full_members(branch: OrgUnit, user) -> QuerySet[Person]:
    return (
        Person.objects.restrict(user, "view_people")
        .filter(unit__path__startswith=branch.path, stage=Stage.FULL)
        .order_by("name", "id")
    )


class MeetingForm(forms.Form):
    """A branch general meeting: who attended, and a separate vote on each person. Fields
    per member and per person are added in __init__ (att_<id>, vote_<id>, for_<id>...)."""

    held_on = _date(_("Held on"))
    voting_members_override = forms.IntegerField(
        label=_("Voting members (corrected)"),
        required=False,
        min_value=0,
        help_text=_("Only if the count above is wrong; say why below."),
    )
    override_reason = _line(_("Reason for the correction"))
    note = _text(_("Minutes"))
    evidence = _evidence()

    def __init__(self, *args, branch: OrgUnit, purpose: str, user, chosen=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.branch, self.purpose, self.user = branch, Purpose(purpose), user
        self.members = list(branch_full_members(branch, user))
        self.people = list(round_people(branch, purpose, user))
        for member in self.members:
            self.fields[f"att_{member.pk}"] = forms.ChoiceField(
                label=member.name, choices=Attendance.choices, initial=Attendance.PRESENT
            )
        count = forms.IntegerField
        for person in self.people:
            pk = person.pk
            self.fields[f"vote_{pk}"] = forms.BooleanField(
                label=_("Discussed and voted on"), required=False, initial=pk in chosen
            )
            self.fields[f"for_{pk}"] = count(label=_("for"), min_value=0, initial=0)
            self.fields[f"against_{pk}"] = count(label=_("against"), min_value=0, initial=0)
            self.fields[f"abstain_{pk}"] = count(label=_("abstain"), min_value=0, initial=0)
            self.fields[f"wfor_{pk}"] = count(
                label=_("written opinions for"), min_value=0, initial=0
            )
            self.fields[f"wtotal_{pk}"] = count(label=_("written opinions"), min_value=0, initial=0)

    def attendance_rows(self):
        return [(m, self[f"att_{m.pk}"]) for m in self.members]

    def vote_rows(self):
        return [
            (
                p,
                self[f"vote_{p.pk}"],
                [self[f"{k}_{p.pk}"] for k in ("for", "against", "abstain", "wfor", "wtotal")],
            )
            for p in self.people
        ]

    def submit(self):
        d = self.cleaned_data
        votes = [
            VoteInput(
                person=p,
                votes_for=d[f"for_{p.pk}"],
                votes_against=d[f"against_{p.pk}"],
                abstentions=d[f"abstain_{p.pk}"],
                written_for=d[f"wfor_{p.pk}"],
                written_total=d[f"wtotal_{p.pk}"] or d[f"wfor_{p.pk}"],
            )
            for p in self.people
            if d.get(f"vote_{p.pk}")
        ]
        record = (
            s.admission_meeting_record
            if self.purpose == Purpose.ADMISSION
            else s.conversion_meeting_record
        )
        return record(
            branch=self.branch,
            held_on=d["held_on"],
            attendance={m.pk: d[f"att_{m.pk}"] for m in self.members},
            votes=votes,
            voting_members_override=d["voting_members_override"],
            override_reason=d["override_reason"],
            note=d["note"],
            evidence=d["evidence"],
            actor=self.user,
        )


class NoticeForm(forms.Form):
    start = _date(_("Posted from"))
    end = forms.DateField(
        label=_("Posted until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the school's number of working days from the start."),
    )
    places = _text(_("Places it is posted in"), required=True, rows=2, help_text=_("One a line."))
    people = PersonChoice(
        label=_("People on the notice"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text(_("Note"), rows=2)

    def __init__(self, *args, branch: OrgUnit, purpose: str, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.branch, self.purpose, self.user = branch, Purpose(purpose), user
        self.fields["people"].queryset = round_people(branch, purpose, user)

    def submit(self) -> PublicNotice:
        d = self.cleaned_data
        return s.notice_open(
            unit=self.branch,
            purpose=self.purpose,
            start=d["start"],
            end=d["end"],
            people=list(d["people"]),
            places=d["places"].splitlines(),
            note=d["note"],
            actor=self.user,
        )


class ObjectionForm(forms.Form):
    person = forms.ModelChoiceField(label=_("About"), queryset=Person.objects.none())
    received_on = _date(_("Received on"))
    content = _text(_("Objection"), required=True)

    def __init__(self, *args, notice: PublicNotice, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.notice, self.user = notice, user
        listed = NoticeEntry.objects.filter(notice=notice).values("person_id")
        self.fields["person"].queryset = Person.objects.restrict(user, "change_people").filter(
            Q(pk__in=listed)
        )

    def submit(self) -> NoticeObjection:
        d = self.cleaned_data
        return s.notice_objection_record(
            notice=self.notice,
            person=d["person"],
            received_on=d["received_on"],
            content=d["content"],
            actor=self.user,
        )


class ResolveForm(forms.Form):
    on = _date(_("Resolved on"))
    upheld = _decision(_("Finding"), _("found true"), _("found groundless"))
    resolution = _text(_("Resolution"), required=True)

    def __init__(self, *args, objection: NoticeObjection, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.objection, self.user = objection, user
        self.fields["upheld"].initial = "no"

    def submit(self) -> NoticeObjection:
        d = self.cleaned_data
        return s.notice_objection_resolve(
            objection=self.objection,
            on=d["on"],
            upheld=d["upheld"],
            resolution=d["resolution"],
            actor=self.user,
        )


def today() -> dt.date:
    return timezone.localdate()


class SpecialCaseForm(forms.Form):
    """A special case (such as the committee's re-election) allows approval within 6 months."""

    reason = _line(_("Special case"), required=True)

    def __init__(self, *args, person: Person, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person, self.user = person, user

    def submit(self):
        return s.approval_special_case_record(
            person=self.person, reason=self.cleaned_data["reason"], actor=self.user
        )


# Facts the local rules read ---------------------------------------------------------------


class FactForm(forms.Form):
    def __init__(self, *args, person: Person, user, rules, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person, self.user, self.rules = person, user, rules


class VetoForm(FactForm):
    """A veto of seed 004 (college, teachers, dormitory, graduate housing office)."""

    kind = forms.ChoiceField(label=_("veto"), choices=())
    on = _date(_("raised on"))
    raised_by = _line(_("raised by"), required=True, max_length=128)
    reason = _text(_("reason"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind in VetoKind if self.rules.veto_applies(kind)
        ]

    def submit(self):
        d = self.cleaned_data
        return s.veto_raise(
            person=self.person,
            kind=d["kind"],
            on=d["on"],
            raised_by=d["raised_by"],
            reason=d["reason"],
            actor=self.user,
        )


class ExperienceForm(FactForm):
    label = forms.CharField(label=_("experience"), max_length=128)
    on = _date(_("date"))
    evidence = _evidence()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        required = list(self.rules.required_experiences or [])
        if required:
            self.fields["label"] = forms.ChoiceField(
                label=_("experience"), choices=[(e, e) for e in required]
            )

    def submit(self):
        d = self.cleaned_data
        return s.experience_record(
            person=self.person,
            label=d["label"],
            on=d["on"],
            evidence=d["evidence"],
            actor=self.user,
        )


class VolunteerForm(FactForm):
    on = _date(_("date"))
    hours = forms.DecimalField(label=_("hours"), max_digits=5, decimal_places=1)
    activity = _line(_("activity"), required=True, max_length=128)
    evidence = _evidence()

    def submit(self):
        d = self.cleaned_data
        return s.volunteer_record(
            person=self.person,
            on=d["on"],
            hours=d["hours"],
            activity=d["activity"],
            evidence=d["evidence"],
            actor=self.user,
        )


FACT_FORMS: dict[str, type[FactForm]] = {
    "veto": VetoForm,
    "experience": ExperienceForm,
    "volunteer": VolunteerForm,
}


class VetoLiftForm(forms.Form):
    on = _date(_("lifted on"))
    reason = _text(_("why lifted"), required=True)

    def __init__(self, *args, veto, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.veto, self.user = veto, user

    def submit(self):
        d = self.cleaned_data
        return s.veto_lift(veto=self.veto, on=d["on"], reason=d["reason"], actor=self.user)
