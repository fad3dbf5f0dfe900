"""Run every notebook top to bottom with nbdev's own runner, one pytest case per notebook.

Each notebook runs from a copy in an empty temporary folder, as it would on Colab or on a learner's machine, so a
notebook that reads files of the repository at run time fails here."""
import shutil, warnings
from pathlib import Path

import pytest
import torch
from nbdev.config import get_config
import nbdev.test  # not `from ... import test_nb`: pytest would collect it as a test

cfg = get_config(Path(__file__).parent)
NOTEBOOKS = sorted(cfg.nbs_path.glob('[0-9]*.ipynb'))


def test_found_every_notebook():
    "The glob above must see every notebook file in nbs/, so none is silently left untested."
    every = sorted(p for p in cfg.nbs_path.glob('*.ipynb'))
    assert every, f"no notebooks in {cfg.nbs_path}"
    assert NOTEBOOKS == every, f"notebooks not named NN_name.ipynb, so not run: {sorted(set(every) - set(NOTEBOOKS))}"


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook(nb, tmp_path, monkeypatch):
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    copy = tmp_path/nb.name
    shutil.copy(nb, copy)
    monkeypatch.chdir(tmp_path)
    threads = torch.get_num_threads()
    # the notebook runs in this process: keep its warning filters and thread count from reaching later tests
    with warnings.catch_warnings():
        try: ok, seconds = nbdev.test.test_nb(copy, skip_flags=skip_flags, profile=False, cell_timeout=cfg.cell_timeout)
        finally: torch.set_num_threads(threads)
    print(f"{nb.name}: {seconds:.0f} s")
    assert ok, f"{nb.name} failed (its traceback is printed above)"


