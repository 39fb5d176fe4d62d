"""The development pipeline in the Django admin: read-only, so no stage and no step is ever
reached by editing a row. Only a school's local rules are edited here, and through
`local_rules_update` (validated, audited)."""

from django.contrib import admin

from development.models import (
    Approval,
    BranchMeeting,
    LocalRules,
    MeetingVote,
    PublicNotice,
    StepRecord,
    Veto,
)
from development.services import local_rules_update
from development.services.facts import RULE_FIELDS


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StepRecord)
class StepRecordAdmin(ReadOnlyAdmin):
    list_display = ("person", "step", "on", "decision", "actor", "recorded_at")
    list_filter = ("step", "decision")
    list_select_related = ("person", "actor")
    search_fields = ("person__name",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("person", "purpose", "opened_on", "due_on", "special_case", "status")
    list_filter = ("purpose", "status")
    list_select_related = ("person",)


@admin.register(BranchMeeting)
class BranchMeetingAdmin(ReadOnlyAdmin):
    list_display = ("unit", "purpose", "held_on", "voting_members_counted", "present_voting")


@admin.register(MeetingVote)
class MeetingVoteAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "person", "votes_for", "votes_against", "abstentions", "passed")


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "purpose", "start", "end")


@admin.register(Veto)
class VetoAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "raised_on", "raised_by", "lifted_on")


@admin.register(LocalRules)
class LocalRulesAdmin(admin.ModelAdmin):
    list_display = ("school", "min_wait_months", "volunteer_hours_required", "updated_at")
    readonly_fields = ("updated_at", "updated_by")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data
        }
        saved = local_rules_update(school=obj.school, actor=request.user, **changes)
        obj.pk = saved.pk
