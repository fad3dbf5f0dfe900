"The chapter's models (collab_course.models) on a few hand-made rows: shapes, ranges, parameters, and fastai's rules."
import pytest
import torch
from fastai.tabular.model import emb_sz_rule as fastai_emb_sz_rule
from fastai.collab import EmbeddingNN, get_emb_sz

from collab_course.loaders import collab_dls
from collab_course.models import DotProduct, DotProductBias, create_params, DotProductBiasParams, emb_sz_rule, CollabNN, collab_nn_learner

X = torch.tensor([[1, 2], [3, 4], [0, 0]])  # (user index, item index) rows; index 0 is '#na#'


def n_params(m): return sum(p.numel() for p in m.parameters())


def test_dot_product_is_the_sum_of_factor_products():
    m = DotProduct(5, 6, 3)
    expected = (m.user_factors.weight[X[:, 0]] * m.movie_factors.weight[X[:, 1]]).sum(1)
    torch.testing.assert_close(m(X), expected)
    squashed = DotProduct(5, 6, 3, y_range=(0, 5.5))
    squashed.load_state_dict(m.state_dict())
    torch.testing.assert_close(squashed(X), torch.sigmoid(expected) * 5.5)


@pytest.mark.parametrize('cls', [DotProductBias, DotProductBiasParams])
def test_bias_models_add_biases_inside_the_range(cls):
    m = cls(5, 6, 3)
    assert n_params(m) == (5 + 6) * (3 + 1), n_params(m)
    with torch.no_grad():
        for p in m.parameters(): p.zero_()
        bias = m.user_bias if isinstance(m.user_bias, torch.nn.Parameter) else m.user_bias.weight
        bias[1] += 10.  # a very generous user 1: the prediction saturates just below the top of y_range
    out = m(X).flatten()
    assert out.shape == (3,), out.shape
    torch.testing.assert_close(out[1:], torch.full((2,), 5.5 / 2))
    assert 5.49 < out[0] < 5.5, out


def test_create_params_is_small_and_trainable():
    p = create_params([200, 50])
    assert p.requires_grad and p.shape == (200, 50), (p.requires_grad, p.shape)
    assert abs(p.std().item() - 0.01) < 0.002 and abs(p.mean().item()) < 0.002, (p.std(), p.mean())


@pytest.mark.parametrize('n', [2, 10, 944, 1665, 10**6])
def test_emb_sz_rule_is_fastais(n):
    assert emb_sz_rule(n) == fastai_emb_sz_rule(n), (n, emb_sz_rule(n), fastai_emb_sz_rule(n))


def test_collab_nn_shapes_and_learner(title_ratings):
    dls = collab_dls(title_ratings, item_name='title', bs=16, seed=42)
    sizes = get_emb_sz(dls)
    m = CollabNN(*sizes)
    x, _ = dls.one_batch()
    out = m.to(x.device)(x)
    assert out.shape == (len(x), 1) and (out > 0).all() and (out < 5.5).all(), (out.shape, out.min(), out.max())
    learn = collab_nn_learner(dls, n_act=7, emb_szs={'title': 3})
    assert learn.model.item_factors.weight.shape[1] == 3 and learn.model.layers[0].out_features == 7, learn.model
    # the same sizes as fastai's own neural network for collaborative filtering
    fastai_nn = EmbeddingNN(sizes, layers=[100])
    assert [tuple(e.weight.shape) for e in fastai_nn.embeds] == [tuple(m.user_factors.weight.shape), tuple(m.item_factors.weight.shape)]
