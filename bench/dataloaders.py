"""Stock `CollabDataLoaders.from_df`, `from_df(..., dl_type=TabDataLoader)` and `collab_dls`: seconds per epoch and
valid MSE of the chapter's model.

Trains the chapter's DotProductBias (50 factors, y_range (0, 5.5), `fit_one_cycle(5, 5e-3, wd=0.1)`, bs 64) on the same
seeded 80/20 split (seed 42) with each DataLoader, for several training seeds, in one process, and prints the median
seconds per epoch, the speed ratio and the mean valid MSE (book: 0.823). Stock fastai 2.8 samples each epoch with
replacement (`TabWeightedDL`, since fastai PR 3995, March 2024); `dl_type=TabDataLoader` restores the book's permutation.

    python bench/dataloaders.py [--seeds 42 43 44] [--epochs 5]
"""
import argparse, statistics
from functools import partial

from fastai.collab import CollabDataLoaders
from fastai.tabular.core import TabDataLoader
from fastai.torch_core import set_seed

from collab_course.data import get_movielens, load_ratings
from collab_course.loaders import collab_dls
from collab_course.training import fit_learner, make_model
from harness import start, timed, median_run

BOOK_VALID_MSE = 0.823060  # DotProductBias, wd=0.1, after 5 epochs (book_results.md)


def train_once(make_dls, seed, epochs):
    "Valid MSE and seconds per epoch of one seeded training run (the course's recipe) on the DataLoaders `make_dls` builds."
    set_seed(seed, reproducible=True)
    dls = make_dls()
    secs, learn = timed(lambda: fit_learner(dls, partial(make_model, 'dotbias'), epochs, 5e-3, wd=0.1, quiet=True))
    return learn.recorder.values[-1][1], secs / epochs


def epoch_of_batches(make_dls, reps=3):
    "Median seconds to draw one training epoch of batches, without any model: the data path alone."
    dls = make_dls()
    def one_epoch():
        for _ in dls.train: pass
    return median_run(one_epoch, reps)[0]


def main(seeds, epochs):
    start()
    ratings = load_ratings(get_movielens())
    setups = {'stock CollabDataLoaders.from_df': lambda: CollabDataLoaders.from_df(ratings, item_name='title', bs=64, seed=42),
              'from_df(dl_type=TabDataLoader)': lambda: CollabDataLoaders.from_df(ratings, item_name='title', bs=64, seed=42,
                                                                                   dl_type=TabDataLoader),
              'collab_dls': lambda: collab_dls(ratings, item_name='title', bs=64, seed=42)}
    results = {name: [] for name in setups}
    for seed in seeds:  # alternate the setups, so a slow spell of the machine hits both alike
        for name, make in setups.items():
            mse, spe = train_once(make, seed, epochs)
            results[name].append((mse, spe))
            print(f"  seed {seed}  {name:<34} valid MSE {mse:.4f}  {spe:6.2f} s/epoch", flush=True)
    rows = {name: (statistics.median(s for _, s in res), statistics.mean(m for m, _ in res), min(m for m, _ in res), max(m for m, _ in res))
            for name, res in results.items()}
    stock, ours = rows['stock CollabDataLoaders.from_df'], rows['collab_dls']
    print(f"\nDotProductBias, 50 factors, fit_one_cycle({epochs}, 5e-3, wd=0.1), bs 64, split seed 42, training seeds {seeds}\n")
    print("| DataLoaders | median s/epoch | mean valid MSE | valid MSE range |")
    print("|---|---|---|---|")
    for name, (spe, mean, lo, hi) in rows.items(): print(f"| {name} | {spe:.2f} | {mean:.4f} | {lo:.4f}–{hi:.4f} |")
    data_only = {name: epoch_of_batches(make) for name, make in setups.items()}
    print(f"\nspeed-up per epoch, collab_dls against stock: {stock[0] / ours[0]:.1f}x")
    print("data path alone (one epoch of training batches, no model, median of 3): " +
          ', '.join(f"{name} {t:.3f} s" for name, t in data_only.items()))
    print("mean valid MSE: " + ', '.join(f"{name} {r[1]:.4f}" for name, r in rows.items()) + f" (book {BOOK_VALID_MSE})")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 43, 44])
    p.add_argument('--epochs', type=int, default=5)
    args = p.parse_args()
    main(args.seeds, args.epochs)
