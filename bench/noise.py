"""Run-to-run noise of the trained models the notebooks check: the same seed-42 split, several training seeds.

Every notebook trains from `set_seed(42, reproducible=True)`, so on one CPU it prints the same numbers each time. Another
CPU, a GPU or another library version draws other random numbers. This script changes only the training seed (the
initial weights and the batch order) and prints, for each model, the final train and valid MSE per seed with their
spread, the margins of the notebooks' checks per seed, and the two references a model that learns factors must beat
(the mean predictor and a biases-only model, from `reference_losses`). A check is robust when its margin is several
times wider than the spread printed here.

    python bench/noise.py [--seeds 42 1 2] [--only 04_weight_decay 12_cross_entropy 14_compare]
"""
import argparse

import numpy as np
import pandas as pd
from collab_course.compare import TUNED, peer_mse, split_frames
from collab_course.data import get_movielens, load_ratings
from collab_course.loaders import collab_dls
from collab_course.training import fit_learner, make_model, vocab_sizes
from collab_course.classify import DotProductClasses, ce_loss, class_accuracy, nearest_class, to_class, valid_outputs
from collab_course.yardsticks import epoch_losses
from collab_course.yardsticks import reference_losses
from fastai.torch_core import set_seed
from harness import start


def fit(ratings, make, seed, epochs=5, lr=5e-3, wd=0.1, bs=64, rating_name=None, loss_func=None):
    "Seeded split 42, training seed `seed`: the course's recipe `fit_learner` on the model `make(dls)` builds."
    set_seed(seed, reproducible=True)
    dls = collab_dls(ratings, item_name='title', rating_name=rating_name, bs=bs, seed=42)
    return fit_learner(dls, make, epochs, lr, wd, loss_func=loss_func, quiet=True)


MODELS = {  # name: (make, fit kwargs), as the notebooks train them; `make` builds a COURSE_MODELS model
    'DotProduct without y_range (02_dot_product)': (lambda d: make_model('dot', d, y_range=None), dict(wd=None)),
    'DotProduct (02_dot_product)': (lambda d: make_model('dot', d), dict(wd=None)),
    'DotProductBias wd=0.01 (03_bias)': (lambda d: make_model('dotbias', d), dict(wd=None)),
    'DotProductBias wd=0.1 (04_weight_decay)': (lambda d: make_model('dotbias', d), dict(wd=0.1)),
    'DotProductBias (create_params) wd=0.1 (05_embedding_module)': (lambda d: make_model('params', d), dict(wd=0.1)),
    'collab_learner wd=0.1 (06_interpretation)': (lambda d: make_model('collab', d), dict(wd=0.1)),
    'CollabNN wd=0.01 (08_deep_learning)': (lambda d: make_model('nn', d), dict(wd=0.01)),
    'collab_learner NN wd=0.1 (08_deep_learning)': (lambda d: make_model('collab_nn', d), dict(wd=0.1)),
    'DotProductBias tuned (14_compare)': (lambda d: make_model('dotbias', d, n_factors=TUNED['DotProductBias']['n_factors']),
                                          {k: v for k, v in TUNED['DotProductBias'].items() if k != 'n_factors'}),
}
REGRESSION = 'DotProductBias wd=0.1 (04_weight_decay)'


def main(seeds, only=None):
    picked = lambda name: only is None or any(o in name for o in only)
    start()
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
    # 12_cross_entropy: the classifier's accuracy against the rounded regression's
    levels = [1, 2, 3, 4, 5]
    classes = ratings.assign(rating_class=to_class(ratings.rating, levels))
    for seed in (seeds if picked('12_cross_entropy') else []):
        reg = fit(ratings, MODELS[REGRESSION][0], seed)
        clf = fit(classes, lambda d: DotProductClasses(*vocab_sizes(d), 50, 5), seed, rating_name='rating_class', loss_func=ce_loss)
        (reg_preds, _), (logits, targs) = valid_outputs(reg), valid_outputs(clf)
        acc_reg, acc_clf = class_accuracy(nearest_class(reg_preds.cpu(), levels), targs.cpu()), class_accuracy(logits.argmax(1).cpu(), targs.cpu())
        rows.append(dict(model='accuracy: classifier - regression (12_cross_entropy)', seed=seed, train=np.nan, valid=acc_clf - acc_reg))
        print(rows[-1], f"(regression {acc_reg:.4f}, classifier {acc_clf:.4f})", flush=True)
    # 14_compare: surprise's SVD with the settings its search chose, seeded by random_state
    train_df, valid_df = split_frames(ratings)
    for seed in (seeds if picked('14_compare') else []):
        mse = peer_mse('surprise SVD', TUNED['surprise SVD'], train_df, valid_df, seed=seed)
        rows.append(dict(model='surprise SVD tuned (14_compare)', seed=seed, train=np.nan, valid=mse))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    summary = df.groupby('model', sort=False)[[c for c in ('train', 'valid', 'last_minus_best') if c in df]].agg(['mean', 'min', 'max'])
    pd.set_option('display.width', 200)
    print(f"\n{len(seeds)} training seeds {seeds}: mean, min and max\n{summary.round(4).to_string()}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 1, 2])
    p.add_argument('--only', nargs='+', help="train only the models whose name contains one of these, e.g. 04_weight_decay CollabNN (default: all)")
    args = p.parse_args()
    main(args.seeds, args.only)
