from pathlib import Path

import pytest

from projects.files import read_projects
from projects.services import import_projects

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "fixtures" / "seed" / "2025-鄂州市数据局.txt"
SEED_JSON = ROOT / "fixtures" / "seed-2025.json"
SEED_DEPARTMENT = "鄂州市数据局"


def import_file(path, department=None):
    """Import a file through the same path as the command and the upload screen."""
    path = Path(path)
    return import_projects(read_projects(path.name, path.read_bytes()).projects, department=department)


@pytest.fixture
def seed(db):
    """The ten 2025 sheets of 鄂州市数据局, imported from the copied text."""
    return import_file(SEED_TEXT, SEED_DEPARTMENT).projects
