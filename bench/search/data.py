"""Realistic listings and a mixed query workload for the search benchmark.

Listings: real city centres (21 Indian cities, 4 elsewhere) with real locality names,
each locality a fixed point within ~6 km of its centre and each listing within ~2 km of
its locality; prices per city, locality, type, bedrooms and furnishing (log-normal
noise); amenities from the contract's vocabulary with per-city/type odds; addresses,
filler sentences and names from Faker. Snapshots are made with the shared
`rentezy_common.search.testing.property_snapshot()` (contract shape), so the consumer and
the reindex see exactly what property_service would publish.

Queries: a seeded mix of what people type and click: text (with typos now and then),
a point with a radius, price / bedrooms / amenities / type / city / furnished /
availability filters, every sort, some later pages. Each query is a dict of API
parameters (strings), turned into the search_service URL and into equivalent SQL.

Everything is seeded: the same arguments give the same listings and queries.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from faker import Faker

from rentezy_common.contracts.property import AMENITIES, PROPERTY_TYPES


@dataclass
class City:
    name: str
    state: str
    country: str
    currency: str
    lat: float
    lon: float
    weight: float  # share of listings
    rent_1bhk: int  # typical monthly rent of a 1BHK apartment, local currency
    postal: str  # postal code prefix
    localities: list[str]
    points: list[tuple[float, float]] = field(default_factory=list)  # per locality
    premium: list[float] = field(default_factory=list)  # price factor per locality

    @property
    def indian(self) -> bool:
        return self.country == "IN"


CITIES = [
    City("Bengaluru", "Karnataka", "IN", "INR", 12.9716, 77.5946, 12, 22000, "560",
         ["Indiranagar", "Koramangala", "Whitefield", "HSR Layout", "Jayanagar",
          "Marathahalli", "Electronic City", "Hebbal", "Bellandur", "JP Nagar",
          "Malleshwaram", "Yelahanka"]),
    City("Mumbai", "Maharashtra", "IN", "INR", 19.0760, 72.8777, 12, 32000, "400",
         ["Andheri", "Bandra", "Powai", "Juhu", "Malad", "Goregaon", "Chembur", "Worli",
          "Lower Parel", "Dadar", "Borivali", "Kurla"]),
    City("Delhi", "Delhi", "IN", "INR", 28.6139, 77.2090, 10, 22000, "110",
         ["Dwarka", "Saket", "Vasant Kunj", "Rohini", "Lajpat Nagar", "Karol Bagh",
          "Hauz Khas", "Janakpuri", "Mayur Vihar", "Pitampura"]),
    City("Hyderabad", "Telangana", "IN", "INR", 17.3850, 78.4867, 9, 18000, "500",
         ["Gachibowli", "Madhapur", "Kondapur", "Banjara Hills", "Jubilee Hills",
          "Kukatpally", "Hitech City", "Begumpet", "Manikonda"]),
    City("Chennai", "Tamil Nadu", "IN", "INR", 13.0827, 80.2707, 8, 16000, "600",
         ["Adyar", "T Nagar", "Velachery", "Anna Nagar", "Besant Nagar", "Porur",
          "Mylapore", "Sholinganallur", "Guindy"]),
    City("Pune", "Maharashtra", "IN", "INR", 18.5204, 73.8567, 8, 17000, "411",
         ["Kothrud", "Hinjewadi", "Baner", "Viman Nagar", "Koregaon Park", "Wakad",
          "Hadapsar", "Aundh", "Kharadi"]),
    City("Kolkata", "West Bengal", "IN", "INR", 22.5726, 88.3639, 6, 13000, "700",
         ["Salt Lake", "New Town", "Ballygunge", "Park Street", "Behala", "Garia",
          "Tollygunge", "Dum Dum"]),
    City("Gurugram", "Haryana", "IN", "INR", 28.4595, 77.0266, 5, 24000, "122",
         ["DLF Phase 3", "Sohna Road", "Golf Course Road", "Sector 56", "Udyog Vihar",
          "Palam Vihar"]),
    City("Noida", "Uttar Pradesh", "IN", "INR", 28.5355, 77.3910, 5, 15000, "201",
         ["Sector 62", "Sector 18", "Sector 137", "Sector 50", "Sector 76"]),
    City("Ahmedabad", "Gujarat", "IN", "INR", 23.0225, 72.5714, 4, 12000, "380",
         ["Satellite", "Navrangpura", "Bodakdev", "Prahlad Nagar", "Maninagar",
          "Vastrapur"]),
    City("Jaipur", "Rajasthan", "IN", "INR", 26.9124, 75.7873, 3, 11000, "302",
         ["Malviya Nagar", "Vaishali Nagar", "C Scheme", "Mansarovar", "Raja Park"]),
    City("Chandigarh", "Chandigarh", "IN", "INR", 30.7333, 76.7794, 2, 14000, "160",
         ["Sector 17", "Sector 35", "Manimajra", "Sector 22"]),
    City("Kochi", "Kerala", "IN", "INR", 9.9312, 76.2673, 2, 13000, "682",
         ["Kakkanad", "Edappally", "Vyttila", "Fort Kochi", "Kaloor"]),
    City("Lucknow", "Uttar Pradesh", "IN", "INR", 26.8467, 80.9462, 2, 10000, "226",
         ["Gomti Nagar", "Hazratganj", "Aliganj", "Indira Nagar"]),
    City("Indore", "Madhya Pradesh", "IN", "INR", 22.7196, 75.8577, 2, 9000, "452",
         ["Vijay Nagar", "Palasia", "Rau", "Bhawarkua"]),
    City("Panaji", "Goa", "IN", "INR", 15.4909, 73.8278, 1, 16000, "403",
         ["Miramar", "Porvorim", "Dona Paula", "Altinho"]),
    City("Coimbatore", "Tamil Nadu", "IN", "INR", 11.0168, 76.9558, 1.5, 10000, "641",
         ["RS Puram", "Peelamedu", "Saravanampatti", "Gandhipuram"]),
    City("Mysuru", "Karnataka", "IN", "INR", 12.2958, 76.6394, 1, 10000, "570",
         ["Gokulam", "Vijayanagar", "Kuvempunagar", "Jayalakshmipuram"]),
    City("Bhubaneswar", "Odisha", "IN", "INR", 20.2961, 85.8245, 1, 10000, "751",
         ["Patia", "Saheed Nagar", "Khandagiri", "Chandrasekharpur"]),
    City("Thiruvananthapuram", "Kerala", "IN", "INR", 8.5241, 76.9366, 1, 11000, "695",
         ["Kowdiar", "Pattom", "Kazhakoottam", "Vazhuthacaud"]),
    City("Nagpur", "Maharashtra", "IN", "INR", 21.1458, 79.0882, 1, 10000, "440",
         ["Dharampeth", "Sitabuldi", "Manish Nagar", "Civil Lines"]),
    City("London", "England", "GB", "GBP", 51.5074, -0.1278, 1.5, 1700, "",
         ["Camden", "Shoreditch", "Clapham", "Islington", "Greenwich", "Hammersmith"]),
    City("Dubai", "Dubai", "AE", "AED", 25.2048, 55.2708, 1.5, 6500, "",
         ["Dubai Marina", "Deira", "Jumeirah Lake Towers", "Downtown Dubai", "Al Barsha"]),
    City("Singapore", "Singapore", "SG", "SGD", 1.3521, 103.8198, 1, 3000, "",
         ["Tanjong Pagar", "Orchard", "Tampines", "Bukit Timah", "Jurong East"]),
    City("New York", "New York", "US", "USD", 40.7128, -74.0060, 1, 3000, "",
         ["Brooklyn Heights", "Astoria", "Harlem", "Williamsburg", "Chelsea"]),
]  # fmt: skip

TYPE_WEIGHTS = {
    "apartment": 56,
    "house": 10,
    "studio": 8,
    "room": 11,
    "shared": 11,
    "villa": 4,
}
assert set(TYPE_WEIGHTS) == set(PROPERTY_TYPES)
BEDROOMS = {
    "apartment": ([1, 2, 3, 4], [25, 42, 25, 8]),
    "house": ([2, 3, 4, 5], [25, 40, 25, 10]),
    "studio": ([1], [1]),
    "room": ([1], [1]),
    "shared": ([2, 3, 4], [45, 40, 15]),
    "villa": ([3, 4, 5], [40, 40, 20]),
}
BEDROOM_FACTOR = {1: 1.0, 2: 1.6, 3: 2.3, 4: 3.2, 5: 4.2}
TYPE_FACTOR = {
    "apartment": 1.0,
    "house": 1.15,
    "studio": 0.7,
    "room": 0.4,
    "shared": 0.25,
    "villa": 1.7,
}
TYPE_WORDS = {
    "apartment": ["apartment", "flat", "apartment", "flat", "condo"],
    "house": ["independent house", "house", "bungalow", "duplex house"],
    "studio": ["studio", "studio apartment", "1RK studio"],
    "room": ["single room", "private room", "room", "double room"],
    "shared": ["shared flat", "PG accommodation", "shared room", "co living space"],
    "villa": ["villa", "luxury villa", "pool villa"],
}
ADJECTIVES = [
    "Spacious", "Sunny", "Cozy", "Modern", "Bright", "Airy", "Elegant", "Newly renovated",
    "Quiet", "Affordable", "Premium", "Charming", "Well maintained", "Luxurious", "Compact",
    "Family friendly", "Peaceful", "Stylish", "Lake view", "Sea facing", "Garden facing",
]  # fmt: skip
NEAR = [
    "the metro station", "the IT park", "the lake", "a big park", "the market",
    "the railway station", "schools and hospitals", "the tech park", "the main road",
    "shopping malls", "the beach", "the university", "the bus stop", "the airport road",
]  # fmt: skip
AUDIENCE = [
    "working professionals", "families", "students", "bachelors", "couples",
    "young professionals", "small families",
]  # fmt: skip
AMENITY_ODDS = {
    "wifi": 0.6,
    "parking": 0.55,
    "air_conditioning": 0.45,
    "heating": 0.04,
    "washing_machine": 0.45,
    "kitchen": 0.7,
    "refrigerator": 0.55,
    "tv": 0.4,
    "gym": 0.18,
    "swimming_pool": 0.08,
    "lift": 0.4,
    "power_backup": 0.5,
    "security": 0.5,
    "balcony": 0.45,
    "pet_friendly": 0.15,
    "wheelchair_access": 0.05,
    "housekeeping": 0.15,
    "meals": 0.05,
    "water_purifier": 0.4,
    "geyser": 0.55,
}
assert set(AMENITY_ODDS) == set(AMENITIES)
AMENITY_SENTENCES = {
    "wifi": "High speed wifi is included.",
    "parking": "Covered parking for a car and a bike.",
    "air_conditioning": "Air conditioning in every bedroom.",
    "heating": "Central heating keeps it warm in winter.",
    "washing_machine": "A washing machine is provided.",
    "kitchen": "Fully equipped modular kitchen.",
    "refrigerator": "Comes with a double door refrigerator.",
    "tv": "Smart TV in the living room.",
    "gym": "Residents can use the gym.",
    "swimming_pool": "The society has a swimming pool.",
    "lift": "Lift access to every floor.",
    "power_backup": "Full power backup.",
    "security": "Gated community with security around the clock.",
    "balcony": "A large balcony with a view.",
    "pet_friendly": "Pets are welcome.",
    "wheelchair_access": "Step free wheelchair access.",
    "housekeeping": "Daily housekeeping included.",
    "meals": "Home cooked meals available.",
    "water_purifier": "RO water purifier installed.",
    "geyser": "Geysers in all bathrooms.",
}
# What people search for, in words the listings use ({l}: a locality, {c}: a city).
QUERY_TEMPLATES = [
    "2bhk apartment", "3bhk flat", "1bhk", "studio", "villa", "pool villa",
    "independent house", "single room", "pg accommodation", "shared flat", "co living",
    "furnished flat", "apartment {l}", "flat in {l}", "{l}", "{c}", "2bhk in {l}",
    "house near metro", "flat near metro station", "room for students",
    "apartment for families", "gated community", "sea facing apartment", "lake view flat",
    "villa with swimming pool", "spacious 3bhk {c}", "studio apartment {c}",
    "quiet room near park", "luxury villa {c}", "balcony flat {l}", "pet friendly",
    "modern apartment near tech park", "bungalow {c}", "duplex house",
]  # fmt: skip
COMMON_AMENITIES = [
    "wifi", "parking", "air_conditioning", "washing_machine", "kitchen", "gym",
    "power_backup", "security", "balcony", "lift", "pet_friendly", "swimming_pool",
]  # fmt: skip
SORTS_WITH_TEXT = [("relevance", 60), ("price_asc", 15), ("price_desc", 5), ("newest", 10)]
SORTS_WITHOUT_TEXT = [("newest", 40), ("price_asc", 30), ("price_desc", 10)]


def _km_offset(lat: float, lon: float, north_km: float, east_km: float):
    return (
        lat + north_km / 110.574,
        lon + east_km / (111.320 * math.cos(math.radians(lat))),
    )


def _place_localities(rng: random.Random) -> None:
    for city in CITIES:
        city.points, city.premium = [], []
        for _ in city.localities:
            distance, angle = rng.uniform(0.5, 6.0), rng.uniform(0, 2 * math.pi)
            city.points.append(
                _km_offset(
                    city.lat, city.lon, distance * math.cos(angle), distance * math.sin(angle)
                )
            )
            city.premium.append(rng.uniform(0.8, 1.4))


class ListingFactory:
    """Contract-shaped `property-events` snapshots (and their event versions)."""

    def __init__(self, seed: int = 4) -> None:
        self.rng = random.Random(seed)
        _place_localities(self.rng)
        fake_in, fake_en = Faker("en_IN"), Faker("en_US")
        fake_in.seed_instance(seed)
        fake_en.seed_instance(seed)
        self.streets_in = list({fake_in.street_name() for _ in range(3000)})
        self.streets_en = list({fake_en.street_name() for _ in range(1500)})
        self.sentences = [fake_en.sentence(nb_words=10) for _ in range(4000)]
        self.city_weights = [city.weight for city in CITIES]
        self.types = list(TYPE_WEIGHTS)
        self.type_weights = list(TYPE_WEIGHTS.values())
        self.today = date.today()
        self.now = datetime.now(UTC)

    def snapshot(self, *, status: str = "published", **overrides) -> dict:
        from rentezy_common.search.testing import property_snapshot

        rng = self.rng
        city = rng.choices(CITIES, self.city_weights)[0]
        spot = rng.randrange(len(city.localities))
        locality = city.localities[spot]
        lat, lon = _km_offset(*city.points[spot], rng.gauss(0, 0.8), rng.gauss(0, 0.8))
        kind = rng.choices(self.types, self.type_weights)[0]
        choices, weights = BEDROOMS[kind]
        bedrooms = rng.choices(choices, weights)[0]
        furnished = rng.random() < 0.55
        price = (
            city.rent_1bhk
            * city.premium[spot]
            * TYPE_FACTOR[kind]
            * (BEDROOM_FACTOR[bedrooms] if kind not in ("room", "shared") else 1.0)
            * (1.15 if furnished else 1.0)
            * math.exp(rng.gauss(0, 0.18))
        )
        step = 500 if city.currency == "INR" else 50
        price = max(step, round(price / step) * step)
        amenities = sorted(self._amenities(city, kind))
        title = self._title(kind, bedrooms, locality, city, furnished)
        description = self._description(kind, bedrooms, locality, city, amenities)
        created = self.now - timedelta(days=rng.uniform(1, 365))
        updated = created + timedelta(days=rng.uniform(0, (self.now - created).days or 1))
        available = (
            None
            if rng.random() < 0.3
            else (self.today + timedelta(days=rng.randint(-30, 90))).isoformat()
        )
        photos = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "url": f"/api/properties/media/{uuid.UUID(int=rng.getrandbits(128))}.jpg",
                "position": i,
                "is_cover": i == 0,
                "content_type": "image/jpeg",
            }
            for i in range(rng.choice([0, 1, 3, 4, 5, 6]))
        ]
        streets = self.streets_in if city.indian else self.streets_en
        snapshot = property_snapshot(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            status=status,
            title=title,
            description=description,
            property_type=kind,
            city=city.name,
            locality=locality,
            lat=round(lat, 6),
            lon=round(lon, 6),
            monthly_price=f"{price}.00",
            rooms=self._rooms(kind, bedrooms, price, city.currency),
            owner_id=str(rng.randint(1, 20000)),
            address={
                "line1": f"{rng.randint(1, 999)} {rng.choice(streets)}",
                "line2": rng.choice(["", "", f"Flat {rng.randint(1, 40)}{rng.randint(1, 9):02d}"]),
                "locality": locality,
                "city": city.name,
                "state": city.state,
                "postal_code": (
                    f"{city.postal}{rng.randint(1, 99):03d}"
                    if city.postal
                    else f"{rng.randint(10000, 99999)}"
                ),
                "country": city.country,
            },
            currency=city.currency,
            deposit=f"{price * rng.choice([1, 2, 2, 3, 6])}.00",
            bedrooms=bedrooms,
            bathrooms=max(1, bedrooms - rng.randint(0, 1)),
            area_sqft=None
            if rng.random() < 0.05
            else int((350 + 480 * bedrooms) * rng.uniform(0.8, 1.3)),
            furnished=furnished,
            amenities=amenities,
            house_rules=rng.choice(
                ["No smoking.", "No loud music after 10 pm.", "Visitors till 9 pm.", ""]
            ),
            available_from=available,
            photos=photos,
            cover_photo_url=photos[0]["url"] if photos else None,
            created_at=created.isoformat(),
            updated_at=updated.isoformat(),
            published_at=updated.isoformat() if status == "published" else None,
        )
        snapshot.update(overrides)
        return snapshot

    def _amenities(self, city: City, kind: str) -> set[str]:
        rng = self.rng
        odds = dict(AMENITY_ODDS)
        if not city.indian:
            odds.update(heating=0.8, power_backup=0.05, geyser=0.05, water_purifier=0.05)
        if kind in ("room", "shared"):
            odds.update(housekeeping=0.45, meals=0.35, wifi=0.85, parking=0.3)
        if kind == "villa":
            odds.update(swimming_pool=0.6, parking=0.95, balcony=0.8)
        if kind == "apartment":
            odds.update(lift=0.65, gym=0.3)
        return {name for name, p in odds.items() if rng.random() < p}

    def _title(self, kind, bedrooms, locality, city, furnished) -> str:
        rng = self.rng
        word = rng.choice(TYPE_WORDS[kind])
        bhk = f"{bedrooms}BHK " if kind in ("apartment", "house", "villa") else ""
        if kind == "shared":
            bhk = rng.choice(["", f"{bedrooms} sharing "])
        adjective = rng.choice(ADJECTIVES)
        if furnished and rng.random() < 0.3:
            adjective = rng.choice(["Fully furnished", "Furnished", "Semi furnished"])
        pattern = rng.randrange(4)
        if pattern == 0:
            return f"{adjective} {bhk}{word} in {locality}"
        if pattern == 1:
            return f"{adjective} {bhk}{word} near {rng.choice(NEAR)}, {locality}"
        if pattern == 2:
            text = f"{bhk}{word} for {rng.choice(AUDIENCE)} in {locality}, {city.name}"
            return text[0].upper() + text[1:]
        return f"{adjective} {bhk}{word} in {city.name}"

    def _description(self, kind, bedrooms, locality, city, amenities) -> str:
        rng = self.rng
        parts = [
            f"This {bedrooms} bedroom {rng.choice(TYPE_WORDS[kind])} is in {locality}, "
            f"{city.name}, close to {rng.choice(NEAR)}.",
            f"Ideal for {rng.choice(AUDIENCE)}.",
        ]
        shown = rng.sample(amenities, min(len(amenities), rng.randint(2, 5)))
        parts += [AMENITY_SENTENCES[a] for a in shown]
        parts += rng.sample(self.sentences, rng.randint(1, 3))
        rng.shuffle(parts[1:])
        return " ".join(parts)

    def _rooms(self, kind, bedrooms, price, currency) -> list[dict]:
        rng = self.rng

        def room(name, units, amount):
            return {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "name": name,
                "total_units": units,
                "monthly_price": f"{amount}.00",
                "deposit": f"{amount * 2}.00",
                "currency": currency,
            }

        if kind == "room":
            return [room(rng.choice(["Single room", "Double room"]), rng.randint(1, 3), price)]
        if kind == "shared":
            return [
                room(f"Bed in {n} sharing room", n * rng.randint(1, 3), price)
                for n in sorted(rng.sample([2, 3, 4], rng.randint(1, 2)))
            ]
        return [room("Entire home", 1, price)]

    def status(self) -> str:
        roll = self.rng.random()
        if roll < 0.02:
            return "archived"
        if roll < 0.03:
            return "draft"
        if roll < 0.04:
            return "deleted"
        return "published"

    def version(self) -> int:
        """Event version of the newest event of a listing (compacted topic: older ones gone)."""
        return self.rng.choices([1, 2, 3, 4, 6], [50, 25, 12, 8, 5])[0]


# -- queries ----------------------------------------------------------------------------
def typo(word: str, rng: random.Random) -> str:
    """One edit a person makes, never on the first letter (the search's fuzziness needs
    the first letter right, prefix_length 1). Transpositions only in words of six or
    more letters (one edit for Elasticsearch's Damerau distance, two for Levenshtein,
    and both allow two edits there)."""
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kinds = ["drop", "swap_letter", "double"] + (["transpose"] if len(word) >= 6 else [])
    kind = rng.choice(kinds)
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap_letter":
        letters = "aeioulnrst"
        return word[:i] + rng.choice([c for c in letters if c != word[i]]) + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_queries(count: int, seed: int = 11) -> list[dict[str, str]]:
    """`count` API parameter dicts (values as strings), mixed like real traffic."""
    rng = random.Random(seed)
    if not CITIES[0].points:
        _place_localities(random.Random(4))
    weights = [city.weight for city in CITIES]
    queries = []
    for _ in range(count):
        city = rng.choices(CITIES, weights)[0]
        params: dict[str, str] = {}
        has_text = rng.random() < 0.7
        if has_text:
            spot = rng.randrange(len(city.localities))
            text = rng.choice(QUERY_TEMPLATES).format(l=city.localities[spot], c=city.name)
            if rng.random() < 0.25:
                words = text.split()
                long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
                if long_words:
                    i = rng.choice(long_words)
                    words[i] = typo(words[i], rng)
                text = " ".join(words)
            if rng.random() < 0.5:
                text = text.lower()
            params["q"] = text
        geo = rng.random() < 0.45
        if geo:
            if rng.random() < 0.5:
                lat, lon = city.lat, city.lon
            else:
                lat, lon = rng.choice(city.points)
            params["lat"], params["lon"] = f"{lat:.5f}", f"{lon:.5f}"
            params["radius_km"] = str(rng.choice([1, 2, 3, 5, 5, 8, 10, 15]))
        elif rng.random() < 0.25:
            picked = {city.name} | (
                {rng.choices(CITIES, weights)[0].name} if rng.random() < 0.3 else set()
            )
            params["city"] = ",".join(sorted(picked))
        if rng.random() < 0.4:
            typical = city.rent_1bhk * rng.choice([0.5, 1, 1.6, 2.3])
            step = 1000 if city.currency == "INR" else 100
            low = int(typical * rng.uniform(0.5, 0.9)) // step * step
            high = int(typical * rng.uniform(1.1, 1.8)) // step * step
            roll = rng.random()
            if roll < 0.6:
                params["price_min"], params["price_max"] = str(low), str(high)
            elif roll < 0.8:
                params["price_max"] = str(high)
            else:
                params["price_min"] = str(low)
        if rng.random() < 0.3:
            params["bedrooms_min"] = str(rng.choice([1, 2, 2, 3]))
        if rng.random() < 0.3:
            params["amenities"] = ",".join(rng.sample(COMMON_AMENITIES, rng.choice([1, 1, 2])))
        if rng.random() < 0.2:
            params["property_type"] = ",".join(rng.sample(PROPERTY_TYPES, rng.choice([1, 2])))
        if rng.random() < 0.15:
            params["furnished"] = rng.choice(["true", "false"])
        if rng.random() < 0.1:
            params["available"] = "true"
        if rng.random() < 0.1:
            params["move_in"] = (date.today() + timedelta(days=rng.randint(0, 60))).isoformat()
        sorts = list(SORTS_WITH_TEXT if has_text else SORTS_WITHOUT_TEXT)
        if geo:
            sorts.append(("distance", 25))
        names, odds = zip(*sorts, strict=True)
        sort = rng.choices(names, odds)[0]
        if sort != "relevance" or rng.random() < 0.5:
            params["sort"] = sort
        roll = rng.random()
        if roll < 0.1:
            params["page"] = "2"
        elif roll < 0.15:
            params["page"] = str(rng.randint(3, 5))
        if rng.random() < 0.15:
            params["page_size"] = rng.choice(["10", "50"])
        queries.append(params)
    return queries
