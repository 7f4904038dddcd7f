from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Case, CaseEvent, ChecklistItem, Organisation, Participant, Programme, User
from .search import participant_search_refresh


@admin.register(User)
class ItineraUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Itinera", {"fields": ("role", "organisation", "language")}))
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "organisation", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "operator")


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ("family_name", "given_names", "date_of_birth", "nationality")
    search_fields = ("family_name", "given_names", "name_in_arabic")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        participant_search_refresh(obj)


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Cases are moved through the itinerary, never edited here: the stage is read-only."""

    list_display = ("reference", "participant", "stage", "track", "owner_organisation")
    list_filter = ("stage", "track", "programme", "owner_organisation")
    search_fields = ("reference", "participant__family_name", "participant__given_names")
    readonly_fields = ("reference", "stage", "version", "stage_entered_at", "current_entry", "closed_at")
    raw_id_fields = ("participant",)


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "transition", "from_stage", "to_stage", "actor", "created_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False  # the history is a record: it is not edited

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SimpleHistoryAdmin):
    list_display = ("case", "stage", "code", "required", "done", "due_date")
    list_filter = ("stage", "done", "required")
    readonly_fields = ("case", "entry_event", "stage", "code")
