"""Seeded search for the factor model of 17_published_splits (`SVDppDotProductBias`), without looking at u1.test.

u1.base is split again (80/20, seeded) into inner training and inner validation rows. Each candidate (model, factors,
epochs, batch size, learning rate, weight decay, per-rating L2 penalty, number of averaged seeds) is trained on the
inner training rows with the course's recipe `fit_learner` and scored by RMSE on the inner validation rows; the table lists them with
their training steps and seconds. The best few within the budget of optimiser steps (counted on u1.base's 80,000 rows,
all seeds together; steps, not seconds, so that the search chooses the same on any machine) are then retrained on all of
u1.base and scored once on u1.test.

    python bench/published_search.py [--final 3] [--max-steps 10000]
"""
import argparse

from harness import start, timed, optimiser_steps

from collab_course.loaders import seeded_split
from collab_course.published import read_fold, fold_dls, svdpp_model, ensemble_rmse
from collab_course.models import SVDppDotProductBias, FactorPenalty
from collab_course.training import fit_learner, vocab_sizes

# (name, implicit, n_factors, epochs, bs, lr, wd, reg, n_seeds)
CANDIDATES = [
    ('book settings',           False, 50, 5, 64, 5e-3, 0.1, 0, 1),
    ('bs 256, wd 0.4',          False, 50, 8, 256, 5e-3, 0.4, 0, 1),
    ('bs 1024, wd 1.0',         False, 100, 20, 1024, 1e-2, 1.0, 0, 1),
    ('bs 1024, L2 0.07',        False, 50, 15, 1024, 1e-2, 0, 0.07, 1),
    ('bs 1024, L2 0.1',         False, 50, 15, 1024, 1e-2, 0, 0.1, 1),
    ('bs 1024, L2 0.1, 100 f',  False, 100, 15, 1024, 1e-2, 0, 0.1, 1),
    ('bs 1024, L2 0.1, 3 seeds', False, 50, 15, 1024, 1e-2, 0, 0.1, 3),
    ('implicit, bs 2048, L2 0.1', True, 50, 20, 2048, 1e-2, 0, 0.1, 1),
    ('implicit, bs 1024, L2 0.1', True, 50, 15, 1024, 1e-2, 0, 0.1, 1),
    ('implicit, bs 1024, L2 0.15', True, 50, 15, 1024, 1e-2, 0, 0.15, 1),
    ('implicit, bs 1024, L2 0.2', True, 50, 15, 1024, 1e-2, 0, 0.2, 1),
    ('implicit, bs 1024, L2 0.3', True, 50, 15, 1024, 1e-2, 0, 0.3, 1),
    ('implicit, bs 1024, L2 0.15, 100 f', True, 100, 15, 1024, 1e-2, 0, 0.15, 1),
    ('implicit, bs 1024, L2 0.15, 3 seeds', True, 50, 15, 1024, 1e-2, 0, 0.15, 3),
]


def score(base, test, cand):
    "RMSE on `test` and training seconds of candidate `cand` trained on `base` (its seeds averaged)."
    name, implicit, n_factors, epochs, bs, lr, wd, reg, n_seeds = cand
    make = svdpp_model(n_factors) if implicit else (lambda d: SVDppDotProductBias(*vocab_sizes(d), n_factors))
    def fit():
        dls = fold_dls(base, test, bs=bs)
        return [fit_learner(dls, make, epochs, lr, wd, cbs=[FactorPenalty(reg)] if reg else None, seed=42 + s, quiet=True)
                for s in range(n_seeds)]
    secs, learners = timed(fit)
    return ensemble_rmse(learners), secs


def steps(cand):
    "Optimiser steps of candidate `cand` on u1.base's 80,000 ratings, all its seeds together."
    _, _, _, epochs, bs, _, _, _, n_seeds = cand
    return optimiser_steps(epochs, bs, n_runs=n_seeds)


def main(final, max_steps):
    start()
    base, test = read_fold(1)
    inner_train, inner_valid = seeded_split(len(base), 0.2, 42)
    inner = base.iloc[inner_train].reset_index(drop=True), base.iloc[inner_valid].reset_index(drop=True)
    print("| candidate | implicit | factors | epochs | bs | lr | wd | L2 | seeds | steps on u1.base | inner RMSE | train s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    results = []
    for cand in CANDIDATES:
        r, secs = score(*inner, cand)
        results.append((r, secs, cand))
        print(f"| {' | '.join(map(str, cand))} | {steps(cand):,} | {r:.4f} | {secs:.1f} |", flush=True)
    chosen = sorted([x for x in results if steps(x[2]) <= max_steps], key=lambda x: x[0])[:final]
    print("\nchosen on the inner split, retrained on u1.base and scored once on u1.test:")
    print("| candidate | inner RMSE | u1.test RMSE | train s |")
    print("|---|---|---|---|")
    for inner_rmse, _, cand in chosen:
        r, secs = score(base, test, cand)
        print(f"| {cand[0]} | {inner_rmse:.4f} | {r:.4f} | {secs:.1f} |", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--final', type=int, default=3)
    p.add_argument('--max-steps', type=int, default=10_000, help='skip candidates that take more optimiser steps on u1.base')
    args = p.parse_args()
    main(args.final, args.max_steps)
