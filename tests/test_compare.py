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


# --- the tuning protocol ------------------------------------------------------------------------------------------

from collab_course.compare import PEERS, best_config, draw_configs, grid_edges, peer_mse, seed_verdict, tune
from collab_course.yardsticks import epoch_losses


def test_draw_configs_is_seeded_distinct_and_respects_the_budget():
    space = dict(a=[1, 2, 3], b=['x', 'y'])
    draws = draw_configs(space, 4, seed=1)
    assert len(draws) == 4 and len({tuple(d.values()) for d in draws}) == 4, draws
    assert draws == draw_configs(space, 4, seed=1), "the same seed must draw the same candidates"
    assert sorted(tuple(d.values()) for d in draw_configs(space, 50)) == [(a, b) for a in (1, 2, 3) for b in 'xy']
    assert all(d['a'] < 3 for d in draw_configs(space, 50, allowed=lambda c: c['a'] < 3))
    assert grid_edges({'a': 3, 'b': 'y'}, dict(a=[1, 2, 3], b=['x', 'y'])) == {'a': 3}  # words have no edge


def test_tune_sees_only_the_rows_it_is_given_and_ranks_best_first(ratings):
    seen = []
    def score(cfg, fit_rows, score_rows):
        seen.append((len(fit_rows), len(score_rows), set(fit_rows.index) | set(score_rows.index)))
        return abs(cfg['x'] - 2)
    table = tune(score, dict(x=[0, 1, 2, 3]), ratings.iloc[:100], n_configs=4)
    assert list(table['inner MSE']) == [0, 1, 1, 2], table
    assert best_config(table, dict(x=[0])) == {'x': 2} and type(best_config(table, dict(x=[0]))['x']) is int
    assert all((n_fit, n_score) == (80, 20) for n_fit, n_score, _ in seen), seen
    high = tune(score, dict(x=[0, 1, 2, 3]), ratings.iloc[:100], n_configs=4, metric='gap', higher_is_better=True)
    assert list(high['gap']) == [2, 1, 1, 0], high
    with pytest.raises(ValueError, match='no candidate'): tune(score, dict(x=[0]), ratings, allowed=lambda c: False)


def test_peer_mse_fits_on_the_given_rows_only(ratings):
    train, valid = split_frames(ratings, seed=1)
    # a course model: exactly what train_model gives on the same split
    cfg = dict(n_factors=4, epochs=2, bs=32, lr=1e-2, wd=0.1)
    expected = epoch_losses(train_model(ratings, 'dotbias', split_seed=1, quiet=True, **cfg))[-1][1]
    assert peer_mse('DotProductBias', cfg, train, valid) == pytest.approx(expected, abs=1e-6)
    # a surprise model: exactly what fit_surprise and predict_surprise give
    algo = fit_surprise(BaselineOnly(bsl_options={'method': 'als', 'n_epochs': 5}, verbose=False), train)
    direct = regression_scores(predict_surprise(algo, valid), valid['rating'])['MSE']
    assert peer_mse('surprise BaselineOnly', dict(n_epochs=5, reg_u=15, reg_i=10), train, valid) == pytest.approx(direct)
    assert set(PEERS) == {'surprise BaselineOnly', 'surprise SVD', 'surprise SVDpp', 'DotProductBias', 'collab_learner NN'}


def test_seed_verdict():
    runs = {'a': [0.80, 0.81], 'b': [0.82, 0.83], 'c': [0.805, 0.825]}
    assert seed_verdict(runs, 'a', 'b')[0] == 'a' and seed_verdict(runs, 'b', 'a')[0] == 'a'
    assert seed_verdict(runs, 'a', 'c')[0] is None and 'neither is ahead' in seed_verdict(runs, 'a', 'c')[1]
    assert seed_verdict(runs, 'a', 'b', higher_is_better=True)[0] == 'b'


def test_best_config_hands_back_the_settings_as_drawn(ratings):
    space = dict(min_rating=[None, 4], lr=[0.01, 0.1])
    table = tune(lambda cfg, f, s: 0 if cfg['min_rating'] is None else 1, space, ratings.iloc[:50], n_configs=4)
    best = best_config(table, space)
    assert best['min_rating'] is None and type(best['lr']) is float, best
    assert [type(v) for v in table['min_rating']].count(int) == 2, list(table['min_rating'])  # 4, not 4.0
