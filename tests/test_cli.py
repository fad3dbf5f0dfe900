"""The `collab-course` command line, on a one-epoch model. The installed script itself runs in separate processes where
that is what is tested (a learner's shell, another environment); every other call runs `main` in this process, which
parses and reports exactly as the script does but saves the few seconds each new process spends importing fastai."""
import io, os, shutil, subprocess, sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
import torch

import collab_course.cli as cli_module
from collab_course.cli import main
from collab_course.data import check_movielens, get_movielens, load_ratings, movielens_path
from collab_course.loaders import collab_dls
from netblock import offline_env, local_only_env, make_ml100k_zip, serve_folder
from collab_course.yardsticks import reference_losses
from collab_course.training import load_model, save_learner

EXE = Path(sys.executable).parent / 'collab-course'


def cli_process(*args, env=None):
    "The installed script in a new process, as a learner's shell runs it."
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, env=env)


def cli(*args, env=None):
    "`collab-course args` through `main` in this process (one CPU thread, as for a small model); `env` needs a new process."
    if env is not None: return cli_process(*args, env=env)
    out, err, threads = io.StringIO(), io.StringIO(), torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with redirect_stdout(out), redirect_stderr(err): code = main([str(a) for a in args])
    finally: torch.set_num_threads(threads)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def fails_with(res, *phrases):
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert 'Traceback' not in res.stderr, res.stderr
    for p in phrases: assert p in res.stderr, res.stderr


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp('models') / 'model.pkl'
    res = cli_process('train', '--model', 'dotbias', '--epochs', 1, '--out', out)  # the script, end to end
    assert res.returncode == 0, res.stderr
    assert 'final valid MSE' in res.stdout and 'saved to' in res.stdout
    return out


def test_train_prints_the_epoch_table_and_valid_mse(model):
    assert model.is_file() and [p.name for p in model.parent.iterdir()] == ['model.pkl']


@pytest.fixture(scope='module')
def refs():
    "Valid MSE of the two models without factors (mean predictor, biases only) on the split `collab-course train` uses."
    return reference_losses(collab_dls(load_ratings(movielens_path()), item_name='title', seed=42))['valid']


@pytest.mark.parametrize('kind', ['dot', 'params', 'nn'])
def test_every_model_kind_trains_and_recommends(kind, tmp_path, refs):
    out = tmp_path / f'{kind}.pkl'
    res = cli('train', '--model', kind, '--epochs', 3, '--out', out)  # one epoch is not enough to beat biases alone
    assert res.returncode == 0, res.stderr
    mse = float(res.stdout.split('final valid MSE:')[1].split()[0])
    assert mse < refs.min() - 0.005, (f"{kind}: valid MSE {mse:.4f} is not below the models without factors "
                                      f"(mean predictor {refs['mean predictor']:.4f}, biases only {refs['biases only']:.4f})")
    res = cli('recommend', '--model', out, '--user', 196, '-n', 3)
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.strip().splitlines()) == 4


def test_recommend_lists_unrated_movies(model):
    res = cli('recommend', '--model', model, '--user', 196, '-n', 10)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()[1:]
    assert len(lines) == 10
    rated = set(load_ratings(movielens_path()).query('user == 196').title)
    titles = [l.split('. ', 1)[1].rsplit(' ', 1)[0].strip() for l in lines]
    assert not rated & set(titles)
    scores = [float(l.rsplit(' ', 1)[1]) for l in lines]
    assert scores == sorted(scores, reverse=True)
    mean_rating = load_ratings(movielens_path()).rating.mean()
    assert min(scores) > mean_rating + 0.3, (scores, mean_rating)  # the best picks are predicted well above average


def test_similar_lists_neighbours(model):
    res = cli('similar', '--model', model, 'Star Wars (1977)', '-n', 5)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 6 and 'Star Wars (1977)' not in ''.join(lines[1:])


def test_new_user_recommends_without_changing_the_model(model):
    before = model.read_bytes()
    res = cli('new-user', '--model', model, '--rate', 'Star Wars (1977)=5', '--rate', 'Titanic (1997)=2', '-n', 10)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 11 and not any('Star Wars (1977)' in l or 'Titanic (1997)' in l for l in lines[1:])
    assert model.read_bytes() == before


def test_unknown_user(model): fails_with(cli('recommend', '--model', model, '--user', 5000), '5000', 'not in the model')


def test_misspelt_title_suggests_close_matches(model):
    fails_with(cli('similar', '--model', model, 'star wars'), 'Star Wars (1977)')
    fails_with(cli('new-user', '--model', model, '--rate', 'Titanic=4'), 'Titanic (1997)')


@pytest.mark.parametrize('rating', ['6', '0', '4.5x', ''])
def test_rating_outside_1_to_5(model, rating):
    fails_with(cli('new-user', '--model', model, '--rate', f'Star Wars (1977)={rating}'), '--rate')


def test_new_user_needs_ratings(model): fails_with(cli('new-user', '--model', model), 'at least one rating')


def test_missing_truncated_and_foreign_model_files(model, tmp_path):
    fails_with(cli('recommend', '--model', tmp_path / 'none.pkl', '--user', 1), 'no model file', 'collab-course train')
    cut = tmp_path / 'cut.pkl'; cut.write_bytes(model.read_bytes()[:10_000])
    fails_with(cli('recommend', '--model', cut, '--user', 1), 'truncated')
    text = tmp_path / 'notes.pkl'; text.write_text('hello')
    fails_with(cli('similar', '--model', text, 'Star Wars (1977)'), 'not a model')
    other = tmp_path / 'tensor.pkl'; torch.save(torch.ones(3), other)
    fails_with(cli('recommend', '--model', other, '--user', 1), 'not a model')


def test_out_exists_needs_force(model):
    fails_with(cli('train', '--out', model, '--epochs', 1), 'already exists', '--force')


def test_out_unwritable(tmp_path):
    fails_with(cli('train', '--out', tmp_path / 'no' / 'such' / 'model.pkl', '--epochs', 1), 'does not exist')
    fails_with(cli('train', '--out', tmp_path, '--epochs', 1), 'is a folder')
    if os.geteuid() != 0:  # root can write anywhere
        ro = tmp_path / 'ro'; ro.mkdir(); ro.chmod(0o500)
        fails_with(cli('train', '--out', ro / 'model.pkl', '--epochs', 1), 'cannot write')


def test_no_data_and_no_network(tmp_path):
    "No URL the code uses can be reached (test_data.py shows this environment blocks a server that is reachable)."
    env = offline_env(FASTAI_HOME=str(tmp_path / 'fastai'))
    fails_with(cli('data', env=env), 'connect to the internet')
    assert list((tmp_path / 'fastai' / 'data').iterdir()) == []  # no folder, complete or not


# Run the CLI with the download pointed at a local server that stands in for files.grouplens.org
WITH_URL = "import sys, collab_course.provision as d; d.ML100K_URL = sys.argv[1]; from collab_course.cli import main; sys.exit(main(sys.argv[2:]))"


@pytest.fixture(scope='module')
def grouplens(tmp_path_factory):
    folder = tmp_path_factory.mktemp('grouplens')
    make_ml100k_zip(get_movielens(), folder / 'ml-100k.zip')
    with serve_folder(folder) as (base, hits): yield f'{base}/ml-100k.zip'


def damaged_home(tmp_path):
    "A FASTAI_HOME whose ml-100k has u.data cut at a line boundary: 25,000 of its 100,000 lines, every one valid."
    dest = tmp_path / 'fastai' / 'data' / 'ml-100k'
    shutil.copytree(get_movielens(), dest)
    lines = (dest / 'u.data').read_text().splitlines(keepends=True)
    (dest / 'u.data').write_text(''.join(lines[:25_000]))
    return tmp_path / 'fastai', dest


def test_data_replaces_a_folder_cut_at_a_line_boundary(tmp_path, grouplens):
    home, dest = damaged_home(tmp_path)
    res = subprocess.run([sys.executable, '-c', WITH_URL, grouplens, 'data'], capture_output=True, text=True,
                         env=local_only_env(FASTAI_HOME=str(home)))
    assert res.returncode == 0, res.stderr
    assert '100,000 ratings from 943 users on 1,682 movies' in res.stdout
    assert f"MovieLens-100k in {dest} is damaged (u.data has 491,172 bytes instead of 1,979,173); fetching a new copy." \
        in res.stderr.splitlines()
    assert check_movielens(dest) == [] and [p.name for p in dest.parent.iterdir()] == ['ml-100k']


def test_train_refuses_a_damaged_folder_it_cannot_replace(tmp_path):
    home, dest = damaged_home(tmp_path)
    before = (dest / 'u.data').read_bytes()
    out = tmp_path / 'model.pkl'
    res = cli('train', '--epochs', 1, '--out', out, env=offline_env(FASTAI_HOME=str(home)))
    fails_with(res, 'is damaged (u.data has 491,172 bytes instead of 1,979,173)', 'connect to the internet')
    assert 'final valid MSE' not in res.stdout and not out.exists()  # nothing was trained on the partial file
    assert (dest / 'u.data').read_bytes() == before and [p.name for p in dest.parent.iterdir()] == ['ml-100k']


@pytest.mark.parametrize('command', ['recommend', 'similar', 'new-user'])
def test_help_says_model_files_are_pickles(command, capsys):
    with pytest.raises(SystemExit) as e: main([command, '--help'])  # in this process: argparse prints, then exits
    assert e.value.code == 0
    help_text = ' '.join(capsys.readouterr().out.split())  # argparse wraps lines at the terminal's width
    assert f'usage: collab-course {command}' in help_text
    assert 'a pickle, which can run code when loaded: load only model files you made yourself' in help_text, help_text


def test_unknown_command_and_help():
    res = cli('serve')
    assert res.returncode == 2 and "unknown command 'serve'" in res.stderr, (res.returncode, res.stderr)
    res = cli('--help')
    assert res.returncode == 0 and all(c in res.stdout for c in ('train', 'recommend', 'similar', 'new-user')), res.stdout


@pytest.mark.parametrize('args, expected', [((), 1), (('--threads', 2), 2)])
def test_train_uses_one_thread_unless_told(monkeypatch, tmp_path, args, expected):
    "A CLI training runs on one PyTorch thread, as the notebooks do after `setup_course()`, unless --threads says otherwise."
    seen = []
    def spy(*a, **kw):
        seen.append(torch.get_num_threads())
        raise RuntimeError('stop here: only the thread count is tested')
    monkeypatch.setattr(cli_module, 'train_model', spy)
    threads = torch.get_num_threads()
    torch.set_num_threads(3)  # as if PyTorch had its default of one thread per core
    try:
        with pytest.raises(RuntimeError, match='stop here'): main(['train', '--out', str(tmp_path / 'm.pkl'), *map(str, args)])
    finally: torch.set_num_threads(threads)
    assert seen == [expected], seen


def test_train_rejects_a_bad_thread_count(tmp_path):
    fails_with(cli('train', '--threads', 0, '--out', tmp_path / 'm.pkl'), 'threads must be a whole number of at least 1')


@pytest.mark.parametrize('args', [('train', '--epochs', 0), ('train', '--factors', -1), ('recommend', '--user', 1, '-n', 0),
                                  ('similar', 'Star Wars (1977)', '-n', 0)])
def test_counts_below_one_are_refused(args, tmp_path):
    fails_with(cli(*args, '--model' if args[0] != 'train' else '--out', tmp_path / 'm.pkl'), 'must be a whole number of at least 1')


def test_save_then_load_gives_identical_predictions(model, tmp_path):
    learn = load_model(model)
    again = load_model(save_learner(learn, tmp_path / 'copy.pkl'))
    x = torch.tensor([[1, 1], [5, 100], [900, 1500]])
    learn.model.eval(); again.model.eval()
    assert torch.equal(learn.model(x), again.model(x))


def test_an_interrupted_save_leaves_no_file(model, tmp_path):
    learn = load_model(model)
    def write_half_then_fail(obj, f, *args, **kwargs):
        Path(f).write_bytes(b'half a model')
        raise KeyboardInterrupt
    with mock.patch('torch.save', write_half_then_fail), pytest.raises(KeyboardInterrupt):
        save_learner(learn, tmp_path / 'model.pkl')
    assert list(tmp_path.iterdir()) == []


def test_a_bug_keeps_its_traceback(model, monkeypatch):
    "Only the course's own errors become one-line messages: a TypeError from a bug reaches the caller."
    def buggy(*args, **kwargs): return None + 1
    monkeypatch.setattr(cli_module, 'most_similar', buggy)
    with pytest.raises(TypeError, match='NoneType'): main(['similar', '--model', str(model), 'Star Wars (1977)'])


def test_a_neural_model_is_refused_with_a_message(tmp_path):
    "`train --model nn` saves a model without factor tables: `similar` reads its item embeddings, `new-user` needs tables."
    from collab_course.training import train_model
    learn = train_model(load_ratings(get_movielens()).sample(2_000, random_state=0), 'nn', epochs=1, quiet=True)
    path = save_learner(learn, tmp_path / 'nn.pkl')
    assert cli('similar', '--model', path, 'Star Wars (1977)').returncode == 0
    fails_with(cli('new-user', '--model', path, '--rate', 'Star Wars (1977)=5'), 'not a supported model')
