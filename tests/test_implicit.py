"The ranking model of collab_course.implicit (positives, sampled negatives, BPR loss, model) and ranking_protocol, on tiny synthetic data."
import math

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from collab_course.implicit import implicit_pairs, TripletDL, BPRDotBias, bpr_loss, implicit_dls, train_bpr
from collab_course.ranking import ranking_protocol, all_pair_scores
from collab_course.bootstrap import top_n

POS = torch.tensor([[1, 1], [1, 2], [2, 3], [2, 4], [2, 5], [3, 1]])  # 3 users, items 1..5 (0 is '#na#')


def epoch(dl): return torch.cat([b[0] for b in dl])


# --- positives ---------------------------------------------------------------------------------------------------

def test_implicit_pairs_keeps_distinct_known_pairs():
    df = pd.DataFrame({'user': [1, 1, 2, 2, 9], 'title': ['a', 'b', 'a', 'a', 'a'], 'rating': [5, 2, 4, 3, 5]})
    users, items = ['#na#', 1, 2], ['#na#', 'a', 'b']
    assert implicit_pairs(df, users, items).tolist() == [[1, 1], [1, 2], [2, 1]]
    assert implicit_pairs(df, users, items, min_rating=4).tolist() == [[1, 1], [2, 1]]
    with pytest.raises(KeyError, match="no column"): implicit_pairs(df, users, items, item_name='movie')


# --- the DataLoader ----------------------------------------------------------------------------------------------

def test_batches_have_the_right_shapes_and_targets():
    dl = TripletDL(POS, n_items=6, n_neg=3, bs=4, shuffle=True, seed=0)
    batches = list(dl)
    assert [b[0].shape for b in batches] == [(4, 5), (2, 5)]
    assert all(b[0].dtype == torch.long and torch.equal(b[1], torch.ones(len(b[0]), 3)) for b in batches)
    assert len(dl) == 2


def test_each_positive_once_per_epoch():
    dl = TripletDL(POS, n_items=6, bs=4, shuffle=True, seed=0)
    for _ in range(3): assert sorted(map(tuple, epoch(dl)[:, :2].tolist())) == sorted(map(tuple, POS.tolist()))


def test_negatives_are_never_na_nor_an_item_the_user_interacted_with():
    seen = [[3, 2], [3, 3]]  # user 3 also interacted with items 2 and 3 (say, in another split)
    dl = TripletDL(POS, n_items=6, seen=seen, n_neg=4, bs=4, shuffle=True, seed=1)
    allowed = {1: {3, 4, 5}, 2: {1, 2}, 3: {4, 5}}
    drawn = {u: set() for u in allowed}
    for _ in range(100):
        for u, _pos, *negs in epoch(dl).tolist():
            assert set(negs) <= allowed[u]
            drawn[u] |= set(negs)
    assert drawn == allowed  # uniform over what is allowed: every allowed item shows up


def test_negatives_are_fresh_each_epoch_and_reproducible():
    a = TripletDL(POS, n_items=6, n_neg=2, bs=4, shuffle=True, seed=0)
    b = TripletDL(POS, n_items=6, n_neg=2, bs=4, shuffle=True, seed=0)
    a_epochs, b_epochs = [epoch(a) for _ in range(5)], [epoch(b) for _ in range(5)]
    assert all(torch.equal(x, y) for x, y in zip(a_epochs, b_epochs))
    assert not all(torch.equal(a_epochs[0], x) for x in a_epochs[1:])
    c = TripletDL(POS, n_items=6, n_neg=2, bs=4, shuffle=True, seed=1)
    assert not torch.equal(epoch(c), a_epochs[0])


def test_fixed_negatives_stay_the_same():
    dl = TripletDL(POS, n_items=6, bs=4, fixed=True, seed=0)
    first = epoch(dl)
    assert torch.equal(first[:, :2], POS)  # no shuffle by default
    assert all(torch.equal(first, epoch(dl)) for _ in range(5))


def test_new_keeps_the_sampling_settings():
    dl = TripletDL(POS, n_items=6, seen=[[3, 2]], n_neg=2, bs=4, shuffle=True, seed=0)
    copy = dl.new(shuffle=False, seed=0)
    x = epoch(copy)
    assert torch.equal(x[:, :2], POS) and x.shape == (6, 4)
    assert not (x[x[:, 0] == 3][:, 2:] == 2).any()


@pytest.mark.parametrize('kwargs, match', [
    (dict(dataset=POS[:, :1], n_items=6), r'\[n, 2\] tensor'),
    (dict(dataset=POS[:0], n_items=6), 'non-empty'),
    (dict(dataset=POS, n_items=6, n_neg=0), 'at least 1'),
    (dict(dataset=POS, n_items=6, n_neg=1.5), 'whole number'),
    (dict(dataset=POS, n_items=5), r'must lie in 1\.\.4'),
    (dict(dataset=torch.tensor([[1, 0]]), n_items=6), "0 is '#na#'"),
    (dict(dataset=POS, n_items=6, seen=[[3, i] for i in range(2, 6)]), r'1 users \(e\.g\. index 3\) interacted with every item'),
])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match): TripletDL(**kwargs)


# --- loss and model ----------------------------------------------------------------------------------------------

def test_bpr_loss_known_values():
    assert bpr_loss(torch.tensor([[0., 0.]])).item() == pytest.approx(math.log(2))
    assert bpr_loss(torch.tensor([[3., 1.]])).item() == pytest.approx(math.log(1 + math.exp(-2)))
    assert bpr_loss(torch.tensor([[1., 3.]])).item() == pytest.approx(math.log(1 + math.exp(2)))
    scores = torch.tensor([[2., 1., 5.], [0., 0., 0.]])
    assert bpr_loss(scores).item() == pytest.approx(-F.logsigmoid(torch.tensor([1., -3., 0., 0.])).mean().item())
    assert bpr_loss(scores, torch.ones(2, 2)).item() == pytest.approx(bpr_loss(scores).item())
    with pytest.raises(ValueError, match=r'\[bs, 1 \+ n_neg\]'): bpr_loss(torch.tensor([1., 2.]))


def test_model_scores_pairs_and_rows():
    model = BPRDotBias(4, 6, n_factors=3)
    assert model(torch.tensor([[1, 2], [3, 5], [0, 1]])).shape == (3,)
    rows = torch.tensor([[1, 2, 4, 5], [3, 5, 1, 1]])
    assert model(rows).shape == (2, 3)
    assert torch.allclose(model(rows)[:, 0], model(rows[:, :2]))
    assert all_pair_scores(model, [1, 2, 3], 6).shape == (3, 6)


# --- learning a planted preference -------------------------------------------------------------------------------

def planted(n_users=20, n_per_group=5, n_rated=3, seed=0):
    "Two groups of users: group 0 watches some of items a0..a4, group 1 some of b0..b4. Every rating is a 3."
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_users):
        group = 'ab'[u % 2]
        for i in rng.choice(n_per_group, n_rated, replace=False): rows.append((u, f'{group}{i}', 3))
    return pd.DataFrame(rows, columns=['user', 'title', 'rating'])


def held_out(train, n_per_group=5):
    "For each user, one title of their group they did not rate in `train`, rated 3."
    rows = []
    for u, titles in train.groupby('user')['title']:
        group = 'ab'[u % 2]
        rows.append((u, next(f'{group}{i}' for i in range(n_per_group) if f'{group}{i}' not in set(titles)), 3))
    return pd.DataFrame(rows, columns=['user', 'title', 'rating'])


def test_training_learns_a_planted_preference():
    train = planted()
    valid = held_out(train)
    users, items = ['#na#', *range(20)], ['#na#', *[f'a{i}' for i in range(5)], *[f'b{i}' for i in range(5)]]
    learn = train_bpr(train, valid, users, items, n_factors=4, epochs=30, lr=0.05, wd=0.0, bs=32, n_neg=4, quiet=True)
    scores = all_pair_scores(learn.model, range(1, 21), len(items))
    own = torch.tensor([[i for i, t in enumerate(items) if t[0] == 'ab'[u % 2]] for u in range(20)])
    # every user ranks all five of their group's items, the ones they never watched included, above the other group's
    top5 = top_n(scores, exclude=[{0}] * 20, n=5)
    assert all(set(t.tolist()) == set(o.tolist()) for t, o in zip(top5, own))
    assert learn.recorder.values[-1][0] < 0.5 * math.log(2)
    assert learn.recorder.values[-1][1] < 0.5 * math.log(2)  # held-out titles of the user's group beat the other group's


def test_dls_batches_go_to_the_dls_device():
    train = planted()
    users, items = ['#na#', *range(20)], ['#na#', *[f'a{i}' for i in range(5)], *[f'b{i}' for i in range(5)]]
    dls = implicit_dls(train, held_out(train), users, items, bs=16)
    assert dls.train.one_batch()[0].device == dls.device
    with pytest.raises(ValueError, match='at least 1'): train_bpr(train, held_out(train), users, items, epochs=0)


# --- the protocol ------------------------------------------------------------------------------------------------

def test_ranking_protocol_on_a_tiny_table():
    train = pd.DataFrame({'user': [1, 2, 2, 3], 'title': ['a', 'a', 'b', 'b'], 'rating': [5, 3, 4, 2]})
    valid = pd.DataFrame({'user': [1, 1, 2, 3, 3, 1], 'title': ['b', 'c', 'a', 'z', 'c', 'b'], 'rating': [4, 2, 5, 5, 3, 5]})
    users, items = ['#na#', 1, 2, 3], ['#na#', 'a', 'b', 'c']
    relevant, eval_users, exclude, counts = ranking_protocol(train, valid, users, items)
    assert relevant == {1: {2}} and eval_users == [1] and exclude == [{0, 1}]
    assert counts == {'n_liked': 3, 'n_not_in_vocab': 1, 'n_rated_twice': 1}  # (1, b) twice in valid counts once
    assert ranking_protocol(train, valid, users, items, min_rating=3)[0] == {1: {2}, 3: {3}}
    with pytest.raises(ValueError, match=r'validation users are not in `users` \(e\.g\. \[9\]\)'):
        ranking_protocol(train, valid.assign(user=[1, 1, 2, 3, 3, 9]), users, items)
    with pytest.raises(KeyError, match='no column'): ranking_protocol(train, valid, users, items, rating_name='stars')


# --- the yardsticks from `implicit` ---------------------------------------------------------------------------------

from collab_course.implicit import (RANKERS, fit_implicit, positives_matrix, protocol_ndcg, ranker_ndcg, ranker_scores)


def test_positives_matrix_and_fit_implicit():
    m = positives_matrix([[1, 2], [2, 1], [2, 1]], 3, 4)
    assert m.shape == (3, 4) and m[1, 2] == 1 and m[0, 0] == 0, m.toarray()
    pairs = torch.tensor([[1, 1], [1, 2], [2, 3], [2, 4], [3, 1]])
    for name, cfg in [('ALS', dict(factors=2, iterations=3)), ('BPR', dict(factors=2, iterations=5))]:
        scores = fit_implicit(name, pairs, 4, 6, cfg)
        assert scores.shape == (4, 6), (name, scores.shape)
        assert torch.equal(scores, fit_implicit(name, pairs, 4, 6, cfg)), f"{name} is not reproducible from its seed"
    with pytest.raises(ValueError, match='choose one of: ALS, BPR'): fit_implicit('SVD', pairs, 4, 6, {})


def test_rankers_learn_a_planted_preference():
    train = planted(n_users=40)
    valid = held_out(train)
    users, items = ['#na#', *range(40)], ['#na#', *[f'a{i}' for i in range(5)], *[f'b{i}' for i in range(5)]]
    protocol = ranking_protocol(train, valid, users, items, min_rating=3)
    for label, cfg in [('implicit ALS', dict(factors=4, regularization=0.01, alpha=10.0, iterations=15)),
                       ('BPRDotBias', dict(n_factors=4, epochs=30, lr=0.05, wd=0.0, bs=32, n_neg=4))]:
        ndcg = protocol_ndcg(ranker_scores(label, cfg, train, valid, users, items), protocol, k=5)
        # the held-out title is one of the 2 unseen titles of the user's group among 7 unseen titles: a model that puts its
        # group first scores at least 1/log2(3) = 0.63 for every user; a random order averages about 0.42
        assert ndcg > 0.63, (label, ndcg)
    assert set(RANKERS) == {'BPRDotBias', 'implicit ALS', 'implicit BPR'}
    


def test_ranker_ndcg_builds_its_vocabularies_from_the_fit_rows(title_ratings):
    from fastai.data.transforms import CategoryMap
    fit_rows, score_rows = title_ratings.iloc[:480], title_ratings.iloc[480:]
    cfg = dict(factors=4, iterations=5)
    users, items = CategoryMap(fit_rows['user'], add_na=True), CategoryMap(fit_rows['title'], add_na=True)
    kept = score_rows[score_rows['user'].isin(users.o2i)]
    expected = protocol_ndcg(ranker_scores('implicit ALS', cfg, fit_rows, kept, users, items), ranking_protocol(fit_rows, kept, users, items))
    assert ranker_ndcg('implicit ALS', cfg, fit_rows, score_rows) == pytest.approx(expected)
    assert 0 < expected <= 1, expected
