"13_training's helpers on small synthetic ratings: the registry of the course's models, the one training recipe, and train_model."
from functools import partial

import pytest
import torch
from fastai.torch_core import set_seed

from collab_course.loaders import collab_dls
from collab_course.interpret import factor_tables
from collab_course.training import COURSE_MODELS, CourseModel, vocab_sizes, make_model, check_model_kind, fit_learner, train_model


@pytest.fixture(scope='module')
def ratings(title_ratings): return title_ratings


@pytest.fixture(scope='module')
def dls(ratings): return collab_dls(ratings, item_name='title', bs=32, seed=42)


def test_vocab_sizes(dls):
    assert vocab_sizes(dls) == (len(dls.classes['user']), len(dls.classes['title'])) == (31, 41)


def test_registry_entries_are_complete_and_distinct():
    labels = [m.label for m in COURSE_MODELS.values()]
    assert len(set(labels)) == len(labels), labels
    for kind, m in COURSE_MODELS.items():
        assert isinstance(m, CourseModel) and callable(m.build), kind
        assert m.taught_in[:2].isdigit() and '_' in m.taught_in, (kind, m.taught_in)


@pytest.mark.parametrize('kind', list(COURSE_MODELS))
def test_every_model_builds_predicts_in_range_and_reads_as_registered(dls, kind):
    model = make_model(kind, dls, n_factors=4)
    x, _ = dls.one_batch()
    with torch.no_grad(): pred = model.to(x.device)(x)
    assert pred.numel() == len(x), (kind, pred.shape)
    assert 0 < pred.min() and pred.max() < 5.5, (kind, pred.min().item(), pred.max().item())
    try: factor_tables(model); readable = True
    except TypeError: readable = False
    assert readable == COURSE_MODELS[kind].interpretable, (kind, readable)


def test_unknown_kind_lists_the_keys(dls):
    with pytest.raises(ValueError, match='choose one of: dot, dotbias'): make_model('svd', dls)
    assert check_model_kind('nn') == 'nn'


def test_fit_learner_is_seeded_trains_quietly_and_checks_epochs(ratings, capsys):
    def fit(seed=1, epochs=2):
        # DataLoaders draw their batch order when they are built, so a repeated run seeds and builds them again
        set_seed(seed, reproducible=True)
        dls = collab_dls(ratings, item_name='title', bs=32, seed=42)
        return fit_learner(dls, partial(make_model, 'dotbias', n_factors=4), epochs, 1e-2, seed=seed, quiet=True)
    a, b, c = fit(seed=1), fit(seed=1), fit(seed=2)
    assert capsys.readouterr().out == ''
    assert len(a.recorder.values) == 2, a.recorder.values
    if torch.cuda.is_available():  # a GPU may sum gradients in another order from run to run: close, not equal
        assert a.recorder.values[-1][1] == pytest.approx(b.recorder.values[-1][1], abs=1e-3)
    else:
        assert a.recorder.values[-1][1] == b.recorder.values[-1][1]
        assert torch.equal(a.model.user_factors.weight, b.model.user_factors.weight)
    assert not torch.equal(a.model.user_factors.weight.cpu(), c.model.user_factors.weight.cpu())
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match='whole number of at least 1'): fit(epochs=bad)


def test_fit_learner_takes_a_loss_and_callbacks(dls):
    from fastai.callback.core import Callback
    class CountBatches(Callback):
        n = 0
        def after_batch(self): CountBatches.n += self.training  # training batches only
    seen = []
    def loss(preds, targs): seen.append(len(preds)); return ((preds.view(-1) - targs.view(-1)) ** 2).mean()
    learn = fit_learner(dls, partial(make_model, 'dot', n_factors=4), 1, 1e-2, loss_func=loss, cbs=[CountBatches()], quiet=True)
    assert CountBatches.n == len(dls.train), (CountBatches.n, len(dls.train))
    assert seen and learn.loss_func is loss


def test_train_model_splits_like_collab_dls_and_learns(ratings):
    learn = train_model(ratings, 'dotbias', epochs=3, lr=3e-2, n_factors=4, bs=32, quiet=True)
    assert (len(learn.dls.train_ds), len(learn.dls.valid_ds)) == (480, 120)
    train_mean = learn.dls.train_ds.items['rating'].mean()
    mean_mse = float(((learn.dls.valid_ds.items['rating'] - train_mean) ** 2).mean())
    assert learn.recorder.values[-1][1] < mean_mse, (learn.recorder.values[-1][1], mean_mse)
    other = train_model(ratings, 'dotbias', epochs=1, n_factors=4, bs=32, split_seed=7, quiet=True)
    assert other.dls.valid_ds.items.index.tolist() != learn.dls.valid_ds.items.index.tolist()
    with pytest.raises(ValueError, match='choose one of'): train_model(ratings, 'svd')
