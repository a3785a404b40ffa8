"""The pages: the learner's path and documents, the staff's learner page and decisions,
the public verification page; who may see what (each refusal proven)."""

import datetime as dt
import re

import pytest
import segno
from django.urls import reverse

from admissions.tests.conftest import make_user, pdf_file
from awards import codes, services
from awards.models import AwardRequest, Credit, ExperiencePeriod, IssuedDocument
from catalogue.models import Programme, Unit

from .conftest import CP29_UNITS, accepted_period, earn


@pytest.fixture
def teacher(db, django_user_model):
    return make_user(django_user_model, "prof@example.re", "teacher")


def test_the_path_page_says_what_remains(client, learner, enrolled):
    """R-AWD-3: every missing condition in words, with the next registration deadline."""
    earn(learner, *CP29_UNITS[:5])
    client.force_login(learner)
    page = client.get(reverse("awards:path")).content.decode()
    assert "30 ECTS obtenus sur 54" in page
    assert "UE TET099" in page and "jusqu&#x27;au 31/03/2017" in page
    assert "Unité d&#x27;activité" in page  # UA2322, the report
    assert "Demander le certificat" not in page


def test_the_path_page_uses_a_fixed_number_of_queries(
    client, learner, enrolled, reception, django_assert_num_queries
):
    """The path page's queries do not grow with the ledger or the periods."""
    earn(learner, "TET003")
    client.force_login(learner)
    url = reverse("awards:path")
    client.get(url)
    with django_assert_num_queries(QUERIES_PATH) as few:
        client.get(url)
    earn(learner, *CP29_UNITS[1:], "TET006", "AST002")
    accepted_period(learner, reception)
    accepted_period(
        learner, reception, kind="internship", start=dt.date(2016, 1, 1), end=dt.date(2016, 2, 15)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


QUERIES_PATH = 14


def test_the_staff_learner_page_uses_a_fixed_number_of_queries(
    client, learner, enrolled, reception, django_assert_num_queries
):
    earn(learner, "TET003")
    client.force_login(reception)
    url = reverse("awards:learner", args=[learner.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_STAFF) as few:
        client.get(url)
    earn(learner, *CP29_UNITS[1:])
    accepted_period(learner, reception)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


QUERIES_STAFF = 18  # + the final registrations for the certificat de réalisation


def test_a_learner_declares_a_period_with_its_attestation(client, learner):
    """R-EXP-1, R-EXP-2: the attestation uploaded, months computed from the dates."""
    client.force_login(learner)
    response = client.post(
        reverse("awards:add_period"),
        {
            "kind": "internship",
            "field": "information",
            "organisation": "Mission locale Ouest",
            "position": "Stagiaire accueil",
            "starts_on": "2016-05-02",
            "ends_on": "2016-06-16",
            "document": pdf_file("convention.pdf"),
        },
    )
    assert response.status_code == 302
    period = ExperiencePeriod.objects.get()
    assert period.status == "pending" and period.document.display_name == "convention.pdf"
    page = client.get(reverse("awards:path")).content.decode()
    assert "1,5" in page  # 02/05 → 16/06: one month and a half


def test_a_bad_date_and_a_docx_are_both_reported_and_the_file_asked_again(client, learner):
    """Issue 14, item 12: every problem at once, and the page says to choose the file
    again (a browser never keeps it); no radio answer is preselected."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(learner)
    assert "---------" not in client.get(reverse("awards:add_period")).content.decode()
    response = client.post(
        reverse("awards:add_period"),
        {
            "kind": "experience",
            "field": "information",
            "organisation": "CCAS",
            "position": "Accueil",
            "starts_on": "2016-05-02",
            "ends_on": "2016-02-30",
            "document": SimpleUploadedFile("attestation.docx", b"PK\x03\x04 word"),
        },
    )
    page = response.content.decode()
    assert "Saisissez une date valide." in page
    assert "« attestation.docx »" in page
    assert "choisissez-le à nouveau" in page
    assert not ExperiencePeriod.objects.exists()


def test_a_bad_period_names_the_field(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("awards:add_period"),
        {
            "kind": "experience",
            "field": "information",
            "organisation": "CCAS",
            "position": "Accueil",
            "starts_on": "2016-05-02",
            "ends_on": "2016-01-01",
            "document": pdf_file(),
        },
    )
    assert response.status_code == 200
    assert "La date de fin précède la date de début." in response.content.decode()
    assert not ExperiencePeriod.objects.exists()


def test_staff_review_and_record_a_credit(client, learner, enrolled, reception):
    period = services.add_period(
        learner,
        {
            "kind": "experience",
            "field": "information",
            "organisation": "CCAS",
            "position": "Accueil",
            "starts_on": dt.date(2015, 1, 1),
            "ends_on": dt.date(2015, 12, 31),
        },
        pdf_file(),
        learner,
    )
    client.force_login(reception)
    client.post(
        reverse("awards:review_period", args=[learner.pk, period.pk]),
        {f"review-{period.pk}-accepted": "1"},
    )
    period.refresh_from_db()
    assert period.status == "accepted" and period.reviewed_by == reception
    response = client.post(
        reverse("awards:add_credit", args=[learner.pk]),
        {
            "credit-unit": "TET006",
            "credit-way": "equivalence",
            "credit-earned_on": "2017-02-01",
            "credit-justification": "UE DRA101 du Cnam obtenue en 2012",
        },
        follow=True,
    )
    assert "UE inscrite" in response.content.decode()
    assert Credit.objects.get().unit.code == "TET006"


def test_validating_a_report_is_for_the_direction(client, learner, enrolled, reception, direction):
    """R-AWD-1 3.: the report is validated by the jury (direction), not by reception."""
    data = {
        "credit-unit": "UA2322",
        "credit-way": "report",
        "credit-earned_on": "2017-02-01",
        "credit-justification": "Rapport soutenu, validé",
    }
    client.force_login(reception)
    response = client.post(reverse("awards:add_credit", args=[learner.pk]), data, follow=True)
    assert "décision du jury" in response.content.decode()
    assert not Credit.objects.exists()
    client.force_login(direction)
    client.post(reverse("awards:add_credit", args=[learner.pk]), data)
    assert Credit.objects.get().way == "report"


def _granted(learner, reception, direction):
    earn(learner, *CP29_UNITS)
    accepted_period(learner, reception)
    earn(learner, "UA2322", way=Credit.Way.REPORT)
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    services.check_request(request, "bac", "Copie du bac vue", reception)
    return services.grant(request, direction)


def test_only_the_direction_grants(client, learner, enrolled, reception, direction):
    earn(learner, *CP29_UNITS)
    accepted_period(learner, reception)
    earn(learner, "UA2322", way=Credit.Way.REPORT)
    client.force_login(learner)
    client.post(reverse("awards:request_award", args=["CP29"]))
    request = AwardRequest.objects.get()
    client.force_login(reception)
    client.post(
        reverse("awards:check_request", args=[learner.pk, request.pk]),
        {f"check-{request.pk}-access": "bac", f"check-{request.pk}-note": "Copie du bac vue"},
    )
    url = reverse("awards:grant", args=[learner.pk, request.pk])
    assert client.post(url).status_code == 403
    client.force_login(direction)
    client.post(url)
    request.refresh_from_db()
    assert request.status == "granted" and request.number == "CP29-2017-00001"


def test_the_credential_pdf_carries_a_qr_code_of_the_verification_address(
    client, learner, enrolled, reception, direction, monkeypatch
):
    """The QR code encodes the verification page's address (compared module by module
    with segno's own encoding of that address)."""
    award = _granted(learner, reception, direction)
    document = IssuedDocument.objects.get(award=award)
    rendered = {}

    def capture(template, context, filename):
        rendered.update(context, template=template)
        from django.http import HttpResponse

        return HttpResponse(b"%PDF")

    monkeypatch.setattr("awards.views.pdf_response", capture)
    client.force_login(learner)
    client.get(reverse("awards:document_pdf", args=[document.pk]))
    address = "http://testserver" + reverse("awards:verify_code", args=[document.code])
    assert rendered["address"] == address
    assert rendered["qr_svg"] == segno.make(address, error="m").svg_inline(scale=3, border=2)
    assert rendered["template"] == "awards/pdf/credential.html"


def test_the_credential_pdf_is_a_pdf(client, learner, enrolled, reception, direction):
    award = _granted(learner, reception, direction)
    document = IssuedDocument.objects.get(award=award)
    client.force_login(learner)
    response = client.get(reverse("awards:document_pdf", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")


def test_verification_shows_four_facts_and_nothing_else(
    client, learner, enrolled, reception, direction
):
    award = _granted(learner, reception, direction)
    document = IssuedDocument.objects.get(award=award)
    page = client.get(reverse("awards:verify_code", args=[document.code]))
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Léa PAYET" in text and "CP29" in text and "01/03/2017" in text and "Valide" in text
    for secret in (learner.email, "TET003", "ECTS", "bac", "Acquise", "n° CP29-2017-00001 du"):
        assert secret not in text, secret


def test_a_revoked_or_forged_code_says_so(client, learner, direction):
    document = services.issue_document(learner, "transcript", "Relevé de notes", {"rows": []})
    services.revoke_document(document, "Erreur", direction)
    revoked = client.get(reverse("awards:verify_code", args=[document.code])).content.decode()
    assert "Document révoqué" in revoked and "Erreur" not in revoked
    forged = codes.new_code()
    response = client.get(reverse("awards:verify_code", args=[forged]))
    assert response.status_code == 404 and "Aucun document" in response.content.decode()
    tampered = document.code[:-2] + ("0" if document.code[-2] != "0" else "1") + document.code[-1]
    response = client.get(reverse("awards:verify_code", args=[tampered]))
    assert response.status_code == 404 and "mal recopié ou falsifié" in response.content.decode()


def test_a_typed_code_is_normalised(client, learner):
    document = services.issue_document(learner, "transcript", "Relevé de notes", {"rows": []})
    typed = codes.display(document.code).lower()
    response = client.get(reverse("awards:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("awards:verify_code", args=[document.code])


# --- who may see what ----------------------------------------------------------------------


def test_another_learner_sees_neither_documents_nor_evidence(
    client, learner, other_learner, enrolled, reception, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the file lands on commit
        period = accepted_period(learner, reception)
    document = services.issue_document(learner, "transcript", "Relevé de notes", {"rows": []})
    client.force_login(other_learner)
    assert client.get(reverse("awards:document_pdf", args=[document.pk])).status_code == 404
    assert client.get(reverse("awards:evidence", args=[period.document_id])).status_code == 404
    assert client.post(reverse("awards:remove_period", args=[period.pk])).status_code == 404
    page = client.get(reverse("awards:path")).content.decode()
    assert "Mission locale" not in page
    client.force_login(learner)
    assert client.get(reverse("awards:evidence", args=[period.document_id])).status_code == 200


@pytest.mark.parametrize(
    "name,args",
    [
        ("learners", []),
        ("learner", ["L"]),
        ("add_credit", ["L"]),
        ("open_validation", ["L"]),
    ],
)
def test_learners_and_teachers_reach_no_staff_page(client, learner, teacher, enrolled, name, args):
    url = reverse(f"awards:{name}", args=[learner.pk if a == "L" else a for a in args])
    for user in (learner, teacher):
        client.force_login(user)
        response = client.post(url) if name != "learners" and name != "learner" else client.get(url)
        assert response.status_code == 403


def test_reception_cannot_decide_for_the_juries(client, learner, enrolled, reception, year):
    """The validation jury's decision and a revocation are the direction's."""
    case = services.open_validation(
        learner, "VAE", Programme.objects.get(code="CP29"), year, reception
    )
    document = services.issue_document(learner, "transcript", "Relevé", {"rows": []})
    client.force_login(reception)
    assert (
        client.post(reverse("awards:validation_decision", args=[learner.pk, case.pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("awards:revoke_document", args=[learner.pk, document.pk])).status_code
        == 403
    )


def test_staff_pages_scope_objects_to_their_learner(
    client, learner, other_learner, enrolled, reception
):
    """A period of one learner cannot be reviewed through another learner's URL."""
    period = accepted_period(learner, reception)
    client.force_login(reception)
    response = client.post(
        reverse("awards:review_period", args=[other_learner.pk, period.pk]),
        {f"review-{period.pk}-accepted": "0", f"review-{period.pk}-reason": "x"},
    )
    assert response.status_code == 404


def test_transcript_lists_published_results_only(client, learner, enrolled):
    earn(learner, "TET006")
    Credit.objects.filter(unit__code="TET006").update(published_on=dt.date(2017, 6, 1))
    client.force_login(learner)
    response = client.post(reverse("awards:issue_transcript"), follow=True)
    assert "relevé de notes serait vide" in response.content.decode()
    Credit.objects.update(published_on=dt.date(2017, 2, 1))
    client.post(reverse("awards:issue_transcript"))
    document = IssuedDocument.objects.get(kind="transcript")
    assert [r["code"] for r in document.content["rows"]] == ["TET006"]
    assert document.content["ects"] == Unit.objects.get(code="TET006").ects


def test_codes_detect_typos():
    code = codes.new_code()
    assert codes.well_formed(code)
    assert re.fullmatch(r"[0-9A-Z*~$=]{13}", code)
    swapped = code[1] + code[0] + code[2:]
    assert code[0] == code[1] or not codes.well_formed(swapped)
    assert codes.normalise(codes.display(code).lower().replace("1", "l")) == code


def test_a_mistyped_code_is_told_apart_from_a_malformed_one(client):
    """Issue 14, item 13: a wrong check symbol or two swapped characters (13 characters)
    got the same message as "abc"."""
    from awards import codes

    code = codes.new_code()
    body = code[:-1]
    swapped = next(
        body[:i] + body[i + 1] + body[i] + body[i + 2 :] + code[-1]
        for i in range(len(body) - 1)
        if body[i] != body[i + 1]
        and not codes.well_formed(body[:i] + body[i + 1] + body[i] + body[i + 2 :] + code[-1])
    )
    wrong_check = body + next(c for c in codes.CHECK_ALPHABET if c != code[-1])

    def message(typed: str) -> str:
        return client.get("/verifier/", {"code": typed}).content.decode()

    for typed in (swapped, wrong_check):
        page = message(typed)
        assert "caractère de contrôle" in page and "erreur de recopie" in page
    assert "il compte 3 caractères au lieu de 13" in message("abc")
    assert "« ! »" in message("ABCD-EFGH-JKM!-P")
