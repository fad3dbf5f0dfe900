"""The search behind `published.SVDPP_SETTINGS`, the settings of the factor model of 17_published_splits
(`SVDppDotProductBias`): `compare.tune`, the search every peer went through, on u1.base's rows only.

`tune` splits u1.base again (80/20, seed 42), draws `N_CONFIGS` candidates from `published.SVDPP_SPACE` with a seeded
generator, keeping those within the budget `svdpp_within_budget` (at most `SVDPP_MAX_STEPS` optimiser steps on a fold,
so that the notebook's five folds train in a few minutes), and ranks them by RMSE on the inner validation rows; no rating of u1.test is among those rows. The winner is
then trained on all of u1.base with several seeds (42, 43, ...) and scored on u1.test, to show how far a change of seed
alone moves it; those scores play no part in the choice. The last line is `SVDPP_SETTINGS`.

    python bench/published_search.py [--seeds 5]
"""
import argparse

from harness import logged_search, print_winners, start, timed

from collab_course.published import SVDPP_MAX_STEPS, SVDPP_SPACE, fit_svdpp, learner_rmse, read_fold, svdpp_rmse, svdpp_within_budget


def main(n_seeds):
    start()
    base, test = read_fold(1)
    table, cfg = logged_search('SVDppDotProductBias', svdpp_rmse, SVDPP_SPACE, base, svdpp_within_budget,
                               f"at most {SVDPP_MAX_STEPS:,} optimiser steps on a fold's 80,000 ratings", 'SVDPP_SPACE')
    secs, learners = timed(lambda: fit_svdpp(base, test, **cfg, n_seeds=n_seeds))
    runs = [learner_rmse(l) for l in learners]
    print(f"\nthe winner, trained on u1.base with seeds 42 to {41 + n_seeds}, RMSE on u1.test:")
    print_winners({'SVDppDotProductBias': (cfg, table.loc[0, 'inner RMSE'], runs, secs / n_seeds)}, 'RMSE', 'fit s', scored_on='u1.test')
    print(f"\nSVDPP_SETTINGS = {cfg}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5, help='how many seeds the winner is trained with on u1.base')
    main(p.parse_args().seeds)
