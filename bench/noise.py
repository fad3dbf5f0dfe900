"""Run-to-run noise of the trained models the notebooks check: the same seed-42 split, several training seeds.

Every notebook trains from `set_seed(42, reproducible=True)`, so on one CPU it prints the same numbers each time. Another
CPU, a GPU or another library version draws other random numbers. This script changes only the training seed (the
initial weights and the batch order) and prints, for each model, the final train and valid MSE per seed with their
spread, the margins of the notebooks' checks per seed, and the two references a model that learns factors must beat
(the mean predictor and a biases-only model, from `reference_losses`). A check is robust when its margin is several
times wider than the spread printed here.

    python bench/noise.py [--seeds 42 1 2] [--only 04 07 09 10]
"""
import argparse, warnings

import numpy as np
import pandas as pd
import torch
from fastai.collab import collab_learner
from fastai.learner import Learner
from fastai.losses import MSELossFlat
from fastai.torch_core import set_seed

from collab_course.compare import fit_surprise, predict_surprise, regression_scores, split_frames
from collab_course.data import collab_dls, get_movielens, load_ratings
from collab_course.models import CollabNN, DotProduct, DotProductBias, DotProductBiasParams
from collab_course.classify import DotProductClasses, ce_loss, class_accuracy, nearest_class, to_class, valid_outputs
from collab_course.book import epoch_losses
from collab_course.references import reference_losses
from fastai.collab import get_emb_sz


def fit(ratings, make, seed, epochs=5, lr=5e-3, wd=0.1, bs=64, rating_name=None):
    "Seeded split 42, training seed `seed`: a `Learner` from `make(dls)` after `fit_one_cycle(epochs, lr, wd=wd)`."
    set_seed(seed, reproducible=True)
    dls = collab_dls(ratings, item_name='title', rating_name=rating_name, bs=bs, seed=42)
    learn = make(dls)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr, wd=wd)
    return learn


def sizes(dls): return [len(v) for v in list(dls.classes.values())[:2]]


MODELS = {  # name: (make, fit kwargs), as the notebooks train them
    '02 DotProduct': (lambda d: Learner(d, DotProduct(*sizes(d), 50), loss_func=MSELossFlat()), dict(wd=None)),
    '02 DotProduct y_range': (lambda d: Learner(d, DotProduct(*sizes(d), 50, y_range=(0, 5.5)), loss_func=MSELossFlat()), dict(wd=None)),
    '03 DotProductBias wd=0.01': (lambda d: Learner(d, DotProductBias(*sizes(d), 50), loss_func=MSELossFlat()), dict(wd=None)),
    '04 DotProductBias wd=0.1': (lambda d: Learner(d, DotProductBias(*sizes(d), 50), loss_func=MSELossFlat()), dict(wd=0.1)),
    '05 DotProductBiasParams wd=0.1': (lambda d: Learner(d, DotProductBiasParams(*sizes(d), 50), loss_func=MSELossFlat()), dict(wd=0.1)),
    '06 collab_learner wd=0.1': (lambda d: collab_learner(d, n_factors=50, y_range=(0, 5.5)), dict(wd=0.1)),
    '07 CollabNN wd=0.01': (lambda d: Learner(d, CollabNN(*get_emb_sz(d)), loss_func=MSELossFlat()), dict(wd=0.01)),
    '07 use_nn wd=0.1': (lambda d: collab_learner(d, use_nn=True, y_range=(0, 5.5), layers=[100, 50]), dict(wd=0.1)),
    '10 DotProductBias tuned': (lambda d: Learner(d, DotProductBias(*sizes(d), 64), loss_func=MSELossFlat()),
                                dict(wd=0.2, bs=128, lr=3e-3)),
}


def main(seeds, only=None):
    picked = lambda name: only is None or name.split()[0] in only
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    ratings = load_ratings(get_movielens())
    refs = reference_losses(collab_dls(ratings, item_name='title', seed=42))
    print(f"references on the seed-42 split:\n{refs.round(4)}\n", flush=True)
    rows = []
    for name, (make, kw) in MODELS.items():
        if not picked(name): continue
        for seed in seeds:
            learn = fit(ratings, make, seed, **kw)
            train, valid = map(np.array, zip(*epoch_losses(learn)))
            rows.append(dict(model=name, seed=seed, train=train[-1], valid=valid[-1], best_valid=valid.min(),
                             last_minus_best=valid[-1] - valid.min()))
            print(rows[-1], flush=True)
    # notebook 09: the classifier's accuracy against the rounded regression's
    levels = [1, 2, 3, 4, 5]
    classes = ratings.assign(rating_class=to_class(ratings.rating, levels))
    for seed in (seeds if picked('09') else []):
        reg = fit(ratings, MODELS['04 DotProductBias wd=0.1'][0], seed)
        clf = fit(classes, lambda d: Learner(d, DotProductClasses(*sizes(d), 50, 5), loss_func=ce_loss), seed,
                  rating_name='rating_class')
        (reg_preds, _), (logits, targs) = valid_outputs(reg), valid_outputs(clf)
        acc_reg, acc_clf = class_accuracy(nearest_class(reg_preds.cpu(), levels), targs.cpu()), class_accuracy(logits.argmax(1).cpu(), targs.cpu())
        rows.append(dict(model='09 accuracy: classifier - regression', seed=seed, train=np.nan, valid=acc_clf - acc_reg))
        print(rows[-1], f"(regression {acc_reg:.4f}, classifier {acc_clf:.4f})", flush=True)
    # notebook 10: surprise's SVD with the best settings, seeded by random_state
    from surprise import SVD
    train_df, valid_df = split_frames(ratings)
    for seed in (seeds if picked('10') else []):
        algo = fit_surprise(SVD(n_factors=50, n_epochs=40, reg_all=0.05, random_state=seed), train_df)
        mse = regression_scores(predict_surprise(algo, valid_df), valid_df['rating'])['MSE']
        rows.append(dict(model='10 surprise SVD 50 factors', seed=seed, train=np.nan, valid=mse))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    summary = df.groupby('model', sort=False)[['train', 'valid', 'last_minus_best']].agg(['mean', 'min', 'max'])
    pd.set_option('display.width', 200)
    print(f"\n{len(seeds)} training seeds {seeds}: mean, min and max\n{summary.round(4)}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 1, 2])
    p.add_argument('--only', nargs='+', help="notebook numbers whose models to train, e.g. 04 07 (default: all)")
    args = p.parse_args()
    main(args.seeds, args.only)
