"""The feedback-loop simulation (16_feedback_loops) on a tiny synthetic world: determinism, activity, the cap, exclusions, errors,
the order of events; and the notebook's quotes of bench/feedback_seeds.py."""
import json, re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import collab_course.feedback as fb
from collab_course.feedback import (CATALOGUE_COLS, LOOP_EVENTS, World, cap_per_user, crossing_round, loop_events, make_world,
                                    recommend_top_k, run_feedback_loop, score_all, starting_ratings, train_platform, users_respond)

GENRES = ['Drama', 'Comedy', 'Horror']
TINY = dict(n_rounds=2, k=4, light_ratings=1, n_start=5, epochs=1, bs=64, n_factors=8)


def tiny_catalogue(n_items=30, seed=0):
    "A made-up catalogue in the shape `load_catalogue` returns: every fifth movie is horror."
    rng = np.random.default_rng(seed)
    cat = pd.DataFrame({'movie': np.arange(1, n_items + 1), 'title': [f'Movie {i}' for i in range(n_items)],
                        'n_ratings': rng.integers(20, 200, n_items), 'mean_rating': rng.uniform(2.5, 4.5, n_items)})
    cat['quality'] = cat['mean_rating']
    cat['Drama'] = (np.arange(n_items) % 2 == 0).astype(int)
    cat['Comedy'] = (np.arange(n_items) % 2 == 1).astype(int)
    cat['Horror'] = (np.arange(n_items) % 5 == 0).astype(int)
    return cat[CATALOGUE_COLS + GENRES]


@pytest.fixture(scope='module')
def world():
    return make_world(tiny_catalogue(), n_users=40, group_share=0.1, fav_genre='Horror', seed=0)


@pytest.fixture(scope='module')
def run(world):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: a second thread only adds overhead; restored so no other test is affected
    try: yield run_feedback_loop(world, seed=0, **TINY)
    finally: torch.set_num_threads(threads)


# --- the world ---------------------------------------------------------------------------------------------------

def test_world_has_the_requested_group_and_tastes(world):
    assert isinstance(world, World) and (world.n_users, world.n_items) == (40, 30)
    assert world.is_fan.sum() == 4
    fans_on_fav = world.expected[world.is_fan][:, world.in_fav].mean()
    others_on_fav = world.expected[~world.is_fan][:, world.in_fav].mean()
    assert fans_on_fav > others_on_fav + 1


def test_same_seed_same_world_other_seed_other_world():
    cat = tiny_catalogue()
    a, b, c = (make_world(cat, n_users=40, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.expected, b.expected) and np.array_equal(a.is_fan, b.is_fan)
    assert not np.array_equal(a.expected, c.expected)


def test_starting_histories_are_distinct_whole_star_ratings(world):
    start = starting_ratings(world, 5, np.random.default_rng(0))
    assert start.groupby('user')['item'].nunique().eq(5).all() and len(start) == 5 * world.n_users
    assert set(start['rating']) <= {1., 2., 3., 4., 5.}


# --- determinism -------------------------------------------------------------------------------------------------

def test_same_seed_gives_identical_runs(world, run):
    again = run_feedback_loop(world, seed=0, **TINY)
    if torch.cuda.is_available():  # a GPU may sum gradients in another order from run to run: close, not equal
        np.testing.assert_allclose(run.history['valid_mse'], again.history['valid_mse'], atol=0.02)
        return
    pd.testing.assert_frame_equal(run.history, again.history)  # on a CPU the same seed gives exactly the same run
    pd.testing.assert_frame_equal(run.ratings, again.ratings)
    assert all(np.array_equal(a, b) for a, b in zip(run.shown, again.shown))


def test_another_seed_gives_another_run(world, run):
    other = run_feedback_loop(world, seed=1, **TINY)
    assert not run.ratings.equals(other.ratings)


# --- users and recommendations -----------------------------------------------------------------------------------

def test_fans_rate_k_per_round_others_light_ratings(world, run):
    start_rows = TINY['n_start'] * world.n_users
    later = run.ratings.iloc[start_rows:]
    per_user = later.groupby('user').size().reindex(range(world.n_users), fill_value=0)
    assert per_user[world.is_fan].eq(TINY['n_rounds'] * TINY['k']).all()
    assert per_user[~world.is_fan].eq(TINY['n_rounds'] * TINY['light_ratings']).all()
    assert per_user[world.is_fan].mean() == 4 * per_user[~world.is_fan].mean()


def test_recommendations_exclude_everything_rated_before_the_round(world, run):
    for rnd, shown in enumerate(run.shown):
        known = run.ratings.iloc[:run.history.loc[rnd, 'n_ratings']]
        seen = np.zeros((world.n_users, world.n_items), bool)
        seen[known['user'], known['item']] = True
        assert not seen[np.arange(world.n_users)[:, None], shown].any()
        assert all(len(set(row)) == len(row) for row in shown)   # no movie twice in one list
    assert not run.ratings.duplicated(['user', 'item']).any()


def test_recommend_top_k_ranks_unseen_items_best_first():
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [0.4, 0.3, 0.2, 0.1]])
    seen = np.array([[False, True, False, False], [True, False, False, False]])
    np.testing.assert_array_equal(recommend_top_k(scores, seen, 2), [[3, 2], [1, 2]])


def test_users_respond_counts(world):
    shown = np.tile(np.arange(4), (world.n_users, 1))
    for choice in ('liked', 'random'):
        new = users_respond(world, shown, 2, np.random.default_rng(0), light_choice=choice)
        counts = new.groupby('user').size()
        assert counts[world.is_fan].eq(4).all() and counts[~world.is_fan].eq(2).all()


def test_score_all_matches_the_model(world):
    ratings = starting_ratings(world, 5, np.random.default_rng(0))
    learn = train_platform(ratings, epochs=1, bs=64, n_factors=8)
    scores = score_all(learn, world.n_users, world.n_items)
    x, _ = learn.dls.valid.one_batch()
    user_vocab, item_vocab = learn.dls.classes.values()
    users, items = [int(user_vocab[i]) for i in x[:, 0].cpu()], [int(item_vocab[i]) for i in x[:, 1].cpu()]
    device = next(learn.model.parameters()).device
    with torch.no_grad(): expected = learn.model(x.to(device)).view(-1).cpu().numpy()
    np.testing.assert_allclose(scores[users, items], expected, atol=1e-5)


# --- the mitigation ----------------------------------------------------------------------------------------------

def test_cap_keeps_at_most_the_median_and_cuts_nobody_below_it(run):
    counts = run.ratings.groupby('user').size()
    capped = cap_per_user(run.ratings, rng=np.random.default_rng(0))
    capped_counts = capped.groupby('user').size()
    assert capped_counts.max() <= counts.median()
    below = counts[counts <= counts.median()]
    assert capped_counts[below.index].equals(below)
    assert len(capped.merge(run.ratings)) == len(capped)   # only real ratings
    assert cap_per_user(run.ratings, rng=np.random.default_rng(0)).equals(capped)


def test_capped_run_trains_on_capped_data(world, monkeypatch):
    seen_by_platform = []
    real_train = fb.train_platform
    def recording_train(ratings, **kwargs):
        seen_by_platform.append(ratings.copy())
        return real_train(ratings, **kwargs)
    monkeypatch.setattr(fb, 'train_platform', recording_train)
    capped_run = run_feedback_loop(world, seed=0, cap=True, **TINY)
    assert len(seen_by_platform) == TINY['n_rounds'] + 1
    for rnd, train in enumerate(seen_by_platform):
        all_so_far = capped_run.ratings.iloc[:capped_run.history.loc[rnd, 'n_ratings']]
        assert train.groupby('user').size().max() <= all_so_far.groupby('user').size().median()
        assert len(train) == capped_run.history.loc[rnd, 'n_train']
    assert (capped_run.history['n_train'].iloc[1:] < capped_run.history['n_ratings'].iloc[1:]).all()


# --- bad parameters ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('share', [0, 1, -0.1, 1.5])
def test_group_share_outside_zero_one_is_refused(share):
    with pytest.raises(ValueError, match='strictly between 0 and 1'): make_world(tiny_catalogue(), group_share=share)


def test_bad_parameters_are_refused(world):
    with pytest.raises(ValueError, match='unknown genre'): make_world(tiny_catalogue(), fav_genre='Anime')
    with pytest.raises(ValueError, match='nobody is left'): make_world(tiny_catalogue(), n_users=2, group_share=0.9)
    with pytest.raises(ValueError, match='catalogue size'): run_feedback_loop(world, k=31)
    with pytest.raises(ValueError, match='catalogue size'): run_feedback_loop(world, k=0)
    with pytest.raises(ValueError, match='more than the 30'): run_feedback_loop(world, n_rounds=10, k=4)
    with pytest.raises(ValueError, match='n_rounds'): run_feedback_loop(world, n_rounds=-1)
    with pytest.raises(ValueError, match='light_ratings'): run_feedback_loop(world, light_ratings=5, **{k: v for k, v in TINY.items() if k != 'light_ratings'})
    with pytest.raises(ValueError, match="'liked' or 'random'"): users_respond(world, np.zeros((40, 4), int), 1, np.random.default_rng(0), 'best')
    with pytest.raises(ValueError, match='at least 1'): cap_per_user(pd.DataFrame({'user': [0], 'item': [0], 'rating': [3.]}), cap=0)
    with pytest.raises(ValueError, match='catalogue size'): recommend_top_k(np.zeros((2, 3)), np.zeros((2, 3), bool), 4)
    with pytest.raises(ValueError, match='unseen items'): recommend_top_k(np.zeros((2, 3)), np.ones((2, 3), bool), 1)


# --- the order of events -----------------------------------------------------------------------------------------

def test_crossing_round_needs_a_rise_from_at_or_below():
    assert crossing_round(pd.Series([0.01, 0.07, 0.03, 0.09]), 0.05) == 1
    assert crossing_round(pd.Series([0.09, 0.01, 0.07]), 0.05) == 2          # above at round 0 is not a crossing
    assert crossing_round(pd.Series([0.05, 0.05, 0.04]), 0.05) is None       # equal is not above
    assert crossing_round(pd.Series([0.2, 0.3]), 0.1) is None                # above throughout: never crosses
    assert crossing_round(pd.Series([1., 2., 3.], index=[4, 5, 6]), pd.Series([2., 1., 4.], index=[4, 5, 6])) == 5
    assert crossing_round(pd.Series([0.1, np.nan, 0.9]), 0.5) == 2           # a missing value is not above


def test_loop_events_finds_each_event_and_sorts_them():
    h = pd.DataFrame({'others_fav_share': [.01, .03, .20, .10], 'fans_fav_share': [.02, .01, .30, .05],
                      'fans_share_of_fav_ratings': [.10, .30, .40, .45]})
    ev = loop_events(h, 0.05)
    assert ev == {'others_pass_catalogue': 2, 'fans_pass_catalogue': 2, 'others_peak': 2, 'fans_peak': 2,
                  'others_pass_fans': 3, 'fans_give_half': None}
    assert list(ev) == ['others_pass_catalogue', 'fans_pass_catalogue', 'fans_peak', 'others_peak', 'others_pass_fans',
                        'fans_give_half']   # by round, ties in LOOP_EVENTS' order, never-happened last
    assert ev['others_pass_fans'] == 3      # above the fans at round 1 too, but below the catalogue's share there


def test_loop_events_on_a_run(run, world):
    ev = loop_events(run.history, float(world.in_fav.mean()))
    assert set(ev) == set(LOOP_EVENTS)
    rounds = [r for r in ev.values() if r is not None]
    assert all(isinstance(r, int) and r in run.history.index for r in rounds) and rounds == sorted(rounds)
    assert run.history['others_fav_share'].loc[ev['others_peak']] == run.history['others_fav_share'].max()


# --- the notebook quotes bench/feedback_seeds.py exactly ---------------------------------------------------------

ROOT = Path(__file__).parents[1]


def _seeds_section():
    "The markdown of the notebook's section that quotes bench/feedback_seeds.py, up to the next heading of its level or above."
    cells = json.loads((ROOT/'nbs'/'16_feedback_loops.ipynb').read_text(encoding='utf-8'))['cells']
    texts = [''.join(c['source']) for c in cells if c['cell_type'] == 'markdown']
    first = next(i for i, t in enumerate(texts) if 'bench/feedback_seeds.py' in t)
    section = [texts[first]]
    for t in texts[first + 1:]:
        if re.match(r'#{1,3} ', t): break
        section.append(t)
    return '\n\n'.join(section)


def test_quoted_bench_figures_match_the_committed_output():
    results = (ROOT/'bench'/'results'/'feedback_seeds.txt').read_text(encoding='utf-8')
    lines = {l.strip() for l in results.splitlines()}
    section = _seeds_section()
    quoted = [l.strip() for block in re.findall(r'```\n(.*?)```', section, re.S) for l in block.splitlines() if l.strip()]
    assert len(quoted) >= 10, quoted
    assert [q for q in quoted if q not in lines] == []
    prose = re.sub(r'```\n.*?```', '', section, flags=re.S)
    figures = re.findall(r'\b\d+ of \d+ seeds\b|\brounds \d+-\d+\b', prose)
    assert figures and [f for f in figures if f not in results] == []
    n_seeds = re.search(r'in how many of the (\d+) seeds', results).group(1)
    assert all(f.split(' of ')[1] == f'{n_seeds} seeds' for f in figures if ' of ' in f), (figures, n_seeds)
