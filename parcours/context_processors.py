from django.conf import settings


def site(request):
    """What every page's frame needs: the site title and the CSP nonce for scripts."""
    return {
        "site_title": settings.SITE_TITLE,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
