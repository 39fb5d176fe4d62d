"""The Django admin is a maintenance tool for the organization department; it shows units,
grants and the audit log read-only. People are edited only through the services."""

from django.contrib import admin

from members.models import OrgUnit, Person, RoleGrant


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "branch_kind", "path", "is_active")
    search_fields = ("name",)


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit", "granted_at", "revoked_at")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("name", "student_number", "unit", "stage", "grade", "id_number_masked")
    list_filter = ("stage", "grade")
    search_fields = ("name", "student_number")
    list_select_related = ("unit",)
    list_per_page = 50
