"""PDF documents (quote, registration certificate…) from HTML templates, with WeasyPrint.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); it
is imported when a PDF is made, so the rest of the site runs without it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    """The letterhead names a centre: the one the document concerns, else the regional
    centre (issue 14, item 7: a document without one printed a lone comma)."""
    import weasyprint

    from catalogue.models import Centre

    if not context.get("centre"):
        context = {**context, "centre": Centre.objects.regional()}
    html = render_to_string(template, context)
    # base_url lets the template name static files by path; nothing is fetched remotely.
    # PDF/UA: tagged (headings, tables, reading order), with its language and title, so
    # that a screen reader reads the document (the accessibility statement says so).
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def pdf_response(template: str, context: dict, filename: str) -> HttpResponse:
    return pdf_bytes_response(render_pdf(template, context), filename)


def pdf_bytes_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def render_pdf_batch(template: str, contexts: list[dict]) -> bytes:
    """One PDF of several documents (the PVs of a whole session…), each starting on its
    own page, rendered with the same letterhead rule as `render_pdf`."""
    import weasyprint

    from catalogue.models import Centre

    if not contexts:
        raise ValueError("Aucun document à assembler.")
    regional = Centre.objects.regional()
    documents = [
        weasyprint.HTML(
            string=render_to_string(
                template, {**context, "centre": context.get("centre") or regional}
            ),
            base_url=str(settings.BASE_DIR),
        ).render()
        for context in contexts
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(pdf_variant="pdf/ua-1")
