"Ratings as classes (collab_course.classify, from 12_cross_entropy): classes, loss, model, predictions and scores."
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from collab_course.classify import (rating_levels, to_class, ce_loss, DotProductClasses, valid_outputs, expected_rating,
                                    nearest_class, class_accuracy, confusion_matrix, plot_confusion)
from collab_course.loaders import collab_dls
from collab_course.training import fit_learner


def test_levels_and_classes():
    r = pd.Series([4, 1, 5, 4])
    assert rating_levels(pd.DataFrame({'rating': r})) == [1, 4, 5]
    assert to_class(r, [1, 4, 5]).tolist() == [1, 0, 2, 1]
    with pytest.raises(ValueError, match=r'\[4\] are not among'): to_class(r, [1, 5])


def test_ce_loss_is_pytorchs_on_float_targets():
    logits = torch.tensor([[2., 0., -1.], [0., 1., 3.]])
    assert ce_loss(logits, torch.tensor([[0.], [2.]])).item() == pytest.approx(F.cross_entropy(logits, torch.tensor([0, 2])).item())


def test_expected_and_nearest():
    sure = torch.tensor([[0., 0., 0., 0., 50.]])
    assert expected_rating(sure).item() == pytest.approx(5.0)
    assert expected_rating(torch.zeros(1, 5)).item() == pytest.approx(3.0)
    assert nearest_class(torch.tensor([1.2, 3.5, 4.9, 0.0])).tolist() == [0, 2, 4, 0]  # 3.5 is a tie: the lower one
    assert class_accuracy(torch.tensor([0, 2, 4]), torch.tensor([[0.], [1.], [4.]])) == pytest.approx(2 / 3)


def test_confusion_matrix_agrees_with_scikit_learn():
    rng = np.random.default_rng(0)
    targ, pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    pred[targ == 3] = 3  # class 3 always right
    counts = confusion_matrix(pred, targ, 5, normalize=False)
    np.testing.assert_array_equal(counts, sk_confusion_matrix(targ, pred, labels=range(5)))
    fractions = confusion_matrix(pred, targ, 5)
    np.testing.assert_allclose(fractions[:4], sk_confusion_matrix(targ, pred, labels=range(5), normalize='true')[:4])
    np.testing.assert_array_equal(fractions[4], np.zeros(5))  # class 4 has no rows: a row of zeros, not NaN
    assert fractions[3, 3] == 1.0
    assert len(plot_confusion(fractions, list('abcde')).texts) == 25


def test_classifier_trains_and_valid_outputs_match_get_preds(title_ratings):
    classes = title_ratings.assign(rating=to_class(title_ratings['rating'], [1., 2., 3., 4., 5.]))
    dls = collab_dls(classes, item_name='title', bs=32, seed=42)
    learn = fit_learner(dls, lambda d: DotProductClasses(len(d.classes['user']), len(d.classes['title']), 4), 3, 3e-2,
                        loss_func=ce_loss, seed=42, quiet=True)
    logits, targs = valid_outputs(learn)
    assert logits.shape == (len(dls.valid_ds), 5) and targs.shape == (len(dls.valid_ds), 1), (logits.shape, targs.shape)
    preds, targs2 = learn.get_preds()
    torch.testing.assert_close(logits, preds.cpu())
    torch.testing.assert_close(targs.float(), targs2.cpu().float())
    majority = np.bincount(classes['rating']).max() / len(classes)
    assert class_accuracy(logits.argmax(1), targs) > majority - 0.1, (class_accuracy(logits.argmax(1), targs), majority)


def test_valid_outputs_leaves_the_mode_alone(title_ratings):
    classes = title_ratings.assign(rating=to_class(title_ratings['rating'], [1., 2., 3., 4., 5.]))
    dls = collab_dls(classes, item_name='title', bs=32, seed=42)
    learn = fit_learner(dls, lambda d: DotProductClasses(len(d.classes['user']), len(d.classes['title']), 4), 1, 1e-2,
                        loss_func=ce_loss, seed=42, quiet=True)
    for mode in (True, False):
        learn.model.train(mode)
        valid_outputs(learn)
        assert learn.model.training == mode, (mode, learn.model.training)
