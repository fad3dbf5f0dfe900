"""Fit times of the methods of 14_compare: surprise's models and the course's, with their defaults and tuned, as speed ratios.

14_compare fits every method once and prints that one time as a rough guide. This script makes the speed claim
properly: in one process, on the seed-42 split of MovieLens-100k, it fits each method `--runs` times (after one
untimed warm-up fit of each, which pays for imports and first-call costs), and prints the median seconds and, for each
method, how many times faster it fits than the course's `DotProductBias` with the book's settings (the baseline).
Every fit is seeded, so the valid MSE printed is the same on every run (on a CPU).

    python bench/compare.py [--runs 3] [--threads 1]
"""
import argparse

from collab_course.compare import PEERS, TUNED, peer_mse, split_frames
from collab_course.training import COURSE_MODELS
from collab_course.data import get_movielens, load_ratings
from harness import start, median_run

BASELINE = COURSE_MODELS['dotbias'].label


def methods(ratings):
    "{name: fit}, where `fit()` fits one method on the seed-42 split and returns its valid MSE."
    train_df, valid_df = split_frames(ratings)
    fit = lambda label, cfg: lambda: peer_mse(label, cfg, train_df, valid_df)
    untuned = {'surprise BaselineOnly (defaults)': 'surprise BaselineOnly', 'surprise SVD (defaults)': 'surprise SVD',
               BASELINE: 'DotProductBias', 'collab_learner NN': 'collab_learner NN'}  # {} = library defaults, book settings
    return {**{name: fit(label, {}) for name, label in untuned.items()}, **{f'{label}, tuned': fit(label, TUNED[label]) for label in PEERS}}


def main(runs, threads):
    start(threads)
    fits = methods(load_ratings(get_movielens()))
    for fit in fits.values(): fit()  # warm-up, untimed
    rows = {}
    for name, fit in fits.items():
        rows[name] = median_run(fit, runs)
        print(f"{name:<48} {rows[name][0]:7.2f} s  valid MSE {rows[name][1]:.4f}", flush=True)
    base = rows[BASELINE][0]
    print(f"\nmedian of {runs} fits, {threads} thread(s); speed relative to {BASELINE} (book settings):")
    print("| method | valid MSE | median fit s | times faster than the baseline |\n|---|---|---|---|")
    for name, (secs, mse) in sorted(rows.items(), key=lambda r: r[1][0]):
        print(f"| {name} | {mse:.4f} | {secs:.2f} | {base / secs:.1f} |")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args()
    main(args.runs, args.threads)
