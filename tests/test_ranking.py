"Top-N metrics, top_n and the scorers of collab_course.ranking, on tiny hand-made cases."
import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from fastai.collab import EmbeddingNN

from collab_course.ranking import (hits_at_k, precision_at_k, recall_at_k, ndcg_at_k, ranking_metrics,
                                   item_popularity, item_mean_rating, all_pair_scores)

from collab_course.bootstrap import top_n

ALL_METRICS = [precision_at_k, recall_at_k, ndcg_at_k]


# --- the metrics ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('metric', ALL_METRICS)
def test_perfect_list_scores_one(metric):
    assert metric(['a', 'b', 'c'], {'a', 'b', 'c'}, k=3) == 1.0


@pytest.mark.parametrize('metric', ALL_METRICS)
def test_list_without_hits_scores_zero(metric):
    assert metric(['a', 'b', 'c'], {'x', 'y'}, k=3) == 0.0


def test_hits_only_look_at_the_first_k():
    assert hits_at_k([4, 8, 15, 16], {8, 16}, k=3) == [0, 1, 0]
    assert precision_at_k([4, 8, 15, 16], {16}, k=3) == 0.0


def test_ndcg_by_hand():
    # relevant {x, y}; hits at ranks 1 and 3: DCG = 1 + 1/log2(4), ideal DCG = 1 + 1/log2(3)
    want = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(['x', 'a', 'y'], {'x', 'y'}, k=3) == pytest.approx(want)
    assert ndcg_at_k(['a', 'x'], {'x'}, k=2) == pytest.approx(1 / math.log2(3))


def test_ndcg_ideal_uses_at_most_k_hits():
    # 5 relevant items and k=2: two hits at the top is already perfect
    assert ndcg_at_k([1, 2, 9], {1, 2, 3, 4, 5}, k=2) == 1.0
    # an earlier hit is worth more than a later one
    assert ndcg_at_k([1, 9, 8], {1, 2}, k=3) > ndcg_at_k([9, 8, 1], {1, 2}, k=3)


def test_recall_with_fewer_relevant_items_than_k():
    assert recall_at_k([1, 2, 3, 4, 5], {3}, k=5) == 1.0
    assert recall_at_k([1, 2, 3, 4, 5], {3, 9}, k=5) == 0.5
    assert precision_at_k([1, 2, 3, 4, 5], {3}, k=5) == 0.2


def test_precision_of_a_short_list_divides_by_k():
    assert precision_at_k([1, 2], {1, 2}, k=4) == 0.5


def test_metrics_accept_tensors_and_arrays():
    assert precision_at_k(torch.tensor([3, 1, 2]), torch.tensor([1]), k=3) == pytest.approx(1 / 3)
    assert recall_at_k(np.array([3, 1, 2]), np.array([1, 2]), k=2) == 0.5


@pytest.mark.parametrize('metric', ALL_METRICS)
@pytest.mark.parametrize('k', [0, -1, 2.5, True])
def test_bad_k_is_refused(metric, k):
    with pytest.raises(ValueError, match='k must be a whole number of at least 1'):
        metric([1, 2], {1}, k=k)


@pytest.mark.parametrize('metric', ALL_METRICS)
def test_duplicate_recommendations_are_refused(metric):
    with pytest.raises(ValueError, match=r'\[2\] appear more than once'):
        metric([1, 2, 2], {1}, k=3)


@pytest.mark.parametrize('metric', [recall_at_k, ndcg_at_k])
def test_no_relevant_items_is_an_error_for_recall_and_ndcg(metric):
    with pytest.raises(ValueError, match='undefined'):
        metric([1, 2], set(), k=2)


def test_precision_with_no_relevant_items_is_zero():
    assert precision_at_k([1, 2], set(), k=2) == 0.0


# --- ranking_metrics ---------------------------------------------------------------------------------------------

def test_ranking_metrics_averages_over_users():
    recs = {'ann': [1, 2], 'bob': [3, 4], 'extra': [5, 6]}  # users not in `relevant` are ignored
    relevant = {'ann': {1, 2}, 'bob': {9}}
    assert ranking_metrics(recs, relevant, k=2) == {'precision@2': 0.5, 'recall@2': 0.5, 'ndcg@2': 0.5}
    per = ranking_metrics(recs, relevant, k=2, per_user=True)
    assert list(per.index) == ['ann', 'bob']
    assert per.loc['ann'].tolist() == [1.0, 1.0, 1.0] and per.loc['bob'].tolist() == [0.0, 0.0, 0.0]


def test_ranking_metrics_lists_match_dicts():
    recs, relevant = [[1, 2, 3], [3, 2, 1]], [{1}, {1, 3}]
    as_dicts = ranking_metrics(dict(enumerate(recs)), dict(enumerate(relevant)), k=2)
    assert ranking_metrics(recs, relevant, k=2) == as_dicts
    assert as_dicts['recall@2'] == pytest.approx((1 + 0.5) / 2)


def test_ranking_metrics_refuses_users_without_relevant_items():
    with pytest.raises(ValueError, match='1 users have no relevant items'):
        ranking_metrics({'a': [1], 'b': [2]}, {'a': {1}, 'b': set()}, k=1)


def test_ranking_metrics_bad_inputs():
    with pytest.raises(KeyError, match='no list for 1 users'):
        ranking_metrics({'a': [1]}, {'a': {1}, 'b': {2}}, k=1)
    with pytest.raises(ValueError, match='must pair up'):
        ranking_metrics([[1]], [{1}, {2}], k=1)
    with pytest.raises(TypeError, match='recs must be one too'):
        ranking_metrics([[1]], {'a': {1}}, k=1)
    with pytest.raises(ValueError, match='no users'):
        ranking_metrics({}, {}, k=1)
    with pytest.raises(ValueError, match='at least 1'):
        ranking_metrics({'a': [1]}, {'a': {1}}, k=0)


# --- scorers ------------------------------------------------------------------------------------------------------

@pytest.fixture
def tiny():
    return pd.DataFrame({'user': [1, 2, 1, 2, 3, 3], 'title': ['a', 'a', 'b', 'b', 'b', 'c'], 'rating': [4, 5, 2, 3, 4, 5]})


def test_item_popularity(tiny):
    assert item_popularity(tiny, ['#na#', 'a', 'b', 'c', 'unseen']).tolist() == [0, 2, 3, 1, 0]
    assert item_popularity(tiny, ['c', 'a']).tolist() == [1, 2]  # follows the vocabulary's order


def test_item_mean_rating(tiny):
    vocab = ['#na#', 'a', 'b', 'c']
    assert item_mean_rating(tiny, vocab).tolist() == [-np.inf, 4.5, 3.0, 5.0]
    assert item_mean_rating(tiny, vocab, min_count=2).tolist() == [-np.inf, 4.5, 3.0, -np.inf]
    assert item_mean_rating(tiny.rename(columns={'title': 'movie', 'rating': 'stars'}), vocab,
                            item_name='movie', rating_name='stars').tolist() == [-np.inf, 4.5, 3.0, 5.0]
    with pytest.raises(ValueError, match='min_count must be a whole number of at least 1'): item_mean_rating(tiny, vocab, min_count=0)


def test_scorers_rank_as_expected(tiny):
    vocab = ['#na#', 'a', 'b', 'c']
    assert top_n(item_popularity(tiny, vocab), exclude={0}, n=3).tolist() == [2, 1, 3]
    assert top_n(item_mean_rating(tiny, vocab), exclude={0}, n=3).tolist() == [3, 1, 2]


class TinyDot(nn.Module):
    def __init__(self, n_users=5, n_items=7):
        super().__init__()
        self.u, self.i = nn.Embedding(n_users, 3), nn.Embedding(n_items, 3)
    def forward(self, x): return (self.u(x[:, 0]) * self.i(x[:, 1])).sum(1, keepdim=True)


def test_all_pair_scores_matches_the_forward_pass():
    torch.manual_seed(0)
    model = TinyDot()
    scores = all_pair_scores(model, [4, 0, 2], n_items=7, chunk_size=2)
    assert scores.shape == (3, 7)
    with torch.no_grad(): want = model.u.weight[[4, 0, 2]] @ model.i.weight.T
    assert torch.allclose(scores, want, atol=1e-6)


def test_all_pair_scores_uses_eval_mode_and_restores_it():
    torch.manual_seed(0)
    model = EmbeddingNN([(5, 3), (7, 4)], layers=[8])  # batch norm: train and eval mode give different outputs
    model.train()
    scores = all_pair_scores(model, range(5), n_items=7, chunk_size=3)
    assert model.training
    model.eval()
    users, items = torch.meshgrid(torch.arange(5), torch.arange(7), indexing='ij')
    with torch.no_grad(): want = model(torch.stack([users.flatten(), items.flatten()], 1)).reshape(5, 7)
    assert torch.allclose(scores, want, atol=1e-6)
    assert torch.allclose(all_pair_scores(model, range(5), n_items=7, chunk_size=1), scores, atol=1e-6)
    assert not model.training
