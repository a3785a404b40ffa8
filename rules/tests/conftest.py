"""Shared fixtures: the repository's data folder and its catalogue, loaded once."""

from pathlib import Path

import pytest

from rules.catalogue import Catalogue, load_catalogue

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
CASES = REPO / "rules" / "cases"
FIXTURES = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def data_catalogue() -> Catalogue:
    return load_catalogue(DATA)


@pytest.fixture(scope="session")
def year_2016(data_catalogue):
    return data_catalogue.year("2016-2017")
