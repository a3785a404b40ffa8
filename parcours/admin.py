"""The back-office's base class: read-only unless the role holds the permission.

django-simple-history's history pages (`history/<id>/`) render an editable form and
save it on POST after checking only the *view* permission. A role that may only read
(the reception, or anyone on the dossiers, whose admin refuses every change) could
rewrite a row through them. `GuardedHistoryAdmin` refuses such a POST before any form is
read, and shows the historical version read-only (ASVS 8.2.1; docs/security.md).
"""

from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """Every registered model's admin derives from this (a test walks them all)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method != "GET" and not (
            obj is not None and self.has_change_permission(request, obj)
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # A bulk action or list edit posted by a role that may neither change nor delete:
        # refused outright rather than ignored with a message.
        if request.method == "POST" and not (
            self.has_change_permission(request) or self.has_delete_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            # Not get_fieldsets(): it builds the form, which asks for these fields.
            if self.fieldsets:
                return flatten_fieldsets(self.fieldsets)
            opts = self.model._meta
            return [f.name for f in [*opts.fields, *opts.many_to_many] if f.editable]
        return super().get_readonly_fields(request, obj)

    def revert_disabled(self, request, obj=None):
        return not self.has_change_permission(request, obj) or super().revert_disabled(request, obj)


class ReadOnlyAdmin(GuardedHistoryAdmin):
    """Rows changed only through the services (dossiers, payments, plannings…): the
    admin shows them and their history, and writes nothing, whoever signs in."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
