from django.contrib import admin

from parcours.admin import GuardedHistoryAdmin, ReadOnlyAdmin
from timetable.models import CalendarFeed, Planning, Room, Session


@admin.register(Room)
class RoomAdmin(GuardedHistoryAdmin):
    list_display = ("code", "name", "centre", "capacity")
    list_filter = ("centre",)


@admin.register(Planning)
class PlanningAdmin(ReadOnlyAdmin):
    """Read in the admin; generated, published and changed through the planning pages."""

    list_display = ("year", "centre", "status", "generated_at", "published_at")
    list_filter = ("status", "centre")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "number", "starts_at", "room", "cancelled")
    list_filter = ("planning", "kind", "cancelled")
    search_fields = ("unit__code",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("learner", "created_at", "revoked_at")
    readonly_fields = ("learner", "token_hash", "created_at", "revoked_at")

    def has_add_permission(self, request):
        return False
