"""The searches behind the ranking models of 19_ranking_model: `compare.tune` for every model in `implicit.RANKERS`.

The outer split is the course's: 80% train / 20% valid of MovieLens-100k, seed 42, items = titles. `tune` sees only the
training rows: it splits them again (80/20, seed 42), draws `N_CONFIGS` candidates from each model's grid with a seeded
generator (what counts as a positive is part of every grid), trains each on the inner training rows and scores it by
NDCG@10 with the protocol of 15_ranking on the inner valid rows. The winner is then trained on all training rows and
scored once on the course's valid rows with several seeds, timed. The last line is `implicit.RANKING_TUNED`.

    python bench/ranking_search.py [--only 'implicit ALS' ...] [--seeds 42 1 2 3 4]
"""
import argparse, statistics
from functools import partial

from harness import logged_tune, print_winners, start, timed

from collab_course.compare import N_CONFIGS, split_frames
from collab_course.data import get_movielens, load_ratings
from collab_course.implicit import RANKERS, ranker_ndcg


def search(label, train_df, valid_df, seeds):
    "Run `label`'s search on the training rows, print every candidate, then score the winner on the validation rows."
    space = RANKERS[label].space
    print(f"\n## {label}: {N_CONFIGS} candidates", flush=True)
    table, cfg = logged_tune(partial(ranker_ndcg, label), space, train_df, 'inner NDCG@10', higher_is_better=True)
    runs = [timed(lambda: ranker_ndcg(label, cfg, train_df, valid_df, seed=s)) for s in seeds]
    print(f"chosen: {cfg}  (inner NDCG@10 {table.loc[0, 'inner NDCG@10']:.4f}, {len(table)} candidates, "
          f"{table['seconds'].sum():.0f} s of search)")
    print("valid NDCG@10 by seed: " + ', '.join(f"{s}: {n:.4f}" for s, (_, n) in zip(seeds, runs)), flush=True)
    return cfg, table.loc[0, 'inner NDCG@10'], [n for _, n in runs], statistics.median(s for s, _ in runs)


def main(only, seeds):
    start()
    train_df, valid_df = split_frames(load_ratings(get_movielens()))  # `tune` is given the training rows only
    found = {label: search(label, train_df, valid_df, seeds) for label in (only or list(RANKERS))}
    print(f"\nthe winners, trained on all training rows, valid NDCG@10 over seeds {seeds} (fit and scoring, median seconds):")
    print_winners(found, 'NDCG@10', 'seconds', 'RANKING_TUNED')


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='*', choices=list(RANKERS), help='search only these models')
    p.add_argument('--seeds', nargs='+', type=int, default=[42, 1, 2, 3, 4])
    args = p.parse_args()
    main(args.only, args.seeds)
