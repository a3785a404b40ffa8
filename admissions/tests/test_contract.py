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


def _pkcs12(folder, passphrase: bytes) -> tuple[str, object]:
    """A self-signed certificate of the centre and its key, as a .p12 file."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Direction Cnam La Réunion")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # valid whatever the day
        .not_valid_after(dt.datetime(2099, 12, 31, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / "centre.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"centre", key, certificate, None, serialization.BestAvailableEncryption(passphrase)
        )
    )
    return str(path), certificate


def test_the_centres_copy_is_signed_pades_once_accepted(client, draft, learner, settings, tmp_path):
    """R-ORG-3: with a certificate configured, the accepted contract is signed by the
    centre (PAdES, pyHanko); before acceptance, and without a certificate, it is not."""
    import io

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from parcours import pades

    path, certificate = _pkcs12(tmp_path, b"secret")
    settings.PARCOURS_PADES_PKCS12, settings.PARCOURS_PADES_PASSPHRASE = path, "secret"
    client.force_login(learner)
    unsigned = client.get(f"/dossier/{draft.pk}/contrat.pdf").content
    assert PdfFileReader(io.BytesIO(unsigned)).embedded_signatures == []  # not accepted yet

    upload_all(draft, learner)
    client.post(
        f"/dossier/{draft.pk}/deposer/", {"contract": contract.digest(draft), "accept": "1"}
    )
    signed = client.get(f"/dossier/{draft.pk}/contrat.pdf").content
    (signature,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    trusted = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[trusted]))
    assert status.intact and status.valid and status.coverage.name == "ENTIRE_FILE"
    assert "Signé électroniquement par Direction Cnam La Réunion" in " ".join(
        pdf_text(signed).split()
    )

    # a certificate that cannot be read is a system check's error, not a learner's 500
    settings.PARCOURS_PADES_PASSPHRASE = "wrong"
    pades._signer.cache_clear()
    assert [e.id for e in pades.certificate_readable()] == ["parcours.E010"]
    settings.PARCOURS_PADES_PKCS12 = ""
    assert pades.certificate_readable() == []
    assert (
        PdfFileReader(
            io.BytesIO(client.get(f"/dossier/{draft.pk}/contrat.pdf").content)
        ).embedded_signatures
        == []
    )
