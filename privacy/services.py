"""Data protection (R-ORG-6): applicants anonymised after their retention period, a
person's subject-access export (GDPR art. 15), erasure requests and their execution
(art. 17).

Anonymising keeps what statistics and the owed reports count (year, programme, centre,
status, situation, route, funding, dates, UEs, payments' amounts) and removes who the
person is: names, birth, address, telephone, employer and free texts, on the dossier
and on every historical copy of it (django-simple-history keeps one per change), the
dossier's files, and — once nothing else is kept about them — the account itself.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from admissions.models import Dossier, DossierFile, DossierItem
from parcours import clock, uploads
from privacy.models import ErasureRequest

# Who the person is, on a dossier: emptied by anonymisation.
DOSSIER_IDENTITY = {
    "last_name": "",
    "first_name": "",
    "birth_date": None,
    "birth_place": "",
    "address": "",
    "postcode": "",
    "city": "",
    "phone": "",
    "employer_name": "",
    "diploma_title": "",
    "employer_funder": "",
    "employer_address": "",
    "employer_contact": "",
    "units_from_other_centres": "",
    "incomplete_note": "",
    "refusal_reason": "",
}
# Dossiers whose person may be erased: nothing was contracted, or it was undone.
ERASABLE = (Dossier.Status.DRAFT, Dossier.Status.WITHDRAWN, Dossier.Status.REFUSED)
ANONYMOUS_DOMAIN = "anonyme.invalid"


def anonymous_email(user_pk: int) -> str:
    return f"anonyme-{user_pk}@{ANONYMOUS_DOMAIN}"


def is_anonymised(user) -> bool:
    return user.email == anonymous_email(user.pk)


# --- anonymisation ------------------------------------------------------------------------


def _anonymise_dossier(dossier: Dossier, on: dt.date) -> int:
    """Inside the caller's transaction. Returns the number of files removed."""
    files = list(DossierFile.objects.filter(item__dossier=dossier))
    for stored in files:
        uploads.delete_stored(stored.stored_name)  # on commit
        stored.delete()
    DossierFile.history.filter(stored_name__in=[f.stored_name for f in files]).update(
        display_name=""
    )
    DossierItem.objects.filter(dossier=dossier).update(rejection_reason="")
    DossierItem.history.filter(dossier_id=dossier.pk).update(rejection_reason="")
    Dossier.objects.filter(pk=dossier.pk).update(**DOSSIER_IDENTITY, anonymised_on=on)
    Dossier.history.filter(id=dossier.pk).update(**DOSSIER_IDENTITY)
    return len(files)


def _kept_about(user) -> list[str]:
    """Why the account itself must stay (French reasons), empty when it may go."""
    from awards.models import (
        AwardRequest,
        Credit,
        Evidence,
        ExperiencePeriod,
        IssuedDocument,
        ValidationCase,
    )

    reasons = []
    from accounts.roles import ROLES

    learners = ROLES["learner"].group
    if user.is_staff or user.is_superuser or user.groups.exclude(name=learners).exists():
        reasons.append("c'est un compte du personnel ou d'un enseignant")
    if Dossier.objects.filter(learner=user).exclude(status__in=ERASABLE).exists():
        reasons.append(
            "une inscription a eu lieu : le contrat, les présences et les paiements se "
            "conservent pour les financeurs et la comptabilité"
        )
    if (
        Credit.objects.filter(learner=user).exists()
        or IssuedDocument.objects.filter(learner=user).exists()
        or AwardRequest.objects.filter(learner=user).exists()
        or ValidationCase.objects.filter(learner=user).exists()
    ):
        reasons.append(
            "des UE acquises ou des documents délivrés : ils se conservent pour attester "
            "les acquis et les diplômes"
        )
    if (
        ExperiencePeriod.objects.filter(learner=user).exists()
        or Evidence.objects.filter(learner=user).exists()
    ):
        reasons.append("des expériences ou justificatifs examinés pour une validation")
    return reasons


def _anonymise_account(user) -> None:
    from timetable.models import CalendarFeed

    CalendarFeed.objects.filter(learner=user).delete()
    user_model = get_user_model()
    user_model.objects.filter(pk=user.pk).update(
        email=anonymous_email(user.pk),
        first_name="",
        last_name="",
        is_active=False,
        awaiting_confirmation=False,
        # Unusable: nobody signs in as them, and their open sessions, checked against
        # the password's hash on each request, end at once.
        password=make_password(None),
    )


@dataclass
class AnonymisationReport:
    dossiers: int = 0
    files: int = 0
    accounts: int = 0
    kept_accounts: list[int] = field(default_factory=list)


def anonymise_due_applicants(on: dt.date | None = None) -> AnonymisationReport:
    """Every applicant whose retention period is over: dossiers withdrawn or refused
    and closed more than PARCOURS_ANONYMISE_APPLICANTS_DAYS ago, and drafts of a year
    that ended that long ago; then the account of each of those people, and of each
    account never used for a dossier and untouched that long, when nothing else is
    kept about them. Safe twice: an anonymised dossier or account is not taken again."""
    on = on or clock.today()
    limit = on - dt.timedelta(days=settings.PARCOURS_ANONYMISE_APPLICANTS_DAYS)
    report = AnonymisationReport()
    closed = Dossier.objects.filter(
        anonymised_on__isnull=True,
        status__in=(Dossier.Status.WITHDRAWN, Dossier.Status.REFUSED),
        closed_on__lt=limit,
    )
    drafts = [
        d
        for d in Dossier.objects.filter(anonymised_on__isnull=True, status=Dossier.Status.DRAFT)
        .select_related("year")
        .iterator()
        if d.year.regulation.last_day < limit
    ]
    due = list(closed.select_related("learner")) + drafts
    # Accounts opened and never used for a dossier: their last sign-in (or opening) is
    # the last contact.
    idle = (
        get_user_model()
        .objects.filter(dossiers__isnull=True, is_staff=False, is_superuser=False)
        .filter(
            models.Q(last_login__date__lt=limit)
            | models.Q(last_login__isnull=True, date_joined__date__lt=limit)
        )
        .exclude(email__endswith="@" + ANONYMOUS_DOMAIN)
    )
    people = {user.pk: user for user in idle}
    for dossier in due:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if locked.anonymised_on is not None:
                continue
            report.files += _anonymise_dossier(locked, on)
            report.dossiers += 1
        people[dossier.learner_id] = dossier.learner
    for user in people.values():
        with transaction.atomic():
            user = get_user_model().objects.select_for_update().get(pk=user.pk)
            if is_anonymised(user):
                continue
            pending = Dossier.objects.filter(learner=user, anonymised_on__isnull=True)
            if pending.exists() or _kept_about(user):
                report.kept_accounts.append(user.pk)
                continue
            _anonymise_account(user)
            report.accounts += 1
    return report


# --- erasure requests ---------------------------------------------------------------------


def record_erasure_request(person, *, channel: str, note: str, by, received_on=None):
    if channel not in ErasureRequest.Channel.values:
        raise ValidationError({"channel": "Indiquez comment la demande est arrivée."})
    if is_anonymised(person):
        raise ValidationError("Cette personne est déjà anonymisée.")
    with transaction.atomic():
        pending = ErasureRequest.objects.filter(
            person=person, status=ErasureRequest.Status.RECEIVED
        ).first()
        if pending is not None:
            raise ValidationError(
                f"Une demande reçue le {pending.received_on:%d/%m/%Y} attend déjà d'être traitée."
            )
        return ErasureRequest.objects.create(
            person=person,
            channel=channel,
            note=note.strip(),
            received_on=received_on or clock.today(),
            recorded_by=by,
        )


@transaction.atomic
def execute_erasure(request: ErasureRequest, by) -> ErasureRequest:
    """Erase what no obligation keeps: every dossier that led to no contract (draft,
    withdrawn, refused) is anonymised and its files deleted, then the account if nothing
    else is kept. What is kept, and why, is written in the decision; a request nothing
    could be done for is refused with those reasons."""
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureRequest.Status.RECEIVED:
        raise ValidationError("Cette demande a déjà été traitée.")
    person = get_user_model().objects.select_for_update().get(pk=request.person_id)
    today = clock.today()
    done, files = 0, 0
    for dossier in Dossier.objects.select_for_update().filter(
        learner=person, status__in=ERASABLE, anonymised_on__isnull=True
    ):
        files += _anonymise_dossier(dossier, today)
        done += 1
    kept = _kept_about(person)
    lines = []
    if done:
        lines.append(
            f"{done} dossier{'s' if done > 1 else ''} anonymisé{'s' if done > 1 else ''}, "
            f"{files} fichier{'s' if files > 1 else ''} supprimé{'s' if files > 1 else ''}."
        )
    if not kept:
        _anonymise_account(person)
        lines.append("Compte anonymisé et fermé.")
    else:
        lines.append("Conservé : " + " ; ".join(kept) + ".")
    request.status = (
        ErasureRequest.Status.DONE if done or not kept else ErasureRequest.Status.REFUSED
    )
    request.decided_on, request.decided_by = today, by
    request.decision = " ".join(lines)
    request._change_reason = "effacement"
    request.save()
    return request


# --- subject access (art. 15) -------------------------------------------------------------

# Fields never exported: secrets, and the staff members behind an action (their data).
SECRET_FIELDS = {"password", "token", "token_hash", "stored_name"}


def _subject_rows(user) -> dict[str, list[dict]]:
    """Every row of every model that is about the person: its `learner` is them, or its
    dossier (or dossier piece) is theirs. Results only once published (R-EXA-5)."""
    from assessment.models import Mark
    from assessment.services import published_marks

    user_model = get_user_model()
    out: dict[str, list[dict]] = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin", "axes"} or model.__name__.startswith(
            "Historical"
        ):
            continue
        lookups = []
        for f in model._meta.get_fields():
            if not ((f.is_relation and f.many_to_one) or f.one_to_one) or f.auto_created:
                continue
            if f.related_model is user_model and f.name in {"learner", "person"}:
                lookups.append({f.name: user})
            elif f.related_model is Dossier:
                lookups.append({f"{f.name}__learner": user})
            elif f.related_model is DossierItem:
                lookups.append({f"{f.name}__dossier__learner": user})
        if model is Dossier:
            lookups = [{"learner": user}]
        if not lookups:
            continue
        query = models.Q()
        for lookup in lookups:
            query |= models.Q(**lookup)
        rows = model._default_manager.filter(query).distinct()
        if model is Mark:
            rows = rows.filter(pk__in=[m.pk for m in published_marks(user)])
        exported = [_row(row) for row in rows.order_by("pk")]
        if exported:
            out[f"{model._meta.app_label}.{model.__name__}"] = exported
    return out


def _row(row) -> dict:
    user_model = get_user_model()
    values = {}
    for f in row._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        if f.is_relation and f.related_model is user_model and f.name not in {"learner", "person"}:
            continue  # the staff member who acted: not the person's data
        value = f.value_from_object(row)
        if f.choices and value not in (None, ""):
            value = {"code": value, "libellé": str(dict(f.flatchoices).get(value, value))}
        label = str(f.verbose_name)
        values[label if label not in values else f.name] = value
    return {"id": row.pk, **values}


def export_archive(user) -> bytes:
    """A ZIP: donnees.json (the account and every row about the person) and, under
    fichiers/, the documents they or the centre deposited for them."""
    from awards.models import Evidence

    account = {
        "adresse électronique": user.email,
        "prénom": user.first_name,
        "nom": user.last_name,
        "inscrit(e) le": user.date_joined,
        "dernière connexion": user.last_login,
        "rôles": sorted(user.groups.values_list("name", flat=True)),
    }
    data = {
        "produit le": clock.now(),
        "responsable du traitement": "Cnam La Réunion",
        "compte": account,
        "données": _subject_rows(user),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "donnees.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        stored = [
            (f"piece-{f.pk}", f.stored_name, f.display_name)
            for f in DossierFile.objects.filter(item__dossier__learner=user)
        ] + [
            (f"justificatif-{e.pk}", e.stored_name, e.display_name)
            for e in Evidence.objects.filter(learner=user)
        ]
        for prefix, stored_name, display_name in stored:
            try:
                content = uploads.stored_path(stored_name).read_bytes()
            except (OSError, ValueError):
                continue  # missing on disk: the JSON still lists it
            archive.writestr(f"fichiers/{prefix}-{display_name}", content)
    return buffer.getvalue()
