"""Seeded hyper-parameter search for the tuned DotProductBias of 14_compare, without looking at the validation set.

The outer split is the course's: `collab_dls(ratings, seed=42)`, 80% train / 20% valid. The search never sees those
valid rows: it splits the *training* rows again (80/20, seed 42), draws random configurations (factors, wd, epochs,
batch size, learning rate) from a seeded generator, keeps those whose number of optimiser steps fits the budget (steps,
not seconds, so that the search draws the same configurations on any machine), and ranks them by inner-valid MSE. The best few are then retrained on all training rows and scored once on the outer
valid rows, with their training time.

    python bench/tune.py [--trials 30] [--max-steps 15000] [--final 3]
"""
import argparse, random

from harness import start, timed, optimiser_steps

from collab_course.data import get_movielens, load_ratings
from collab_course.loaders import seeded_split
from collab_course.training import train_model

SPACE = dict(n_factors=[32, 50, 64, 100, 150], wd=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8],
             epochs=[4, 5, 6, 8, 10], bs=[64, 128, 256, 512], lr=[3e-3, 5e-3, 1e-2, 2e-2])



def fit(ratings, cfg, seed=42):
    "Valid MSE and seconds (DataLoaders, model and training) of a DotProductBias trained with `cfg` on the seeded split of `ratings`."
    secs, learn = timed(lambda: train_model(ratings, 'dotbias', epochs=cfg['epochs'], lr=cfg['lr'], wd=cfg['wd'],
                                            n_factors=cfg['n_factors'], seed=seed, bs=cfg['bs'], quiet=True))
    return learn.recorder.values[-1][1], secs


def main(trials, max_steps, final, seed):
    start()
    ratings = load_ratings(get_movielens())
    train_rows, _ = seeded_split(len(ratings), 0.2, 42)
    inner = ratings.iloc[train_rows].reset_index(drop=True)  # the outer valid rows are not in here
    rng, seen, results = random.Random(seed), set(), []
    while len(results) < trials:
        cfg = {k: rng.choice(v) for k, v in SPACE.items()}
        key = tuple(cfg.values())
        if key in seen or optimiser_steps(cfg['epochs'], cfg['bs']) > max_steps: continue
        seen.add(key)
        mse, secs = fit(inner, cfg)
        results.append((mse, secs, cfg))
        print(f"inner {len(results):3d}  MSE {mse:.4f}  {secs:5.1f} s  {cfg}", flush=True)
    results.sort(key=lambda r: r[0])
    print("\nbest on the inner split, retrained on all training rows and scored on the course's valid rows:")
    print("| n_factors | wd | epochs | bs | lr | inner MSE | valid MSE | valid RMSE | train s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for inner_mse, _, cfg in results[:final]:
        mse, secs = fit(ratings, cfg)
        print(f"| {cfg['n_factors']} | {cfg['wd']} | {cfg['epochs']} | {cfg['bs']} | {cfg['lr']} | {inner_mse:.4f} | "
              f"{mse:.4f} | {mse ** 0.5:.4f} | {secs:.1f} |", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--trials', type=int, default=30)
    p.add_argument('--max-steps', type=int, default=15_000, help='skip configurations with more optimiser steps on 80,000 rows')
    p.add_argument('--final', type=int, default=3)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    main(args.trials, args.max_steps, args.final, args.seed)
