"""Seeded settings search for the ranking model of 19_ranking_model (BPR with sampled negatives), without looking at the validation set.

The outer split is the course's: 80% train / 20% valid of MovieLens-100k, seed 42, items = titles. The search never
sees those valid rows: it splits the *training* rows again (80/20, seed 42), draws random settings (what counts as a
positive, factors, weight decay, epochs, learning rate, batch size, negatives per positive) from a seeded generator,
trains on the inner training rows and scores each with the protocol of 15_ranking (`ranking_protocol`, `top_n`,
`ranking_metrics`) on the inner valid rows. It prints a table (settings, inner NDCG@10, seconds), then retrains the best
settings on all training rows and prints their NDCG@10 on the course's valid rows, next to most-popular's. It also
scores the best settings on the inner split with the other definition of a positive, all else equal.

    python bench/ranking_search.py [--trials 20] [--seed 0]
"""
import argparse, random

from fastai.data.transforms import CategoryMap

from collab_course.data import get_movielens, load_ratings
from collab_course.loaders import seeded_split
from collab_course.ranking import ranking_protocol, ranking_metrics, all_pair_scores, item_popularity
from collab_course.bootstrap import top_n
from collab_course.implicit import train_bpr
from harness import start, timed

SPACE = dict(min_rating=[None, 4], n_factors=[32, 64, 128], wd=[0.01, 0.03, 0.1, 0.3], epochs=[10, 15, 20],
             lr=[3e-3, 1e-2, 3e-2], bs=[1024, 2048, 4096], n_neg=[1, 2, 4])
BASE = dict(min_rating=None, n_factors=64, wd=0.01, epochs=10, lr=1e-2, bs=2048, n_neg=1)


def split(df, seed=42):
    "Seeded 80/20 split of `df`, and the vocabularies of its training rows (`#na#` first, as `collab_dls` builds them)."
    tr, va = seeded_split(len(df), 0.2, seed)
    train, valid = df.iloc[tr], df.iloc[va]
    users, items = CategoryMap(train.user, add_na=True), CategoryMap(train.title, add_na=True)
    return train, valid[valid.user.isin(users.o2i)], users, items


def ndcg(scores, protocol):
    relevant, eval_users, exclude, _ = protocol
    recs = dict(zip(eval_users, top_n(scores[eval_users], exclude, n=10).tolist()))
    return ranking_metrics(recs, relevant)['ndcg@10']


def fit(train, valid, users, items, cfg, protocol):
    "NDCG@10 under `protocol` and training seconds of the ranking model trained with `cfg`."
    secs, learn = timed(lambda: train_bpr(train, valid, users, items, quiet=True, **cfg))
    return ndcg(all_pair_scores(learn.model, range(len(users)), len(items)), protocol), secs


def show(cfg): return ' | '.join(str(cfg[k]) for k in SPACE)


def main(trials, seed):
    start()
    ratings = load_ratings(get_movielens())
    outer = split(ratings)
    inner = split(outer[0].reset_index(drop=True))  # the outer valid rows are not in here
    inner_protocol = ranking_protocol(*inner)
    print(f"inner split: {len(inner[0]):,} training rows, {len(inner_protocol[1])} evaluated users; "
          f"most popular NDCG@10 {ndcg(item_popularity(inner[0], inner[3]).expand(len(inner[2]), -1), inner_protocol):.4f}\n")
    print('| ' + ' | '.join(SPACE) + ' | inner NDCG@10 | seconds |')
    print('|' + '---|' * (len(SPACE) + 2))
    rng, seen, results = random.Random(seed), set(), []
    cfgs = [BASE]
    while len(cfgs) < trials:
        cfg = {k: rng.choice(v) for k, v in SPACE.items()}
        if tuple(cfg.values()) not in seen: seen.add(tuple(cfg.values())); cfgs.append(cfg)
    for cfg in cfgs:
        score, secs = fit(*inner, cfg, inner_protocol)
        results.append((score, secs, cfg))
        print(f"| {show(cfg)} | {score:.4f} | {secs:.1f} |", flush=True)
    best = max(results, key=lambda r: r[0])
    print(f"\nchosen on the inner split: {best[2]}")
    other = {**best[2], 'min_rating': 4 if best[2]['min_rating'] is None else None}
    score, secs = fit(*inner, other, inner_protocol)
    print(f"the same settings with min_rating={other['min_rating']} instead: inner NDCG@10 {score:.4f} ({secs:.1f} s)")
    protocol = ranking_protocol(*outer)
    pop = ndcg(item_popularity(outer[0], outer[3]).expand(len(outer[2]), -1), protocol)
    score, secs = fit(*outer, best[2], protocol)
    print(f"on the course's split (trained on all training rows, scored on the valid rows): NDCG@10 {score:.4f} "
          f"({score / pop:.2f}x most popular's {pop:.4f}), trained in {secs:.1f} s")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--trials', type=int, default=20)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    main(args.trials, args.seed)
