"The helpers of 17_published_splits on a tiny synthetic fold: reading u1 files, the fold DataLoaders, scores, the factor model and the summaries."
import numpy as np
import pandas as pd
import pytest
import torch
from fastai.callback.core import Callback

from collab_course.published import (PUBLISHED_RMSE, N_FOLDS, read_fold, fold_dls, learner_rmse, valid_predictions,
                                     svdpp_model,
                                     ensemble_predictions, ensemble_rmse, cv_summary, with_published, plot_published,
                                     SVDPP_SETTINGS, fit_svdpp)
from collab_course.models import SVDppDotProductBias, FactorPenalty
from collab_course.training import fit_learner, vocab_sizes


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


def test_learner_rmse(dls):
    learn = fit_learner(dls, lambda d: SVDppDotProductBias(*vocab_sizes(d), 3), epochs=1, lr=1e-2, seed=42, quiet=True)
    recorded = learn.recorder.values[-1][1]  # read first: get_preds starts a new record
    preds, targs = valid_predictions(learn)
    assert preds.shape == targs.shape == (len(dls.valid_ds),)
    assert learner_rmse(learn) == pytest.approx(recorded ** 0.5, abs=1e-4)


def test_implicit_model_forward_and_penalty(dls):
    model = svdpp_model(5)(dls)
    x, _ = dls.one_batch()
    out = model(x)
    assert out.shape == (len(x), 1) and ((out > 0) & (out < 5.5)).all()
    n_rated = torch.bincount(dls.train.x_all[:, 0], minlength=vocab_sizes(dls)[0])
    row_sums = torch.sparse.sum(model.rated_mean, dim=1).to_dense()
    assert torch.allclose(row_sums[n_rated > 0], torch.ones(int((n_rated > 0).sum())))  # a mean per user who rated
    assert model.penalty.item() > 0
    plain = SVDppDotProductBias(4, 5, 3)
    assert not hasattr(plain, 'implicit_factors') and plain(torch.tensor([[1, 2]])).shape == (1, 1)


def test_factor_penalty_adds_to_the_training_loss(dls):
    learn = fit_learner(dls, svdpp_model(3), epochs=1, lr=1e-2, wd=0, cbs=[FactorPenalty(1.0)], seed=42, quiet=True)
    seen = []
    class Spy(Callback):
        order = FactorPenalty.order + 1  # after the penalty was added
        def after_loss(self): seen.append((self.learn.loss_grad.item(), self.learn.loss.item(), self.learn.model.penalty.item()))
    learn.add_cb(Spy())
    learn.fit(1, 1e-3)
    loss_grad, loss, penalty = seen[0]
    assert loss_grad == pytest.approx(loss + penalty, rel=1e-4)


def test_ensemble(dls):
    pair = [fit_learner(dls, lambda d: SVDppDotProductBias(*vocab_sizes(d), 3), epochs=1, lr=1e-2, seed=s, quiet=True) for s in (1, 2)]
    avg, targs = ensemble_predictions(pair)
    assert torch.allclose(avg, (valid_predictions(pair[0])[0] + valid_predictions(pair[1])[0]) / 2)
    assert ensemble_rmse(pair[:1]) == pytest.approx(learner_rmse(pair[0]))


def test_cv_summary_with_published_and_plot():
    s = cv_summary({'a': {'u1': 0.9, 'u2': 1.0, 'u3': 0.95, 'u4': 0.9, 'u5': 1.0}, 'u1 only': {'u1': 0.85}})
    assert s.loc['a', '5-fold mean'] == pytest.approx(0.95) and s.loc['a', '5-fold std'] == pytest.approx(0.05)
    assert s.loc['u1 only', 'u1 RMSE'] == 0.85 and s.loc['u1 only', ['5-fold mean', '5-fold std']].isna().all(), s
    with pytest.raises(KeyError, match='no u1'): cv_summary({'a': {'u2': 0.9}})
    t = with_published(s, chosen_on={'a': 'validation split'})
    assert len(t) == 2 + len(PUBLISHED_RMSE)
    assert list(t.loc[['a', 'u1 only'], 'chosen on']) == ['validation split', ''], t['chosen on']
    assert set(PUBLISHED_RMSE['chosen on']) >= {'test split', 'validation split', 'not stated'}, PUBLISHED_RMSE['chosen on']
    with pytest.raises(ValueError, match='rename ours'): with_published(s.rename(index={'a': 'GLocal-K'}))
    assert set(PUBLISHED_RMSE['comparable']) == {'yes, with u1', 'roughly, with the 5-fold mean', 'no'}
    ax = plot_published(t)
    assert len(ax.get_yticklabels()) == len(t)
    assert len(ax.get_legend_handles_labels()[1]) == 2 + PUBLISHED_RMSE['comparable'].nunique()  # each kind once


def test_fit_svdpp_trains_one_learner_per_seed(folder):
    base, test = read_fold(1, folder)
    learners = fit_svdpp(base, test, **dict(SVDPP_SETTINGS, epochs=1, bs=64, n_seeds=2))
    assert len(learners) == 2 and all(isinstance(l.model, SVDppDotProductBias) for l in learners)
    first, second = (valid_predictions(l)[0] for l in learners)
    assert not torch.equal(first, second), "two seeds gave identical models"
    again = valid_predictions(fit_svdpp(base, test, **dict(SVDPP_SETTINGS, epochs=1, bs=64))[0])[0]
    assert torch.equal(first, again), "the first seed is not reproducible"
