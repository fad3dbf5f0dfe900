"""Settings shared by the whole suite. No warning filters here: a warning a test provokes is reported, and a test that
expects a warning catches it itself (`pytest.warns` or `warnings.catch_warnings`)."""
import shutil

import pytest


@pytest.fixture(scope='session', autouse=True)
def _leave_no_temporary_files(tmp_path_factory):
    "Remove this run's `tmp_path` folders when the run ends: pytest would otherwise keep them under the system's /tmp."
    yield
    base = tmp_path_factory.getbasetemp()
    shutil.rmtree(base, ignore_errors=True)
    current = base.parent / 'pytest-current'  # pytest's link to the latest run, which would now point nowhere
    if current.is_symlink() and not current.exists(): current.unlink()
