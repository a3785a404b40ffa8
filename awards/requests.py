"""Award requests (R-AWD-2, R-AWD-3): requested, pieces checked, granted by the award
jury (the rules core decides once more on the day) or refused."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from awards.documents import issue_document
from awards.errors import AwardError
from awards.path import access_of, programme_path
from catalogue.bridge import full_catalogue
from catalogue.models import Programme
from parcours import clock
from parcours.access import is_direction
from rules.awards import AwardStatus

from .models import (
    AwardRequest,
    Credit,
    Evidence,
    ExperiencePeriod,
    IssuedDocument,
    ValidationCase,
)

# --- award requests -----------------------------------------------------------------------


def path_for(learner, code: str, staff: bool = True, access: str | None = None):
    """The learner's path in one programme, decided on today's date."""
    today = clock.today()
    credits = Credit.objects.filter(learner=learner).select_related("unit")
    if not staff:
        credits = credits.filter(published_on__lte=today)
    return programme_path(
        full_catalogue(),
        code,
        list(credits),
        list(ExperiencePeriod.objects.filter(learner=learner)),
        list(ValidationCase.objects.filter(learner=learner).select_related("programme")),
        list(AwardRequest.objects.filter(learner=learner).select_related("programme")),
        today,
        access=access,
    )


def request_award(learner, programme: Programme) -> AwardRequest:
    """The learner asks for the certificate or the title (R-AWD-1, R-AWD-2). Refused,
    with every missing condition (R-AWD-3), unless only the access conditions are left:
    they are checked now, on the pieces (R-REG-5)."""
    with transaction.atomic():
        # One request at a time per learner: two clicks make one request.
        get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
        path = path_for(learner, programme.code, staff=False)
        if path.granted is not None:
            raise AwardError(f"{programme.code} vous a déjà été délivré.")
        if path.open_request is not None:
            raise AwardError(f"Votre demande de {programme.code} est déjà en cours.")
        missing = [m for m in path.status.missing if m.item != "access"]
        if missing:
            raise AwardError([m.message for m in missing])
        return AwardRequest.objects.create(
            learner=learner,
            programme=programme,
            requested_on=clock.today(),
            missing_at_request=[
                {"rule": m.rule_id, "item": m.item, "message": m.message}
                for m in path.status.missing
            ],
        )


def _locked_request(request: AwardRequest, *statuses: str) -> AwardRequest:
    request = (
        AwardRequest.objects.select_for_update()
        .select_related("programme", "learner")
        .get(pk=request.pk)
    )
    if request.status not in statuses:
        raise AwardError(
            f"Cette demande ne le permet pas dans son état actuel : "
            f"« {request.get_status_display()} »."
        )
    return request


def check_request(
    request: AwardRequest, access: str, note: str, by, document: Evidence | None = None
) -> AwardRequest:
    """Staff check the pieces: how the access conditions are proven (R-REG-5) — a
    diploma seen (its copy attached or named in the note), or a VAE / VAP85 decided for
    this programme — and that every other condition still holds. Refused while one is
    missing, each named; the request period is judged on the day of the request."""
    with transaction.atomic():
        request = _locked_request(request, AwardRequest.Status.REQUESTED)
        code = request.programme.code
        if access not in AwardRequest.Access.values:
            raise AwardError({"access": "Choisissez comment l'accès est justifié."})
        decided = access_of(
            ValidationCase.objects.filter(learner=request.learner).select_related("programme"),
            (),
            code,
        )
        if access == AwardRequest.Access.NONE:
            access = decided
        if access == AwardRequest.Access.NONE:
            raise AwardError(
                {
                    "access": "Les conditions d'accès ne sont pas justifiées : le diplôme ne "
                    "peut être délivré (R-REG-5)."
                }
            )
        if access in (AwardRequest.Access.VAE, AwardRequest.Access.VAP85) and access != decided:
            raise AwardError(
                {"access": f"Aucune {access.upper()} n'a été accordée pour {code} à cet apprenant."}
            )
        diploma = access in (
            AwardRequest.Access.BAC,
            AwardRequest.Access.BAC_LEVEL,
            AwardRequest.Access.EQUIVALENT,
        )
        if diploma and document is None and not note.strip():
            raise AwardError(
                {
                    "note": "Joignez la copie du diplôme ou indiquez dans les observations "
                    "la pièce vue (par exemple : copie du bac du dossier d'inscription)."
                }
            )
        status = path_for(request.learner, code, access=access).status
        missing = _missing_for(request, status)
        if missing:
            raise AwardError(missing)
        request.access = access
        request.access_document = document
        request.check_note = note.strip()
        request.checked_by, request.checked_on = by, clock.today()
        request.status = AwardRequest.Status.CHECKED
        request.save()
    return request


def _missing_for(request: AwardRequest, status: AwardStatus) -> list[str]:
    """What is missing, for staff: the learner's path in the rules core's words, the
    request period judged on the day the request was made (R-AWD-1)."""
    in_time = status.request_deadline is None or request.requested_on <= status.request_deadline
    return [
        f"Pour l'apprenant : {m.message}"
        for m in status.missing
        if not (m.item == "request_period" and in_time)
    ]


@transaction.atomic
def refuse_request(request: AwardRequest, reason: str, by) -> AwardRequest:
    """Staff refuse a request whose pieces fall short; once checked, refusing is the
    award jury's decision (direction)."""
    request = _locked_request(request, AwardRequest.Status.REQUESTED, AwardRequest.Status.CHECKED)
    if request.status == AwardRequest.Status.CHECKED and not is_direction(by):
        raise AwardError("Les pièces sont vérifiées : seul le jury de délivrance peut refuser.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif du refus est obligatoire : l'apprenant le lira."})
    request.status, request.decision_note = AwardRequest.Status.REFUSED, reason.strip()
    request.decided_by, request.decided_on = by, clock.today()
    request.save()
    return request


def grant(request: AwardRequest, by, note: str = "") -> AwardRequest:
    """The award jury grants the certificate or title: the conditions are decided once
    more by the rules core on the day, then the credential gets its number (programme,
    year, order of award) and its date, and a verifiable document."""
    with transaction.atomic():
        request = _locked_request(request, AwardRequest.Status.CHECKED)
        Programme.objects.select_for_update().get(pk=request.programme.pk)  # numbers in order
        status = path_for(request.learner, request.programme.code, access=request.access).status
        missing = _missing_for(request, status)
        if missing:
            raise AwardError(missing)
        today = clock.today()
        prefix = f"{request.programme.code}-{today.year}-"
        order = AwardRequest.objects.filter(number__startswith=prefix).count() + 1
        request.number = f"{prefix}{order:05d}"
        request.status = AwardRequest.Status.GRANTED
        request.decided_by, request.decided_on = by, today
        request.decision_note = note.strip()
        request.save()
        issue_document(
            request.learner,
            IssuedDocument.Kind.CREDENTIAL,
            f"{request.programme.get_kind_display()} {request.programme.code} « "
            f"{request.programme.title} » n° {request.number}",
            {
                "kind": request.programme.get_kind_display(),
                "programme": request.programme.code,
                "title": request.programme.title,
                "number": request.number,
                "ects": status.ects_earned,
                "declared_ects": status.ects_required,
            },
            award=request,
        )
    return request
