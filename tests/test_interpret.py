"Reading a trained model (collab_course.interpret, from 06_interpretation) on small synthetic ratings."
import numpy as np
import pandas as pd
import pytest
import torch
from fastai.layers import sigmoid_range
from sklearn.decomposition import PCA

from collab_course.loaders import collab_dls
from collab_course.interpret import (factor_tables, apply_y_range, predict_pairs, learner_vocabs, train_counts, real_indices,
                                     movie_bias_ranking, mean_rating_ranking, pca_coords, title_index, item_embeddings,
                                     most_similar)
from collab_course.lookups import close_titles, UnknownTitleError
from collab_course.provision import CourseError
from collab_course.training import COURSE_MODELS, make_model


@pytest.fixture(scope='module')
def dls(title_ratings): return collab_dls(title_ratings, item_name='title', bs=16, seed=42)


@pytest.fixture(scope='module')
def learn(title_learner): return title_learner


@pytest.mark.parametrize('kind', [k for k, m in COURSE_MODELS.items() if m.interpretable])
def test_predict_pairs_rebuilds_every_interpretable_models_output(dls, kind):
    model = make_model(kind, dls, n_factors=4).eval()
    x, _ = dls.one_batch()
    with torch.no_grad(): out = model.to(x.device)(x).view(-1).cpu()
    torch.testing.assert_close(predict_pairs(model, x), out)
    t = factor_tables(model)
    assert t.users.shape == (31, 4) and t.items.shape == (41, 4) and t.user_bias.shape == (31,), (t.users.shape, t.items.shape)


def test_apply_y_range_is_fastais_sigmoid_range():
    s = torch.linspace(-5, 5, 11)
    torch.testing.assert_close(apply_y_range(s, (0, 5.5)), sigmoid_range(s, 0, 5.5))
    assert apply_y_range(s, None) is s


def test_vocab_helpers(learn, title_ratings):
    user_name, users, item_name, items = learner_vocabs(learn)
    assert (user_name, item_name, users[0], items[0]) == ('user', 'title', '#na#', '#na#')
    assert real_indices(items).tolist() == list(range(1, len(items)))
    counts = train_counts(learn, 'title')
    assert counts.sum().item() == len(learn.dls.train_ds) and counts[0].item() == 0, counts


def test_bias_ranking_finds_the_disliked_titles(learn):
    "Every third title (movie 0, 3, 6, ...) was rated a star lower: the lowest biases belong to them."
    lowest = movie_bias_ranking(learn, n=5)
    assert lowest['bias'].is_monotonic_increasing, lowest
    disliked = [int(t.split()[1]) % 3 == 0 for t in lowest['title']]
    assert sum(disliked) >= 4, lowest


def test_mean_rating_ranking():
    df = pd.DataFrame({'title': ['a', 'a', 'b', 'c', 'c', 'c'], 'rating': [1, 3, 5, 4, 4, 4]})
    low = mean_rating_ranking(df, n=2)
    assert low['title'].tolist() == ['a', 'c'] and low['mean rating'].tolist() == [2.0, 4.0], low
    assert mean_rating_ranking(df, n=5, lowest=False, min_ratings=2)['title'].tolist() == ['c', 'a']


def test_pca_coords_match_scikit_learn_up_to_sign():
    w = torch.randn(50, 6, generator=torch.Generator().manual_seed(0)) * torch.tensor([5., 3., 2., 1., 0.5, 0.1])
    ours = pca_coords(w, k=3).numpy()
    theirs = PCA(n_components=3).fit_transform(w.numpy())
    for j in range(3):
        assert min(np.abs(ours[:, j] - theirs[:, j]).max(), np.abs(ours[:, j] + theirs[:, j]).max()) < 1e-4, j
    with pytest.raises(ValueError, match='k must be'): pca_coords(w, k=7)


def test_titles_misspelt_and_similar(learn):
    assert close_titles('MOVIE 1', learn.dls.classes['title'])[0] == 'movie 1'
    assert title_index(learn, 'movie 3') == learn.dls.classes['title'].o2i['movie 3']
    with pytest.raises(UnknownTitleError, match="Close matches") as e: title_index(learn, 'movie 99')
    assert isinstance(e.value, CourseError) and isinstance(e.value, KeyError)
    sims = most_similar(learn, 'movie 3', n=4)
    assert len(sims) == 4 and 'movie 3' not in set(sims['title']) and sims['similarity'].is_monotonic_decreasing, sims
    few = most_similar(learn, 'movie 3', n=40, min_ratings=10**6)
    assert few.empty, few
    torch.testing.assert_close(item_embeddings(learn), factor_tables(learn).items)


def test_neural_models_are_refused_with_a_reason(dls):
    with pytest.raises(TypeError, match='no such tables'): factor_tables(make_model('nn', dls))
