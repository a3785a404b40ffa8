"""Pages of the ledger, the path to the diploma and the awards.

- Learners: their path (CP29, CPN42: what is met, what is missing, the UEs to take and
  when), their ledger, experience and internships, validation applications, award
  requests, and their documents (transcript, attestation de suivi, credential) as PDF.
- Staff (reception, direction): a learner's page with the same path and every
  decision: credits with a justification, experience accepted or refused, VAE / VAP85 /
  VES, award requests checked; the direction alone decides the award, a report's
  validation, a validation jury's decision and a document's revocation.
- Anyone: the verification page of a document's code, which shows the holder's name,
  the document, its date and whether it is valid — nothing else.

GET never writes.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import ROLES
from admissions.models import Dossier
from catalogue.models import Centre, Programme
from parcours import clock, uploads
from parcours.access import (
    attempt,
    direction_only,
    is_direction,
    is_staff_member,
    learner_only,
    learner_or_staff,
    public,
    restricted_to,
    staff_only,
)
from parcours.job_views import panel_context, start_and_tell
from parcours.models import Job
from parcours.pdf import pdf_response
from teaching.services import FOLLOWING, current_year

from . import codes, forms, presenters, services
from .models import AwardRequest, Credit, Evidence, ExperiencePeriod, IssuedDocument, ValidationCase

learner_or_staff_only = restricted_to("learner", learner_or_staff)


# --- the learner ---------------------------------------------------------------------------


@learner_only
@require_GET
def my_path(request):
    record = services.learner_record(request.user)
    return render(
        request,
        "awards/path.html",
        {
            "record": record,
            "paths": _paths(record),
            "documents": IssuedDocument.objects.filter(learner=request.user),
            "followed": Dossier.objects.filter(learner=request.user, status__in=FOLLOWING)
            .select_related("year")
            .order_by("-year__code"),
            "ects": sum(c.unit.ects for c in record.credits),
            "today": clock.today(),
        },
    )


def _paths(record) -> list[dict]:
    rows = []
    for path in record.paths:
        conditions = presenters.conditions(path, record.credits)
        rows.append(
            {
                "path": path,
                "kind": "Certificat" if path.programme.kind == "certificate" else "Titre",
                "conditions": conditions,
                "missing_count": sum(1 for c in conditions if not c.met),
                "refused": [
                    r
                    for r in record.requests
                    if r.programme.code == path.programme.code
                    and r.status == AwardRequest.Status.REFUSED
                ],
            }
        )
    return rows


@learner_only
@require_POST
def request_award(request, code):
    programme = get_object_or_404(Programme, code=code)
    attempt(
        request,
        lambda: services.request_award(request.user, programme),
        f"Votre demande de {programme.code} est enregistrée : le service accueil vérifie "
        "vos pièces, dont les conditions d'accès, puis le jury de délivrance statue.",
    )
    return redirect("awards:path")


@learner_only
@require_http_methods(["GET", "POST"])
def add_period(request):
    form = forms.PeriodForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_period(
                request.user, form.values(), form.cleaned_data["document"], request.user
            )
        except uploads.UploadRefused as refused:
            form.add_error("document", refused.messages[0])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Période enregistrée : le service accueil l'examinera.")
            return redirect("awards:path")
    return render(request, "awards/period_form.html", {"form": form})


@learner_only
@require_POST
def remove_period(request, pk):
    period = get_object_or_404(ExperiencePeriod, pk=pk, learner=request.user)
    attempt(request, lambda: services.remove_period(period), "Période retirée.")
    return redirect("awards:path")


@learner_only
@require_POST
def issue_transcript(request):
    attempt(
        request,
        lambda: services.issue_transcript(request.user),
        "Votre relevé de notes est prêt (liste « Mes documents »).",
    )
    return redirect("awards:path")


@learner_only
@require_POST
def issue_attendance(request, dossier_pk):
    attempt(
        request,
        lambda: services.issue_attendance(request.user, dossier_pk),
        "Votre attestation de suivi est prête (liste « Mes documents »).",
    )
    return redirect("awards:path")


@learner_or_staff_only
@require_GET
def document_pdf(request, pk):
    """A learner downloads their own documents; staff any learner's."""
    documents = IssuedDocument.objects.select_related("award__programme")
    if not is_staff_member(request.user):
        documents = documents.filter(learner=request.user)
    document = get_object_or_404(documents, pk=pk)
    address = request.build_absolute_uri(reverse("awards:verify_code", args=[document.code]))
    qr = segno.make(address, error="m")
    return pdf_response(
        f"awards/pdf/{document.kind}.html",
        {
            "document": document,
            "content": document.content,
            "code": codes.display(document.code),
            "address": address,
            "qr_svg": qr.svg_inline(scale=3, border=2),
            # The regional centre issues documents (its details head them).
            "centre": Centre.objects.regional(),
        },
        f"{document.get_kind_display().lower().replace(' ', '-')}-{document.code}.pdf",
    )


@learner_or_staff_only
@require_GET
def evidence(request, pk):
    """A document behind a decision: its learner's, or any for staff."""
    rows = Evidence.objects.all()
    if not is_staff_member(request.user):
        rows = rows.filter(learner=request.user)
    item = get_object_or_404(rows, pk=pk)
    return uploads.file_response(item.stored_name, item.display_name, item.content_type)


# --- staff ---------------------------------------------------------------------------------


@staff_only
@require_GET
def learners(request):
    query = request.GET.get("q", "")
    return render(
        request,
        "awards/staff/learners.html",
        {
            "query": query,
            "found": services.learners_like(query),
            "periods": ExperiencePeriod.objects.filter(status="pending").select_related("learner")[
                :100
            ],
            "requests": AwardRequest.objects.filter(
                status__in=[AwardRequest.Status.REQUESTED, AwardRequest.Status.CHECKED]
            ).select_related("learner", "programme")[:100],
            "cases": ValidationCase.objects.exclude(
                status=ValidationCase.Status.DECIDED
            ).select_related("learner", "programme")[:100],
            **panel_context(Job.Kind.SYNC_CREDITS),
        },
    )


@direction_only
@require_POST
def sync_credits(request):
    """The ledger's backfill from every decided jury, run by the worker."""
    start_and_tell(
        request,
        Job.Kind.SYNC_CREDITS,
        key="sync_credits",
        title="Inscription au registre des UE validées par les jurys",
        params={},
        started="Inscription au registre lancée",
    )
    return redirect("awards:learners")


def _learners():
    """People with the learner role (a VAE candidate may have no dossier yet)."""
    return get_user_model().objects.filter(groups__name=ROLES["learner"].group, is_active=True)


def _learner(pk):
    return get_object_or_404(_learners(), pk=pk)


@staff_only
@require_GET
def learner(request, pk):
    from teaching.proof_views import certificate_form

    person = _learner(pk)
    record = services.learner_record(person, staff=True)
    today = clock.today()
    direction = is_direction(request.user)
    return render(
        request,
        "awards/staff/learner.html",
        {
            "person": person,
            "name": services.holder_name(person),
            "record": record,
            "paths": _paths(record),
            "today": today,
            "ects": sum(c.unit.ects for c in record.credits),
            "credit_form": forms.CreditForm(prefix="credit"),
            "open_form": forms.OpenValidationForm(prefix="open"),
            "periods": [(p, forms.ReviewForm(prefix=f"review-{p.pk}")) for p in record.periods],
            "credits": [(c, forms.WithdrawForm(prefix=f"withdraw-{c.pk}")) for c in record.credits],
            "cases": [
                (
                    c,
                    {
                        "dossier": forms.ValidationDossierForm(prefix=f"dossier-{c.pk}"),
                        "fee": forms.FeeForm(prefix=f"fee-{c.pk}", initial={"paid_on": today}),
                        "appointment": forms.AppointmentForm(prefix=f"appointment-{c.pk}"),
                        "decision": forms.DecisionForm(prefix=f"decision-{c.pk}")
                        if direction
                        else None,
                    },
                )
                for c in record.cases
            ],
            "requests": [
                (
                    r,
                    {
                        "check": forms.CheckForm(prefix=f"check-{r.pk}"),
                        "refuse": forms.WithdrawForm(prefix=f"refuse-{r.pk}"),
                        "grant": forms.GrantForm(prefix=f"grant-{r.pk}") if direction else None,
                    },
                )
                for r in record.requests
            ],
            "documents": [
                (d, forms.RevokeForm(prefix=f"revoke-{d.pk}") if direction else None)
                for d in IssuedDocument.objects.filter(learner=person)
            ],
            "is_direction": direction,
            "certificate_form": certificate_form(person.pk),
        },
    )


def _back(pk):
    return redirect("awards:learner", pk=pk)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _refused(request, form) -> None:
    """Tell every problem of a posted form, naming its field."""
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in problems:
            messages.error(request, f"{label} : {problem}" if label else problem)


def _run(request, form, action, success: str) -> None:
    """Validate the form, run the service in one transaction, report every problem."""
    if not form.is_valid():
        _refused(request, form)
        return
    try:
        with transaction.atomic():
            action(form.cleaned_data)
    except uploads.UploadRefused as refused:
        messages.error(request, refused.messages[0])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                label = form.fields[field].label if field in form.fields else ""
                for problem in problems:
                    messages.error(request, f"{label} : {problem}" if label else problem)
        else:
            for message in error.messages:
                messages.error(request, message)
    else:
        messages.success(request, success)


@staff_only
@require_POST
def add_credit(request, pk):
    person = _learner(pk)
    form = forms.CreditForm(request.POST, request.FILES, prefix="credit")

    def action(data):
        document = (
            services.store_evidence(person, data["document"], request.user)
            if data.get("document")
            else None
        )
        services.record_credit(
            person,
            data["unit"],
            data["way"],
            data["earned_on"],
            data["justification"],
            request.user,
            document=document,
            mark=data.get("mark"),
        )

    _run(request, form, action, "UE inscrite au relevé des acquis.")
    return _back(pk)


@staff_only
@require_POST
def withdraw_credit(request, pk, credit_pk):
    credit = get_object_or_404(Credit.objects.select_related("unit"), pk=credit_pk, learner_id=pk)
    form = forms.WithdrawForm(request.POST, prefix=f"withdraw-{credit.pk}")
    _run(
        request,
        form,
        lambda data: services.withdraw_credit(credit, data["reason"], request.user),
        f"{credit.unit.code} retirée des acquis (l'historique la garde).",
    )
    return _back(pk)


@staff_only
@require_POST
def review_period(request, pk, period_pk):
    period = get_object_or_404(ExperiencePeriod, pk=period_pk, learner_id=pk)
    form = forms.ReviewForm(request.POST, prefix=f"review-{period.pk}")
    _run(
        request,
        form,
        lambda data: services.review_period(period, data["accepted"], data["reason"], request.user),
        "Décision enregistrée.",
    )
    return _back(pk)


@staff_only
@require_POST
def open_validation(request, pk):
    person = _learner(pk)
    form = forms.OpenValidationForm(request.POST, prefix="open")

    def action(data):
        year = current_year()
        if year is None:
            raise ValidationError("Aucune année universitaire n'est ouverte.")
        services.open_validation(person, data["kind"], data["programme"], year, request.user)

    _run(request, form, action, "Demande de validation enregistrée, avec son forfait.")
    return _back(pk)


def _case(pk, case_pk):
    return get_object_or_404(ValidationCase, pk=case_pk, learner_id=pk)


@staff_only
@require_POST
def validation_dossier(request, pk, case_pk):
    case = _case(pk, case_pk)
    form = forms.ValidationDossierForm(request.POST, request.FILES, prefix=f"dossier-{case.pk}")
    _run(
        request,
        form,
        lambda data: services.submit_validation_dossier(case, data["document"], request.user),
        "Dossier de validation enregistré.",
    )
    return _back(pk)


@staff_only
@require_POST
def validation_fee(request, pk, case_pk):
    case = _case(pk, case_pk)
    form = forms.FeeForm(request.POST, prefix=f"fee-{case.pk}")
    _run(
        request,
        form,
        lambda data: services.record_validation_fee(case, data["paid_on"]),
        "Règlement du forfait enregistré.",
    )
    return _back(pk)


@staff_only
@require_POST
def validation_appointment(request, pk, case_pk):
    case = _case(pk, case_pk)
    form = forms.AppointmentForm(request.POST, prefix=f"appointment-{case.pk}")
    _run(
        request,
        form,
        lambda data: services.schedule_validation(case, form.at(), data["place"]),
        "Entretien fixé.",
    )
    return _back(pk)


@direction_only
@require_POST
def validation_decision(request, pk, case_pk):
    case = _case(pk, case_pk)
    form = forms.DecisionForm(request.POST, prefix=f"decision-{case.pk}")
    _run(
        request,
        form,
        lambda data: services.decide_validation(
            case, data["decision"], list(data["units"]), data["note"], request.user
        ),
        "Décision du jury de validation enregistrée.",
    )
    return _back(pk)


def _request(pk, request_pk):
    return get_object_or_404(AwardRequest, pk=request_pk, learner_id=pk)


@staff_only
@require_POST
def check_request(request, pk, request_pk):
    award = _request(pk, request_pk)
    form = forms.CheckForm(request.POST, request.FILES, prefix=f"check-{award.pk}")

    def action(data):
        document = (
            services.store_evidence(award.learner, data["document"], request.user)
            if data.get("document")
            else None
        )
        services.check_request(award, data["access"], data["note"], request.user, document)

    _run(request, form, action, "Pièces vérifiées : la demande va au jury de délivrance.")
    return _back(pk)


@staff_only
@require_POST
def refuse_request(request, pk, request_pk):
    award = _request(pk, request_pk)
    form = forms.WithdrawForm(request.POST, prefix=f"refuse-{award.pk}")
    _run(
        request,
        form,
        lambda data: services.refuse_request(award, data["reason"], request.user),
        "Demande refusée ; l'apprenant en lit le motif.",
    )
    return _back(pk)


@direction_only
@require_POST
def grant(request, pk, request_pk):
    award = _request(pk, request_pk)
    form = forms.GrantForm(request.POST, prefix=f"grant-{award.pk}")
    _run(
        request,
        form,
        lambda data: services.grant(award, request.user, data["note"]),
        "Diplôme délivré : numéro attribué, document vérifiable créé.",
    )
    return _back(pk)


@direction_only
@require_POST
def revoke_document(request, pk, document_pk):
    document = get_object_or_404(IssuedDocument, pk=document_pk, learner_id=pk)
    form = forms.RevokeForm(request.POST, prefix=f"revoke-{document.pk}")
    _run(
        request,
        form,
        lambda data: services.revoke_document(document, data["reason"], request.user),
        "Document révoqué : la page de vérification le dira.",
    )
    return _back(pk)


# --- verification (public) -----------------------------------------------------------------


@public
@require_GET
def verify(request):
    """The form where a code is typed; a well-formed code goes to its page."""
    form = forms.VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        code = codes.normalise(form.cleaned_data["code"])
        if codes.well_formed(code):
            return redirect("awards:verify_code", code=code)
        form.add_error("code", f"Ce code n'est pas valide : {codes.problem(code)}")
    return render(request, "awards/verify.html", {"form": form})


@public
@require_GET
def verify_code(request, code):
    """Only four facts: holder, document, date, valid or not. A forged or unknown code
    says so; nothing tells apart a code that never existed from a mistyped one beyond
    the check symbol."""
    normalised = codes.normalise(code)
    if normalised != code and codes.well_formed(normalised):
        return redirect("awards:verify_code", code=normalised)
    document = services.find_document(normalised) if codes.well_formed(normalised) else None
    response = render(
        request,
        "awards/verify_result.html",
        {
            "document": document,
            "code": codes.display(normalised) if normalised else "",
            "malformed": not codes.well_formed(normalised),
        },
        status=200 if document else 404,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
