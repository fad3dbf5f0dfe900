"""The peers of 17_published_splits on MovieLens-100k's own folds: their search on u1.base, their five folds, and how far
a change of seed moves the figures on u1.

1. surprise's `SVD` and `SVDpp` go through `compare.tune`, the search every model of 14_compare went through (30
   candidates from `compare.PEERS`' grids, the same budget), on an inner 80/20 split of u1.base (seed 42), with movie
   ids as items. No rating of u1.test is among those rows. The last line of this section is `published.PUBLISHED_TUNED`.
2. Both, with their defaults and with those settings, on all five folds (u1 to u5): the test RMSE of every fold, their
   mean and standard deviation, and the seconds per fold. 17_published_splits fits the tuned `SVDpp` on u1 only.
3. On u1, every model of 17_published_splits trained with several seeds (the initial weights and the batch order for
   the course's models, the initial factors for surprise's): the lowest and highest test RMSE, the yardstick against
   which the notebook's differences on u1 are read.

    python bench/published_peers.py [--seeds 42 1 2 3 4]
"""
import argparse, statistics
from functools import partial

from harness import logged_search, start, timed

from collab_course.compare import PEERS, fit_surprise, peer_mse, predict_surprise, surprise_model
from collab_course.models import DotProductBias
from collab_course.published import N_FOLDS, SVDPP_SETTINGS, fit_svdpp, fold_dls, learner_rmse, read_fold
from collab_course.training import fit_learner, vocab_sizes
from fastai.torch_core import set_seed
from sklearn.metrics import root_mean_squared_error

SEARCHED = ['surprise SVD', 'surprise SVDpp']


def search_on_u1_base(label, base):
    "`compare.tune` for the peer `label` on u1.base's rows only; prints every candidate and returns the winner's settings."
    peer = PEERS[label]
    return logged_search(label, partial(peer_mse, label, item_name='movie'), peer.space, base, peer.allowed, peer.budget,
                         metric='inner MSE')[1]


def surprise_rmse(name, cfg, base, test, seed=42):
    "Test RMSE of the surprise model `name` with settings `cfg`, fitted on `base`."
    algo = fit_surprise(surprise_model(name, cfg, seed), base, item_name='movie')
    return root_mean_squared_error(test['rating'], predict_surprise(algo, test, item_name='movie'))


def book_rmse(base, test, seed):
    "Test RMSE of `DotProductBias` with the book's settings, trained with `seed`."
    set_seed(seed, reproducible=True)
    dls = fold_dls(base, test, bs=64)
    return learner_rmse(fit_learner(dls, lambda d: DotProductBias(*vocab_sizes(d), 50, y_range=(0, 5.5)), 5, 5e-3, 0.1, seed=seed, quiet=True))


def main(seeds):
    start()
    folds = {k: read_fold(k) for k in range(1, N_FOLDS + 1)}
    tuned = {label: search_on_u1_base(label, folds[1][0]) for label in SEARCHED}
    print("\nPUBLISHED_TUNED =", tuned)
    methods = {'SVD (defaults)': ('SVD', {}), 'SVD (tuned)': ('SVD', tuned['surprise SVD']),
               'SVDpp (defaults)': ('SVDpp', {}), 'SVDpp (tuned)': ('SVDpp', tuned['surprise SVDpp'])}
    print("\nfive folds, seed 42:\n| method | settings | " + ' | '.join(f'u{k}' for k in folds) + " | 5-fold mean | 5-fold std | s per fold |")
    print('|---|---|' + '---|' * (len(folds) + 3))
    for label, (name, cfg) in methods.items():
        runs = [timed(lambda: surprise_rmse(name, cfg, base, test)) for base, test in folds.values()]
        rmse = [r for _, r in runs]
        print(f"| surprise {label} | {cfg or 'defaults'} | " + ' | '.join(f'{r:.4f}' for r in rmse) +
              f" | {statistics.mean(rmse):.4f} | {statistics.stdev(rmse):.4f} | {statistics.mean(s for s, _ in runs):.1f} |", flush=True)
    base, test = folds[1]
    on_u1 = {'DotProductBias (book settings)': [book_rmse(base, test, s) for s in seeds],
             'SVDppDotProductBias': [learner_rmse(l) for l in fit_svdpp(base, test, **{**SVDPP_SETTINGS, 'n_seeds': len(seeds)})],
             **{f'surprise {label}': [surprise_rmse(name, cfg, base, test, s) for s in seeds] for label, (name, cfg) in methods.items()}}
    print(f"\nu1, {len(seeds)} seeds (SVDppDotProductBias: seeds 42 to {41 + len(seeds)}, as `fit_svdpp` numbers them; the others {seeds}):")
    print("| method | u1 RMSE by seed | lowest | highest | highest minus lowest |\n|---|---|---|---|---|")
    for name, rmse in on_u1.items():
        print(f"| {name} | {', '.join(f'{r:.4f}' for r in rmse)} | {min(rmse):.4f} | {max(rmse):.4f} | {max(rmse) - min(rmse):.4f} |", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', nargs='+', type=int, default=[42, 1, 2, 3, 4])
    main(p.parse_args().seeds)
