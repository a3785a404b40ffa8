"""Back-office of the catalogue: French labels, change history (django-simple-history).

The files under data/ are the source: `load_catalogue` brings them in. The direction
may correct a row here (the history keeps who changed what); the next load of the files
puts the files' value back, and that too shows in the history.
"""

from django.contrib import admin

from catalogue.models import AcademicYear, Centre, EvaluationMode, Programme, Unit
from parcours.admin import GuardedHistoryAdmin

admin.site.site_header = "Parcours — administration"
admin.site.site_title = "Parcours"
admin.site.index_title = "Gestion du catalogue et des comptes"


@admin.register(Programme)
class ProgrammeAdmin(GuardedHistoryAdmin):
    list_display = ("code", "title", "kind", "declared_ects", "common_core")
    search_fields = ("code", "title")
    list_filter = ("kind",)


@admin.register(Unit)
class UnitAdmin(GuardedHistoryAdmin):
    list_display = ("code", "title", "ects", "kind", "period", "coefficient")
    list_filter = ("kind", "period", "programmes")
    search_fields = ("code", "title", "other_title")
    filter_horizontal = ("programmes",)


@admin.register(EvaluationMode)
class EvaluationModeAdmin(GuardedHistoryAdmin):
    list_display = ("code", "label")


@admin.register(Centre)
class CentreAdmin(GuardedHistoryAdmin):
    list_display = ("name", "kind", "city", "phone")


@admin.register(AcademicYear)
class AcademicYearAdmin(GuardedHistoryAdmin):
    """A year's regulation is a data file: it is read here, changed by reloading it."""

    list_display = ("code", "label", "first_day", "last_day")
    readonly_fields = ("code", "label", "first_day", "last_day", "source")

    def has_add_permission(self, request):
        return False
