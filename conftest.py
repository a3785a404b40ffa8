"""Fixtures shared by every app's tests."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the shipped data folder, to break or edit in a test."""
    target = tmp_path / "data"
    shutil.copytree(settings.PARCOURS_DATA_DIR, target)
    return target


@pytest.fixture
def catalogue(db):
    """The brochure's catalogue and year, loaded as `make run` loads them."""
    from catalogue.services import load_catalogue_folder

    return load_catalogue_folder(settings.PARCOURS_DATA_DIR)


@pytest.fixture(autouse=True)
def tasks_run_at_commit(settings):
    """Tasks (e-mails) run when the test's transaction commits; the database queue
    itself is tested in parcours/tests/test_mail.py."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings) -> Path:
    """Every test stores uploaded documents in its own private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


# --- the browser (Debian's Chromium through Playwright) ---------------------------------
# Outside CI, browser tests skip with their reason when Chromium is absent; with
# PARCOURS_REQUIRE_BROWSER=1 (as .ci/run sets it) a missing browser is a failure.

CHROMIUM = Path(os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium absent ({CHROMIUM}) : `apt-get install chromium` pour ces tests."
        if os.environ.get("PARCOURS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's own ORM calls are sync.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()
