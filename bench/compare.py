"""Fit times of the methods of 14_compare: surprise's BaselineOnly and SVD against the course's models, as speed ratios.

14_compare fits every method once and prints that one time as a rough guide. This script makes the speed claim
properly: in one process, on the seed-42 split of MovieLens-100k, it fits each method `--runs` times (after one
untimed warm-up fit of each, which pays for imports and first-call costs), and prints the median seconds and, for each
method, how many times faster it fits than the course's `DotProductBias` with the book's settings (the baseline).
Every fit is seeded, so the valid MSE printed is the same on every run (on a CPU).

    python bench/compare.py [--runs 3] [--threads 1]
"""
import argparse

from collab_course.compare import COMPARED_MODELS, fit_surprise, predict_surprise, regression_scores, split_frames
from collab_course.training import COURSE_MODELS, train_model
from collab_course.data import get_movielens, load_ratings
from collab_course.yardsticks import epoch_losses
from harness import start, median_run

BASELINE = COURSE_MODELS['dotbias'].label
TUNED = dict(n_factors=64, wd=0.2, epochs=5, bs=128, lr=3e-3)  # the tuned configuration of 14_compare


def methods(ratings):
    "{name: fit}, where `fit()` trains one method and returns its valid MSE."
    from surprise import SVD, BaselineOnly
    train_df, valid_df = split_frames(ratings)
    def surprise(make):
        return lambda: regression_scores(predict_surprise(fit_surprise(make(), train_df), valid_df), valid_df['rating'])['MSE']
    def course(kind, **kwargs): return lambda: epoch_losses(train_model(ratings, kind, quiet=True, **kwargs))[-1][1]
    return {'surprise BaselineOnly': surprise(lambda: BaselineOnly(verbose=False)),
            'surprise SVD (defaults)': surprise(lambda: SVD(random_state=42)),
            'surprise SVD (50 factors, 40 epochs, reg 0.05)': surprise(lambda: SVD(n_factors=50, n_epochs=40, reg_all=0.05, random_state=42)),
            **{COURSE_MODELS[kind].label: course(kind) for kind in COMPARED_MODELS},
            'DotProductBias, tuned': course('dotbias', **TUNED)}


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
