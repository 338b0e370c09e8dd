"""Shaping Elasticsearch's answer into the API's: results, facets, distances.

Pure functions over the response bodies (testable without Elasticsearch): a hit becomes
a listing with highlights (highlight.py) and, for a search around a point, its distance;
aggregations become facets with the parameters that select each price range.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from .highlight import Matcher, highlight
from .query import PRICE_BUCKETS

EARTH_RADIUS_KM = 6371.0088  # mean radius; what Elasticsearch's arc distance uses


def facets(aggregations: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The facets of the response from Elasticsearch's aggregations (query.facet_aggregations):
    value and count per bucket; each price range also with the parameters that select it."""
    shaped: dict[str, list[dict[str, Any]]] = {
        name: [
            {"value": bucket["key"], "count": bucket["doc_count"]}
            for bucket in aggregations[name]["values"]["buckets"]
        ]
        for name in ("amenities", "property_types", "cities")
    }
    price_ranges = []
    for (low, high), bucket in zip(
        PRICE_BUCKETS, aggregations["price_ranges"]["values"]["buckets"], strict=True
    ):
        # What to pass to select exactly this bucket: price_max is inclusive and
        # prices have two decimals, so the bucket's exclusive upper bound minus a cent.
        selection = {"price_min": f"{low}"}
        if high is not None:
            selection["price_max"] = str(Decimal(high) - Decimal("0.01"))
        price_ranges.append(
            {
                "value": bucket["key"],
                "from": low,
                "to": high,
                "count": bucket["doc_count"],
                "params": selection,
            }
        )
    shaped["price_ranges"] = price_ranges
    return shaped


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def result(
    hit: dict[str, Any], point: tuple[float, float] | None, matcher: Matcher
) -> dict[str, Any]:
    """One listing of the results: its fields, highlights, and its distance from
    `point` if the search gave one."""
    source = hit["_source"]
    address = source.get("address", {})
    result = {
        "id": source["id"],
        "title": source.get("title"),
        "city": address.get("city"),
        "locality": address.get("locality"),
        "monthly_price": source.get("monthly_price"),
        "currency": source.get("currency"),
        "bedrooms": source.get("bedrooms"),
        "bathrooms": source.get("bathrooms"),
        "property_type": source.get("property_type"),
        "furnished": source.get("furnished"),
        "amenities": source.get("amenities", []),
        "available_from": source.get("available_from"),
        "available_units": source.get("available_units"),
        "cover_photo_url": source.get("cover_photo_url"),
        "location": source.get("location"),
        "published_at": source.get("published_at"),
        "highlight": highlight(
            matcher, title=source.get("title"), description=source.get("description")
        ),
    }
    if point is not None and source.get("location"):
        # Computed here rather than by a script field (no painless on this cluster);
        # the same great-circle formula and radius as the geo_distance filter.
        location = source["location"]
        result["distance_km"] = round(
            haversine_km(point[0], point[1], location["lat"], location["lon"]), 3
        )
    return result
