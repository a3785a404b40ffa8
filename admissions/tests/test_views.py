"""The pages of the pre-registration and of the reception, through the test client:
each step, its French messages, the deadlines, the access rules and query counts."""

import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from admissions import contract, services
from admissions.forms import STEP_TITLES
from admissions.models import Dossier, DossierFile, DossierItem, Payment
from admissions.tests.conftest import SECTIONS, pdf_file, png_file

STEP_POSTS = {
    "identite": {**SECTIONS["identite"], "birth_date": "1990-05-14"},
    "coordonnees": SECTIONS["coordonnees"],
    "situation": {"situation": "employee", "employer_name": "Mission locale Ouest"},
    "nationalite": {"nationality": "french"},
    "diplome": SECTIONS["diplome"],
    "experience": {"months_information": "24", "months_accompaniment": "6", "months_other": "0"},
    "financement": {"funding": "individual", "validation": ""},
}


def step_url(dossier, slug):
    return reverse("admissions:step", args=[dossier.pk, slug])


@pytest.fixture
def started(client, learner, year):
    client.force_login(learner)
    response = client.post(reverse("admissions:start"), {"year": "2016-2017"})
    dossier = Dossier.objects.get(learner=learner)
    assert response.url == step_url(dossier, "identite")
    return dossier


def test_every_step_saves_and_leads_to_the_next(client, started):
    """R-REG-1: each section is saved as a draft and the next one follows."""
    for slug, data in STEP_POSTS.items():
        assert client.get(step_url(started, slug)).status_code == 200
        response = client.post(step_url(started, slug), data)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    response = client.post(
        step_url(started, "formation"),
        {"programme": started.programme_id or "", "centre": "", "units": ["AST004"]},
    )
    assert response.status_code == 400  # programme and centre missing
    from catalogue.models import Centre, Programme

    response = client.post(
        step_url(started, "formation"),
        {
            "programme": Programme.objects.get(code="CP29").pk,
            "centre": Centre.objects.get(code="LE-PORT").pk,
            "units": ["AST004", "TET003", "TET007"],
            "foreign_units": "nfa031 ; Programmation avec Java ; 6 ; Cnam Paris",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("admissions:pieces", args=[started.pk])
    started.refresh_from_db()
    assert started.last_name == "Payet"
    assert {(c.unit.code, c.semester, c.foad) for c in started.units.all()} == {
        ("AST004", "S1", False),
        ("TET003", "S1", False),  # annual: registered with the first semester
        ("TET007", "S2", False),
        ("NFA031", "S1", True),  # another centre's UE, in FOAD (R-FEE-1)
    }
    page = client.get(reverse("admissions:dossier", args=[started.pk])).content.decode()
    assert "Votre devis" in page and "200,00" in page  # FOAD unit, R-FEE-1


def test_forms_say_what_is_asked_and_preselect_nothing(client, started):
    """Issue 14, item 12: no "---------" radio answer, conditional fields not marked
    optional but told when they are asked, the employer's signature not ticked for the
    applicant, and a malformed date one error, not also "missing"."""
    for slug in STEP_POSTS:
        page = client.get(step_url(started, slug)).content.decode()
        assert "---------" not in page, slug
    situation = client.get(step_url(started, "situation")).content.decode()
    label = re.search(r'<label for="id_job_seeker_since"[^>]*>(.*?)</label>', situation, re.S)[1]
    assert "(Optionnel)" not in label and "À remplir si vous êtes demandeur(se)" in label
    funding = client.get(step_url(started, "financement")).content.decode()
    assert not re.search(r'name="employer_certificate_signed"[^>]*checked', funding)
    response = client.post(
        step_url(started, "situation"),
        {"situation": "job_seeker", "job_seeker_category": "1", "job_seeker_since": "2016-02-30"},
    )
    summary = re.findall(
        r"<li><a href=\"#id_(\w+)\">[^<]*</a> : ([^<]*)</li>", response.content.decode()
    )
    assert summary == [("job_seeker_since", "Saisissez une date valide.")]


def test_going_back_a_step_saves_what_was_typed(client, started):
    """Issue 14, item 11: "Rubrique précédente" saves the step, then goes back."""
    from catalogue.models import Centre, Programme

    for slug, data in STEP_POSTS.items():
        client.post(step_url(started, slug), data)
    chosen = {
        "programme": Programme.objects.get(code="CP29").pk,
        "centre": Centre.objects.get(code="LE-PORT").pk,
        "units": ["AST004"],
        "aller": "precedente",
    }
    response = client.post(step_url(started, "formation"), chosen)
    assert response.status_code == 302
    assert response.url == step_url(started, list(STEP_POSTS)[-1])
    started.refresh_from_db()
    assert started.programme.code == "CP29" and started.centre.code == "LE-PORT"
    assert [c.unit.code for c in started.units.all()] == ["AST004"]


def test_errors_name_the_field_in_french_and_keep_the_input(client, started):
    response = client.post(
        step_url(started, "coordonnees"),
        {"address": "12 rue des Flamboyants", "postcode": "974", "city": "", "phone": "abc"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    # the summary names each field once, links to it and is focused on load (item 10, 12)
    assert "data-error-summary" in page and page.count("data-error-summary") == 1
    assert '<a href="#id_postcode">Code postal</a> : 5 chiffres, par exemple 97420.' in page
    assert "Code postal : Code postal" not in page
    assert '<a href="#id_city">Commune</a> : Ce champ est obligatoire.' in page
    assert "12 rue des Flamboyants" in page  # nothing entered is lost
    started.refresh_from_db()
    assert started.address == ""  # and nothing half-saved


def test_a_late_semester_choice_is_refused_with_the_date(client, started, settings):
    """R-REG-6: after 31/10/2016, an S1 UE is refused with the date; S2 is offered."""
    from catalogue.models import Centre, Programme

    settings.PARCOURS_TODAY = "2016-11-02"
    page = client.get(step_url(started, "formation")).content.decode()
    assert "inscriptions closes depuis le 31/10/2016" in page
    response = client.post(
        step_url(started, "formation"),
        {
            "programme": Programme.objects.get(code="CP29").pk,
            "centre": Centre.objects.get(code="LE-PORT").pk,
            "units": ["AST004"],
        },
    )
    assert response.status_code == 400
    assert "closes depuis le 31/10/2016" in response.content.decode()
    assert not started.units.exists()


def test_job_seeker_funding_needs_the_job_seeker_situation(client, started):
    response = client.post(step_url(started, "financement"), {"funding": "job_seeker"})
    assert response.status_code == 400
    assert "Le tarif demandeur d&#x27;emploi suppose" in response.content.decode()


def test_posted_extra_fields_are_ignored(client, started):
    """Security baseline: `status`, `rate_decision`… posted with a step change nothing."""
    data = {**STEP_POSTS["identite"], "status": "validated", "rate_decision": "approved"}
    client.post(step_url(started, "identite"), data)
    started.refresh_from_db()
    assert started.status == Dossier.Status.DRAFT
    assert started.rate_decision == Dossier.RateDecision.NOT_NEEDED


def test_upload_through_the_page_and_download_by_the_owner_only(
    client, draft, learner, other_learner, reception, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    url = reverse("admissions:upload", args=[draft.pk, "photos"])
    with django_capture_on_commit_callbacks(execute=True):  # the file moves on commit
        response = client.post(url, {"photos-file": png_file()})
    assert response.status_code == 302
    stored = DossierFile.objects.get(item__code="photos")
    download = reverse("admissions:download", args=[draft.pk, stored.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    client.force_login(reception)
    assert client.get(download).status_code == 404  # a draft is the applicant's own
    client.force_login(other_learner)
    assert client.get(download).status_code == 404


BAD_UPLOADS = [
    ("html-named-pdf", "cv.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("svg", "cv.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("svg-named-png", "photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ("double-extension", "cv.html.pdf", b"%PDF-1.4\n%%EOF\n"),
]


@pytest.mark.parametrize(("case", "name", "content"), BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS])
def test_the_bad_upload_corpus_is_refused_and_nothing_is_stored(
    client, draft, learner, private_media, case, name, content
):
    """Security guide, Uploads: refused with a French message; nothing stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(learner)
    url = reverse("admissions:upload", args=[draft.pk, "cv"])
    response = client.post(url, {"cv-file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert "fr-error-text" in response.content.decode() or "fr-message--error" in (
        response.content.decode()
    )
    assert not DossierFile.objects.exists()
    assert draft.items.get(code="cv").status == DossierItem.Status.MISSING
    assert (
        not any(p.is_file() for p in private_media.rglob("*")) if private_media.exists() else True
    )


def test_an_oversized_upload_is_refused(client, draft, learner, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(learner)
    big = pdf_file()
    big.file.write(b"%" * 2000)
    big.size = big.file.tell()
    big.file.seek(0)
    response = client.post(reverse("admissions:upload", args=[draft.pk, "cv"]), {"cv-file": big})
    assert response.status_code == 400
    assert not DossierFile.objects.exists()


def test_a_path_traversal_name_is_stored_under_a_server_name(client, draft, learner):
    client.force_login(learner)
    url = reverse("admissions:upload", args=[draft.pk, "cv"])
    client.post(url, {"cv-file": pdf_file("../../etc/passwd.pdf")})
    stored = DossierFile.objects.get()
    assert "/" not in stored.display_name and ".." not in stored.display_name
    assert stored.stored_name.endswith(".pdf") and len(stored.stored_name) == 36


# --- access: another learner is refused, and nothing is written --------------------------


def test_another_learner_gets_404_everywhere_and_writes_nothing(client, deposited, other_learner):
    """Security baseline: object access is scoped in the query."""
    item = deposited.items.get(code="cv")
    stored = item.files.first()
    client.force_login(other_learner)
    gets = [
        reverse("admissions:dossier", args=[deposited.pk]),
        step_url(deposited, "identite"),
        reverse("admissions:pieces", args=[deposited.pk]),
        reverse("admissions:download", args=[deposited.pk, stored.pk]),
        reverse("admissions:withdraw", args=[deposited.pk]),
        reverse("admissions:quote_pdf", args=[deposited.pk]),
        reverse("admissions:certificate_pdf", args=[deposited.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    history_before = deposited.history.count()
    posts = [
        (reverse("admissions:upload", args=[deposited.pk, "cv"]), {"cv-file": pdf_file()}),
        (reverse("admissions:remove_file", args=[deposited.pk, stored.pk]), {}),
        (reverse("admissions:withdraw", args=[deposited.pk]), {}),
        (reverse("admissions:deposit", args=[deposited.pk]), {}),
        (reverse("admissions:send_back", args=[deposited.pk]), {}),
        (step_url(deposited, "identite"), STEP_POSTS["identite"]),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.DEPOSITED
    assert deposited.history.count() == history_before
    assert item.files.count() == 1


def test_learners_cannot_reach_the_reception_pages(client, deposited, learner):
    client.force_login(learner)
    item = deposited.items.get(code="cv")
    for url in (
        reverse("admissions:queue"),
        reverse("admissions:staff_dossier", args=[deposited.pk]),
        reverse("admissions:terminate", args=[deposited.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (reverse("admissions:review", args=[deposited.pk, item.pk]), {"decision": "accept"}),
        (reverse("admissions:validate", args=[deposited.pk]), {}),
        (reverse("admissions:incomplete", args=[deposited.pk]), {}),
        (reverse("admissions:decide_rate", args=[deposited.pk]), {"decision": "approve"}),
        (
            reverse("admissions:first_registration", args=[deposited.pk]),
            {"value": "no", "reason": "moi-même"},
        ),
        (reverse("admissions:signed_certificate", args=[deposited.pk]), {}),
        (
            reverse("admissions:payment", args=[deposited.pk]),
            {
                "token": uuid.uuid4(),
                "payer": "learner",
                "method": "card",
                "amount": "118",
                "received_on": "2016-09-01",
            },
        ),
    ):
        assert client.post(url, data).status_code == 403, url
    item.refresh_from_db()
    assert item.status == DossierItem.Status.UPLOADED
    assert not Payment.objects.exists()
    deposited.refresh_from_db()
    assert deposited.first_registration_override is None


def test_the_reception_fixes_the_first_registration_with_a_reason(client, deposited, reception):
    """Issue 16, item 6 (R-FEE-1): derived, unless the centre fixes it, with its reason."""
    client.force_login(reception)
    url = reverse("admissions:first_registration", args=[deposited.pk])
    page = client.get(reverse("admissions:staff_dossier", args=[deposited.pk])).content.decode()
    assert "Première inscription au centre : <strong>oui</strong>" in page
    refused = client.post(url, {"value": "no", "reason": ""})
    assert refused.status_code == 400
    assert "Indiquez le motif" in refused.content.decode()
    assert "data-error-summary" in refused.content.decode()
    client.post(url, {"value": "no", "reason": "Inscrit en 2012, avant Parcours"})
    page = client.get(reverse("admissions:staff_dossier", args=[deposited.pk])).content.decode()
    assert "Première inscription au centre : <strong>non</strong>" in page
    assert "fixé par le centre : Inscrit en 2012, avant Parcours" in page
    assert "18,00" not in page.split('id="premiere-inscription"')[1].split("Paiements")[0]


def test_only_the_direction_decides_the_rate(client, deposited, reception):
    client.force_login(reception)
    url = reverse("admissions:decide_rate", args=[deposited.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, deposited):
    response = client.get(reverse("admissions:space"))
    assert response.status_code == 302 and "/compte/connexion/" in response.url


# --- the reception ---------------------------------------------------------------------------


def test_the_queue_filters_and_searches(client, deposited, reception):
    client.force_login(reception)
    url = reverse("admissions:queue")
    assert deposited.reference in client.get(url).content.decode()
    assert deposited.reference in client.get(url, {"q": "payet"}).content.decode()
    assert deposited.reference not in client.get(url, {"q": "zzz"}).content.decode()
    assert (
        deposited.reference
        in client.get(
            url, {"status": "deposited", "programme": "CP29", "semester": "S1", "centre": "LE-PORT"}
        ).content.decode()
    )
    assert deposited.reference not in client.get(url, {"status": "validated"}).content.decode()


def test_a_payment_double_post_records_one(client, deposited, reception):
    client.force_login(reception)
    data = {
        "token": str(uuid.uuid4()),
        "payer": "learner",
        "method": "cheque",
        "amount": "118.00",
        "cheque_number": "123",
        "received_on": "2016-09-01",
    }
    url = reverse("admissions:payment", args=[deposited.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Payment.objects.count() == 1


def test_the_same_cheque_twice_is_recorded_only_once_confirmed(client, deposited, reception):
    """Issue 14, item 4: cheque n° 0001234 for 118 € typed twice under two form tokens
    would count 236 € paid; the second is refused with a warning beside the field,
    then recorded once confirmed. Another amount or payer is simply recorded."""
    client.force_login(reception)
    url = reverse("admissions:payment", args=[deposited.pk])

    def cheque(**changes):
        data = {
            "token": str(uuid.uuid4()),
            "payer": "learner",
            "method": "cheque",
            "amount": "118,00",
            "cheque_number": "0001234",
            "received_on": "2016-09-01",
        }
        return client.post(url, {**data, **changes})

    assert cheque().status_code == 302
    warned = cheque()
    assert warned.status_code == 400 and Payment.objects.count() == 1
    page = warned.content.decode()
    assert "Le chèque n° 0001234 de 118,00 €, payé par l" in page
    assert "est déjà enregistré sur ce dossier, reçu le 01/09/2016" in page
    assert 'type="checkbox" name="confirmed_second"' in page
    assert cheque(confirmed_second="on").status_code == 302
    assert Payment.objects.count() == 2
    assert cheque(amount="100,00").status_code == 302  # another amount: another cheque
    assert Payment.objects.count() == 3


def test_a_cheque_without_number_is_refused_by_field(client, deposited, reception):
    client.force_login(reception)
    data = {
        "token": str(uuid.uuid4()),
        "payer": "learner",
        "method": "cheque",
        "amount": "118.00",
        "received_on": "2016-09-01",
    }
    response = client.post(reverse("admissions:payment", args=[deposited.pk]), data)
    assert response.status_code == 400
    assert "Indiquez le numéro du chèque." in response.content.decode()


def test_pdfs_are_real_pdfs(client, deposited, reception, learner):
    client.force_login(learner)
    response = client.get(reverse("admissions:quote_pdf", args=[deposited.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The certificate exists only once the registration is final (R-REG-9).
    assert client.get(reverse("admissions:certificate_pdf", args=[deposited.pk])).status_code == 404


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_are_fixed_whatever_the_number_of_files_and_payments(
    client, deposited, learner, other_learner, reception, year
):
    """Each page's queries are a fixed set: a second dossier with two files per piece,
    three payments and more history costs exactly as many queries as the first."""
    from admissions.tests.conftest import fill, upload_all

    def pages(owner, dossier):
        return [
            # + convocations, marks (notices), earlier registrations (the file fee and the
            # registration right already paid, one query), the UEs opened this year (FOAD,
            # R-FEE-1); the cancellation comes with the dossiers
            (owner, reverse("admissions:space"), 16),
            # + file fee, openings, the contract accepted (R-ORG-3)
            (owner, reverse("admissions:dossier", args=[dossier.pk]), 15),
            (owner, reverse("admissions:pieces", args=[dossier.pk]), 9),
            (reception, reverse("admissions:staff_dossier", args=[dossier.pk]), 18),
            # the page's dossiers and their count (paginated)
            (reception, reverse("admissions:queue"), 9),
        ]

    def counts(owner, dossier):
        out = []
        for user, url, expected in pages(owner, dossier):
            client.force_login(user)
            out.append(count_queries(client, url))
            assert out[-1] == expected, (url, out[-1])
        return out

    first = counts(learner, deposited)
    bigger = fill(services.start_dossier(other_learner, year))
    upload_all(bigger, other_learner)
    upload_all(bigger, other_learner)  # a second file for every piece
    bigger = services.deposit(bigger, STEP_TITLES, contract.digest(bigger))
    for amount in ("10.00", "20.00", "30.00"):
        services.record_payment(
            bigger,
            token=uuid.uuid4(),
            payer="learner",
            method="card",
            amount=Decimal(amount),
            received_on=bigger.deposited_on,
            by=reception,
        )
    assert DossierFile.objects.filter(item__dossier=bigger).count() >= 18
    assert counts(other_learner, bigger) == first


def test_the_dossier_page_shows_who_changed_what(client, deposited, reception):
    """Integrity: the history of the dossier, its pieces and payments (who, when, what)."""
    client.force_login(reception)
    item = deposited.items.get(code="cv")
    client.post(
        reverse("admissions:review", args=[deposited.pk, item.pk]),
        {"decision": "reject", "reason": "CV illisible"},
    )
    page = client.get(reverse("admissions:staff_dossier", args=[deposited.pk])).content.decode()
    history = page[page.index('id="historique"') :]
    assert (
        "accueil@example.re — Pièce « Un CV détaillé à jour » modifié(e) : état : "
        "Déposée, à vérifier → Refusée ; motif du refus : — → CV illisible"
    ) in history
    assert "Dossier modifié(e) : état : Brouillon → Déposé, en cours d&#x27;instruction" in history


def test_withdrawal_in_two_clicks(client, deposited, learner, django_capture_on_commit_callbacks):
    """R-REG-7: the page states the refund; the button confirms; an e-mail follows."""
    from django.core import mail

    client.force_login(learner)
    url = reverse("admissions:withdraw", args=[deposited.pk])
    page = client.get(url).content.decode()
    assert "Confirmer ma rétractation" in page and "délai de rétractation de 10 jours" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.WITHDRAWN
    assert "Rétractation enregistrée" in mail.outbox[-1].subject
    assert deposited.history.filter(status=Dossier.Status.WITHDRAWN).exists()
    # Issue 14, item 5: the personal space tells the registration is cancelled, and no
    # longer that it waits for validation or that pieces wait to be checked.
    space = client.get(reverse("admissions:space")).content.decode()
    assert "inscription annulée (rétractation le" in space
    assert "en attente de validation" not in space and "à vérifier" not in space


def test_termination_is_previewed_then_recorded(client, deposited, reception, settings):
    """R-REG-8: the reception records the registered letter; the settlement is shown
    before it is confirmed."""
    from admissions.tests.test_services import accept_all, pay

    accept_all(deposited, reception)
    pay(deposited, reception, "118.00")
    services.validate(deposited, reception)
    settings.PARCOURS_TODAY = "2016-11-15"
    client.force_login(reception)
    url = reverse("admissions:terminate", args=[deposited.pk])
    data = {
        "requested_on": "2016-11-14",
        "letter_date": "2016-11-10",
        "letter_reference": "1A 234",
        "sessions_delivered": "5",
        "sessions_planned": "20",
        "force_majeure": "on",
    }
    page = client.post(url, data).content.decode()
    assert "5 séances dispensées sur 20" in page and "Confirmer la résiliation" in page
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.VALIDATED  # nothing written by the preview
    assert client.post(url, {**data, "confirm": "1"}).status_code == 302
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.TERMINATED
    assert deposited.cancellation.letter_reference == "1A 234"


def test_a_png_html_polyglot_is_refused(client, draft, learner):
    """Security guide: a PNG carrying an HTML payload is refused, nothing stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    polyglot = png_file().read() + b"<html><script>alert(document.cookie)</script></html>"
    client.force_login(learner)
    response = client.post(
        reverse("admissions:upload", args=[draft.pk, "photos"]),
        {"photos-file": SimpleUploadedFile("photo.png", polyglot)},
    )
    assert response.status_code == 400
    assert "HTML" in response.content.decode()
    assert not DossierFile.objects.exists()


def test_teachers_cannot_reach_dossiers(client, deposited, django_user_model):
    """Every view states who may see it: a teacher sees no dossier nor its files."""
    from admissions.tests.conftest import make_user

    teacher = make_user(django_user_model, "prof@example.re", "teacher")
    client.force_login(teacher)
    stored = deposited.items.get(code="cv").files.get()
    for url in (
        reverse("admissions:queue"),
        reverse("admissions:staff_dossier", args=[deposited.pk]),
        reverse("admissions:download", args=[deposited.pk, stored.pk]),
        reverse("admissions:quote_pdf", args=[deposited.pk]),
        reverse("admissions:space"),
    ):
        assert client.get(url).status_code == 403, url


def test_termination_page_only_for_a_final_registration(client, deposited, reception):
    client.force_login(reception)
    url = reverse("admissions:terminate", args=[deposited.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"requested_on": "2016-09-01"}).status_code == 404


def test_a_zero_percent_employer_share_is_refused(client, started):
    response = client.post(
        step_url(started, "financement"),
        {"funding": "employer", "employer_funder": "OPCA", "employer_share_percent": "0"},
    )
    assert response.status_code == 400
    assert "Une prise en charge de 0 %" in response.content.decode()


def test_signing_in_leads_each_role_to_its_page(client, learner, reception, django_user_model):
    from admissions.tests.conftest import make_user

    url = reverse("admissions:home")
    client.force_login(learner)
    assert client.get(url).url == reverse("admissions:space")
    client.force_login(reception)
    assert client.get(url).url == reverse("admissions:queue")
    # a teacher to their groups (issue 14, item 16: they landed on the public home)
    client.force_login(make_user(django_user_model, "prof@example.re", "teacher"))
    assert client.get(url).url == reverse("teaching:groups")
    client.logout()
    assert client.get(url).url == reverse("catalogue:home")


def test_the_reception_cannot_open_a_draft_never_deposited(client, draft, reception, direction):
    """A draft is the applicant's own until deposited: no staff URL opens it."""
    item = draft.items.first()
    urls = [
        f"/accueil/dossiers/{draft.pk}/",
        f"/dossier/{draft.pk}/",
        f"/dossier/{draft.pk}/devis.pdf",
        f"/accueil/dossiers/{draft.pk}/resiliation/",
    ]
    posts = [
        (f"/accueil/dossiers/{draft.pk}/pieces/{item.pk}/", {"decision": "accept"}),
        (f"/accueil/dossiers/{draft.pk}/incomplet/", {"note": "x"}),
        (f"/accueil/dossiers/{draft.pk}/valider/", {}),
        (f"/accueil/dossiers/{draft.pk}/refuser/", {"reason": "x"}),
        (f"/accueil/dossiers/{draft.pk}/paiements/", {"amount": "10"}),
    ]
    for user in (reception, direction):
        client.force_login(user)
        assert all(client.get(url).status_code in {403, 404} for url in urls)
        assert [client.post(url, data).status_code for url, data in posts] == [404] * len(posts)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_free_text_and_dates_of_a_dossier_are_bounded_and_normalised(draft):
    """The probe saved U+202E, 10 000-character texts, 0001-01-01 and full-width digits."""
    from admissions.forms import ContactForm, FundingForm, IdentityForm, SituationForm

    identity = IdentityForm(
        {
            "last_name": "\u202ePayet\u200b",
            "first_name": "  Léa   Marie ",
            "birth_date": "1990-05-14",
            "birth_place": "Saint-Denis",
        },
        dossier=draft,
    )
    assert identity.is_valid(), identity.errors
    assert identity.cleaned_data["last_name"] == "Payet"
    assert identity.cleaned_data["first_name"] == "Léa Marie"

    contact = ContactForm(
        {"address": "12 rue", "postcode": "９７４２０", "city": "Le Port", "phone": "0692123456"},
        dossier=draft,
    )
    assert contact.is_valid(), contact.errors
    assert contact.cleaned_data["postcode"] == "97420"

    situation = SituationForm(
        {"situation": "job_seeker", "job_seeker_category": "1", "job_seeker_since": "0001-01-01"},
        dossier=draft,
    )
    assert not situation.is_valid()
    assert "Date invraisemblable" in str(situation.errors["job_seeker_since"])

    funding = FundingForm(
        {
            "funding": "individual",
            "declares_units_from_other_centres": "on",
            "units_from_other_centres": "x" * 10_000,
        },
        dossier=draft,
    )
    assert not funding.is_valid()
    assert "units_from_other_centres" in funding.errors


def test_two_tabs_saving_a_section_do_not_overwrite_each_other(client, draft, learner):
    """Sections were last-write-wins: both tabs' identity saved, silently."""
    client.force_login(learner)
    url = f"/dossier/{draft.pk}/rubrique/identite/"
    seen = Dossier.objects.get(pk=draft.pk).version
    values = {"first_name": "Léa", "birth_date": "1990-05-14", "birth_place": "Saint-Denis"}
    first = client.post(url, {**values, "last_name": "Payet", "version": seen})
    second = client.post(url, {**values, "last_name": "Hoarau", "version": seen})

    assert first.status_code == 302
    assert second.status_code == 400
    page = second.content.decode()
    assert "modifié entre-temps" in page and 'value="Hoarau"' in page  # nothing typed lost
    assert Dossier.objects.get(pk=draft.pk).last_name == "Payet"


def test_foad_is_for_the_ues_la_reunion_does_not_open(client, started):
    """R-FEE-1: a UE of the brochure is opened in La Réunion in 2016-2017 (the year's
    [[opening]] tables), so it is not followed in FOAD; another centre's UE is, given
    with its code, title and ECTS, at 200 € whatever the funding."""
    from catalogue.models import Centre, Programme

    for slug, data in STEP_POSTS.items():
        if slug != "formation":
            client.post(step_url(started, slug), data)
    base = {
        "programme": Programme.objects.get(code="CP29").pk,
        "centre": Centre.objects.get(code="LE-PORT").pk,
        "units": ["TET007"],
    }
    refused = client.post(step_url(started, "formation"), {**base, "foad_units": ["TET007"]})
    assert refused.status_code == 400  # TET007 is not among the FOAD choices
    for lines, message in [
        ("NFA031 ; Java ; six ; Cnam Paris", "Ligne 1 : « six » ECTS"),
        ("NFA031 ; Java ; 6 ; Paris\n\nNFA032 ; Java", "Ligne 3 : quatre éléments"),
        ("TET003 ; Méthodes ; 8 ; Cnam Paris", "TET003 est une UE de la brochure"),
        ("NFA031 ; Java ; 6 ; Paris\nnfa031 ; Java ; 6 ; Paris", "Ligne 2 : NFA031 est déjà"),
    ]:
        response = client.post(step_url(started, "formation"), {**base, "foreign_units": lines})
        assert response.status_code == 400
        assert message in response.content.decode(), lines
    assert not started.units.exists()  # nothing half-written
    saved = client.post(
        step_url(started, "formation"),
        {**base, "foreign_units": "NFA031 ; Programmation avec Java ; 6 ; Cnam Paris"},
    )
    assert saved.status_code == 302
    quote = services.dossier_quote(started)
    foad = [line for line in quote.lines if "FOAD" in line.detail]
    assert [(line.detail, line.amount) for line in foad] == [("NFA031 — FOAD", Decimal("200.00"))]
    assert client.get(reverse("catalogue:unit", args=["NFA031"])).status_code == 404
    # The section shows the line again, to be corrected.
    page = client.get(step_url(started, "formation")).content.decode()
    assert "NFA031 ; Programmation avec Java ; 6 ; Cnam Paris" in page


def test_the_queue_is_paginated_and_keeps_its_filters(client, reception, year, django_user_model):
    """Issue 19, item 4: the reception's queue shows 100 dossiers a page, never a silent
    cut; the page links keep the filters."""
    from admissions.views import QUEUE_PAGE

    people = django_user_model.objects.bulk_create(
        [django_user_model(email=f"n{i}@example.re") for i in range(QUEUE_PAGE + 5)]
    )
    Dossier.objects.bulk_create(
        [
            Dossier(learner=who, year=year, status=Dossier.Status.DEPOSITED, last_name=f"N{i:03d}")
            for i, who in enumerate(people)
        ]
    )
    client.force_login(reception)
    first = client.get(reverse("admissions:queue"), {"status": "deposited"}).content.decode()
    assert f"{QUEUE_PAGE + 5} dossiers — page 1 sur 2" in first
    assert "?status=deposited&amp;page=2" in first
    second = client.get(reverse("admissions:queue"), {"status": "deposited", "page": "2"})
    assert second.content.decode().count("N1") == 5  # N100…N104
    assert client.get(reverse("admissions:queue"), {"page": "x"}).status_code == 200


def test_the_space_costs_the_same_whatever_the_learners_history(
    client, learner, year, reception, django_assert_max_num_queries
):
    """Issue 19, item 4: /espace/ read each dossier's cancellation apart (an N+1 a single
    dossier never showed); three withdrawn dossiers cost what one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from admissions.models import Cancellation

    def withdrawn():
        dossier = Dossier.objects.create(learner=learner, year=year, status="withdrawn")
        Cancellation.objects.create(
            dossier=dossier,
            kind=Cancellation.Kind.choices[0][0],
            requested_on=year.first_day,
            contract_value=0,
            paid=0,
            owed=0,
            refund=0,
            recorded_by=reception,
        )

    client.force_login(learner)
    withdrawn()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("admissions:space"))
    withdrawn()
    withdrawn()
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("admissions:space")).content.decode()
    assert page.count("remboursement") == 3
