"""Helpers of the browser journeys (Playwright on Debian's Chromium)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
TEST_PASSWORD = "motdepasse-solide-42"  # the password of admissions.tests.conftest.make_user


def screenshots(folder: str):
    """A `shot(page, name)` saving full-page screenshots to artifacts/screenshots/<folder>/."""
    target = SCREENSHOTS / folder
    target.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> None:
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return shot


def sign_in(page, site: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{site}/compte/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def pdf_links(pdf: bytes) -> list[str]:
    """The addresses of a PDF's link annotations (WeasyPrint writes them inside
    compressed object streams): what a reader opens when it follows a link."""
    import re
    import zlib

    found = re.findall(rb"/URI \(([^)]*)\)", pdf)
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += re.findall(rb"/URI \(([^)]*)\)", zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return [link.decode("latin-1") for link in found]
