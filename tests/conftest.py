"""Settings shared by the whole suite. No warning filters here: a warning a test provokes is reported, and a test that
expects a warning catches it itself (`pytest.warns` or `warnings.catch_warnings`).

How the suite runs on two cores:

- **One CPU thread everywhere.** This process trains with one PyTorch thread, the setting `setup_course()` makes, and
  every process a test starts inherits `OMP_NUM_THREADS=1`, so PyTorch starts there with one thread too. With one
  thread per core, two workers (or a worker and a subprocess) do not slow each other down several times over.
- **Longest first.** `tests/durations.json` holds the seconds each group of tests took in a measured run (a notebook is
  a group of its own; any other test file is one group, kept together so that its module-scoped fixtures are built
  once per worker). Groups run longest first, and pytest-xdist hands out one test at a time (`maxschedchunk` 1), so
  a worker that finishes early takes the next test instead of idling while the other runs the slow notebooks.
  `bench/ci_times.py` measures a run and rewrites the table.
- `--durations-json FILE` writes every test's seconds (set-up, call and tear-down) to FILE at the end of a run."""
import json, os, shutil
from pathlib import Path

os.environ['OMP_NUM_THREADS'] = '1'  # before torch is imported here, and inherited by every subprocess of a test

import numpy as np
import pandas as pd
import pytest
from collab_course.runtime import set_threads

set_threads(1)
DURATIONS = Path(__file__).with_name('durations.json')


def schedule_group(nodeid):
    "The scheduling group of a test: the notebook for a notebook's run, otherwise the test file."
    path, _, name = nodeid.partition('::')
    return nodeid if name.startswith('test_notebook[') else path


def pytest_addoption(parser):
    parser.addoption('--durations-json', metavar='FILE', default=None,
                     help="write each test's seconds (set-up + call + tear-down) to FILE as JSON at the end of the run")


def pytest_configure(config):
    if getattr(config.option, 'maxschedchunk', 'absent') is None: config.option.maxschedchunk = 1  # pytest-xdist's


def pytest_collection_modifyitems(config, items):
    "Run the groups longest first (seconds from `tests/durations.json`; a group not in it counts as 1 s)."
    seconds = json.loads(DURATIONS.read_text(encoding='utf-8')) if DURATIONS.exists() else {}
    first_seen = {}
    for i, item in enumerate(items): first_seen.setdefault(schedule_group(item.nodeid), i)
    # sorted() is stable: within a group the tests keep pytest's order, so a file's fixtures are built once per worker
    items[:] = sorted(items, key=lambda it: (-seconds.get(schedule_group(it.nodeid), 1.0), first_seen[schedule_group(it.nodeid)]))
    workers = getattr(config, 'workerinput', {}).get('workercount', 1)
    if workers > 1 and len(items) > 2 * workers:
        # xdist's first hand-out gives each worker two consecutive tests: worker k gets tests 2k and 2k+1. Pair the
        # longest with the shortest of the first 2 x workers (as longest-first scheduling would), not the two longest.
        n = 2 * workers
        items[:n] = [items[j] for k in range(workers) for j in (k, n - 1 - k)]


_seconds = {}  # test id -> seconds, filled by the process that receives every report (xdist's controller, or the only one)

def pytest_runtest_logreport(report): _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    out = session.config.getoption('durations_json')
    if out and not hasattr(session.config, 'workerinput'):  # a worker sees only its own tests
        Path(out).write_text(json.dumps({k: round(v, 2) for k, v in sorted(_seconds.items())}, indent=1) + '\n')


@pytest.fixture(scope='session', autouse=True)
def _leave_no_temporary_files(tmp_path_factory):
    "Remove this run's `tmp_path` folders when the run ends: pytest would otherwise keep them under the system's /tmp."
    yield
    base = tmp_path_factory.getbasetemp()
    shutil.rmtree(base, ignore_errors=True)
    current = base.parent / 'pytest-current'  # pytest's link to the latest run, which would now point nowhere
    if current.is_symlink() and not current.exists(): current.unlink()


def _ratings(n, seed):
    "`n` synthetic ratings of users 1-20 on movies 1-30, with a pattern a factor model can learn."
    rng = np.random.default_rng(seed)
    users, movies = rng.integers(1, 21, n), rng.integers(1, 31, n)
    stars = np.clip(np.rint(3 + (users < 10) - (movies % 3 == 0) + rng.normal(0, 0.5, n)), 1, 5).astype(int)
    return pd.DataFrame({'user': users, 'movie': movies, 'rating': stars, 'timestamp': rng.integers(8e8, 9e8, n)})


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    "A folder with a tiny u1.base (400 ratings) and u1.test (100 ratings, one of them of a movie absent from base)."
    path = tmp_path_factory.mktemp('ml')
    base, test = _ratings(400, 0), _ratings(100, 1)
    base = base[base['movie'] != 30]
    test.loc[0, 'movie'] = 30
    base.to_csv(path/'u1.base', sep='\t', header=False, index=False)
    test.to_csv(path/'u1.test', sep='\t', header=False, index=False)
    return path


@pytest.fixture(scope='module')
def title_ratings():
    "600 ratings of 40 titles by 30 users: a generous half of the users and a disliked third of the titles, plus noise."
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 30, 600), rng.integers(0, 40, 600)
    stars = np.clip(np.rint(3 + (users < 15) - (items % 3 == 0) + rng.normal(0, 0.5, 600)), 1, 5)
    return pd.DataFrame({'user': users, 'title': [f'movie {i}' for i in items], 'rating': stars.astype(float)})


@pytest.fixture(scope='module')
def title_learner(title_ratings):
    "A `DotProductBias` with 4 factors trained for 5 epochs on `title_ratings`: enough to have learned its pattern."
    from collab_course.loaders import collab_dls
    from collab_course.training import fit_learner, make_model
    dls = collab_dls(title_ratings, item_name='title', bs=16, seed=42)
    return fit_learner(dls, lambda d: make_model('dotbias', d, n_factors=4), 5, 3e-2, wd=0.1, seed=42, quiet=True)
