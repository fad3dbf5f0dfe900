"Notebook 17's helpers on tiny synthetic folds: reading u1 files, the fold DataLoaders, scores, the factor model, the autoencoder and the summaries."
import numpy as np
import pandas as pd
import pytest
import torch
from fastai.callback.core import Callback
from fastai.torch_core import default_device

from collab_course.published import (PUBLISHED_RMSE, N_FOLDS, read_fold, fold_dls, rmse, learner_rmse, valid_predictions,
                                     fit_fold, vocab_sizes, ImplicitDotProductBias, FactorPenalty, implicit_model,
                                     ensemble_predictions, ensemble_rmse, cv_summary, with_published, plot_published,
                                     rating_matrix, autorec_dls, ItemAutoRec, masked_sse, fit_autorec, autorec_predictions)


def _ratings(n, seed):
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
def dls(folder): return fold_dls(*read_fold(1, folder), bs=32)


def test_read_fold(folder):
    base, test = read_fold(1, folder)
    assert list(base.columns) == ['user', 'movie', 'rating', 'timestamp'] and len(test) == 100
    assert base['rating'].dtype == np.int64
    for bad in (0, N_FOLDS + 1, '1', 1.0, True):
        with pytest.raises(ValueError, match='one of 1 to 5'): read_fold(bad, folder)
    with pytest.raises(FileNotFoundError, match='collab-course data'): read_fold(2, folder)  # no u2 files there
    with pytest.raises(FileNotFoundError, match='get_movielens'): read_fold(1, folder/'missing')


def test_fold_dls_splits_and_vocabulary(folder, dls):
    base, test = read_fold(1, folder)
    assert (len(dls.train_ds), len(dls.valid_ds)) == (len(base), len(test))
    assert list(dls.classes['movie'][1:]) == sorted(base['movie'].unique())  # vocabulary from base only
    x, y = dls.valid.x_all, dls.valid.y_all
    assert y.view(-1).tolist() == test['rating'].astype(float).tolist()
    assert x[0, 1].item() == 0  # the movie absent from base is '#na#'
    assert vocab_sizes(dls) == (len(dls.classes['user']), len(dls.classes['movie']))


def test_rmse_and_learner_rmse(dls):
    assert rmse([1, 2, 3], [1, 2, 5]) == pytest.approx((4 / 3) ** 0.5)
    with pytest.raises(ValueError, match='must match'): rmse([1, 2], [1])
    learn = fit_fold(dls, lambda d: ImplicitDotProductBias(*vocab_sizes(d), 3), epochs=1, lr=1e-2)
    recorded = learn.recorder.values[-1][1]  # read first: get_preds starts a new record
    preds, targs = valid_predictions(learn)
    assert preds.shape == targs.shape == (len(dls.valid_ds),)
    assert learner_rmse(learn) == pytest.approx(recorded ** 0.5, abs=1e-4)


def test_implicit_model_forward_and_penalty(dls):
    model = implicit_model(5)(dls)
    x, _ = dls.one_batch()
    out = model(x)
    assert out.shape == (len(x), 1) and ((out > 0) & (out < 5.5)).all()
    n_rated = torch.bincount(dls.train.x_all[:, 0], minlength=vocab_sizes(dls)[0])
    row_sums = torch.sparse.sum(model.rated_mean, dim=1).to_dense()
    assert torch.allclose(row_sums[n_rated > 0], torch.ones(int((n_rated > 0).sum())))  # a mean per user who rated
    assert model.penalty.item() > 0
    plain = ImplicitDotProductBias(4, 5, 3)
    assert not hasattr(plain, 'implicit_factors') and plain(torch.tensor([[1, 2]])).shape == (1, 1)


def test_factor_penalty_adds_to_the_training_loss(dls):
    learn = fit_fold(dls, implicit_model(3), epochs=1, lr=1e-2, wd=0, cbs=[FactorPenalty(1.0)])
    seen = []
    class Spy(Callback):
        order = FactorPenalty.order + 1  # after the penalty was added
        def after_loss(self): seen.append((self.learn.loss_grad.item(), self.learn.loss.item(), self.learn.model.penalty.item()))
    learn.add_cb(Spy())
    learn.fit(1, 1e-3)
    loss_grad, loss, penalty = seen[0]
    assert loss_grad == pytest.approx(loss + penalty, rel=1e-4)


def test_ensemble(dls):
    pair = [fit_fold(dls, lambda d: ImplicitDotProductBias(*vocab_sizes(d), 3), epochs=1, lr=1e-2, seed=s) for s in (1, 2)]
    avg, targs = ensemble_predictions(pair)
    assert torch.allclose(avg, (valid_predictions(pair[0])[0] + valid_predictions(pair[1])[0]) / 2)
    assert ensemble_rmse(pair[:1]) == pytest.approx(learner_rmse(pair[0]))


def test_cv_summary_with_published_and_plot():
    s = cv_summary({'a': {'u1': 0.9, 'u2': 1.0, 'u3': 0.95}})
    assert s.loc['a', '5-fold mean'] == pytest.approx(0.95) and s.loc['a', '5-fold std'] == pytest.approx(0.05)
    with pytest.raises(KeyError, match='no u1'): cv_summary({'a': {'u2': 0.9}})
    t = with_published(s)
    assert len(t) == 1 + len(PUBLISHED_RMSE)
    with pytest.raises(ValueError, match='rename ours'): with_published(s.rename(index={'a': 'GLocal-K'}))
    assert set(PUBLISHED_RMSE['comparable']) == {'yes, with u1', 'roughly, with the 5-fold mean', 'no'}
    ax = plot_published(t)
    assert len(ax.get_yticklabels()) == len(t)
    assert len(ax.get_legend_handles_labels()[1]) == 2 + PUBLISHED_RMSE['comparable'].nunique()  # each kind once


def _one_rating_per_pair(folder):
    "The tiny fold with one rating per (user, movie) pair, the last one, as in MovieLens."
    return [r.drop_duplicates(['user', 'movie'], keep='last').reset_index(drop=True) for r in read_fold(1, folder)]


def test_rating_matrix_and_autorec_dls(folder):
    base, test = _one_rating_per_pair(folder)
    values, mask = rating_matrix(base, 31, 21)
    assert mask.sum().item() == len(base)
    assert values[base['movie'].to_numpy(), base['user'].to_numpy()].tolist() == base['rating'].astype(float).tolist()
    assert values[mask == 0].abs().sum().item() == 0
    with pytest.raises(ValueError, match='user ids in 0..19'): rating_matrix(base, 31, 20)
    with pytest.raises(ValueError, match='more than once'): rating_matrix(read_fold(1, folder)[0], 31, 21)
    d = autorec_dls(base, test, bs=8)
    assert len(d.train_ds) == len(d.valid_ds) == 31
    x, y = d.valid_ds[30]  # movie 30 is only in the test file
    assert x.abs().sum().item() == 0 and y[1].sum().item() == (test['movie'] == 30).sum()
    xb, yb = d.one_batch()
    assert xb.shape == (8, 21) and yb.shape == (8, 2, 21)
    assert xb.device == default_device()


def test_masked_sse_ignores_missing_ratings():
    preds = torch.tensor([[1., 100.], [2., 2.]])
    targets = torch.tensor([[[2., 0.], [1., 0.]], [[2., 4.], [1., 1.]]])  # movie 0's second user did not rate it
    assert masked_sse(preds, targets).item() == pytest.approx((1 + 0 + 4) / 2)


def test_autorec_learns_the_synthetic_pattern(folder):
    base, test = _one_rating_per_pair(folder)
    learn = fit_autorec(autorec_dls(base, base, bs=8), n_hidden=8, epochs=60, lr=1e-2, lam=0.1)
    preds = autorec_predictions(learn, base)
    assert preds.shape == (len(base),) and ((preds >= 1) & (preds <= 5)).all()
    mean_rmse = rmse(torch.full((len(base),), float(base['rating'].mean())), base['rating'])
    assert rmse(preds, base['rating']) < mean_rmse - 0.15, (rmse(preds, base['rating']), mean_rmse)
    assert learn.model.penalty.item() > 0 and isinstance(learn.model, ItemAutoRec)
    for bad in (test.assign(user=99), test.assign(movie=-1)):
        with pytest.raises(ValueError, match='build it with these ratings as `test`'): autorec_predictions(learn, bad)
