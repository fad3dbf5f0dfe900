"The messages a mistyped title, an unknown user or a bad ranking argument gets: lookups on small data."
import pytest
import torch

from collab_course.lookups import UnknownTitleError, UnknownUserError, close_titles, ranking_inputs, check_new_ratings
from collab_course.provision import CourseError

TITLES = ['#na#', 'Star Wars (1977)', 'Star Trek: Generations (1994)', 'Fargo (1996)', 'fargo (1996)']


def test_close_titles_prefers_titles_containing_the_query():
    assert close_titles('STAR', TITLES)[:2] == ['Star Wars (1977)', 'Star Trek: Generations (1994)']
    assert close_titles('Fargo (1969)', TITLES) == ['Fargo (1996)']  # a near spelling; case-duplicates kept once
    assert close_titles('', TITLES) == [] and close_titles('#na#', TITLES) == []


def test_lookup_errors_are_key_errors_with_plain_messages():
    for cls in (UnknownTitleError, UnknownUserError):
        e = cls("'x' is not in the model's vocabulary")
        assert isinstance(e, KeyError) and isinstance(e, CourseError), type(e).__mro__
        assert str(e) == "'x' is not in the model's vocabulary", str(e)


def test_ranking_inputs_masks_exclusions_per_row():
    scores, excluded, one_row = ranking_inputs(torch.tensor([[1., 2., 3.], [3., 2., 1.]]), exclude=[{2}, set()], n=2)
    assert not one_row and scores.dtype == torch.float32, (one_row, scores.dtype)
    assert excluded.tolist() == [[False, False, True], [False, False, False]], excluded


@pytest.mark.parametrize('kwargs,exc,message', [
    (dict(scores=torch.ones(5), exclude={0, 1, 2}, n=3), ValueError, '2 items left'),
    (dict(scores=torch.ones(5), exclude={7}), IndexError, 'must lie in 0..4'),
    (dict(scores=torch.tensor([1., float('nan')]), n=1), ValueError, 'NaN'),
    (dict(scores=torch.ones(5), n=0), ValueError, 'at least 1'),
    (dict(scores=torch.ones(2, 3), exclude=[{0}], n=1), ValueError, 'one per row'),
    (dict(scores=torch.ones(2, 3), exclude=[0, 1], n=1), TypeError, 'one collection of indices per row'),
])
def test_ranking_inputs_names_each_mistake(kwargs, exc, message):
    with pytest.raises(exc, match=message): ranking_inputs(**kwargs)


@pytest.mark.parametrize('ratings,message', [({}, 'non-empty dict'), ({'a': 0}, 'from 1 to 5'), ({'a': True}, 'from 1 to 5'),
                                             ({'a': '5'}, 'from 1 to 5'), ([('a', 5)], 'non-empty dict')])
def test_check_new_ratings_names_each_mistake(ratings, message):
    with pytest.raises(ValueError, match=message): check_new_ratings(ratings)
    check_new_ratings({'a': 1, 'b': 4.5})  # right ratings pass
