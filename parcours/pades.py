"""The centre's electronic signature of a PDF (PAdES baseline B, pyHanko), where a
certificate is configured: PARCOURS_PADES_PKCS12 (a .p12/.pfx file: the certificate
and its key) and PARCOURS_PADES_PASSPHRASE. Without one, documents are served unsigned
and the signature block stays for a handwritten one (R-ORG-3: the contract's centre copy).

A configured certificate that cannot be read stops the site at start-up (a system check),
not at a learner's request.
"""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings
from django.core import checks


def configured() -> bool:
    return bool(settings.PARCOURS_PADES_PKCS12)


@lru_cache(maxsize=2)
def _signer(path: str, passphrase: str):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=path, passphrase=passphrase.encode() if passphrase else None
    )
    if signer is None:
        raise ValueError(f"certificat illisible ou phrase secrète fausse : {path}")
    return signer


def signer():
    return _signer(settings.PARCOURS_PADES_PKCS12, settings.PARCOURS_PADES_PASSPHRASE)


def signer_name() -> str:
    """Who signs, as the certificate names them (its subject's common name)."""
    return signer().signing_cert.subject.native.get("common_name", "")


def sign(pdf: bytes, reason: str, field_name: str = "SignatureCentre") -> bytes:
    """The PDF with the centre's PAdES signature appended (an incremental update: the
    document's bytes are unchanged); the PDF itself when no certificate is configured."""
    if not configured():
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location="La Réunion",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return signers.sign_pdf(writer, metadata, signer=signer()).getvalue()


@checks.register(checks.Tags.security)
def certificate_readable(app_configs=None, **kwargs):
    if not configured():
        return []
    try:
        signer()
    except (OSError, ValueError) as error:
        return [
            checks.Error(
                f"PARCOURS_PADES_PKCS12 : le certificat de signature ne peut être lu ({error}).",
                id="parcours.E010",
            )
        ]
    return []
