"""The feedback loop of 16_feedback_loops over several seeds: which features of the notebook's single run hold.

The notebook builds one simulated world and runs one loop on it, with and without the cap, both from seed 42. This
script does the same for each seed `s` of `--seeds`: `make_world(catalogue, seed=s)` (who the fans are, everyone's
tastes) and `run_feedback_loop(world, seed=s)` (the starting histories, the users' choices and noise, the training
seeds). It prints, per round, the mean and the range (min-max) over the seeds of each quantity the notebook measures;
then, per seed, the rounds that `loop_events` finds and the levels the notebook's text describes; then the range of
each event's round; then in how many seeds each feature of the notebook's run holds. A run of the notebook's size
takes about 5 s on one thread, so the default 10 seeds, two runs each, take about 2 minutes.

    python bench/feedback_seeds.py [--seeds 42 1 2 3 4 5 6 7 8 9] [--rounds 12]
"""
import argparse

import numpy as np
import pandas as pd
from collab_course.data import get_movielens
from collab_course.feedback import (LOOP_EVENTS, fav_share, load_catalogue, loop_events, make_world, run_feedback_loop,
                                    true_taste_lists)
from harness import start, timed

PLAIN = ['others_fav_share', 'fans_fav_share', 'fans_share_of_fav_ratings', 'others_coverage', 'others_true_rating', 'valid_mse']
CAPPED = ['others_fav_share', 'fans_share_of_fav_ratings', 'others_coverage']
LATE = 4  # the notebook compares the two runs over the last four rounds


def one_seed(catalogue, seed, n_rounds):
    "The notebook's world and its two runs (no mitigation, capped at the median) for one seed, with baselines and events."
    world = make_world(catalogue, seed=seed)
    plain = run_feedback_loop(world, n_rounds=n_rounds, seed=seed).history
    capped = run_feedback_loop(world, n_rounds=n_rounds, seed=seed, cap=True).history
    ideal = true_taste_lists(world, 10)
    share = float(world.in_fav.mean())
    return dict(seed=seed, plain=plain, capped=capped, catalogue_share=share, events=loop_events(plain, share),
                fans_true_taste_share=fav_share(world, ideal, world.is_fan))


def per_round(results, run, columns):
    "Mean and min-max over the seeds, per round, of each of `columns` of the `run` ('plain' or 'capped') histories."
    table = {}
    for col in columns:
        values = pd.concat({r['seed']: r[run][col] for r in results}, axis=1)
        table[col] = [f"{m:.3f} ({lo:.3f}-{hi:.3f})" for m, lo, hi in zip(values.mean(1), values.min(1), values.max(1))]
    return pd.DataFrame(table, index=pd.Index(results[0][run].index, name='round'))


def seed_row(r):
    "One seed's event rounds and the levels the notebook's text reads, as one row."
    h, c, ev = r['plain'], r['capped'], r['events']
    late, late_capped = h.iloc[-LATE:].mean(), c.iloc[-LATE:].mean()
    cross = ev['others_pass_catalogue']
    return dict(seed=r['seed'], **ev,
                fans_of_horror_ratings_at_pass=np.nan if cross is None else h.loc[cross, 'fans_share_of_fav_ratings'],
                valid_mse_at_pass=np.nan if cross is None else h.loc[cross, 'valid_mse'], valid_mse_round_0=h['valid_mse'].iloc[0],
                others_peak_share=h['others_fav_share'].max(), others_last_share=h['others_fav_share'].iloc[-1],
                fans_max_share=h['fans_fav_share'].max(), fans_true_taste_share=r['fans_true_taste_share'],
                rounds_others_above_fans=int((h['others_fav_share'] > np.maximum(h['fans_fav_share'], r['catalogue_share'])).sum()),
                late_others_share=late['others_fav_share'], late_capped_others_share=late_capped['others_fav_share'],
                late_fans_of_horror_ratings=late['fans_share_of_fav_ratings'],
                late_capped_fans_of_horror_ratings=late_capped['fans_share_of_fav_ratings'],
                fans_of_horror_ratings_round_0=h['fans_share_of_fav_ratings'].iloc[0],
                late_others_true_rating=late['others_true_rating'], late_capped_others_true_rating=late_capped['others_true_rating'],
                coverage_round_0=h['others_coverage'].iloc[0], late_others_coverage=late['others_coverage'],
                late_capped_others_coverage=late_capped['others_coverage'])


def before(a, b):
    "Event round `a` comes strictly before `b` (an event that never happens comes after every round)."
    return a is not None and (b is None or a < b)


FEATURES = {  # what the notebook says of its run (seed 42), in the order it says it, as a test on one seed's row
    "fans' and non-fans' horror shares pass the catalogue's within one round of each other":
        lambda s: None not in (s['fans_pass_catalogue'], s['others_pass_catalogue'])
                  and abs(s['fans_pass_catalogue'] - s['others_pass_catalogue']) <= 1,
    "non-fans' horror share passes the catalogue's before fans give half of the horror ratings":
        lambda s: before(s['others_pass_catalogue'], s['fans_give_half']),
    "fans give less than a third of the horror ratings in the round non-fans' share passes the catalogue's":
        lambda s: s['fans_of_horror_ratings_at_pass'] < 1 / 3,
    "the validation MSE is lower in the round non-fans' share passes the catalogue's than in round 0":
        lambda s: s['valid_mse_at_pass'] < s['valid_mse_round_0'],
    "non-fans' horror share passes the fans' (and the catalogue's) before fans give half of the horror ratings":
        lambda s: before(s['others_pass_fans'], s['fans_give_half']),
    "in some round non-fans are shown more horror than fans (and than the catalogue's share)":
        lambda s: s['rounds_others_above_fans'] > 0,
    "fans' horror share peaks before fans give half of the horror ratings":
        lambda s: before(s['fans_peak'], s['fans_give_half']),
    "fans' horror share stays below half of what their true tastes would give, in every round":
        lambda s: s['fans_max_share'] < s['fans_true_taste_share'] / 2,
    "fans give more than half of the horror ratings by the last round":
        lambda s: s['fans_give_half'] is not None,
    "non-fans' horror share peaks after fans give half of the horror ratings":
        lambda s: before(s['fans_give_half'], s['others_peak']),
    "non-fans' horror share ends at most 3/4 of its peak":
        lambda s: s['others_last_share'] <= 0.75 * s['others_peak_share'],
    "last four rounds: with the cap, non-fans' horror share is below a third of the uncapped share and below the catalogue's":
        lambda s: s['late_capped_others_share'] < min(s['late_others_share'] / 3, s['catalogue_share']),
    "last four rounds: fans give more than half of the horror ratings without the cap, and 0.2 less with it":
        lambda s: s['late_fans_of_horror_ratings'] > 0.5 and s['late_capped_fans_of_horror_ratings'] < s['late_fans_of_horror_ratings'] - 0.2,
    "last four rounds: with the cap, fans give a smaller share of the horror ratings than in round 0":
        lambda s: s['late_capped_fans_of_horror_ratings'] < s['fans_of_horror_ratings_round_0'],
    "last four rounds: non-fans' lists are worth fewer stars to them without the cap than with it":
        lambda s: s['late_others_true_rating'] < s['late_capped_others_true_rating'],
    "last four rounds: non-fans' coverage is below 0.6 of round 0's, with and without the cap":
        lambda s: max(s['late_others_coverage'], s['late_capped_others_coverage']) < 0.6 * s['coverage_round_0'],
    "last four rounds: the cap does not raise non-fans' coverage":
        lambda s: s['late_capped_others_coverage'] <= s['late_others_coverage'],
}


def main(seeds, n_rounds):
    start()
    if len(set(seeds)) != len(seeds): raise SystemExit(f"--seeds must be distinct, got {seeds}")
    catalogue = load_catalogue(get_movielens())
    results = []
    for seed in seeds:
        secs, r = timed(lambda: one_seed(catalogue, seed, n_rounds))
        results.append(r)
        print(f"seed {seed}: two runs of {n_rounds + 1} trainings in {secs:.1f} s", flush=True)
    pd.set_option('display.width', 250); pd.set_option('display.max_columns', 30)
    n = len(results)
    print(f"\nWithout the cap, per round: mean (min-max) over {n} seeds {seeds}\n{per_round(results, 'plain', PLAIN).to_string()}")
    print(f"\nCapped at the median, per round: mean (min-max) over {n} seeds\n{per_round(results, 'capped', CAPPED).to_string()}")
    rows = pd.DataFrame([dict(seed_row(r), catalogue_share=r['catalogue_share']) for r in results]).set_index('seed')
    events = pd.DataFrame([{k: 'never' if v is None else v for k, v in r['events'].items()} for r in results],
                          index=pd.Index(seeds, name='seed'))[list(LOOP_EVENTS)]
    print(f"\nRound of each event per seed, without the cap ('never': it did not happen in rounds 0-{n_rounds})\n{events.to_string()}")
    print("\nEvents in the order they happened, per seed\n" + '\n'.join(
        f"seed {r['seed']:>3}: " + ', '.join(f"{k} {v}" for k, v in r['events'].items()) for r in results))
    levels = rows.drop(columns=list(LOOP_EVENTS))
    print(f"\nLevels per seed (late_: mean of the last {LATE} rounds)\n{levels.round(3).T.to_string()}")
    print(f"\nRange of each event's round over the {n} seeds")
    for k in LOOP_EVENTS:
        happened = rows[k].dropna().astype(int)
        span = f"rounds {happened.min()}-{happened.max()}, median {happened.median():g}" if len(happened) else 'no round'
        print(f"  {k}: {span} ({len(happened)} of {n} seeds)")
    records = [dict(rec, **r['events']) for rec, r in zip(rows.reset_index().to_dict('records'), results)]  # None: never
    print(f"\nFeatures of the notebook's run (seed 42): in how many of the {n} seeds they hold")
    for text, holds in FEATURES.items():
        ok = [rec['seed'] for rec in records if holds(rec)]
        missing = [rec['seed'] for rec in records if rec['seed'] not in ok]
        print(f"  {len(ok)} of {n} seeds: {text}" + (f" (not in seeds {missing})" if missing else ''))


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                   help="seeds of the world and of the loop (default: the notebook's 42 and 1 to 9)")
    p.add_argument('--rounds', type=int, default=12, help="rounds after the starting one (default: the notebook's 12)")
    args = p.parse_args()
    main(args.seeds, args.rounds)
