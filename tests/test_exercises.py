"""The questionnaire's checkers accept right answers, however they are written, and reject the usual wrong ones with the
hint that fits; the learner's notebook runs unsolved (saying "not done yet") and solved (every check passes)."""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from fastai.layers import Embedding, sigmoid_range
from fastai.torch_core import Module
from fastcore.nbio import read_nb
from fastcore.xtras import working_directory
from execnb.shell import CaptureShell

from collab_course.exercises import (EXERCISES, NotDone, check_argsort, check_class, check_collab_nn, check_cross_entropy_model,
                                     check_crosstab, check_dot_product, check_dot_product_model, check_layers, check_lowest_means,
                                     check_mse, check_new_user, check_one_hot_lookup, check_weight_decay_grad,
                                     check_weight_decay_loss)

NBS = Path(__file__).parent.parent / 'nbs'
LEARNER_NB = NBS / '09_questionnaire.ipynb'


def rejects(checker, answer, hint, **kwargs):
    with pytest.raises(AssertionError, match=hint): checker(answer, **kwargs)

def stub(*args): raise NotImplementedError

class StubClass(Module):
    def __init__(self, *args): raise NotImplementedError


CHECKERS = {5: check_crosstab, 7: check_dot_product, 10: check_one_hot_lookup, 13: check_class, 15: check_dot_product_model,
            16: check_mse, 17: check_cross_entropy_model, 18: check_dot_product_model, 20: check_weight_decay_loss,
            21: check_weight_decay_grad, 23: check_argsort, 24: check_lowest_means, 25: check_layers, 27: check_new_user,
            30: check_collab_nn}
KWARGS = {18: dict(with_bias=True)}
CLASS_ANSWERS = {13, 15, 17, 18, 30}


def test_every_exercise_has_a_checker_here():
    assert set(EXERCISES) == set(CHECKERS)
    assert len({c for c in CHECKERS.values()}) >= 12


@pytest.mark.parametrize('q', sorted(CHECKERS))
def test_checker_accepts_its_reference_solution(q):
    assert CHECKERS[q](EXERCISES[q].reference(), **KWARGS.get(q, {})) is True


@pytest.mark.parametrize('q', sorted(CHECKERS))
def test_checker_rejects_the_stub(q):
    blank = StubClass if q in CLASS_ANSWERS else stub
    for answer in (blank, ...):
        with pytest.raises(NotDone, match='not written yet'): CHECKERS[q](answer, **KWARGS.get(q, {}))


# --- the Exercise wrapper: verdicts without tracebacks, help only on request ---

def test_exercise_verdicts(capsys):
    q7 = EXERCISES[7]
    q7.check(stub)
    out = capsys.readouterr().out
    assert 'not done yet' in out and 'q7.hint()' in out and 'sum(' not in out
    q7.check(lambda a, b: [x * y for x, y in zip(a, b)])
    out = capsys.readouterr().out
    assert out.startswith('Question 7: not right yet.') and 'element-wise products' in out and 'Traceback' not in out
    q7.check(lambda a, b: sum(map(lambda p: p[0] * p[1], zip(a, b))))
    assert capsys.readouterr().out == 'Question 7: correct.\n'

def test_hints_and_solutions_print_only_when_asked(capsys):
    q5 = EXERCISES[5]
    assert capsys.readouterr().out == ''
    q5.hint(); assert capsys.readouterr().out.startswith('Hint 1 of 2 for question 5: ')
    q5.hint(2); assert 'values=' in capsys.readouterr().out
    q5.solution(); assert 'def my_crosstab' in capsys.readouterr().out
    with pytest.raises(ValueError, match='hints 1 to 2'): q5.hint(3)


# --- item 5: crosstab ---

def crosstab_by(users_first=True, n_users_delta=0, busiest=True, fill=None):
    def fn(ratings, n_users, n_items):
        if busiest:
            users = ratings.user.value_counts().index[:n_users + n_users_delta]
            movies = ratings.movie.value_counts().index[:n_items]
        else:
            users, movies = sorted(ratings.user.unique())[:n_users], sorted(ratings.movie.unique())[:n_items]
        sub = ratings[ratings.user.isin(users) & ratings.movie.isin(movies)]
        index, columns = ('user', 'movie') if users_first else ('movie', 'user')
        res = sub.pivot_table(index=index, columns=columns, values='rating')
        return res if fill is None else res.fillna(fill)
    return fn

def counting_crosstab(ratings, n_users, n_items):
    sub = ratings[ratings.user.isin(ratings.user.value_counts().index[:n_users])
                  & ratings.movie.isin(ratings.movie.value_counts().index[:n_items])]
    return pd.crosstab(sub.user, sub.movie)

def test_crosstab_accepts_pivot_table(): assert check_crosstab(crosstab_by())

@pytest.mark.parametrize('answer,hint', [
    (counting_crosstab, 'hold counts'),
    (crosstab_by(users_first=False), 'swapped'),
    (crosstab_by(n_users_delta=1), 'off-by-one'),
    (crosstab_by(n_users_delta=-1), 'off-by-one'),
    (crosstab_by(busiest=False), 'not the most active users'),
    (crosstab_by(fill=0), 'NaN if unrated'),
    (lambda r, n, m: crosstab_by()(r, n, m).dropna(axis=1), 'dropna'),
    (lambda r, n, m: crosstab_by()(r, n, m).dropna(), 'dropna'),
    (lambda r, n, m: crosstab_by()(r, n, m).iloc[::-1], 'not in order'),
    (lambda r, n, m: crosstab_by()(r, n, m).iloc[:, ::-1], 'not in order'),
    (lambda r, n, m: r.head(n), 'not the most active users'),
    (lambda r, n, m: r.values, 'Return a pandas DataFrame'),
])
def test_crosstab_rejects(answer, hint): rejects(check_crosstab, answer, hint)


# --- item 7: dot product of lists ---

def test_dot_product_accepts_a_loop():
    def dot(a, b):
        total = 0
        for i in range(len(a)): total += a[i] * b[i]
        return total
    assert check_dot_product(dot)

@pytest.mark.parametrize('answer,hint', [
    (lambda a, b: [x * y for x, y in zip(a, b)], 'element-wise products'),
    (lambda a, b: sum(a[i] * b[i] for i in range(len(a) - 1)), 'off-by-one'),
    (lambda a, b: sum(a) * sum(b), r'sum\(a\) \* sum\(b\)'),
    (lambda a, b: sum(x * y for x, y in zip(a, a)), 'the dot product of `a` with itself'),
    (lambda a, b: sum(x + y for x, y in zip(a, b)), 'expected'),
    (lambda a, b: 1 / 0, 'ZeroDivisionError'),
])
def test_dot_product_rejects(answer, hint): rejects(check_dot_product, answer, hint)


# --- item 10: one-hot lookup ---

def test_one_hot_accepts_indexing_and_a_loop():
    assert check_one_hot_lookup(lambda f, i: f[i])
    assert check_one_hot_lookup(lambda f, i: torch.stack([(torch.arange(len(f)) == j).float() @ f for j in i]))

@pytest.mark.parametrize('answer,hint', [
    (lambda f, i: F.one_hot(i, num_classes=len(f)) @ f, r'\.float\(\)'),
    (lambda f, i: F.one_hot(i).float() @ f, 'num_classes'),
    (lambda f, i: F.one_hot(i, num_classes=len(f)).double() @ f, r'\.double\(\)` gives float64'),
    (lambda f, i: F.one_hot(i, num_classes=len(f)), 'one-hot matrix itself'),
    (lambda f, i: f.T @ F.one_hot(i, num_classes=len(f)).float().T, 'transposed'),
    (lambda f, i: f[i + 1 if i.max() < len(f) - 1 else i - 1], 'should be rows'),
])
def test_one_hot_rejects(answer, hint): rejects(check_one_hot_lookup, answer, hint)


# --- item 13: a class ---

class HeapRecommender:
    def __init__(self, scores): self._pairs = [(-r, t) for t, r in scores.items()]
    def top(self, n):
        import heapq
        return [t for _, t in heapq.nsmallest(n, self._pairs)]

class NoSelf:
    def __init__(self, scores): self.scores = scores
    def top(n): return []

class NotStored:
    def __init__(self, scores): scores = scores
    def top(self, n): return sorted(self.scores, key=self.scores.get, reverse=True)[:n]

class Shared:
    scores = {}
    def __init__(self, scores): Shared.scores.update(scores)
    def top(self, n): return sorted(self.scores, key=self.scores.get, reverse=True)[:n]

class Ascending:
    def __init__(self, scores): self.scores = scores
    def top(self, n): return sorted(self.scores, key=self.scores.get)[:n]

class Scores:
    def __init__(self, scores): self.scores = scores
    def top(self, n): return sorted(self.scores.values(), reverse=True)[:n]

def test_class_accepts_another_way(): assert check_class(HeapRecommender)

@pytest.mark.parametrize('answer,hint', [
    (NoSelf, r'`def top\(self, n\):`'),
    (NotStored, r'self\.scores = scores'),
    (Shared, 'never given'),
    (Ascending, 'the lowest scores'),
    (Scores, 'not their scores'),
])
def test_class_rejects(answer, hint): rejects(check_class, answer, hint)


# --- items 15 and 18: a DotProduct module ---

class RightDot(Module):
    def __init__(self, n_users, n_movies, n_factors):
        self.u, self.m = Embedding(n_users, n_factors), Embedding(n_movies, n_factors)
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1)

class ParamsDot(Module):  # nn.Parameter and indexing instead of Embedding, an einsum, and sigmoid_range: still right
    def __init__(self, n_users, n_movies, n_factors):
        self.u = nn.Parameter(torch.randn(n_users, n_factors) * 0.01)
        self.m = nn.Parameter(torch.randn(n_movies, n_factors) * 0.01)
    def forward(self, x): return sigmoid_range(torch.einsum('bf,bf->b', self.u[x[:, 0]], self.m[x[:, 1]]), 0, 5.5)

class NoSum(RightDot):
    def forward(self, x): return self.u(x[:, 0]) * self.m(x[:, 1])

class WrongAxis(RightDot):
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=0)

class UsersTwice(RightDot):
    def forward(self, x): return (self.u(x[:, 0]) * self.u(x[:, 0])).sum(dim=1)

class BatchMean(RightDot):  # one value for the whole batch: at best it learns the mean rating
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1).mean().expand(len(x))

class PlainTensors(Module):
    def __init__(self, n_users, n_movies, n_factors):
        self.u, self.m = torch.randn(n_users, n_factors) * 0.01, torch.randn(n_movies, n_factors) * 0.01
    def forward(self, x): return (self.u[x[:, 0]] * self.m[x[:, 1]]).sum(dim=1)

class NotAModule:
    def __init__(self, *args): pass

class RightDotBias(RightDot):
    def __init__(self, n_users, n_movies, n_factors):
        super().__init__(n_users, n_movies, n_factors)
        self.ub, self.mb = Embedding(n_users, 1), Embedding(n_movies, 1)
    def forward(self, x):
        return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1, keepdim=True) + self.ub(x[:, 0]) + self.mb(x[:, 1])

class FlatDotBias(RightDotBias):  # flat shapes instead of keepdim
    def forward(self, x):
        return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(1) + self.ub(x[:, 0]).squeeze(1) + self.mb(x[:, 1]).squeeze(1)

class BiasesOnly(RightDotBias):  # the factor tables exist but the dot product was left out
    def forward(self, x): return self.ub(x[:, 0]) + self.mb(x[:, 1])

class UserBiasByMovie(RightDotBias):  # the user bias looked up with the movie ids
    def forward(self, x):
        return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1, keepdim=True) + self.ub(x[:, 1]) + self.mb(x[:, 1])

class DetachedMovieBias(RightDotBias):  # the movie bias never trains
    def forward(self, x):
        return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1, keepdim=True) + self.ub(x[:, 0]) + self.mb(x[:, 1]).detach()

class DetachedMovieFactors(RightDot):  # the movie factors never train
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1]).detach()).sum(dim=1)

class MovieFactorsByUser(RightDot):  # the movie factors looked up with the user ids, past the end of the table
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 0])).sum(dim=1)

class OneHotLinear(Module):  # factor tables as Linear layers applied to one-hot ids: weights stored [k, n]
    def __init__(self, n_users, n_movies, n_factors, with_bias=False):
        self.n_users, self.n_movies = n_users, n_movies
        self.u, self.m = nn.Linear(n_users, n_factors, bias=False), nn.Linear(n_movies, n_factors, bias=False)
        for lin in (self.u, self.m): nn.init.normal_(lin.weight, 0, 0.01)
        self.ub, self.mb = (nn.Linear(n_users, 1, bias=False), nn.Linear(n_movies, 1, bias=False)) if with_bias else (None, None)
    def forward(self, x):
        ou, om = F.one_hot(x[:, 0], self.n_users).float(), F.one_hot(x[:, 1], self.n_movies).float()
        res = (self.u(ou) * self.m(om)).sum(dim=1, keepdim=True)
        return res if self.ub is None else res + self.ub(ou) + self.mb(om)

class OneHotLinearBias(OneHotLinear):
    def __init__(self, n_users, n_movies, n_factors): super().__init__(n_users, n_movies, n_factors, with_bias=True)

class SigmoidDot(RightDot):  # predictions squashed into (0, 1)
    def forward(self, x): return torch.sigmoid(super().forward(x))

class SwappedEmbedding(Module):  # Embedding(n_factors, n_users): rows and columns swapped
    def __init__(self, n_users, n_movies, n_factors): self.u, self.m = Embedding(n_factors, n_users), Embedding(n_factors, n_movies)
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1)

class ZeroFactorsBias(RightDotBias):  # factors that start at zero never move, though the biases still do
    def __init__(self, n_users, n_movies, n_factors):
        super().__init__(n_users, n_movies, n_factors)
        for e in (self.u, self.m): nn.init.zeros_(e.weight)

class StackedTable(Module):  # users and movies in one table, movie ids shifted past the users
    def __init__(self, n_users, n_movies, n_factors):
        self.n_users, self.t = n_users, Embedding(n_users + n_movies, n_factors)
    def forward(self, x): return (self.t(x[:, 0]) * self.t(x[:, 1] + self.n_users)).sum(dim=1)

def test_model_checker_accepts_right_models():
    assert check_dot_product_model(OneHotLinear)
    assert check_dot_product_model(StackedTable)
    assert check_dot_product_model(OneHotLinearBias, with_bias=True)
    assert check_dot_product_model(RightDot)
    assert check_dot_product_model(ParamsDot)
    assert check_dot_product_model(RightDotBias, with_bias=True)
    assert check_dot_product_model(FlatDotBias, with_bias=True)

@pytest.mark.parametrize('answer,kwargs,hint', [
    (NoSum, {}, 'Sum the products over the factors'),
    (WrongAxis, {}, r'summed over the batch \(dim 0\)'),
    (UsersTwice, {}, 'Changing the movie does not change'),
    (BatchMean, {}, r'predicting the mean rating for everyone \(\d\.\d{3}\)'),
    (PlainTensors, {}, 'no parameters'),
    (NotAModule, {}, 'must inherit from'),
    (RightDot, dict(with_bias=True), 'forgot the biases'),
    (BiasesOnly, dict(with_bias=True), r'`u\.weight` \(shape \(50, 4\)\) gets no gradient'),
    (DetachedMovieFactors, {}, r'`m\.weight` \(shape \(40, 4\)\) gets no gradient'),
    (SigmoidDot, {}, 'as after a plain sigmoid'),
    (ZeroFactorsBias, dict(with_bias=True), r'is all zeros, and so is its gradient'),
    (SwappedEmbedding, {}, r'one row per user \(or per movie\)'),
    (MovieFactorsByUser, {}, r'look the users up with `x\[:, 0\]`'),
    (RightDotBias, {}, 'Expected .* parameters'),
    (UserBiasByMovie, dict(with_bias=True), r'look up the user biases with the user ids, `x\[:, 0\]`'),
    (DetachedMovieBias, dict(with_bias=True), r'`mb\.weight` \(shape \(40, 1\)\) gets no gradient'),
])
def test_model_checker_rejects(answer, kwargs, hint): rejects(check_dot_product_model, answer, hint, **kwargs)

def test_model_checker_leaves_the_random_state_alone():
    torch.manual_seed(1); want = torch.rand(3)
    torch.manual_seed(1); check_dot_product_model(RightDot)
    assert torch.equal(torch.rand(3), want)


# --- item 16: MSE ---

def test_mse_accepts_other_ways():
    assert check_mse(lambda p, t: F.mse_loss(p.flatten(), t.flatten()))
    assert check_mse(lambda p, t: sum((a - b) ** 2 for a, b in zip(p.view(-1).tolist(), t.view(-1).tolist())) / len(t))

@pytest.mark.parametrize('answer,hint', [
    (lambda p, t: ((p - t) ** 2).mean(), 'broadcast'),
    (lambda p, t: ((p.view(-1) - t) ** 2).mean(), r'predictions of shape \[5, 1\] and targets of shape \[5, 1\], somewhere a \[bs\] tensor'),
    (lambda p, t: (p.view(-1) - t.view(-1)).abs().mean(), 'mean absolute error'),
    (lambda p, t: ((p.view(-1) - t.view(-1)) ** 2).mean().sqrt(), 'RMSE'),
    (lambda p, t: ((p.view(-1) - t.view(-1)) ** 2).sum(), 'summed'),
    (lambda p, t: (p.view(-1) - t.view(-1)).mean(), 'without squaring'),
    (lambda p, t: (p.view(-1) - t.view(-1)) ** 2, 'single number'),
])
def test_mse_rejects(answer, hint): rejects(check_mse, answer, hint)


# --- item 17: a cross-entropy model ---

class DotPerClass(Module):  # one dot product per class instead of a shared Linear: also right
    def __init__(self, n_users, n_movies, n_factors, n_classes=5):
        self.k, self.c = n_factors, n_classes
        self.u, self.m = Embedding(n_users, n_factors * n_classes), Embedding(n_movies, n_factors * n_classes)
        self.b = nn.Parameter(torch.zeros(n_classes))
    def forward(self, x):
        shape = (-1, self.c, self.k)
        return (self.u(x[:, 0]).view(shape) * self.m(x[:, 1]).view(shape)).sum(2) + self.b

class OneScore(Module):  # DotProductBias: a single rating, not class scores
    def __init__(self, n_users, n_movies, n_factors, n_classes=5):
        self.u, self.m = Embedding(n_users, n_factors), Embedding(n_movies, n_factors)
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(1)

class Softmaxed(DotPerClass):
    def forward(self, x): return super().forward(x).softmax(dim=1)

class SameScores(OneScore):
    def forward(self, x): return super().forward(x)[:, None].expand(-1, 5)

class MovieOnly(DotPerClass):
    def forward(self, x):
        shape = (-1, self.c, self.k)
        return (self.m(x[:, 1]).view(shape) * self.m(x[:, 1]).view(shape)).sum(2) + self.b

class ClassBiasesOnly(Module):
    def __init__(self, n_users, n_movies, n_factors, n_classes=5):
        self.ub, self.mb = Embedding(n_users, n_classes), Embedding(n_movies, n_classes)
    def forward(self, x): return self.ub(x[:, 0]) + self.mb(x[:, 1])

class SigmoidScores(DotPerClass):  # probabilities of each class on its own: squashed into (0, 1)
    def forward(self, x): return torch.sigmoid(super().forward(x))

def test_cross_entropy_accepts_a_dot_per_class():
    assert check_cross_entropy_model(DotPerClass)
    assert check_cross_entropy_model(Linear1To5)

@pytest.mark.parametrize('answer,hint', [
    (OneScore, 'one score per row'),
    (Softmaxed, 'already probabilities'),
    (SameScores, 'scores of a row are equal'),
    (MovieOnly, 'Changing the user'),
    (ClassBiasesOnly, r'only per-class biases \(\d\.\d{3}\)'),
    (SigmoidScores, 'as after a sigmoid'),
])
def test_cross_entropy_rejects(answer, hint): rejects(check_cross_entropy_model, answer, hint)


# --- items 20 and 21: weight decay ---

def grad_by_autograd(ps, wd):
    ps = [p.clone().requires_grad_() for p in ps]
    (wd * sum((p ** 2).sum() for p in ps)).backward()
    return [p.grad for p in ps]

def test_weight_decay_checkers_accept_right_answers():
    assert check_weight_decay_loss(lambda loss, ps, wd: loss + wd * torch.cat([p.flatten() for p in ps]).pow(2).sum())
    assert check_weight_decay_grad(lambda ps, wd: [2 * wd * p for p in ps])
    assert check_weight_decay_grad(grad_by_autograd)
    assert check_weight_decay_grad(lambda ps, wd: (2 * wd * p for p in ps))  # a generator of gradients

@pytest.mark.parametrize('answer,hint', [
    (lambda loss, ps, wd: wd * sum((p ** 2).sum() for p in ps), 'penalty alone'),
    (lambda loss, ps, wd: loss + wd * sum(p.abs().sum() for p in ps), 'L1'),
    (lambda loss, ps, wd: loss + wd * sum(p.sum() for p in ps) ** 2, 'squared the sum'),
    (lambda loss, ps, wd: loss + wd * (ps[0] ** 2).sum(), 'Only one parameter'),
    (lambda loss, ps, wd: [loss + wd * (p ** 2).sum() for p in ps], 'single number'),
    (lambda loss, ps, wd: loss + 2 * wd * sum((p ** 2).sum() for p in ps), 'Expected'),
    (lambda loss, ps, wd: loss + wd / 2 * sum((p ** 2).sum() for p in ps), 'halved wd'),
])
def test_weight_decay_loss_rejects(answer, hint): rejects(check_weight_decay_loss, answer, hint)

@pytest.mark.parametrize('answer,hint', [
    (lambda ps, wd: [wd * p for p in ps], r'You have wd \* p'),
    (lambda ps, wd: [2 * p for p in ps], 'forgot to multiply by wd'),
    (lambda ps, wd: [wd * p ** 2 for p in ps], 'not its gradient'),
    (lambda ps, wd: [2 * wd * p for p in ps[:1]], 'one gradient per parameter'),
    (lambda ps, wd: [2 * wd * p.sum() for p in ps], 'shape of its parameter'),
])
def test_weight_decay_grad_rejects(answer, hint): rejects(check_weight_decay_grad, answer, hint)


# --- item 23: argsort ---

def test_argsort_accepts_sorted_indices():
    assert check_argsort(lambda t: torch.tensor(sorted(range(len(t)), key=lambda i: float(t[i]))))
    assert check_argsort(lambda t: torch.from_numpy(np.argsort(t.numpy(), kind='stable')))

@pytest.mark.parametrize('answer,hint', [
    (lambda t: torch.sort(t).values, 'sorted values'),
    (lambda t: torch.argsort(t) + 1, 'start at 1'),
    (lambda t: torch.argsort(t, descending=True), 'descending'),
    (lambda t: torch.arange(len(t)), 'expected'),
    (lambda t: torch.argsort(t)[:-1], 'should return'),
])
def test_argsort_rejects(answer, hint): rejects(check_argsort, answer, hint)


# --- item 24: lowest mean ratings ---

def lowest_by_dict(ratings, n):
    sums, counts = {}, {}
    for t, r in zip(ratings.title, ratings.rating): sums[t], counts[t] = sums.get(t, 0) + r, counts.get(t, 0) + 1
    return sorted(sums, key=lambda t: sums[t] / counts[t])[:n]

def test_lowest_means_accepts_another_way():
    assert check_lowest_means(lowest_by_dict)
    assert check_lowest_means(lambda r, n: r.pivot_table(index='title', values='rating').rating.nsmallest(n).index)

@pytest.mark.parametrize('answer,hint', [
    (lambda r, n: list(r.groupby('title').rating.mean().sort_values(ascending=False).index[:n]), 'highest averages first'),
    (lambda r, n: list(r.groupby('title').rating.sum().sort_values().index[:n]), 'sum of the ratings'),
    (lambda r, n: list(r.groupby('user').rating.mean().sort_values().index[:n]), 'not titles'),
    (lambda r, n: r.groupby('title').rating.mean().sort_values()[:n], 'not the means'),
    (lambda r, n: list(r.drop_duplicates('title').set_index('title').rating.nsmallest(n).index), 'lowest single'),
])
def test_lowest_means_rejects(answer, hint): rejects(check_lowest_means, answer, hint)


# --- item 25: layers ---

def test_layers_accepts_a_dict():
    assert check_layers(lambda m: {n: sum(p.numel() for p in c.parameters()) for n, c in m.named_children()})
    assert check_layers(lambda m: [(n, int(sum(np.prod(p.shape) for p in c.parameters()))) for n, c in m._modules.items()])

@pytest.mark.parametrize('answer,hint', [
    (lambda m: [(n, p.numel()) for n, p in m.named_parameters()], 'parameter names'),
    (lambda m: [(n, sum(p.numel() for p in c.parameters())) for n, c in m.named_modules()], 'the model itself'),
    (lambda m: [(n, sum(len(p) for p in c.parameters())) for n, c in m.named_children()], 'first dimension'),
    (lambda m: [(n, sum(p.numel() for p in c.parameters(recurse=False))) for n, c in m.named_children()], 'recurse=False'),
    (lambda m: [(n, sum(p.numel() for k, p in c.named_parameters() if 'weight' in k)) for n, c in m.named_children()],
     'weights only'),
    (lambda m: [sum(p.numel() for p in c.parameters()) for c in m.children()], 'pairs'),
    (lambda m: [(n, [list(p.shape) for p in c.parameters()]) for n, c in m.named_children()], 'an integer'),
])
def test_layers_rejects(answer, hint): rejects(check_layers, answer, hint)

def test_layers_checker_leaves_the_random_state_alone():
    torch.manual_seed(1); want = torch.rand(3)
    torch.manual_seed(1); check_layers(lambda m: [(n, sum(p.numel() for p in c.parameters())) for n, c in m.named_children()])
    assert torch.equal(torch.rand(3), want)


# --- item 27: a new user's recommendations ---

def new_user_by_loop(uf, ub, mf, mb, n):
    user, bias = uf.sum(0) / len(uf), ub.sum() / len(ub)
    scores = [float((mf[i] * user).sum() + mb[i] + bias) for i in range(len(mf))]
    return sorted(range(len(mf)), key=lambda i: -scores[i])[:n]

def test_new_user_accepts_other_ways():
    assert check_new_user(new_user_by_loop)
    assert check_new_user(lambda uf, ub, mf, mb, n: torch.topk(mf @ uf.mean(0) + mb, n).indices)

@pytest.mark.parametrize('answer,hint', [
    (lambda uf, ub, mf, mb, n: (mf @ uf.mean(0) + mb).argsort()[:n], 'lowest scores'),
    (lambda uf, ub, mf, mb, n: (mf @ uf.mean(0)).argsort(descending=True)[:n], 'ignores the movie biases'),
    (lambda uf, ub, mf, mb, n: (mf @ mf.mean(0) + mb).argsort(descending=True)[:n], 'averaged the movie factors'),
    (lambda uf, ub, mf, mb, n: (mf @ uf.mean(0) + mb).sort(descending=True).values[:n], 'look like scores'),
    (lambda uf, ub, mf, mb, n: (mf @ uf.mean(1) + mb).argsort(descending=True)[:n], r'mean\(0\)'),
    (lambda uf, ub, mf, mb, n: torch.stack([(mf @ u + mb).argsort(descending=True).argsort() for u in uf]).float().mean(0).argsort()[:n],
     "averaged each user's ranking"),
])
def test_new_user_rejects(answer, hint): rejects(check_new_user, answer, hint)


# --- item 30: CollabNN ---

class NamedLayers(Module):  # three attributes instead of nn.Sequential: registered too, so right
    def __init__(self, user_sz, item_sz, n_act):
        self.u, self.m = Embedding(*user_sz), Embedding(*item_sz)
        self.lin1, self.lin2 = nn.Linear(user_sz[1] + item_sz[1], n_act), nn.Linear(n_act, 1)
    def forward(self, x):
        h = F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], dim=1)))
        return torch.sigmoid(self.lin2(h)) * 5.5

class ListLayers(NamedLayers):  # a plain list hides the layers from parameters()
    def __init__(self, user_sz, item_sz, n_act):
        self.u, self.m = Embedding(*user_sz), Embedding(*item_sz)
        self.layers = [nn.Linear(user_sz[1] + item_sz[1], n_act), nn.ReLU(), nn.Linear(n_act, 1)]
    def forward(self, x):
        h = torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], dim=1)
        for layer in self.layers: h = layer(h)
        return sigmoid_range(h, 0, 5.5)

class NoReLU(NamedLayers):
    def forward(self, x): return sigmoid_range(self.lin2(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], 1))), 0, 5.5)

class NoRange(NamedLayers):
    def forward(self, x): return self.lin2(F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], 1))))

class ReLUAfterOutput(NamedLayers):  # the output cannot go below 0 before sigmoid_range
    def forward(self, x): return sigmoid_range(F.relu(self.lin2(F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], 1))))), 0, 5.5)

class PlainSigmoid(NamedLayers):  # predictions between 0 and 1, not over the ratings
    def forward(self, x): return torch.sigmoid(self.lin2(F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], 1)))))

class Linear1To5(Module):  # five scores from the dot product alone, no biases: right, if plain
    def __init__(self, n_users, n_movies, n_factors, n_classes=5):
        self.u, self.m, self.lin = Embedding(n_users, n_factors), Embedding(n_movies, n_factors), nn.Linear(1, n_classes)
    def forward(self, x): return self.lin((self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1, keepdim=True))

class CatDim0(NamedLayers):
    def forward(self, x): return sigmoid_range(self.lin2(F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 1])], 0)))), 0, 5.5)

class UsersTwice30(NamedLayers):  # the movie embedding looked up with the user ids, past its end
    def forward(self, x): return sigmoid_range(self.lin2(F.relu(self.lin1(torch.cat([self.u(x[:, 0]), self.m(x[:, 0])], 1)))), 0, 5.5)

class BookSignature(NamedLayers):  # the book's CollabNN(user_sz, item_sz, y_range=(0, 5.5), n_act=100)
    def __init__(self, user_sz, item_sz, y_range=(0, 5.5), n_act=100): super().__init__(user_sz, item_sz, n_act)

def test_collab_nn_accepts_named_layers():
    assert check_collab_nn(NamedLayers)
    assert check_collab_nn(BookSignature)

@pytest.mark.parametrize('answer,hint', [
    (ListLayers, 'hidden from `parameters\\(\\)`'),
    (NoReLU, r'a model with only biases \(\d\.\d{3}\)\. Is there a non-linearity'),
    (NoRange, '0–5.5 range'),
    (ReLUAfterOutput, 'A ReLU or a clamp after the last Linear layer'),
    (PlainSigmoid, 'a plain sigmoid gives numbers between 0 and 1'),
    (CatDim0, 'dim=1'),
    (UsersTwice30, r'look the users up with `x\[:, 0\]`'),
])
def test_collab_nn_rejects(answer, hint): rejects(check_collab_nn, answer, hint)


# --- the learner's notebook, unsolved and solved ---

CHECK_LINE = re.compile(r'^q(\d+)\.check\((\w+)\)$', re.M)

def run_learner_nb(tmp_path, solved):
    "Run 09_questionnaire in `tmp_path`, with each exercise's blank replaced by its solution if `solved`; {question: printed text}."
    nb = read_nb(LEARNER_NB)
    checks = {}
    for cell in nb.cells:
        m = CHECK_LINE.search(cell.source) if cell.cell_type == 'code' else None
        if not m: continue
        q = int(m.group(1))
        checks[q] = cell
        if solved: cell.source = f"{EXERCISES[q].solution_code}\n\n{m.group(0)}"
    shell = CaptureShell(LEARNER_NB)
    with working_directory(tmp_path): shell.run_all(nb, exc_stop=True)
    return {q: ''.join(''.join(o.get('text', [])) for o in cell.outputs if o.output_type == 'stream') for q, cell in checks.items()}

def test_learner_notebook_runs_unsolved(tmp_path):
    printed = run_learner_nb(tmp_path, solved=False)
    assert set(printed) == set(EXERCISES)
    for q, text in printed.items():
        assert text.startswith(f'Question {q}: not done yet.') and f'q{q}.hint()' in text, (q, text)
    assert list(tmp_path.iterdir()) == []  # it wrote nothing

def test_learner_notebook_passes_solved(tmp_path):
    printed = run_learner_nb(tmp_path, solved=True)
    assert printed == {q: f'Question {q}: correct.\n' for q in EXERCISES}

def test_learner_notebook_shows_no_solution():
    text = LEARNER_NB.read_text()
    assert 'check_' not in text and '#| export' not in text
    for ex in EXERCISES.values():
        body = ex.solution_code.splitlines()[-1].strip()
        assert body not in text, (ex.q, body)


def test_argsort_names_ties_only_when_there_are_some():
    with pytest.raises(AssertionError, match='repeats a position: each position must appear exactly once'):
        check_argsort(lambda t: torch.tensor([int(t.argmin())] * len(t)))

def test_crosstab_rejects_busiest_counted_among_popular_movies_only():
    def popular_only(ratings, n_users, n_items):
        sub = ratings[ratings.movie.isin(ratings.movie.value_counts().index[:n_items])]
        sub = sub[sub.user.isin(sub.user.value_counts().index[:n_users])]
        return pd.crosstab(sub.user, sub.movie, values=sub.rating, aggfunc='mean')
    rejects(check_crosstab, popular_only, 'not the most active users')

def test_argsort_rejects_repeated_positions_for_ties_and_accepts_any_tie_order():
    def by_lookup(t):  # the first position of each sorted value: tied values repeat it
        values = t.tolist()
        return torch.tensor([values.index(v) for v in sorted(values)])
    with pytest.raises(AssertionError, match='repeats a position'): check_argsort(by_lookup)
    assert check_argsort(lambda t: torch.argsort(t, descending=True).flip(0))  # ties in the other order are right too


def test_lowest_means_rejects_the_median():
    with pytest.raises(AssertionError, match='median'):
        check_lowest_means(lambda r, n: list(r.groupby('title').rating.median().sort_values().index[:n]))


def test_argsort_accepts_any_integer_dtype_and_names_float_positions():
    assert check_argsort(lambda t: torch.argsort(t, stable=True).to(torch.int16))
    with pytest.raises(AssertionError, match='integer tensor'): check_argsort(lambda t: torch.argsort(t, stable=True).float())


def test_lowest_means_accepts_a_pandas_array_of_titles():
    assert check_lowest_means(lambda r, n: r.groupby('title').rating.mean().sort_values().index.array[:n])


class _FactorsAndBiases(Module):
    def __init__(self, n_users, n_movies, n_factors):
        self.u, self.m = Embedding(n_users, n_factors), Embedding(n_movies, n_factors)
        self.ub, self.mb = Embedding(n_users, 1), Embedding(n_movies, 1)
    def dot(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1)


@pytest.mark.parametrize('forward', [
    lambda self, x: self.dot(x),                                                        # bias tables never used
    lambda self, x: self.dot(x) + self.mb(x[:, 1]).view(-1),                            # the movie's only
    lambda self, x: self.dot(x) + (self.ub(x[:, 0]) * self.mb(x[:, 1])).view(-1),       # multiplied, not added
], ids=['unused', 'movie only', 'multiplied'])
def test_q18_rejects_biases_that_are_not_added(forward):
    wrong = type('Wrong', (_FactorsAndBiases,), {'forward': forward})
    with pytest.raises(AssertionError, match='does not raise the predictions of its rows'):
        check_dot_product_model(wrong, with_bias=True)
    right = type('Right', (_FactorsAndBiases,), {'forward': lambda self, x: self.dot(x) + self.ub(x[:, 0]).view(-1) + self.mb(x[:, 1]).view(-1)})
    assert check_dot_product_model(right, with_bias=True)
