"""Full-text matching: which words of a query count, and the clauses that match them.

Each word must match some field, with typo tolerance; stop words do not count. The
highlighter (highlight.py) applies the same word rule to the hits it marks up, so a
highlighted word is always one that made the listing match.
"""

from __future__ import annotations

import re
from typing import Any

MAX_QUERY_TERMS = 10
# Title first: a match there says most about the listing; place names next.
TEXT_FIELDS = ["title^3", "address.city.text^2", "address.locality^2", "description"]

# Lucene's English stop words (Elasticsearch's `_english_` list). "flat for students"
# means flat and students: "for" would otherwise count as a matched word in nearly every
# description (with its typo variants: "form", "fort", "four"...), letting listings
# that merely contain it through and making the query scan most of the index.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def query_terms(q: str) -> list[str]:
    """Words of the query, roughly as the standard tokenizer splits them, without stop
    words (unless the query is nothing but stop words)."""
    words = re.findall(r"\w+", q.lower())
    content = [word for word in words if word not in STOP_WORDS]
    return (content or words)[:MAX_QUERY_TERMS]


def text_query(q: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(must, should) clauses for `q`, or None if it has no words.

    Each word must match some field (title, city, locality, description), with typo
    tolerance (`fuzziness: AUTO`: 1 edit from 3 letters, 2 from 6; the first letter
    must match), so "apartmnet in bengalru" finds an apartment in Bengaluru even though
    the words sit in different fields. Words with digits ("2bhk") match exactly. With
    more than two words, three quarters must match. Exact words and the phrase score
    higher than typo matches."""
    terms = query_terms(q)
    if not terms:
        return None
    per_term = [
        {
            "multi_match": {
                "query": term,
                "fields": TEXT_FIELDS,
                "type": "best_fields",
                "fuzziness": 0 if any(ch.isdigit() for ch in term) else "AUTO",
                "prefix_length": 1,
                "max_expansions": 50,
            }
        }
        for term in terms
    ]
    must = {"bool": {"should": per_term, "minimum_should_match": "2<75%"}}
    phrase = " ".join(terms)
    should = [
        # Every word present exactly, wherever (fields taken as one): beats typo matches.
        {
            "multi_match": {
                "query": phrase,
                "fields": TEXT_FIELDS,
                "type": "cross_fields",
                "operator": "and",
                "boost": 2,
            }
        },
        {
            "multi_match": {
                "query": phrase,
                "fields": ["title^2", "description"],
                "type": "phrase",
                "slop": 2,
                "boost": 3,
            }
        },
    ]
    return must, should
