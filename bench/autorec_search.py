"""Seeded search for the autoencoder of 18_autoencoder and its blend with the factor model, without looking at u1.test.

u1.base is split again (80/20, seeded, as in `published_search.py`) into inner training and inner validation rows.
Each `ItemAutoRec` candidate (hidden units, epochs, learning rate, penalty `lam`) is trained on the inner training rows
with fastai's `Learner` and scored by RMSE on the inner validation rows. The best one is then blended with the
`SVDppDotProductBias` of 17_published_splits (its chosen settings, `SVDPP_SETTINGS`), for autoencoder weights 0 to 1; the best weight is kept. Finally the
chosen autoencoder, the factor model and their blend are retrained on all of u1.base and scored once on u1.test.

    python bench/autorec_search.py
"""
import numpy as np

from harness import start, timed

from collab_course.loaders import seeded_split
from sklearn.metrics import root_mean_squared_error as rmse  # rmse(y_true, y_pred): symmetric, so the order is free
from collab_course.published import read_fold, valid_predictions, SVDPP_SETTINGS, fit_svdpp
from collab_course.autorec import autorec_dls, fit_autorec, autorec_predictions

# (n_hidden, epochs, lr, lam)
CANDIDATES = [(300, 100, 1e-2, 30), (300, 100, 1e-2, 20), (300, 100, 1e-2, 50), (500, 100, 1e-2, 30),
              (500, 100, 1e-2, 50), (300, 60, 1e-2, 30), (300, 150, 1e-2, 30), (300, 100, 3e-3, 30)]
WEIGHTS = np.round(np.linspace(0, 1, 11), 1)


def autorec(base, test, cand):
    "Predictions for `test` and training seconds of autoencoder candidate `cand` trained on `base`."
    h, epochs, lr, lam = cand
    secs, preds = timed(lambda: autorec_predictions(fit_autorec(autorec_dls(base, test), h, epochs, lr, lam), test))
    return preds, secs


def factor_model(base, test):
    "Predictions for `test` (in its order) and training seconds of the factor model trained on `base`."
    secs, (learn,) = timed(lambda: fit_svdpp(base, test, **SVDPP_SETTINGS))
    return valid_predictions(learn)[0], secs


def main():
    start()
    base, test = read_fold(1)
    inner_train, inner_valid = seeded_split(len(base), 0.2, 42)
    inner = base.iloc[inner_train].reset_index(drop=True), base.iloc[inner_valid].reset_index(drop=True)
    targets = inner[1]['rating']
    print("| hidden | epochs | lr | lam | inner RMSE | train s |\n|---|---|---|---|---|---|")
    results = []
    for cand in CANDIDATES:
        preds, secs = autorec(*inner, cand)
        results.append((rmse(preds, targets), cand, preds))
        print(f"| {' | '.join(map(str, cand))} | {results[-1][0]:.4f} | {secs:.1f} |", flush=True)
    best_rmse, best, best_preds = min(results, key=lambda r: r[0])
    mf_preds, mf_secs = factor_model(*inner)
    print(f"\nfactor model on the inner split: RMSE {rmse(mf_preds, targets):.4f}, {mf_secs:.1f} s")
    print("\n| autoencoder weight | inner RMSE |\n|---|---|")
    blends = {w: rmse(w * best_preds + (1 - w) * mf_preds, targets) for w in WEIGHTS}
    for w, r in blends.items(): print(f"| {w} | {r:.4f} |")
    weight = min(blends, key=blends.get)
    print(f"\nchosen: autoencoder {best} (inner {best_rmse:.4f}), weight {weight} (inner {blends[weight]:.4f})")
    a_preds, a_secs = autorec(base, test, best)
    m_preds, m_secs = factor_model(base, test)
    print("\nretrained on u1.base and scored once on u1.test:\n| model | u1.test RMSE | train s |\n|---|---|---|")
    print(f"| ItemAutoRec | {rmse(a_preds, test['rating']):.4f} | {a_secs:.1f} |")
    print(f"| SVDppDotProductBias | {rmse(m_preds, test['rating']):.4f} | {m_secs:.1f} |")
    print(f"| blend, weight {weight} | {rmse(weight * a_preds + (1 - weight) * m_preds, test['rating']):.4f} | {a_secs + m_secs:.1f} |")


if __name__ == '__main__':
    main()
