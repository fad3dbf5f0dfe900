"Recommending and bootstrapping (collab_course.bootstrap, from 07_bootstrapping) on a small trained model."
import numpy as np
import pytest
import torch

from collab_course.bootstrap import (mean_user_vector, recommend_for_vector, representative_user, recommend, fit_new_user,
                                     new_item_vector, predict_new_item, top_n)
from collab_course.interpret import factor_tables
from collab_course.lookups import UnknownTitleError, UnknownUserError
from collab_course.provision import CourseError


@pytest.fixture(scope='module')
def learn(title_learner): return title_learner


def test_mean_user_and_recommendations_for_a_vector(learn):
    vec, bias = mean_user_vector(learn)
    t = factor_tables(learn)
    torch.testing.assert_close(vec, t.users[1:].mean(0))
    recs = recommend_for_vector(learn, vec, bias, n=5, exclude=['movie 1'])
    assert len(recs) == 5 and 'movie 1' not in set(recs['title']) and '#na#' not in set(recs['title']), recs
    assert recs['predicted rating'].is_monotonic_decreasing, recs
    disliked = [int(t.split()[1]) % 3 == 0 for t in recs['title']]
    assert sum(disliked) <= 1, recs  # the titles everyone rated a star lower rarely make the top


def test_recommend_leaves_out_what_the_user_rated_and_keeps_the_mode(learn, title_ratings):
    user = int(title_ratings['user'].iloc[0])
    learn.model.train()
    recs = recommend(learn, title_ratings, user, n=40)
    assert learn.model.training, "recommend must put the model back in training mode"
    seen = set(title_ratings.loc[title_ratings['user'] == user, 'title'])
    assert not seen & set(recs['title']), seen & set(recs['title'])
    with pytest.raises(UnknownUserError, match='not in the model') as e: recommend(learn, title_ratings, 999)
    assert isinstance(e.value, CourseError)


def test_representative_user_is_a_real_user(learn):
    user, vec, bias = representative_user(learn)
    assert user in set(learn.dls.classes['user'][1:]), user
    with pytest.raises(ValueError, match='no user has'): representative_user(learn, min_ratings=10**6)


def test_fit_new_user_follows_the_ratings_and_leaves_the_model_alone(learn):
    before = {k: v.clone() for k, v in learn.model.state_dict().items()}
    likes = {'movie 1': 5, 'movie 2': 5, 'movie 3': 1}
    vec, bias = fit_new_user(learn, likes)
    assert all(torch.equal(v, learn.model.state_dict()[k]) for k, v in before.items())
    recs = recommend_for_vector(learn, vec, bias, n=40)
    pred = dict(zip(recs['title'], recs['predicted rating']))
    assert pred['movie 1'] > pred['movie 3'] + 1, (pred['movie 1'], pred['movie 3'])
    torch.testing.assert_close(fit_new_user(learn, likes)[0], vec)  # seeded: the same answer twice
    with pytest.raises(UnknownTitleError): fit_new_user(learn, {'movie 99': 5})
    with pytest.raises(ValueError, match='from 1 to 5'): fit_new_user(learn, {'movie 1': 6})


def test_new_item_predictions(learn):
    vec, bias = new_item_vector(learn)
    low, high = new_item_vector(learn, 0.1)[1], new_item_vector(learn, 0.9)[1]
    assert low < bias < high or low < high, (low, bias, high)
    preds = predict_new_item(learn, vec, bias)
    assert len(preds) == len(learn.dls.classes['user']) - 1 and preds.between(0, 5.5).all(), preds.describe()


# --- top_n ----------------------------------------------------------------------------------------------------------

def test_top_n_orders_by_score():
    assert top_n(torch.tensor([0.1, 0.9, 0.5, 0.7]), n=3).tolist() == [1, 3, 2]


def test_top_n_never_returns_excluded_items():
    scores = torch.tensor([0.1, 0.9, 0.5, 0.7])
    assert top_n(scores, exclude={1, 3}, n=2).tolist() == [2, 0]
    # even when every other item scores -inf, and even when the excluded items score highest
    assert top_n(torch.tensor([5., -np.inf, -np.inf, 9.]), exclude=[0, 3], n=2).tolist() == [1, 2]


def test_top_n_breaks_ties_by_lower_index():
    scores = torch.tensor([1., 3., 3., 0., 3., 3.])
    assert top_n(scores, n=3).tolist() == [1, 2, 4]
    assert top_n(scores, exclude={2}, n=3).tolist() == [1, 4, 5]
    assert top_n(torch.zeros(2, 5), n=2).tolist() == [[0, 1], [0, 1]]


def test_top_n_rows_have_their_own_exclusions():
    scores = torch.tensor([[1., 2., 3.], [3., 2., 1.]])
    assert top_n(scores, exclude=[{2}, {0}], n=2).tolist() == [[1, 0], [1, 2]]
    assert top_n(scores, n=1).tolist() == [[2], [0]]


def test_top_n_accepts_integer_scores_and_arrays():
    assert top_n(torch.tensor([3, 1, 2]), n=2).tolist() == [0, 2]
    assert top_n(np.array([0.2, 0.8]), n=1).tolist() == [1]


def test_top_n_bad_inputs():
    s = torch.tensor([0.1, 0.9, 0.5])
    with pytest.raises(ValueError, match='at least 1'): top_n(s, n=0)
    with pytest.raises(ValueError, match='1 items left after exclusion, fewer than n=2'): top_n(s, exclude={0, 1}, n=2)
    with pytest.raises(ValueError, match='NaN'): top_n(torch.tensor([0.1, float('nan')]), n=1)
    with pytest.raises(IndexError, match=r'must lie in 0..2'): top_n(s, exclude={3}, n=1)
    with pytest.raises(ValueError, match='one per row'): top_n(torch.ones(2, 3), exclude=[{0}], n=1)
    with pytest.raises(TypeError, match='one collection of indices per row'): top_n(torch.ones(2, 3), exclude=[0, 1], n=1)
    with pytest.raises(ValueError, match='1-D'): top_n(torch.ones(2, 2, 2), n=1)
