"The autoencoder of 18_autoencoder on a tiny synthetic fold: the rating matrix, its DataLoaders, the masked loss, training and predictions."
import pytest
import torch
from fastai.torch_core import default_device

from sklearn.metrics import root_mean_squared_error as rmse
from collab_course.published import read_fold
from collab_course.autorec import rating_matrix, autorec_dls, ItemAutoRec, masked_sse, fit_autorec, autorec_predictions


def _one_rating_per_pair(folder):
    "The tiny fold with one rating per (user, movie) pair, the last one, as in MovieLens."
    return [r.drop_duplicates(['user', 'movie'], keep='last').reset_index(drop=True) for r in read_fold(1, folder)]


def test_rating_matrix_and_autorec_dls(folder):
    base, test = _one_rating_per_pair(folder)
    values, mask = rating_matrix(base, 31, 21)
    assert mask.sum().item() == len(base)
    assert values[base['movie'].to_numpy(), base['user'].to_numpy()].tolist() == base['rating'].astype(float).tolist()
    assert values[mask == 0].abs().sum().item() == 0
    with pytest.raises(ValueError, match='user ids in 0..19'): rating_matrix(base, 31, 20)
    with pytest.raises(ValueError, match='more than once'): rating_matrix(read_fold(1, folder)[0], 31, 21)
    d = autorec_dls(base, test, bs=8)
    assert len(d.train_ds) == len(d.valid_ds) == 31
    x, y = d.valid_ds[30]  # movie 30 is only in the test file
    assert x.abs().sum().item() == 0 and y[1].sum().item() == (test['movie'] == 30).sum()
    xb, yb = d.one_batch()
    assert xb.shape == (8, 21) and yb.shape == (8, 2, 21)
    assert xb.device == default_device()


def test_masked_sse_ignores_missing_ratings():
    preds = torch.tensor([[1., 100.], [2., 2.]])
    targets = torch.tensor([[[2., 0.], [1., 0.]], [[2., 4.], [1., 1.]]])  # movie 0's second user did not rate it
    assert masked_sse(preds, targets).item() == pytest.approx((1 + 0 + 4) / 2)


def test_autorec_learns_the_synthetic_pattern(folder):
    base, test = _one_rating_per_pair(folder)
    learn = fit_autorec(autorec_dls(base, base, bs=8), n_hidden=8, epochs=60, lr=1e-2, lam=0.1)
    preds = autorec_predictions(learn, base)
    assert preds.shape == (len(base),) and ((preds >= 1) & (preds <= 5)).all()
    mean_rmse = rmse(torch.full((len(base),), float(base['rating'].mean())), base['rating'])
    assert rmse(preds, base['rating']) < mean_rmse - 0.15, (rmse(preds, base['rating']), mean_rmse)
    assert learn.model.penalty.item() > 0 and isinstance(learn.model, ItemAutoRec)
    for bad in (test.assign(user=99), test.assign(movie=-1)):
        with pytest.raises(ValueError, match='build it with these ratings as `test`'): autorec_predictions(learn, bad)
