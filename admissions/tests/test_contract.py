"""The training contract (R-ORG-3): every mention L6353-4 requires, in the PDF of the
dossier; accepted online with the deposit, its SHA-256, version, who and when kept; a
changed dossier asks for a new acceptance; an employer-funded dossier gets the
convention (D6353-1); another learner is refused."""

from __future__ import annotations

import pytest

from admissions import contract, services
from admissions.forms import STEP_TITLES
from admissions.models import ContractAcceptance, Dossier
from admissions.tests.conftest import upload_all
from assessment.tests.test_views import pdf_text


def _text(client, dossier) -> str:
    response = client.get(f"/dossier/{dossier.pk}/contrat.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return " ".join(pdf_text(response.content).split())


def test_the_contract_lists_every_mention_of_l6353_4(client, draft, learner):
    client.force_login(learner)
    text = _text(client, draft)
    for mention in (
        "Contrat de formation professionnelle",
        "L. 6353-3 à L. 6353-7",
        "1. Nature, objet, durée et effectif de l'action",  # L6353-4 1°
        "Action de formation",
        "AST004",
        "Durée :",
        "Effectif",
        "2. Niveau de connaissances préalables requis",  # 2°
        "3. Conditions de déroulement, moyens pédagogiques et techniques",  # 3°
        "4. Modalités de contrôle des connaissances et sanction",  # 4°
        "5. Personnes chargées de la formation",  # 5°
        "professionnels en activité agréés",
        "6. Prix et modalités de paiement",  # 6°, and the price (L6353-3)
        "Prix total",
        "Aucune somme ne peut être exigée du stagiaire avant l'expiration du délai",
        "30 %",  # L6353-6: at most 30 % after the withdrawal period
        "7. Rétractation, abandon et cessation anticipée",  # L6353-5, 6353-7
        "dans les 10 jours",
        "force majeure",
        "le directeur du centre régional",
    ):
        assert mention in text, mention


def test_the_deposit_keeps_the_acceptance_and_a_changed_dossier_asks_again(client, draft, learner):
    upload_all(draft, learner)
    read = contract.digest(draft)
    with pytest.raises(services.DossierError, match="cochez « J'accepte »"):
        services.deposit(draft, STEP_TITLES)
    services.save_step(draft, "coordonnees", {**_contact(draft), "city": "Saint-Paul"})
    with pytest.raises(services.DossierError, match="Le contrat a changé"):
        services.deposit(draft, STEP_TITLES, read, learner)
    assert not ContractAcceptance.objects.exists()

    client.force_login(learner)
    page = client.get(f"/dossier/{draft.pk}/").content.decode()
    assert "J'ai lu le contrat de formation professionnelle et je l'accepte" in page
    client.post(f"/dossier/{draft.pk}/deposer/", {"contract": contract.digest(draft)})
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.DRAFT  # not ticked: not deposited
    shown = contract.digest(draft)
    client.post(f"/dossier/{draft.pk}/deposer/", {"contract": shown, "accept": "1"})
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.DEPOSITED
    acceptance = ContractAcceptance.objects.get()
    assert acceptance.sha256 == shown != read  # the text accepted, not the first one read
    assert (acceptance.kind, acceptance.version, acceptance.accepted_by) == (
        "contrat",
        "2016-2017.1",
        learner,
    )
    assert "Accepté en ligne le" in _text(client, draft)


def _contact(dossier):
    return {
        "address": dossier.address,
        "postcode": dossier.postcode,
        "city": dossier.city,
        "phone": dossier.phone,
    }


def test_an_employer_funded_dossier_gets_the_convention(client, learner, year):
    from admissions.tests.conftest import fill

    dossier = fill(
        services.start_dossier(learner, year),
        funding="employer",
        employer_funder="OPCO Atlas",
        employer_share_percent=100,
    )
    client.force_login(learner)
    text = _text(client, dossier)
    assert "Convention de formation professionnelle" in text and "OPCO Atlas" in text
    assert "D. 6353-1" in text


def test_another_learner_cannot_read_the_contract(client, draft, other_learner):
    client.force_login(other_learner)
    assert client.get(f"/dossier/{draft.pk}/contrat.pdf").status_code == 404
