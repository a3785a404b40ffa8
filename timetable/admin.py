from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from timetable.models import CalendarFeed, Planning, Room, Session


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "centre", "capacity")
    list_filter = ("centre",)


@admin.register(Planning)
class PlanningAdmin(SimpleHistoryAdmin):
    """Read in the admin; generated, published and changed through the planning pages."""

    list_display = ("year", "centre", "status", "generated_at", "published_at")
    list_filter = ("status", "centre")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "kind", "number", "starts_at", "room", "cancelled")
    list_filter = ("planning", "kind", "cancelled")
    search_fields = ("unit__code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("learner", "created_at", "revoked_at")
    readonly_fields = ("learner", "token_hash", "created_at", "revoked_at")

    def has_add_permission(self, request):
        return False
