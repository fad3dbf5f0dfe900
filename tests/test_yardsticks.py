"The yardsticks the notebooks measure against: the book's figures (book), the two models without factors (references), and the L2 penalty (weight_decay)."
import numpy as np
import pandas as pd
import pytest
import torch

from collab_course.yardsticks import BOOK_RESULTS, epoch_losses, book_vs_run, check_against_book, plot_losses
from collab_course.loaders import collab_dls
from collab_course.yardsticks import reference_losses, check_beats_references
from collab_course.training import fit_learner, make_model
from collab_course.weight_decay import l2_penalty, loss_with_wd, plot_parabolas


class FakeRecorder:
    def __init__(self, values): self.values = values


class FakeLearner:
    def __init__(self, values): self.recorder = FakeRecorder(values)


def test_book_vs_run_and_the_check():
    run = FakeLearner([[1.0, 1.1], [0.5, 0.83]])
    assert epoch_losses(run) == [(1.0, 1.1), (0.5, 0.83)]
    table = book_vs_run({'DotProductBias wd=0.1': run, 'DotProduct': (0.3, 0.95)})
    assert table.loc['DotProductBias wd=0.1', 'book valid'] == BOOK_RESULTS['DotProductBias wd=0.1'][1]
    assert table.loc['DotProduct', 'valid − book'] == pytest.approx(0.95 - 0.884209)
    with pytest.raises(AssertionError, match='DotProduct'): check_against_book(table)   # 0.066 above the book's
    assert check_against_book(table.loc[['DotProductBias wd=0.1']])                   # 0.007 above: within 0.02
    with pytest.raises(KeyError, match='No book figure'): book_vs_run({'SVD': (0.1, 0.2)})
    ax = plot_losses({'a': run})
    assert len(ax.lines) == 2, ax.lines


def test_reference_losses_by_hand(title_ratings):
    dls = collab_dls(title_ratings, item_name='title', bs=16, seed=42)
    refs = reference_losses(dls)
    train = dls.train_ds.items['rating'].to_numpy()
    valid = dls.valid_ds.items['rating'].to_numpy()
    assert refs.loc['mean predictor', 'train'] == pytest.approx(np.mean((train - train.mean()) ** 2))
    assert refs.loc['mean predictor', 'valid'] == pytest.approx(np.mean((valid - train.mean()) ** 2))
    # generous users and disliked titles are a pattern biases capture: clearly better than the mean on both sides
    for side in ('train', 'valid'):
        assert refs.loc['biases only', side] < refs.loc['mean predictor', side] - 0.2, refs


def test_check_beats_references_margins(title_ratings):
    refs = reference_losses(collab_dls(title_ratings, item_name='title', bs=16, seed=42))
    best = refs['valid'].min()
    assert check_beats_references({'good': best - 0.01}, refs)
    with pytest.raises(AssertionError, match='bad'): check_beats_references({'bad': best - 0.001}, refs)
    with pytest.raises(AssertionError, match='bad'): check_beats_references({'bad': float('nan')}, refs)


def test_a_trained_factor_model_against_the_references(title_ratings):
    "What the checks are for: a model trained on the pattern beats the mean predictor clearly."
    dls = collab_dls(title_ratings, item_name='title', bs=16, seed=42)
    learn = fit_learner(dls, lambda d: make_model('dotbias', d, n_factors=4), 5, 3e-2, seed=42, quiet=True)
    refs = reference_losses(dls)
    assert learn.recorder.values[-1][1] < refs.loc['mean predictor', 'valid'] - 0.2, (learn.recorder.values[-1], refs)


def test_l2_penalty_and_its_gradient():
    a, b = torch.tensor([1., 2.], requires_grad=True), torch.tensor([[3.]], requires_grad=True)
    assert l2_penalty([a, b], 0.1).item() == pytest.approx(0.1 * (1 + 4 + 9))
    loss = loss_with_wd(torch.tensor(2.), [a, b], 0.1)
    loss.backward()
    torch.testing.assert_close(a.grad, 2 * 0.1 * a.detach())  # the penalty's gradient is 2 * wd * parameter
    assert loss.item() == pytest.approx(2 + 1.4)
    assert len(plot_parabolas((1, 2)).lines) == 2
