"""Run every notebook top to bottom with nbdev's own runner, one pytest case per notebook.

Each notebook runs from a copy in an empty temporary folder, as it would on Colab or on a learner's machine, so a
notebook that reads files of the repository at run time fails here. The outputs of the run are then compared, cell by
cell, with the outputs committed in nbs/: the same kinds (text, table, image, error) in the same order, so committed
outputs cannot go stale. `COLLAB_COURSE_SAVE_OUTPUTS=1 pytest tests/test_notebooks.py` writes a successful run's
outputs back into nbs/ instead (then run nbdev-clean)."""
import json, os, shutil, warnings
from pathlib import Path

import pytest
import torch
from nbdev.config import get_config
import nbdev.test  # not `from ... import test_nb`: pytest would collect it as a test
import fastprogress.fastprogress as fastprogress
import fastai.callback.progress as fastai_progress

cfg = get_config(Path(__file__).parent)
NOTEBOOKS = sorted(cfg.nbs_path.glob('[0-9]*.ipynb'))
SAVE = os.environ.get('COLLAB_COURSE_SAVE_OUTPUTS') == '1'


def _is_style(out):
    "fastprogress's CSS for its progress bars: shown once per process, so whether a cell carries it depends on run order."
    html = ''.join(out.get('data', {}).get('text/html', '')).strip() if out['output_type'] == 'display_data' else ''
    return html.startswith('<style') and html.endswith('</style>')


def output_kinds(cell):
    "The kinds of a code cell's outputs in order, each run of one kind counted once: text, table, image or error."
    kinds = []
    for out in last_progress_only(cell.get('outputs', [])):  # a run's redraws and CSS depend on timing and run order
        data = out.get('data', {})
        if out['output_type'] == 'error' or 'Traceback (most recent call last)' in ''.join(out.get('text', '')): kind = 'error'
        elif any(k.startswith('image/') for k in data): kind = 'image'
        elif '<table' in ''.join(data.get('text/html', '')): kind = 'table'
        else: kind = 'text'
        if not kinds or kinds[-1] != kind: kinds.append(kind)
    return kinds


def _is_progress(out):
    html = ''.join(out.get('data', {}).get('text/html', '')) if out['output_type'] == 'display_data' else ''
    return 'class="fastprogress"' in html or '<progress ' in html


def last_progress_only(outputs):
    "fastai redraws its progress table in place in Jupyter; a captured run keeps every redraw: keep the last of each run."
    return [o for i, o in enumerate(outputs) if not _is_style(o)
            and not (_is_progress(o) and i + 1 < len(outputs) and _is_progress(outputs[i + 1]))]


@pytest.fixture
def jupyter_progress():
    "fastai's progress bars and loss tables as Jupyter shows them (HTML), not as a terminal does, for this test only."
    saved = fastai_progress.master_bar, fastai_progress.progress_bar
    fastai_progress.master_bar, fastai_progress.progress_bar = fastprogress.NBMasterBar, fastprogress.NBProgressBar
    yield
    fastai_progress.master_bar, fastai_progress.progress_bar = saved


def code_cells(path):
    return [c for c in json.loads(Path(path).read_text(encoding='utf-8'))['cells'] if c['cell_type'] == 'code']


def test_found_every_notebook():
    "The glob above must see every notebook file in nbs/, so none is silently left untested."
    every = sorted(cfg.nbs_path.glob('*.ipynb'))
    assert every, f"no notebooks in {cfg.nbs_path}"
    assert NOTEBOOKS == every, f"notebooks not named NN_name.ipynb, so not run: {sorted(set(every) - set(NOTEBOOKS))}"


def test_output_kinds_reads_each_kind():
    cell = {'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': ['a\n']},
                        {'output_type': 'stream', 'name': 'stdout', 'text': ['b\n']},
                        {'output_type': 'display_data', 'data': {'text/html': ['<table><tr></tr></table>'], 'text/plain': ['x']}},
                        {'output_type': 'display_data', 'data': {'text/html': ['<style>progress {}</style>']}},
                        {'output_type': 'display_data', 'data': {'image/png': 'iVBOR', 'text/plain': ['<Figure>']}},
                        {'output_type': 'error', 'ename': 'ValueError', 'evalue': 'x', 'traceback': []}]}
    assert output_kinds(cell) == ['text', 'table', 'image', 'error']


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_committed_outputs_show_no_traceback(nb):
    bad = [i for i, c in enumerate(code_cells(nb)) if 'error' in output_kinds(c)]
    assert not bad, f"{nb.name}: committed code cells {bad} show an error; run the notebook again and commit it"


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook(nb, tmp_path, monkeypatch, jupyter_progress):
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    copy = tmp_path/nb.name
    shutil.copy(nb, copy)
    monkeypatch.chdir(tmp_path)
    threads = torch.get_num_threads()
    # the notebook runs in this process: keep its warning filters and thread count from reaching later tests
    with warnings.catch_warnings():
        try: ok, seconds = nbdev.test.test_nb(copy, skip_flags=skip_flags, profile=False, cell_timeout=cfg.cell_timeout, save=True)
        finally: torch.set_num_threads(threads)
    print(f"{nb.name}: {seconds:.0f} s")
    assert ok, f"{nb.name} failed (its traceback is printed above)"
    fresh, committed = code_cells(copy), code_cells(nb)
    assert [c.get('id') for c in fresh] == [c.get('id') for c in committed], f"{nb.name}: the run changed the cells"
    if SAVE:
        original = json.loads(nb.read_text(encoding='utf-8'))
        by_id = {c['id']: c.get('outputs', []) for c in fresh}
        for c in original['cells']:
            if c['cell_type'] == 'code': c['outputs'] = last_progress_only(by_id[c['id']])
        tmp = nb.with_suffix('.ipynb.tmp')  # never a half-written notebook in nbs/
        tmp.write_text(json.dumps(original, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
        tmp.replace(nb)
        return
    stale = [(i, output_kinds(c), output_kinds(f)) for i, (c, f) in enumerate(zip(committed, fresh))
             if output_kinds(c) != output_kinds(f)]
    assert not stale, (f"{nb.name}: committed outputs differ from a fresh run in code cells "
                       f"(index, committed kinds, fresh kinds) {stale[:5]}; run with COLLAB_COURSE_SAVE_OUTPUTS=1 to refresh them")
