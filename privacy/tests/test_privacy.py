"""Data protection (R-ORG-6, issue 15 item 8): applicants anonymised after their
retention period with the statistics kept, a person's subject-access export, erasure
requests recorded by the reception and executed by the direction."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client

from admissions import services as admissions
from admissions.models import Dossier, DossierFile
from admissions.tests.conftest import TODAY, make_user
from parcours import uploads
from privacy import services
from privacy.models import ErasureRequest
from privacy.retention import RULES

pytestmark = pytest.mark.django_db


def withdrawn(deposited, learner):
    admissions.withdraw(deposited, learner)
    deposited.refresh_from_db()
    return deposited


def test_an_applicant_is_anonymised_after_the_period_and_the_statistics_stay(
    deposited, learner, settings, django_capture_on_commit_callbacks
):
    settings.PARCOURS_ANONYMISE_APPLICANTS_DAYS = 730
    dossier = withdrawn(deposited, learner)
    stored = list(DossierFile.objects.filter(item__dossier=dossier))
    assert stored and dossier.last_name
    counted = (dossier.year_id, dossier.programme_id, dossier.centre_id, dossier.status)

    assert services.anonymise_due_applicants(TODAY + dt.timedelta(days=730)).dossiers == 0
    with django_capture_on_commit_callbacks(execute=True):
        report = services.anonymise_due_applicants(TODAY + dt.timedelta(days=731))
    assert (report.dossiers, report.accounts, report.files) == (1, 1, len(stored))

    dossier.refresh_from_db()
    learner.refresh_from_db()
    assert dossier.anonymised_on == TODAY + dt.timedelta(days=731)
    assert (dossier.year_id, dossier.programme_id, dossier.centre_id, dossier.status) == counted
    assert dossier.units.count() == 3  # what the reports count stays
    for row in [dossier, *dossier.history.all()]:  # every historical copy too
        assert (row.last_name, row.first_name, row.birth_date, row.address, row.phone) == (
            "",
            "",
            None,
            "",
            "",
        )
    assert not DossierFile.objects.filter(item__dossier=dossier).exists()
    assert not any(uploads.stored_path(f.stored_name).exists() for f in stored)
    assert learner.email == f"anonyme-{learner.pk}@anonyme.invalid"
    assert not learner.is_active and not learner.has_usable_password()
    # twice: nothing more
    again = services.anonymise_due_applicants(TODAY + dt.timedelta(days=800))
    assert (again.dossiers, again.accounts) == (0, 0)


def test_the_period_is_the_setting_the_rules_table_shows(deposited, learner, settings):
    settings.PARCOURS_ANONYMISE_APPLICANTS_DAYS = 30
    withdrawn(deposited, learner)
    rule = next(r for r in RULES if r.setting == "PARCOURS_ANONYMISE_APPLICANTS_DAYS")
    assert rule.period == "30 jours" and "CNIL" in rule.source
    assert services.anonymise_due_applicants(TODAY + dt.timedelta(days=31)).dossiers == 1
    assert all(r.source for r in RULES)


def test_the_daily_command_applies_both_periods_and_is_safe_twice(
    deposited, learner, settings, capsys
):
    withdrawn(deposited, learner)
    settings.PARCOURS_TODAY = (TODAY + dt.timedelta(days=731)).isoformat()
    call_command("purge_documents")
    first = capsys.readouterr().out
    call_command("purge_documents")
    second = capsys.readouterr().out
    assert "1 dossier(s) anonymisé(s), 1 compte(s) anonymisé(s)" in first
    assert "0 pièce(s)" in second and "0 dossier(s) anonymisé(s)" in second


def test_an_account_never_used_is_anonymised_after_the_period_but_not_staff(
    django_user_model, reception, settings
):
    from django.utils import timezone

    settings.PARCOURS_ANONYMISE_APPLICANTS_DAYS = 730
    idle = make_user(django_user_model, "jamais@example.re", "learner")
    recent = make_user(django_user_model, "recent@example.re", "learner")
    long_ago = timezone.now() - dt.timedelta(days=800)
    django_user_model.objects.filter(pk__in=[idle.pk, reception.pk]).update(
        last_login=long_ago, date_joined=long_ago
    )
    report = services.anonymise_due_applicants(timezone.localdate())
    assert report.accounts == 1
    idle.refresh_from_db()
    recent.refresh_from_db()
    reception.refresh_from_db()
    assert services.is_anonymised(idle) and not idle.is_active
    assert recent.is_active and reception.is_active  # staff are never anonymised here
    assert services.anonymise_due_applicants(timezone.localdate()).accounts == 0


def test_a_person_with_a_registration_keeps_their_account(
    deposited, learner, reception, year, settings
):
    from admissions.tests.conftest import fill

    old = withdrawn(deposited, learner)
    Dossier.objects.filter(pk=old.pk).update(closed_on=TODAY - dt.timedelta(days=800))
    current = fill(admissions.start_dossier(learner, year))
    Dossier.objects.filter(pk=current.pk).update(status=Dossier.Status.VALIDATED)
    report = services.anonymise_due_applicants(TODAY)
    assert report.dossiers == 1 and report.accounts == 0 and report.kept_accounts == [learner.pk]
    learner.refresh_from_db()
    assert learner.is_active and "anonyme" not in learner.email
    current.refresh_from_db()
    assert current.last_name  # the registration is untouched


# --- subject access -----------------------------------------------------------------------


def archive(response) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    return json.loads(files.pop("donnees.json")), files


def test_a_learner_downloads_everything_held_about_them_and_nothing_else(
    client, deposited, learner, other_learner, year, reception
):
    from admissions.tests.conftest import fill

    fill(admissions.start_dossier(other_learner, year), last_name="Autre-Personne")
    client.force_login(learner)
    page = client.get("/espace/mes-donnees/").content.decode()
    assert "Télécharger toutes mes données" in page and "CNIL" in page
    assert "R-ORG" not in page  # no rule id on a learner's page
    response = client.get("/espace/mes-donnees/export.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    data, files = archive(response)
    assert data["compte"]["adresse électronique"] == learner.email
    dossiers = data["données"]["admissions.Dossier"]
    assert [d["id"] for d in dossiers] == [deposited.pk]
    assert dossiers[0]["nom"] == deposited.last_name
    assert dossiers[0]["état"] == {"code": "deposited", "libellé": "Déposé, en cours d'instruction"}
    assert "admissions.DossierFile" in data["données"]
    text = json.dumps(data, ensure_ascii=False)
    assert "Autre-Personne" not in text and other_learner.email not in text
    assert reception.email not in text  # staff behind an action are not the person's data
    assert "pbkdf2" not in text and "stored_name" not in text
    stored = DossierFile.objects.filter(item__dossier=deposited)
    assert len(files) == stored.count()
    first = stored.first()
    assert files[f"fichiers/piece-{first.pk}-{first.display_name}"] == (
        uploads.stored_path(first.stored_name).read_bytes()
    )


def test_the_export_leaves_out_results_not_yet_published(client, learner, monkeypatch):
    from assessment.models import Mark

    monkeypatch.setattr("assessment.services.published_marks", lambda user, today=None: [])
    client.force_login(learner)
    data, _ = archive(client.get("/espace/mes-donnees/export.zip"))
    assert "assessment.Mark" not in data["données"] and Mark.objects.count() == 0


def test_the_data_pages_are_for_their_public_only(
    client, learner, reception, direction, django_user_model
):
    teacher = make_user(django_user_model, "prof@example.re", "teacher")
    for url in ("/espace/mes-donnees/", "/espace/mes-donnees/export.zip"):
        assert client.get(url).status_code == 302  # sign in first
        for other in (reception, teacher):
            client.force_login(other)
            assert client.get(url).status_code == 403
        client.logout()
    for user in (learner, teacher):
        client.force_login(user)
        assert client.get("/accueil/donnees/").status_code == 403
    client.force_login(reception)
    assert client.get("/accueil/donnees/").status_code == 200


# --- erasure ------------------------------------------------------------------------------


def test_an_erasure_asked_online_is_executed_by_the_direction(
    client, deposited, learner, reception, direction, django_capture_on_commit_callbacks
):
    withdrawn(deposited, learner)
    client.force_login(learner)
    client.post("/espace/mes-donnees/effacement/", {"note": "Je ne viendrai pas."})
    again = html.unescape(
        client.post("/espace/mes-donnees/effacement/", follow=True).content.decode()
    )
    assert "attend déjà d'être traitée" in again
    request = ErasureRequest.objects.get()
    assert request.channel == "online" and request.status == "received"

    client.force_login(reception)
    page = client.get("/accueil/donnees/").content.decode()
    assert learner.email in page and "Exécuter l'effacement" not in page
    assert client.post(f"/accueil/donnees/{request.pk}/").status_code == 403
    signed_in = Client()
    signed_in.force_login(learner)
    assert signed_in.get("/espace/").status_code == 200
    client.force_login(direction)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accueil/donnees/{request.pk}/")
    request.refresh_from_db()
    learner.refresh_from_db()
    assert request.status == "done" and request.decided_by == direction
    assert "1 dossier anonymisé" in request.decision and "Compte anonymisé" in request.decision
    assert not learner.is_active
    assert signed_in.get("/espace/").status_code == 302  # their open session is over


def test_what_an_obligation_keeps_is_said_and_a_request_with_nothing_to_erase_refused(
    deposited, learner, direction
):
    Dossier.objects.filter(pk=deposited.pk).update(status=Dossier.Status.VALIDATED)
    request = services.record_erasure_request(learner, channel="mail", note="", by=direction)
    done = services.execute_erasure(request, direction)
    assert done.status == "refused"
    assert "Conservé : une inscription a eu lieu" in done.decision
    learner.refresh_from_db()
    assert learner.is_active
    with pytest.raises(Exception, match="déjà été traitée"):
        services.execute_erasure(done, direction)


def test_the_reception_records_a_request_and_reads_a_french_error(client, learner, reception):
    client.force_login(reception)
    refused = client.post(
        "/accueil/donnees/", {"email": "personne@example.re", "channel": "mail", "note": ""}
    )
    assert refused.status_code == 400
    assert "Aucun compte n'a cette adresse." in html.unescape(refused.content.decode())
    assert "data-error-summary" in refused.content.decode()
    client.post("/accueil/donnees/", {"email": learner.email, "channel": "desk", "note": "CNI vue"})
    request = ErasureRequest.objects.get()
    assert (request.person, request.channel, request.recorded_by) == (learner, "desk", reception)
