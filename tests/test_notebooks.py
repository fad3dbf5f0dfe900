"Run every notebook in nbs/ top to bottom with nbdev's own runner: one pytest case per notebook."
from pathlib import Path

import pytest
from nbdev.config import get_config
import nbdev.test  # not `from ... import test_nb`: pytest would collect it as a test

cfg = get_config(Path(__file__).parent)
NOTEBOOKS = sorted(cfg.nbs_path.glob('[0-9]*.ipynb'))


def test_found_notebooks():
    assert len(NOTEBOOKS) >= 2, f"no notebooks found in {cfg.nbs_path}"


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook(nb):
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    ok, seconds = nbdev.test.test_nb(nb, skip_flags=skip_flags, basepath=cfg.config_path, cell_timeout=cfg.cell_timeout)
    print(f"{nb.name}: {seconds:.0f} s")
    assert ok, f"{nb.name} failed (its traceback is printed above)"
