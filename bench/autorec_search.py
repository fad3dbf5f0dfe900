"""The search behind `autorec.AUTOREC_SETTINGS` and `autorec.BLEND_WEIGHT` of 18_autoencoder: `compare.tune`, the
search every peer went through, on u1.base's rows only, then the blend's weight on the same inner split.

1. `tune` splits u1.base again (80/20, seed 42), draws `N_CONFIGS` `ItemAutoRec` candidates from
   `autorec.AUTOREC_SPACE` with a seeded generator, keeping those within the budget `autorec_within_budget` (hidden
   units times epochs at most `AUTOREC_MAX_WORK`), and ranks them by RMSE on the inner validation rows.
2. On the same inner split, the winner's predictions are blended with those of the `SVDppDotProductBias` of
   17_published_splits (`SVDPP_SETTINGS`), for autoencoder weights 0, 0.1, ..., 1; the best weight is kept.
3. The winner is trained on all of u1.base with several seeds and scored on u1.test, and so are the factor model and
   the blend (seed 42): those scores play no part in the choices. The last lines are `AUTOREC_SETTINGS` and `BLEND_WEIGHT`.

    python bench/autorec_search.py [--seeds 42 1 2 3 4]
"""
import argparse

import numpy as np
from sklearn.metrics import root_mean_squared_error as rmse  # rmse(y_true, y_pred)

from harness import logged_search, print_winners, start, timed

from collab_course.compare import split_frames
from collab_course.published import SVDPP_SETTINGS, ensemble_predictions, fit_svdpp, read_fold
from collab_course.autorec import AUTOREC_MAX_WORK, AUTOREC_SPACE, autorec_rmse, autorec_within_budget, predict_autorec

WEIGHTS = np.round(np.linspace(0, 1, 11), 1)


def factor_model(base, test):
    "Predictions for `test` (in its order) and training seconds of the factor model trained on `base`."
    secs, learners = timed(lambda: fit_svdpp(base, test, **SVDPP_SETTINGS))
    return ensemble_predictions(learners)[0], secs


def main(seeds):
    start()
    base, test = read_fold(1)
    table, cfg = logged_search('ItemAutoRec', autorec_rmse, AUTOREC_SPACE, base, autorec_within_budget,
                               f'hidden units times epochs at most {AUTOREC_MAX_WORK:,}', 'AUTOREC_SPACE')

    fit_rows, score_rows = split_frames(base)  # the inner split `tune` used
    targets = score_rows['rating']
    a_inner = predict_autorec(fit_rows, score_rows, **cfg)
    m_inner, _ = factor_model(fit_rows, score_rows)
    print(f"\nfactor model ({SVDPP_SETTINGS}) on the inner split: RMSE {rmse(targets, m_inner):.4f}")
    blends = {float(w): rmse(targets, w * a_inner + (1 - w) * m_inner) for w in WEIGHTS}
    print("| autoencoder weight | inner RMSE |\n|---|---|")
    for w, r in blends.items(): print(f"| {w} | {r:.4f} |")
    weight = min(blends, key=blends.get)
    print(f"chosen weight: {weight} (inner RMSE {blends[weight]:.4f})", flush=True)

    secs, preds = timed(lambda: [predict_autorec(base, test, **cfg, seed=s) for s in seeds])
    runs = [rmse(test['rating'], p) for p in preds]
    print(f"\nthe winner, trained on u1.base, RMSE on u1.test over seeds {seeds}:")
    print_winners({'ItemAutoRec': (cfg, table.loc[0, 'inner RMSE'], runs, secs / len(seeds))}, 'RMSE', 'fit s', scored_on='u1.test')
    m_preds, m_secs = factor_model(base, test)
    print("\ntrained on u1.base and scored once on u1.test (seed 42):\n| model | u1.test RMSE |\n|---|---|")
    print(f"| ItemAutoRec | {runs[0]:.4f} |\n| SVDppDotProductBias | {rmse(test['rating'], m_preds):.4f} |")
    print(f"| blend, weight {weight} | {rmse(test['rating'], weight * preds[0] + (1 - weight) * m_preds):.4f} |")
    print(f"\nAUTOREC_SETTINGS = {cfg}\nBLEND_WEIGHT = {weight}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', nargs='+', type=int, default=[42, 1, 2, 3, 4])
    main(p.parse_args().seeds)
