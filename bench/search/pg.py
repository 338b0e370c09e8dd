"""The same listings and the same searches in PostgreSQL, for comparison.

One table of the index documents (the output of the shared `build_document`, so both
engines hold the same data) with:

- `tsv`: a stored, weighted tsvector (title A, city + locality B, description C) with the
  `simple` configuration (lowercase, no stemming, no stop words), which is what the
  Elasticsearch analyzer (standard tokenizer + lowercase) does, under a GIN index;
- typo tolerance with pg_trgm: a vocabulary table of every indexed word (`ts_stat`) under
  a trigram GIN index; each query word is expanded to the vocabulary words that share its
  first letter and lie within Elasticsearch's `fuzziness: AUTO` edit distance (0 up to 2
  letters, 1 up to 5, else 2; fuzzystrmatch's Levenshtein), at most 50 (ES's
  `max_expansions`), the trigram index finding the candidates;
- distance: earthdistance (`ll_to_earth`, a GiST index, `earth_box` as the index
  prefilter) and an exact great-circle distance in SQL with Elasticsearch's mean Earth
  radius for the radius test, the distance sort and `distance_km`;
- the filters, the exact count, facet counts under "all facet filters but its own"
  (amenities: under all of them), the page in the same sort orders (ties on id) and
  `ts_headline` highlights, all in one statement (CTEs) per search.

`search(conn, params)` answers one search; `load(url, documents)` builds the database.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

EARTH_MEAN_RADIUS_KM = 6371.0088  # Elasticsearch's arc distance uses the mean radius
EARTHDISTANCE_RADIUS_M = 6378168.0  # earthdistance's earth()
MAX_QUERY_TERMS = 10
MAX_EXPANSIONS = 50
TRIGRAM_THRESHOLD = 0.2  # candidates for the edit-distance test; low enough for 1-edit typos
PRICE_BUCKETS = [0, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000]
# ts_rank weights {D, C, B, A}: description 1, city/locality 2, title 3, as the ES boosts.
RANK_WEIGHTS = "{0.1, 0.333, 0.667, 1.0}"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE FUNCTION arc_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2)
    + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))))
$$;
CREATE TABLE listings (
  id uuid PRIMARY KEY,
  version integer NOT NULL,
  searchable boolean NOT NULL,
  tiebreak bigint,
  title text,
  description text,
  property_type text,
  city text,
  locality text,
  lat float8,
  lon float8,
  currency text,
  monthly_price numeric(14, 2),
  bedrooms integer,
  bathrooms integer,
  furnished boolean,
  amenities text[],
  available_from date,
  available_units integer,
  cover_photo_url text,
  published_at timestamptz,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(city, '') || ' ' || coalesce(locality, '')), 'B')
    || setweight(to_tsvector('simple', coalesce(description, '')), 'C')
  ) STORED
);
"""

INDEXES = """
CREATE INDEX listings_tsv ON listings USING gin (tsv) WHERE searchable;
CREATE INDEX listings_earth ON listings USING gist (ll_to_earth(lat, lon)) WHERE searchable;
CREATE INDEX listings_amenities ON listings USING gin (amenities) WHERE searchable;
CREATE INDEX listings_newest ON listings (published_at DESC, tiebreak, id) WHERE searchable;
CREATE INDEX listings_price ON listings (monthly_price, tiebreak, id) WHERE searchable;
CREATE INDEX listings_city ON listings (city) WHERE searchable;
CREATE TABLE words AS
  SELECT word FROM ts_stat('SELECT tsv FROM listings WHERE searchable');
CREATE INDEX words_trgm ON words USING gin (word gin_trgm_ops);
ANALYZE listings;
ANALYZE words;
"""

COLUMNS = [
    "id", "version", "searchable", "tiebreak", "title", "description", "property_type", "city",
    "locality", "lat", "lon", "currency", "monthly_price", "bedrooms", "bathrooms",
    "furnished", "amenities", "available_from", "available_units", "cover_photo_url",
    "published_at",
]  # fmt: skip


def row(document: dict[str, Any]) -> tuple:
    """A table row from an index document (tombstones: the few fields they have)."""
    address = document.get("address") or {}
    location = document.get("location") or {}
    return (
        document["id"],
        document["version"],
        document["searchable"],
        document.get("tiebreak"),
        document.get("title"),
        document.get("description"),
        document.get("property_type"),
        address.get("city"),
        address.get("locality"),
        location.get("lat"),
        location.get("lon"),
        document.get("currency"),
        document.get("monthly_price"),
        document.get("bedrooms"),
        document.get("bathrooms"),
        document.get("furnished"),
        document.get("amenities"),
        document.get("available_from"),
        document.get("available_units"),
        document.get("cover_photo_url"),
        document.get("published_at"),
    )


def load(url: str, rows: list[tuple]) -> dict[str, float]:
    """Create the schema, COPY the rows, build the indexes; returns seconds per step."""
    import time

    import psycopg

    timings = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        started = time.perf_counter()
        statement = f"COPY listings ({', '.join(COLUMNS)}) FROM STDIN"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for values in rows:
                copy.write_row(values)
        timings["copy_s"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(INDEXES)
        timings["index_s"] = time.perf_counter() - started
        timings["table_mb"] = (
            conn.execute("SELECT pg_total_relation_size('listings')").fetchone()[0] / 2**20
        )
        timings["words"] = conn.execute("SELECT count(*) FROM words").fetchone()[0]
    return timings


# Per connection: usual OLTP tuning (no JIT compilation for one-off plans; room for the
# materialized CTEs and hash aggregates in memory instead of temp files).
SESSION = {"jit": "off", "work_mem": "64MB"}


def connect(url: str):
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"SET pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD}")
    for name, value in SESSION.items():
        conn.execute(f"SET {name} = '{value}'")
    return conn


# -- parameters (as search_service's serializer reads them) -------------------------------
def parse(params: dict[str, str]) -> dict[str, Any]:
    """The API's query parameters, typed like SearchParamsSerializer types them (the
    workload only holds valid ones)."""

    def listing(name):
        value = params.get(name)
        return (
            list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip())) if value else []
        )

    parsed: dict[str, Any] = {
        "q": params.get("q", ""),
        "amenities": listing("amenities"),
        "property_type": listing("property_type"),
        "city": listing("city"),
        "sort": params.get("sort", "relevance"),
        "page": int(params.get("page", 1)),
        "page_size": int(params.get("page_size", 20)),
    }
    for name in ("lat", "lon", "radius_km"):
        if name in params:
            parsed[name] = float(params[name])
    for name in ("price_min", "price_max"):
        if name in params:
            parsed[name] = Decimal(params[name])
    if "bedrooms_min" in params:
        parsed["bedrooms_min"] = int(params["bedrooms_min"])
    for name in ("furnished", "available"):
        if name in params:
            parsed[name] = params[name] == "true"
    if "move_in" in params:
        parsed["move_in"] = date.fromisoformat(params["move_in"])
    return parsed


def query_terms(q: str) -> list[str]:
    """Words of the query, as search_service splits them (fulltext.query_terms)."""
    return re.findall(r"\w+", q.lower())[:MAX_QUERY_TERMS]


def edits_allowed(term: str) -> int:
    """Elasticsearch's `fuzziness: AUTO` (words with digits: exact, as the service does)."""
    if any(ch.isdigit() for ch in term) or len(term) <= 2:
        return 0
    return 1 if len(term) <= 5 else 2


EXPAND_SQL = """
SELECT t.term, array_agg(w.word) FILTER (WHERE w.word IS NOT NULL)
FROM unnest(%s::text[], %s::int[]) AS t(term, k)
LEFT JOIN LATERAL (
  SELECT word FROM words
  WHERE word %% t.term
    AND left(word, 1) = left(t.term, 1)
    AND levenshtein_less_equal(word, t.term, t.k) <= t.k
  ORDER BY word <-> t.term
  LIMIT %s
) w ON true
GROUP BY t.term
"""


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def expand(conn, terms: list[str]) -> dict[str, list[str]]:
    """Each term with the vocabulary words it matches with typos (itself included)."""
    fuzzy = [t for t in dict.fromkeys(terms) if edits_allowed(t)]
    found: dict[str, list[str]] = {t: [t] for t in terms}
    if fuzzy:
        rows = conn.execute(
            EXPAND_SQL, (fuzzy, [edits_allowed(t) for t in fuzzy], MAX_EXPANSIONS)
        ).fetchall()
        for term, words in rows:
            found[term] = list(dict.fromkeys([term, *(words or [])]))
    return found


def build(params: dict[str, Any], expansions: dict[str, list[str]] | None) -> tuple[str, dict]:
    """The one SQL statement of a search, and its arguments."""
    args: dict[str, Any] = {}
    where = ["searchable"]
    base_columns = [
        "id", "tiebreak", "property_type", "city", "monthly_price", "amenities", "published_at",
    ]  # fmt: skip
    terms = query_terms(params.get("q") or "")
    text = bool(terms)
    if text:
        groups = ["(" + " | ".join(_lexeme(w) for w in expansions[t]) + ")" for t in terms]
        required = len(groups) if len(groups) <= 2 else int(len(groups) * 0.75)
        args["q_any"] = " | ".join(groups)
        args["q_exact"] = " & ".join(_lexeme(t) for t in terms)
        if required == len(groups):
            args["q_all"] = " & ".join(groups)
            where.append("tsv @@ %(q_all)s::tsquery")
        else:
            where.append("tsv @@ %(q_any)s::tsquery")
            matched = []
            for i, group in enumerate(groups):
                args[f"g{i}"] = group
                matched.append(f"(tsv @@ %(g{i})s::tsquery)::int")
            where.append(f"({' + '.join(matched)}) >= {required}")
        base_columns.append(
            f"ts_rank('{RANK_WEIGHTS}', tsv, %(q_any)s::tsquery)"
            " + 2 * (tsv @@ %(q_exact)s::tsquery)::int AS rank"
        )
    point = "lat" in params
    if point:
        args.update(plat=params["lat"], plon=params["lon"])
        base_columns.append("arc_km(%(plat)s, %(plon)s, lat, lon) AS dist")
        if params.get("radius_km") is not None:
            # earth_box works in earthdistance's radius; widen slightly so the exact
            # mean-radius test below decides.
            args["radius"] = params["radius_km"]
            args["box_m"] = (
                params["radius_km"] * 1000 * EARTHDISTANCE_RADIUS_M / (EARTH_MEAN_RADIUS_KM * 1000)
            ) * 1.002
            where.append(
                "earth_box(ll_to_earth(%(plat)s, %(plon)s), %(box_m)s) @> ll_to_earth(lat, lon)"
            )
            where.append("arc_km(%(plat)s, %(plon)s, lat, lon) <= %(radius)s")
    if params.get("bedrooms_min") is not None:
        args["bedrooms_min"] = params["bedrooms_min"]
        where.append("bedrooms >= %(bedrooms_min)s")
    if params.get("furnished") is not None:
        args["furnished"] = params["furnished"]
        where.append("furnished = %(furnished)s")
    if params.get("available"):
        where.append("available_units > 0")
    if params.get("move_in") is not None:
        args["move_in"] = params["move_in"]
        where.append("(available_from <= %(move_in)s OR available_from IS NULL)")

    facets: dict[str, str] = {}
    if params.get("amenities"):
        args["amenities"] = params["amenities"]
        facets["amenities"] = "amenities @> %(amenities)s::text[]"
    if params.get("property_type"):
        args["types"] = params["property_type"]
        facets["property_types"] = "property_type = ANY(%(types)s::text[])"
    if params.get("city"):
        args["cities"] = params["city"]
        facets["cities"] = "city = ANY(%(cities)s::text[])"
    price = []
    if params.get("price_min") is not None:
        args["price_min"] = params["price_min"]
        price.append("monthly_price >= %(price_min)s")
    if params.get("price_max") is not None:
        args["price_max"] = params["price_max"]
        price.append("monthly_price <= %(price_max)s")
    if price:
        facets["price_ranges"] = " AND ".join(price)

    def facet_where(but: str | None = None) -> str:
        clauses = [clause for name, clause in facets.items() if name != but]
        return " AND ".join(clauses) if clauses else "true"

    # Ties: the index documents' `tiebreak` number if the builder makes one (the
    # service's last sort key), then the id.
    last = "tiebreak, id"
    newest = f"published_at DESC NULLS LAST, {last}"
    sort = params.get("sort", "relevance")
    order = {
        "relevance": f"rank DESC, {newest}" if text else newest,
        "price_asc": f"monthly_price ASC, {last}",
        "price_desc": f"monthly_price DESC, {last}",
        "newest": newest,
        "distance": f"dist ASC, {last}",
    }[sort]
    page_size = params.get("page_size", 20)
    args["limit"] = page_size + 1  # one more tells whether a next page exists
    args["offset"] = (params.get("page", 1) - 1) * page_size

    result_columns = [
        "l.id", "l.title", "l.city", "l.locality", "l.monthly_price", "l.currency",
        "l.bedrooms", "l.bathrooms", "l.property_type", "l.furnished", "l.amenities",
        "l.available_from", "l.available_units", "l.cover_photo_url", "l.lat", "l.lon",
        "l.published_at",
    ]  # fmt: skip
    if point:
        result_columns.append("round(p.dist::numeric, 3) AS distance_km")
    if text:
        result_columns.append(
            "ts_headline('simple', l.title, %(q_any)s::tsquery, "
            "'StartSel=<mark>, StopSel=</mark>, HighlightAll=true') AS highlight_title"
        )
        result_columns.append(
            "ts_headline('simple', l.description, %(q_any)s::tsquery, "
            "'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=25, MinWords=10')"
            " AS highlight_description"
        )
    page_order = ", ".join(
        f"p.{part.strip()}" for part in order.split(",")
    )  # the same order on the page's columns
    buckets = ", ".join(
        f"count(*) FILTER (WHERE monthly_price >= {low}"
        + (f" AND monthly_price < {high})" if high is not None else ")")
        for low, high in zip(PRICE_BUCKETS, [*PRICE_BUCKETS[1:], None], strict=True)
    )
    sql = f"""
WITH base AS MATERIALIZED (
  SELECT {", ".join(base_columns)} FROM listings WHERE {" AND ".join(where)}
),
hits AS MATERIALIZED (SELECT * FROM base WHERE {facet_where()}),
page AS (SELECT * FROM hits ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s)
SELECT
  (SELECT count(*) FROM hits),
  (SELECT coalesce(json_agg(r), '[]') FROM (
     SELECT {", ".join(result_columns)} FROM page p JOIN listings l USING (id)
     ORDER BY {page_order}) r),
  (SELECT coalesce(json_agg(json_build_array(a, n) ORDER BY n DESC, a), '[]') FROM (
     SELECT a, count(*) AS n FROM hits, unnest(amenities) AS a GROUP BY a) x),
  (SELECT coalesce(json_agg(json_build_array(property_type, n) ORDER BY n DESC, property_type), '[]')
   FROM (SELECT property_type, count(*) AS n FROM base WHERE {facet_where("property_types")}
         GROUP BY property_type ORDER BY n DESC, property_type LIMIT 20) x),
  (SELECT coalesce(json_agg(json_build_array(city, n) ORDER BY n DESC, city), '[]')
   FROM (SELECT city, count(*) AS n FROM base WHERE {facet_where("cities")}
         GROUP BY city ORDER BY n DESC, city LIMIT 20) x),
  (SELECT json_build_array({buckets}) FROM base WHERE {facet_where("price_ranges")})
"""
    return sql, args


def search(conn, params: dict[str, Any]) -> dict[str, Any]:
    """One search: typo expansion (one round trip, only for a text query) + the
    statement. Returns count, results, facets like the API's response."""
    terms = query_terms(params.get("q") or "")
    expansions = expand(conn, terms) if terms else None
    sql, args = build(params, expansions)
    count, results, amenities, types, cities, prices = conn.execute(sql, args).fetchone()
    page_size = params.get("page_size", 20)
    return {
        "count": count,
        "results": results[:page_size],
        "has_more": len(results) > page_size,
        "facets": {
            "amenities": amenities,
            "property_types": types,
            "cities": cities,
            "price_ranges": prices,
        },
    }
