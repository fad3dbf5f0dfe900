"How the suite itself runs (tests/conftest.py): one CPU thread in every process, and the table that orders the work."
import json, subprocess, sys
from pathlib import Path

import torch

from conftest import DURATIONS, schedule_group

NBS = Path(__file__).parents[1] / 'nbs'


def test_this_process_trains_with_one_thread():
    assert torch.get_num_threads() == 1, torch.get_num_threads()


def test_a_subprocess_starts_with_one_thread():
    "Every process a test starts inherits OMP_NUM_THREADS=1, so PyTorch starts there with one thread too."
    res = subprocess.run([sys.executable, '-c', 'import torch; print(torch.get_num_threads())'], capture_output=True, text=True)
    assert res.stdout.strip() == '1', (res.stdout, res.stderr)


def test_schedule_groups():
    assert schedule_group('tests/test_notebooks.py::test_notebook[03_bias]') == 'tests/test_notebooks.py::test_notebook[03_bias]'
    assert schedule_group('tests/test_notebooks.py::test_found_every_notebook') == 'tests/test_notebooks.py'
    assert schedule_group('tests/test_cli.py::test_unknown_user') == 'tests/test_cli.py'


def test_durations_table_times_every_notebook_and_nothing_stale():
    "Each notebook has measured seconds (else it would be scheduled as a 1 s test), and no entry names a removed test."
    table = json.loads(DURATIONS.read_text(encoding='utf-8'))
    notebooks = {f'tests/test_notebooks.py::test_notebook[{p.stem}]' for p in NBS.glob('[0-9]*.ipynb')}
    files = {f'tests/{p.name}' for p in Path(__file__).parent.glob('test_*.py')}
    missing, stale = sorted(notebooks - set(table)), sorted(set(table) - notebooks - files)
    assert not missing and not stale, (f"tests/durations.json lacks {missing} and names {stale}, which no longer exist: "
                                       "run `python bench/ci_times.py --update`")
