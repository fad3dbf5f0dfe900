"""The searches behind the tuned models of 14_compare: `compare.tune` for every model in `compare.PEERS`.

Every search sees only the training rows of the course's split (`collab_dls(ratings, seed=42)`, 80% train / 20% valid):
`tune` splits them again (80/20, seed 42), draws `N_CONFIGS` candidates from the model's grid with a seeded generator,
turns away those over the model's budget, and ranks the rest by their MSE on the inner validation rows. The winner is
then fitted on all training rows and scored once on the course's validation rows, with several training seeds, to show
how far a change of seed alone moves it. The last line is `compare.TUNED`, the settings the notebook fits.

    python bench/tune.py [--only 'surprise SVD' ...] [--seeds 42 1 2 3 4]
"""
import argparse
from functools import partial

from harness import logged_tune, print_winners, start, timed

from collab_course.compare import N_CONFIGS, PEERS, peer_mse, split_frames
from collab_course.data import get_movielens, load_ratings


def search(label, train_df, valid_df, seeds):
    "Run `label`'s search on the training rows, print every candidate, then score the winner on the validation rows."
    peer = PEERS[label]
    print(f"\n## {label}: {N_CONFIGS} candidates, budget: {peer.budget}", flush=True)
    table, cfg = logged_tune(partial(peer_mse, label), peer.space, train_df, allowed=peer.allowed)
    secs, runs = timed(lambda: [peer_mse(label, cfg, train_df, valid_df, seed=s) for s in seeds])
    print(f"chosen: {cfg}  (inner MSE {table.loc[0, 'inner MSE']:.4f}, {len(table)} candidates, "
          f"{table['seconds'].sum():.0f} s of search)")
    print("valid MSE by seed: " + ', '.join(f"{s}: {m:.4f}" for s, m in zip(seeds, runs)), flush=True)
    return cfg, table.loc[0, 'inner MSE'], runs, secs / len(seeds)


def main(only, seeds):
    start()
    train_df, valid_df = split_frames(load_ratings(get_movielens()))  # `tune` is given the training rows only
    labels = only or list(PEERS)
    found = {label: search(label, train_df, valid_df, seeds) for label in labels}
    print(f"\nthe winners, fitted on all training rows, valid MSE over seeds {seeds}:")
    print_winners(found, 'MSE', 'fit s', 'TUNED')


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='*', choices=list(PEERS), help='search only these models')
    p.add_argument('--seeds', nargs='+', type=int, default=[42, 1, 2, 3, 4])
    args = p.parse_args()
    main(args.only, args.seeds)
