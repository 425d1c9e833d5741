"""The package as pip builds it: every shipped folder declared, every data file shipped and findable."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from setuptools.config.setupcfg import read_configuration

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"


@pytest.fixture
def options(monkeypatch):
    # read_configuration resolves find_namespace: from the working directory.
    monkeypatch.chdir(ROOT)
    return read_configuration(ROOT / "setup.cfg")["options"]


def _files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]


def test_every_folder_that_holds_a_file_is_a_declared_package(options):
    """A folder Python can import but setuptools was not told about makes a 'would be ignored' warning."""
    packages = set(options["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in _files()}
    assert folders - packages == set()


def test_every_data_file_is_shipped(options):
    shipped = {p for pattern in options["package_data"]["tracker"] for p in PACKAGE.glob(pattern) if p.is_file()}
    data_files = {p for p in _files() if p.suffix != ".py"}
    assert sorted(str(p.relative_to(PACKAGE)) for p in data_files - shipped) == []


@pytest.mark.parametrize(
    "path",
    [
        "seed/south_of_england.json",
        "data/south_england_outline.geojson",
        "data/south_england_outline.SOURCE.md",
        "static/app.css",
        "static/app.js",
        "static/map.js",
        "static/vendor/nhsuk-frontend/nhsuk-frontend.min.css",
        "static/vendor/nhsuk-frontend/nhsuk-frontend.min.js",
        "static/vendor/nhsuk-frontend/assets/images/nhsuk-icon-search.svg",
        "static/vendor/cytoscape/cytoscape.esm.min.js",
    ],
)
def test_the_installed_package_finds_its_files(path):
    assert resources.files("tracker").joinpath(path).is_file()
