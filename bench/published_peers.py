"""The peers of 17_published_splits on MovieLens-100k's own folds, and how far a change of seed moves the figures on u1.

1. surprise's `SVD` and `SVDpp`, with their defaults and with the settings the searches of `bench/tune.py` chose
   (`compare.TUNED`), on all five folds (u1 to u5): the test RMSE of every fold, their mean and standard deviation, and
   the seconds per fold. 17_published_splits fits `SVDpp` on u1 only, because five folds of it take minutes.
2. On u1, every model of 17_published_splits trained with several seeds (the initial weights and the batch order for
   the course's models, the initial factors for surprise's): the lowest and highest test RMSE, the yardstick against
   which the notebook's differences on u1 are read.

    python bench/published_peers.py [--seeds 42 1 2 3 4]
"""
import argparse, statistics

from harness import start, timed

from collab_course.compare import TUNED, fit_surprise, predict_surprise, surprise_model
from collab_course.models import DotProductBias
from collab_course.published import N_FOLDS, SVDPP_SETTINGS, fit_svdpp, fold_dls, learner_rmse, read_fold
from collab_course.training import fit_learner, vocab_sizes
from fastai.torch_core import set_seed
from sklearn.metrics import root_mean_squared_error

SURPRISE = {'SVD (defaults)': ('SVD', {}), 'SVD (tuned)': ('SVD', TUNED['surprise SVD']),
            'SVDpp (defaults)': ('SVDpp', {}), 'SVDpp (tuned)': ('SVDpp', TUNED['surprise SVDpp'])}


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
    print("five folds, seed 42:\n| method | settings | " + ' | '.join(f'u{k}' for k in folds) + " | 5-fold mean | 5-fold std | s per fold |")
    print('|---|---|' + '---|' * (len(folds) + 3))
    for label, (name, cfg) in SURPRISE.items():
        runs = [timed(lambda: surprise_rmse(name, cfg, base, test)) for base, test in folds.values()]
        rmse = [r for _, r in runs]
        print(f"| surprise {label} | {cfg or 'defaults'} | " + ' | '.join(f'{r:.4f}' for r in rmse) +
              f" | {statistics.mean(rmse):.4f} | {statistics.stdev(rmse):.4f} | {statistics.mean(s for s, _ in runs):.1f} |", flush=True)
    base, test = folds[1]
    on_u1 = {'DotProductBias (book settings)': [book_rmse(base, test, s) for s in seeds],
             'SVDppDotProductBias': [learner_rmse(l) for l in fit_svdpp(base, test, **{**SVDPP_SETTINGS, 'n_seeds': len(seeds)})],
             **{f'surprise {label}': [surprise_rmse(name, cfg, base, test, s) for s in seeds] for label, (name, cfg) in SURPRISE.items()}}
    print(f"\nu1, {len(seeds)} seeds (SVDppDotProductBias: seeds 42 to {41 + len(seeds)}, as `fit_svdpp` numbers them; the others {seeds}):")
    print("| method | u1 RMSE by seed | lowest | highest | highest minus lowest |\n|---|---|---|---|---|")
    for name, rmse in on_u1.items():
        print(f"| {name} | {', '.join(f'{r:.4f}' for r in rmse)} | {min(rmse):.4f} | {max(rmse):.4f} | {max(rmse) - min(rmse):.4f} |", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', nargs='+', type=int, default=[42, 1, 2, 3, 4])
    main(p.parse_args().seeds)
