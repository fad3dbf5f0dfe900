"14_compare's helpers on small synthetic ratings: the shared split, the scores, the timer and both libraries' fits."
import numpy as np
import pytest
from surprise import BaselineOnly

from collab_course.compare import (COMPARED_MODELS, comparison_table, fit_surprise, predict_surprise, regression_scores,
                                   split_frames, timed)
from collab_course.training import COURSE_MODELS, train_model
from collab_course.loaders import collab_dls


@pytest.fixture(scope='module')
def ratings(title_ratings): return title_ratings


def test_split_frames_are_the_rows_collab_dls_uses(ratings):
    train, valid = split_frames(ratings, valid_pct=0.25, seed=3)
    dls = collab_dls(ratings, item_name='title', valid_pct=0.25, seed=3, bs=16)
    assert (len(train), len(valid)) == (len(dls.train_ds), len(dls.valid_ds))
    decoded = [dls.classes['title'][i] for i in dls.train_ds.items['title']]
    assert decoded == train['title'].tolist()
    assert dls.valid_ds.items['rating'].tolist() == valid['rating'].tolist()
    # a different seed gives a different split
    assert split_frames(ratings, valid_pct=0.25, seed=4)[1]['rating'].tolist() != valid['rating'].tolist()


def test_regression_scores():
    s = regression_scores(np.array([1., 2., 3.]), [1, 2, 5])
    assert s['MSE'] == pytest.approx(4 / 3) and s['RMSE'] == pytest.approx((4 / 3) ** 0.5)
    assert regression_scores([[2.], [3.]], [2, 3])['MSE'] == 0  # a [n, 1] column of predictions is fine
    with pytest.raises(ValueError, match='must match'): regression_scores([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match='no predictions'): regression_scores([], [])


def test_timed_calls_once_and_returns_the_result(monkeypatch):
    calls, clock = [], iter([10.0, 12.5])
    monkeypatch.setattr('collab_course.compare.time.perf_counter', lambda: next(clock))  # a fake clock: no real timing
    assert timed(lambda: calls.append(1) or 'fitted') == (2.5, 'fitted')
    assert calls == [1]


def test_surprise_fit_and_predict(ratings):
    train, valid = split_frames(ratings)
    algo = fit_surprise(BaselineOnly(verbose=False), train)
    preds = predict_surprise(algo, valid)
    assert preds.shape == (len(valid),)
    # the biases learn the generous users: their predictions are higher on average
    generous = valid['user'].to_numpy() < 15
    assert preds[generous].mean() > preds[~generous].mean() + 0.5
    assert regression_scores(preds, valid['rating'])['MSE'] < np.var(valid['rating'].to_numpy() - train['rating'].mean()) + 1e-9


def test_every_compared_model_trains(ratings):
    for kind in COMPARED_MODELS:
        learn = train_model(ratings, kind, epochs=1, bs=32, n_factors=4, quiet=True)
        assert np.isfinite(learn.recorder.values[-1][1]), (kind, learn.recorder.values)
    assert set(COMPARED_MODELS) <= set(COURSE_MODELS), COMPARED_MODELS


def test_comparison_table_sorts_by_mse():
    t = comparison_table({'b': {'MSE': 0.9, 'RMSE': 0.95, 'fit seconds': 1},
                          'a': {'MSE': 0.8, 'RMSE': 0.89, 'fit seconds': 10}})
    assert list(t.index) == ['a', 'b'] and list(t.columns) == ['MSE', 'RMSE', 'fit seconds']
