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
