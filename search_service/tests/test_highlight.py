"""The highlighter's word matching: the same typo rule as the search query."""

import pytest
from property_search.highlight import Matcher, edit_distance, highlight


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("apartment", "apartment", 0),
        ("apartmnet", "apartment", 1),  # a transposition is one edit
        ("bengalru", "bengaluru", 1),
        ("apartmetn", "apartment", 1),
        ("aprtmnt", "apartment", 2),
        ("flat", "float", 1),
        ("house", "mouse", 1),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 2) == distance


def test_edit_distance_stops_above_the_limit():
    assert edit_distance("apartment", "xyz", 1) == 2
    assert edit_distance("studio", "house", 1) == 2


@pytest.mark.parametrize(
    ("term", "word", "matches"),
    [
        ("apartmnet", "Apartment", True),  # 9 letters: 2 edits
        ("flat", "float", True),  # 4 letters: 1 edit
        ("flat", "fleet", False),  # 2 edits
        ("gym", "gum", True),  # 3 letters: 1 edit
        ("ac", "at", False),  # 2 letters: exact only
        ("house", "mouse", False),  # the first letter must match
        ("2bhk", "3bhk", False),  # words with digits: exact only
        ("2bhk", "2BHK", True),
    ],
)
def test_matcher_uses_fuzziness_auto_with_a_fixed_first_letter(term, word, matches):
    assert Matcher([term]).matches(word) is matches


def test_no_terms_no_highlight():
    assert highlight([], title="Anything", description="At all") == {}
    assert highlight(["zebra"], title="Anything", description="At all") == {}
