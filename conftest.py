"""Fixtures shared by every app's tests."""

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
def private_media(tmp_path, settings) -> Path:
    """Every test stores uploaded documents in its own private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT
