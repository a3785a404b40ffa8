"""Proof of delivery (R-ORG-1): distance activity from the platform's report or declared
and validated, the hours followed from signed sheets and distance activity, the sheet
as PDF and a period's archive, the certificat de réalisation, the presence kinds the
right to sit counts (R-EXA-3), and the absence alerts (R-EXA-3, R-CAL-4)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from admissions.models import Dossier
from assessment.tests.test_views import pdf_text
from awards.models import IssuedDocument
from parcours import clock
from parcours.models import Job
from teaching import alerts, distance, realisation, services, signing
from teaching.models import AbsenceAlert, Attendance, DistanceActivity
from timetable.services import LOCAL


def local(moment):
    return moment.astimezone(LOCAL)


def _sessions(group, kind):
    return list(services.group_sessions(group).filter(kind=kind).order_by("starts_at"))


@pytest.fixture
def at(monkeypatch, settings):
    def set_to(moment: dt.datetime):
        settings.PARCOURS_TODAY = local(moment).date().isoformat()
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return set_to


def signed_session(session, teacher, learners, at, minutes=10):
    """Open, sign (the trainer records each learner) and close a session's sheet."""
    at(session.starts_at + dt.timedelta(minutes=minutes))
    sheet = signing.open_sheet(session, teacher)
    for learner in learners:
        signing.record_by_trainer(sheet, learner.pk, "pas de téléphone", teacher)
    at(session.ends_at)
    return signing.close_sheet(sheet, teacher)


# --- distance activity ------------------------------------------------------------------------


def report(*lines: str) -> bytes:
    return ("email;ue;date;heure;minutes;activite\n" + "\n".join(lines) + "\n").encode()


def test_the_connection_report_marks_the_web_conference_and_counts_its_minutes(
    ast004, class_of, reception, year, at
):
    """R-ORG-1: a distance learner is recorded from the platform's report; a line that
    matches a web conference of the planning is a presence there (R-EXA-3)."""
    _, distant = class_of
    web = _sessions(ast004, "web_conference")[0]
    at(web.ends_at + dt.timedelta(days=1))
    day = local(web.starts_at)
    data = report(
        f"{distant.email};AST004;{day:%d/%m/%Y};{day:%H:%M};85;web-conférence",
        f"{distant.email};AST004;{day:%d/%m/%Y};;40;enregistrement",
    )
    assert distance.import_report(year, data, "rapport.csv", reception) == 2
    live = DistanceActivity.objects.get(kind="web_conference")
    assert live.session == web and live.status == "validated"
    assert Attendance.objects.get(session=web, learner=distant).present
    followed = realisation.followed(distant.pk, year.regulation.first_day, day.date())
    assert followed.minutes() == 125 and followed.hours() == Decimal("2.08")
    # the same report again records nothing twice
    assert distance.import_report(year, data, "rapport.csv", reception) == 0


def test_a_report_with_a_bad_line_writes_nothing_and_names_every_line(
    ast004, class_of, reception, year, at
):
    learner, distant = class_of
    web = _sessions(ast004, "web_conference")[0]
    at(web.ends_at + dt.timedelta(days=1))
    day = local(web.starts_at)
    data = report(
        f"{distant.email};AST004;{day:%d/%m/%Y};;60;chat",
        "inconnu@example.re;AST004;31/02/2017;;abc;télépathie",
        f"{learner.email};ZZZ999;{day:%d/%m/%Y};;30;plateforme",
        f"{learner.email};TRS001;{day:%d/%m/%Y};;30;plateforme",
    )
    with pytest.raises(ValidationError) as refused:
        distance.import_report(year, data, "rapport.csv", reception)
    messages = refused.value.messages
    assert messages[0].startswith("Ligne 3 : aucun compte pour le courriel")
    assert "date illisible" in messages[0] and "durée « abc »" in messages[0]
    assert "activité « télépathie »" in messages[0]
    assert messages[1] == "Ligne 4 : UE inconnue « ZZZ999 »."
    assert messages[2] == "Ligne 5 : cet apprenant n'est pas inscrit à TRS001."
    assert not DistanceActivity.objects.exists()
    with pytest.raises(ValidationError, match="colonne"):
        distance.import_report(year, b"email;ue\nx;y\n", "r.csv", reception)


def test_a_declared_activity_counts_once_staff_validate_it(
    client, ast004, class_of, reception, other_learner, year, at
):
    _, distant = class_of
    web = _sessions(ast004, "web_conference")[0]
    at(web.ends_at + dt.timedelta(days=2))
    client.force_login(distant)
    day = local(web.starts_at).date()
    page = client.get("/espace/presences/")
    assert "Déclarer cette activité" in page.content.decode()
    client.post(
        "/espace/presences/declarer/",
        {
            "declare-unit": str(ast004.unit_id),
            "declare-kind": "web_conference",
            "declare-day": day.isoformat(),
            "declare-minutes": "90",
            "declare-description": "suivie depuis le travail",
        },
    )
    activity = DistanceActivity.objects.get()
    assert activity.status == "pending" and activity.session == web
    assert not Attendance.objects.filter(session=web).exists()  # not before validation
    assert realisation.followed(distant.pk, day, day).minutes() == 0

    client.force_login(reception)
    page = client.get("/accueil/emargement/")
    assert "suivie depuis le travail" in page.content.decode()
    refused = client.post(
        f"/accueil/emargement/activites/{activity.pk}/",
        {f"decide-{activity.pk}-decision": "refuse"},
    )
    assert refused.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "pending"  # a refusal needs its reason
    client.post(
        f"/accueil/emargement/activites/{activity.pk}/",
        {f"decide-{activity.pk}-decision": "validate"},
    )
    activity.refresh_from_db()
    assert activity.status == "validated" and activity.decided_by == reception
    assert Attendance.objects.get(session=web, learner=distant).present
    assert realisation.followed(distant.pk, day, day).minutes() == 90

    # another learner cannot declare for a UE they do not follow, nor see the staff page
    client.force_login(other_learner)
    assert client.get("/accueil/emargement/").status_code in (302, 403)


def test_a_learner_cannot_declare_a_day_to_come_or_a_ue_they_do_not_follow(
    class_of, ast004, year, at
):
    learner, _ = class_of
    web = _sessions(ast004, "web_conference")[0]
    at(web.starts_at - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="pas encore passé"):
        distance.declare(
            learner, year, ast004.unit, "recorded", local(web.starts_at).date(), 30, ""
        )
    from catalogue.models import Unit

    with pytest.raises(ValidationError, match="inscrit"):
        distance.declare(
            learner, year, Unit.objects.get(code="TRS001"), "recorded", clock.today(), 30, ""
        )


# --- R-EXA-3: what counts as a presence is the year's reading ---------------------------------


def test_the_presence_kinds_of_the_year_are_what_the_right_to_sit_counts(
    ast004, class_of, teacher, year
):
    learner, _ = class_of
    web = _sessions(ast004, "web_conference")[0]
    meeting = _sessions(ast004, "class_meeting")[0]
    for session in (web, meeting):
        Attendance.objects.create(
            session=session, learner=learner, present=True, recorded_by=teacher
        )
    counts = services.attendance_counts(year, [learner.pk], [ast004.unit_id])
    assert sum(counts[learner.pk, ast004.unit_id].values()) == 2
    # a year that reads "2 présences" as in person only
    year.source = year.source.replace(
        'presence_kinds = ["class_meeting", "web_conference", "chat"]',
        'presence_kinds = ["class_meeting"]',
    )
    year.save()
    year.refresh_from_db()
    counts = services.attendance_counts(year, [learner.pk], [ast004.unit_id])
    assert sum(counts[learner.pk, ast004.unit_id].values()) == 1


# --- documents ----------------------------------------------------------------------------------


def test_the_sheet_pdf_the_archive_and_the_certificate_show_the_hours(
    client,
    ast004,
    class_of,
    teacher,
    reception,
    other_teacher,
    year,
    at,
    django_capture_on_commit_callbacks,
):
    learner, _ = class_of
    first, second = _sessions(ast004, "class_meeting")[:2]
    signed_session(first, teacher, [learner], at)
    signed_session(second, teacher, [learner], at)
    client.force_login(teacher)
    response = client.get(f"/enseignement/seances/{first.pk}/feuille.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    for expected in (
        "Feuille d'émargement",
        "AST004",
        "Saisie par le formateur",
        "pas de téléphone",
        "Signée et close par",
    ):
        assert expected in text, expected
    # another teacher's group is not theirs; a learner reaches no sheet
    client.force_login(other_teacher)
    assert client.get(f"/enseignement/seances/{first.pk}/feuille.pdf").status_code == 404
    client.force_login(learner)
    assert client.get(f"/enseignement/seances/{first.pk}/feuille.pdf").status_code in (302, 403)

    # a period's sheets as a ZIP, through the job queue
    client.force_login(reception)
    day = local(first.starts_at).date()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accueil/emargement/",
            {
                "action": "archive",
                "archive-first": day.isoformat(),
                "archive-last": local(second.starts_at).date().isoformat(),
            },
        )
    job = Job.objects.get(kind=Job.Kind.ATTENDANCE_ARCHIVE)
    assert job.status == "done", job.message
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 2 and all("AST004" in n for n in names)

    # the certificat de réalisation: hours from the two signed sheets
    dossier = Dossier.objects.get(learner=learner, year=year)
    client.post(
        f"/accueil/apprenants/{learner.pk}/certificat/",
        {
            "certificate-dossier": str(dossier.pk),
            "certificate-first": year.regulation.first_day.isoformat(),
            "certificate-last": year.regulation.last_day.isoformat(),
            "certificate-funder": "OPCO Atlas",
        },
    )
    document = IssuedDocument.objects.get(kind="realisation")
    hours = Decimal(first.minutes + second.minutes) / 60
    assert Decimal(document.content["hours"]) == hours.quantize(Decimal("0.01"))
    text = pdf_text(client.get(reverse("awards:document_pdf", args=[document.pk])).content)
    assert "Certificat de réalisation" in text and "OPCO Atlas" in text
    assert "action de formation" in text and document.code[:4] in text.replace("-", "")
    # the attestation de suivi reads the same hours
    from awards.services import issue_attendance

    attestation = issue_attendance(learner, dossier.pk)
    ast = next(u for u in attestation.content["units"] if u["code"] == "AST004")
    assert Decimal(ast["hours"]) == hours.quantize(Decimal("0.01"))


def test_a_period_without_closed_sheets_or_out_of_order_is_refused(client, reception, year):
    client.force_login(reception)
    response = client.post(
        "/accueil/emargement/",
        {"action": "archive", "archive-first": "2017-01-10", "archive-last": "2017-01-01"},
    )
    assert response.status_code == 400
    assert "La fin de la période précède son début" in response.content.decode()
    with pytest.raises(ValidationError, match="Aucune feuille"):
        realisation.archive(dt.date(2017, 1, 1), dt.date(2017, 1, 10))


def test_semester_certificates_are_issued_once_for_the_funders_that_want_them(
    ast004, class_of, teacher, year, at
):
    learner, distant = class_of
    Dossier.objects.filter(learner=learner).update(situation=Dossier.Situation.JOB_SEEKER)
    Dossier.objects.filter(learner=distant).update(situation=Dossier.Situation.EMPLOYEE)
    signed_session(_sessions(ast004, "class_meeting")[0], teacher, [learner], at)
    s1 = year.regulation.semesters[0]
    after = s1.courses_end + dt.timedelta(days=1)
    assert realisation.issue_semester_certificates(s1.courses_end) == 0  # not ended yet
    assert realisation.issue_semester_certificates(after) == 2
    assert realisation.issue_semester_certificates(after) == 0  # once
    jobless = IssuedDocument.objects.get(learner=learner, kind="realisation")
    assert jobless.content["funder"] == "France Travail"
    assert Decimal(jobless.content["hours"]) > 0


# --- absence alerts ---------------------------------------------------------------------------


def test_a_learner_who_missed_two_sessions_is_told_once_with_the_dates(
    ast004,
    class_of,
    teacher,
    reception,
    year,
    at,
    mailoutbox,
    client,
    django_capture_on_commit_callbacks,
):
    """R-EXA-3: the alert from the 2nd absence of a semester (the year's reading)."""
    learner, distant = class_of
    first, second = _sessions(ast004, "class_meeting")[:2]
    signed_session(first, teacher, [], at)
    signed_session(second, teacher, [], at)
    at(second.ends_at + dt.timedelta(hours=12))
    rows = alerts.risks(year)
    mine = [r for r in rows if r.learner_id == learner.pk and r.unit.code == "AST004"]
    assert len(mine) == 1 and mine[0].level == "at_risk"
    assert mine[0].absences == (local(first.starts_at).date(), local(second.starts_at).date())
    # the distance learner missed no session they are expected at (class meetings)
    assert not [r for r in rows if r.learner_id == distant.pk]
    with django_capture_on_commit_callbacks(execute=True):
        sent = alerts.send_absence_alerts()
    assert sent == 1
    mail = mailoutbox[-1]
    assert mail.to == [learner.email] and "AST004" in mail.subject
    assert f"{local(first.starts_at):%-d}" in mail.body and "/espace/presences/" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.send_absence_alerts() == 0  # once per level
    assert AbsenceAlert.objects.count() == 1
    client.force_login(reception)
    page = client.get("/accueil/absences/?ue=AST004").content.decode()
    assert "Droit à l&#x27;examen menacé" in page or "Droit à l'examen menacé" in page
    odd = client.get("/accueil/absences/?ue=%27%3Cx%3E")
    assert odd.status_code == 200 and "UE inconnue" in odd.content.decode()
    client.force_login(learner)
    assert client.get("/accueil/absences/").status_code in (302, 403)
    space = client.get("/espace/presences/").content.decode()
    assert "AST004 : droit à l&#x27;examen menacé" in space
    assert "R-EXA" not in space


def test_an_alternance_week_without_its_day_is_told_to_the_employer_when_the_contract_says_so(
    learner, year, le_port, at, mailoutbox, django_capture_on_commit_callbacks
):
    from timetable.tests.conftest import register

    register(learner, year, le_port, {"AST004": False})
    Dossier.objects.filter(learner=learner).update(
        situation=Dossier.Situation.ALTERNANCE,
        employer_contact="rh@entreprise.re",
        employer_told_of_absences=True,
        validated_on=dt.date(2016, 10, 3),
    )
    at(dt.datetime(2016, 11, 16, 8, 0, tzinfo=LOCAL))  # a Wednesday
    missing = alerts.missing_alternance_weeks(year)
    assert [m.monday for m in missing] == [dt.date(2016, 11, 7)]
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_absence_alerts()
    assert [m.to for m in mailoutbox if "Alternance" in m.subject] == [["rh@entreprise.re"]]
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_absence_alerts()
    assert len([m for m in mailoutbox if "Alternance" in m.subject]) == 1
    Dossier.objects.filter(learner=learner).update(employer_told_of_absences=False)
    at(dt.datetime(2016, 11, 23, 8, 0, tzinfo=LOCAL))
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_absence_alerts()
    assert len([m for m in mailoutbox if "Alternance" in m.subject]) == 1


def test_the_proof_pages_use_a_fixed_number_of_queries(
    client,
    ast004,
    class_of,
    teacher,
    reception,
    year,
    le_port,
    at,
    django_user_model,
    django_assert_num_queries,
):
    from admissions.tests.conftest import make_user
    from timetable.tests.conftest import register

    first, second = _sessions(ast004, "class_meeting")[:2]
    for n in range(4):  # more learners, alternance ones included: the same queries
        extra = make_user(django_user_model, f"extra{n}@example.re", "learner")
        dossier = register(extra, year, le_port, {"AST004": False})
        if n % 2:
            Dossier.objects.filter(pk=dossier.pk).update(situation=Dossier.Situation.ALTERNANCE)
    signed_session(first, teacher, [], at)
    signed_session(second, teacher, [], at)
    at(second.ends_at + dt.timedelta(days=1))
    client.force_login(reception)
    # session, user, roles; the year; the unit asked; registrations, their UEs, counts,
    # absences, sessions left; alternance learners and their days
    with django_assert_num_queries(12):
        page = client.get("/accueil/absences/?ue=AST004")
    assert page.content.decode().count("Droit à l") >= 5
    # session, user, roles; the year; the declared activities; the archive jobs; the
    # centres of the archive's form
    with django_assert_num_queries(7):
        client.get("/accueil/emargement/")


def test_a_staff_correction_of_a_closed_sheet_is_a_new_signature(
    client, ast004, class_of, teacher, reception, at
):
    """R-ORG-1: a closed sheet is frozen; a later correction is a new entry, reason kept."""
    learner, _ = class_of
    first = _sessions(ast004, "class_meeting")[0]
    sheet = signed_session(first, teacher, [], at)
    client.force_login(reception)
    client.post(
        f"/enseignement/seances/{first.pk}/correction/",
        {"learner": str(learner.pk), "present": "1", "reason": "signature papier retrouvée"},
    )
    correction = sheet.signatures.get(method="correction")
    assert correction.learner == learner and correction.reason == "signature papier retrouvée"
    assert Attendance.objects.get(session=first, learner=learner).present
    assert sheet.signatures.filter(learner=learner, method="trainer").count() == 0


def test_a_vae_registrations_certificate_says_so(class_of, year):
    """R-ORG-2: the nature of the action, on the Ministry's model."""
    learner, _ = class_of
    dossier = Dossier.objects.get(learner=learner, year=year)
    Dossier.objects.filter(pk=dossier.pk).update(validation=Dossier.Validation.VAE)
    dossier.refresh_from_db()
    first = year.regulation.first_day
    document = realisation.issue_certificate(dossier, first, first + dt.timedelta(days=60))
    assert document.content["nature"] == "VAE"


def test_only_signatures_count_in_the_hours_a_correction_included(
    ast004, class_of, teacher, reception, year, at
):
    """R-ORG-1: a box ticked without a sheet counts for the right to sit, not for a
    funder; a correction after closure is what stands."""
    learner, _ = class_of
    ticked, signed = _sessions(ast004, "class_meeting")[:2]
    at(ticked.ends_at)
    services.record_attendance(ticked, {learner.pk}, teacher)
    sheet = signed_session(signed, teacher, [learner], at)
    everything = (year.regulation.first_day, year.regulation.last_day)
    assert realisation.followed(learner.pk, *everything).minutes() == signed.minutes
    signing.correct_sheet(sheet, learner.pk, False, "parti avant le début", reception)
    assert realisation.followed(learner.pk, *everything).minutes() == 0
