"The questionnaire's checkers accept right answers (the notebook proves that) and reject the usual wrong ones."
import numpy as np
import pytest
import torch
from fastai.layers import Embedding
from fastai.torch_core import Module

from collab_course.exercises import (check_argsort, check_crosstab, check_dot_product, check_dot_product_model,
                                     check_weight_decay_grad, check_weight_decay_loss)


def rejects(checker, answer, hint):
    with pytest.raises(AssertionError, match=hint): checker(answer)


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
    (lambda a, b: sum(x + y for x, y in zip(a, b)), 'expected'),
    (lambda a, b: 1 / 0, 'ZeroDivisionError'),
])
def test_dot_product_rejects(answer, hint): rejects(check_dot_product, answer, hint)

def test_an_unwritten_stub_says_so():
    def stub(a, b): raise NotImplementedError
    rejects(check_dot_product, stub, 'not written yet')


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

def test_crosstab_accepts_pivot_table(): assert check_crosstab(crosstab_by())

@pytest.mark.parametrize('answer,hint', [
    (crosstab_by(users_first=False), 'swapped'),
    (crosstab_by(n_users_delta=1), 'off-by-one'),
    (crosstab_by(n_users_delta=-1), 'off-by-one'),
    (crosstab_by(busiest=False), 'not the most active users'),
    (crosstab_by(fill=0), 'NaN if unrated'),
    (lambda r, n, m: r.head(n), 'not the most active users'),
    (lambda r, n, m: r.values, 'Return a pandas DataFrame'),
])
def test_crosstab_rejects(answer, hint): rejects(check_crosstab, answer, hint)


# --- items 13 and 15: a DotProduct module ---

class RightDot(Module):
    def __init__(self, n_users, n_movies, n_factors):
        self.u, self.m = Embedding(n_users, n_factors), Embedding(n_movies, n_factors)
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=1)

class NoSum(RightDot):
    def forward(self, x): return self.u(x[:, 0]) * self.m(x[:, 1])

class WrongAxis(RightDot):
    def forward(self, x): return (self.u(x[:, 0]) * self.m(x[:, 1])).sum(dim=0)

class UsersTwice(RightDot):
    def forward(self, x): return (self.u(x[:, 0]) * self.u(x[:, 0])).sum(dim=1)

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

def test_model_checker_accepts_right_models():
    assert check_dot_product_model(RightDot)
    assert check_dot_product_model(RightDotBias, with_bias=True)

@pytest.mark.parametrize('answer,kwargs,hint', [
    (NoSum, {}, 'Sum the products over the factors'),
    (WrongAxis, {}, r'summed over the batch \(dim 0\)'),
    (UsersTwice, {}, 'Changing the movie does not change'),
    (PlainTensors, {}, 'no parameters'),
    (NotAModule, {}, 'must inherit from'),
    (RightDot, dict(with_bias=True), 'forgot the biases'),
    (RightDotBias, {}, 'Expected .* parameters'),
])
def test_model_checker_rejects(answer, kwargs, hint):
    with pytest.raises(AssertionError, match=hint): check_dot_product_model(answer, **kwargs)


# --- items 20 and 21: weight decay ---

def test_weight_decay_checkers_accept_right_answers():
    assert check_weight_decay_loss(lambda loss, ps, wd: loss + wd * sum((p ** 2).sum() for p in ps))
    assert check_weight_decay_grad(lambda ps, wd: [2 * wd * p for p in ps])

@pytest.mark.parametrize('answer,hint', [
    (lambda loss, ps, wd: wd * sum((p ** 2).sum() for p in ps), 'penalty alone'),
    (lambda loss, ps, wd: loss + wd * sum(p.abs().sum() for p in ps), 'L1'),
    (lambda loss, ps, wd: loss + wd * sum(p.sum() for p in ps) ** 2, 'squared the sum'),
    (lambda loss, ps, wd: loss + wd * (ps[0] ** 2).sum(), 'Only one parameter'),
    (lambda loss, ps, wd: [loss + wd * (p ** 2).sum() for p in ps], 'single number'),
    (lambda loss, ps, wd: loss + 2 * wd * sum((p ** 2).sum() for p in ps), 'Expected'),
])
def test_weight_decay_loss_rejects(answer, hint): rejects(check_weight_decay_loss, answer, hint)

@pytest.mark.parametrize('answer,hint', [
    (lambda ps, wd: [wd * p for p in ps], 'the gradient is 2 \\* wd \\* p'),
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
