"""Back-office views of dossiers, read-only: every change goes through the services
(and their pages), so that rules, transactions and history are never bypassed."""

from django.contrib import admin

from admissions.models import Cancellation, Dossier, Payment
from parcours.admin import ReadOnlyAdmin


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("reference", "last_name", "first_name", "programme", "status", "deposited_on")
    list_filter = ("status", "year", "programme", "centre")
    search_fields = ("last_name", "first_name", "learner__email")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "payer", "method", "amount", "received_on")


@admin.register(Cancellation)
class CancellationAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "kind", "requested_on", "owed", "refund")
