"""`make demo`: fill a running platform with a living marketplace, through the public API
only (the gateway), and print the demo accounts.

Landlords and tenants register and sign in, landlords list a few hundred properties in
several cities (photos drawn here with Pillow: there is no network to fetch any), with
rooms and viewing hours, and publish them; tenants book some rooms and pay through the
payment simulator.

Idempotent: accounts that exist are signed into; a landlord's listings are looked up by
title (each planned title is unique) and only what is missing is added (a listing
interrupted halfway gets its photos, rooms and publication on the next run); tenants who
already have bookings book nothing more.

Each demo user is its own client with its own loopback source address (127.0.N.M), as
distinct users are: the gateway's per-IP limits on register and login apply to each as
they would to anyone (nothing skips a limit). The gateway must see the socket address,
i.e. run without GATEWAY_TRUSTED_PROXY_HOPS, as `make up` does.

    RENTEZY_ENV=dev .venv/bin/python scripts/demo.py [--listings 300] [--gateway URL]
"""

from __future__ import annotations

# ruff: noqa: S311 - demo data, not secrets
import argparse
import io
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
from PIL import Image, ImageDraw

PASSWORD = "demo-Passphrase-2026"  # noqa: S105 - demo accounts, printed for everyone
DOMAIN = "demo.rentezy.test"

CITIES = {
    "Bengaluru": ("Karnataka", 12.9716, 77.5946, ["Indiranagar", "Koramangala", "HSR Layout",
                  "Whitefield", "Jayanagar", "Malleshwaram", "Shivajinagar", "Bellandur"]),
    "Mumbai": ("Maharashtra", 19.0760, 72.8777, ["Bandra West", "Andheri East", "Powai",
               "Colaba", "Dadar", "Malad"]),
    "Delhi": ("Delhi", 28.6139, 77.2090, ["Hauz Khas", "Saket", "Lajpat Nagar", "Dwarka",
              "Karol Bagh"]),
    "Pune": ("Maharashtra", 18.5204, 73.8567, ["Kothrud", "Baner", "Viman Nagar", "Aundh"]),
    "Hyderabad": ("Telangana", 17.3850, 78.4867, ["Gachibowli", "Banjara Hills", "Madhapur",
                  "Kondapur"]),
    "Chennai": ("Tamil Nadu", 13.0827, 80.2707, ["Adyar", "T. Nagar", "Velachery",
                "Anna Nagar"]),
}  # fmt: skip
LANDMARKS = {
    "Bengaluru": ["Cubbon Park", "MG Road metro", "Ulsoor Lake", "the tech park"],
    "Mumbai": ["Juhu Beach", "the western line", "Powai Lake", "Marine Drive"],
    "Delhi": ["Deer Park", "the metro", "Select Citywalk", "Lodhi Garden"],
    "Pune": ["FC Road", "the IT park", "Aga Khan Palace"],
    "Hyderabad": ["HITEC City", "KBR Park", "Durgam Cheruvu"],
    "Chennai": ["Marina Beach", "Besant Nagar beach", "Phoenix Mall"],
}
ADJECTIVES = ["Sunny", "Bright", "Quiet", "Spacious", "Cosy", "Airy", "Modern", "Leafy",
              "Elegant", "Charming", "Renovated", "Peaceful"]  # fmt: skip
BUILDINGS = ["Maple", "Cedar", "Lotus", "Orchid", "Banyan", "Palm", "Jasmine", "Teak",
             "Neem", "Gulmohar", "Tulsi", "Ashoka", "Amaltas", "Champa", "Kadamba"]  # fmt: skip
SUFFIXES = ["Residency", "Heights", "Apartments", "Enclave", "Towers", "Court", "Gardens"]
KINDS = [("apartment", "{n}BHK"), ("studio", "studio"), ("house", "{n}-bedroom house"),
         ("shared", "shared {n}BHK"), ("villa", "{n}-bedroom villa"), ("room", "room")]  # fmt: skip
AMENITIES = ["wifi", "parking", "air_conditioning", "washing_machine", "kitchen",
             "refrigerator", "tv", "gym", "swimming_pool", "lift", "power_backup", "security",
             "balcony", "pet_friendly", "housekeeping", "water_purifier", "geyser"]  # fmt: skip
ROOMS = [("Private room", 1, 2), ("Double room", 2, 4), ("Twin sharing", 2, 6),
         ("Whole home", 1, 1), ("Master bedroom", 1, 1)]  # fmt: skip


def say(message: str) -> None:
    print(message, flush=True)


# --- HTTP ----------------------------------------------------------------------------------


class Client:
    """One demo user: an httpx client bound to its own loopback address."""

    def __init__(self, base: str, address: str) -> None:
        self.address = address
        self.http = httpx.Client(
            base_url=base,
            timeout=60,
            transport=httpx.HTTPTransport(local_address=address, retries=2),
        )
        self.token: str | None = None

    def call(self, method: str, path: str, *, expect=(200, 201, 204), **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for _ in range(30):
            response = self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code == 429:  # our share of the rate limit: wait our turn
                time.sleep(float(response.headers.get("retry-after", "1")) + 0.1)
                continue
            if response.status_code in (503, 504):  # starting, or a busy machine: again
                time.sleep(1)
                continue
            if response.status_code not in expect:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
            return response
        raise RuntimeError(f"{method} {path}: still limited after 30 tries")

    def sign_in(self, email: str, full_name: str, role: str) -> dict:
        self.call(
            "POST",
            "/api/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": full_name,
                "role": role,
                "time_zone": "Asia/Kolkata",
                "locale": "en-IN",
            },
            expect=(201, 409),
        )
        body = self.call(
            "POST", "/api/auth/login", json={"email": email, "password": PASSWORD}
        ).json()
        self.token = body["access"]
        return body["user"]


# --- data ----------------------------------------------------------------------------------


@dataclass
class Plan:
    title: str
    body: dict
    rooms: list[dict]
    photos: int
    seed: int


@dataclass
class Account:
    email: str
    full_name: str
    role: str
    address: str
    plans: list[Plan] = field(default_factory=list)


def photo(seed: int, index: int) -> bytes:
    """A small JPEG of a house under a sky, different for every listing and photo."""
    rng = random.Random(seed * 31 + index)
    width, height = 640, 480
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = (rng.randint(90, 160), rng.randint(150, 200), rng.randint(210, 250))
    for y in range(height):  # sky gradient, then a lawn
        shade = y / height
        color = tuple(int(c * (1 - shade * 0.35)) for c in top)
        draw.line([(0, y), (width, y)], fill=color if y < 330 else (70, 140 - y // 12, 60))
    wall = (rng.randint(170, 245), rng.randint(140, 220), rng.randint(110, 200))
    x0 = rng.randint(90, 230)
    w = rng.randint(230, 330)
    draw.rectangle([x0, 200, x0 + w, 380], fill=wall)
    roof = (rng.randint(120, 180), rng.randint(40, 80), rng.randint(40, 70))
    draw.polygon([(x0 - 20, 205), (x0 + w // 2, rng.randint(90, 140)), (x0 + w + 20, 205)],
                 fill=roof)  # fmt: skip
    for i in range(rng.randint(2, 4)):  # windows
        wx = x0 + 25 + i * (w - 50) // 4
        draw.rectangle([wx, 235, wx + 38, 280], fill=(240, 240, 200), outline=(90, 90, 90))
    door = x0 + w // 2 - 20
    draw.rectangle([door, 300, door + 40, 380], fill=(110, 70, 40))
    if index % 2:  # the "inside": a room with a bed
        draw.rectangle([0, 0, width, height], fill=(235, 228, 215))
        draw.rectangle([0, 340, width, height], fill=(180, 150, 120))
        draw.rectangle([140, 260, 500, 360], fill=wall, outline=(80, 80, 80))
        draw.rectangle([150, 230, 260, 270], fill=(250, 250, 250))
        draw.rectangle([420, 60, 580, 200], fill=top, outline=(90, 90, 90), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=72, optimize=True)
    return out.getvalue()


def plans_for(landlord_index: int, count: int, rng: random.Random) -> list[Plan]:
    plans = []
    cities = list(CITIES)
    for n in range(count):
        city = cities[(landlord_index + n) % len(cities)]
        state, lat, lon, localities = CITIES[city]
        locality = rng.choice(localities)
        kind, pattern = rng.choice(KINDS)
        bedrooms = {"studio": 1, "room": 1}.get(kind, rng.randint(1, 4))
        label = pattern.format(n=bedrooms)
        building = f"{BUILDINGS[(landlord_index * 7 + n) % len(BUILDINGS)]} {rng.choice(SUFFIXES)}"
        title = (
            f"{rng.choice(ADJECTIVES)} {label} near {rng.choice(LANDMARKS[city])}, "
            f"{building} #{landlord_index + 1}-{n + 1}"
        )
        price = (
            rng.randrange(6_000, 90_000, 500)
            if kind != "villa"
            else rng.randrange(80_000, 200_000, 1000)
        )
        amenities = sorted(rng.sample(AMENITIES, rng.randint(3, 8)))
        body = {
            "title": title,
            "description": (
                f"A {label} in {locality}, {city}, {rng.randint(2, 15)} minutes from "
                f"{rng.choice(LANDMARKS[city])}. "
                + rng.choice(
                    [
                        "Lots of daylight and a quiet street.",
                        "Close to shops, cafés and the metro.",
                        "Newly painted, with a large balcony.",
                        "Gated community with 24x7 security.",
                        "Ideal for students and young professionals.",
                    ]
                )
            ),
            "property_type": kind,
            "currency": "INR",
            "monthly_price": f"{price}.00",
            "deposit": f"{price * rng.choice([1, 2, 3])}.00",
            "bedrooms": bedrooms,
            "bathrooms": max(1, bedrooms - rng.randint(0, 1)),
            "area_sqft": 250 + bedrooms * rng.randint(300, 450),
            "furnished": rng.random() < 0.6,
            "amenities": amenities,
            "house_rules": rng.choice(
                [
                    "No smoking indoors.",
                    "Quiet hours after 10 pm.",
                    "Guests welcome; please tell us first.",
                    "",
                ]
            ),
            "available_from": (date.today() + timedelta(days=rng.randint(0, 60))).isoformat(),
            "location": {
                "lat": round(lat + rng.uniform(-0.06, 0.06), 6),
                "lon": round(lon + rng.uniform(-0.06, 0.06), 6),
            },
            "address": {
                "line1": f"{rng.randint(1, 250)}, {building}",
                "line2": "",
                "locality": locality,
                "city": city,
                "state": state,
                "postal_code": str(rng.randint(400000, 600099)),
                "country": "IN",
            },
        }
        rooms = []
        for name, low, high in rng.sample(ROOMS, rng.randint(1, 3)):
            share = rng.uniform(0.35, 0.8) if name != "Whole home" else 1
            rooms.append({"name": name, "total_units": rng.randint(low, high),
                          "monthly_price": f"{int(price * share) // 100 * 100}.00"})  # fmt: skip
        plans.append(Plan(title, body, rooms, rng.randint(1, 3), landlord_index * 1000 + n))
    return plans


# --- the work --------------------------------------------------------------------------------


def my_listings(client: Client) -> dict[str, dict]:
    found, page = {}, 1
    while True:
        body = client.call("GET", f"/api/properties/?owner=me&page={page}").json()
        for prop in body["results"]:
            found[prop["title"]] = prop
        if not body.get("next"):
            return found
        page += 1


def fill_landlord(base: str, account: Account, counts: dict, lock: threading.Lock) -> list[str]:
    client = Client(base, account.address)
    client.sign_in(account.email, account.full_name, "landlord")
    existing = my_listings(client)
    room_ids, property_ids = [], []
    for plan in account.plans:
        prop = existing.get(plan.title)
        if prop is None:
            prop = client.call("POST", "/api/properties/", json=plan.body,
                               headers={"Idempotency-Key": f"demo-{plan.seed}"}).json()  # fmt: skip
            with lock:
                counts["created"] += 1
        pid = prop["id"]
        for index in range(len(prop["photos"]), plan.photos):
            image = (f"photo-{index}.jpg", photo(plan.seed, index), "image/jpeg")
            client.call("POST", f"/api/properties/{pid}/photos/", files={"file": image})
        names = {room["name"] for room in prop["rooms"]}
        for room in plan.rooms:
            if room["name"] not in names:
                client.call("POST", f"/api/properties/{pid}/rooms/", json=room)
        if prop["status"] != "published":
            prop = client.call("POST", f"/api/properties/{pid}/publish/").json()
            with lock:
                counts["published"] += 1
        else:
            with lock:
                counts["kept"] += 1
        room_ids += [room["id"] for room in prop["rooms"]]
        property_ids.append(pid)
    for pid in property_ids:
        open_viewings(client, pid)
    return room_ids


# Viewing hours for every demo listing (in the listing's own time zone): weekdays
# 10:00-18:00 and a Saturday-morning open house for 4, 30-minute visits.
VIEWING_HOURS = {
    "visit_minutes": 30,
    "buffer_after_minutes": 10,
    "min_notice_minutes": 120,
    "horizon_days": 30,
    "weekly": [{"weekday": d, "start": "10:00", "end": "18:00"} for d in range(1, 6)]
    + [{"weekday": 6, "start": "10:00", "end": "13:00", "capacity": 4}],
}


def open_viewings(client: Client, property_id: str) -> None:
    """Set the listing's viewing hours (a PUT: running the demo again changes nothing).
    schedule_visit learns a listing from property-events: until then it answers 404."""
    path = f"/api/visits/properties/{property_id}/availability/"
    for _ in range(60):
        answer = client.call("PUT", path, json=VIEWING_HOURS, expect=(200, 404))
        if answer.status_code == 200:
            return
        time.sleep(0.5)
    raise RuntimeError(f"PUT {path}: schedule_visit never learned of the listing")


def book_as_tenant(base: str, account: Account, rooms: list[str], index: int) -> int:
    client = Client(base, account.address)
    client.sign_in(account.email, account.full_name, "tenant")
    mine = client.call("GET", "/api/bookings/").json()
    if mine["count"]:
        return 0
    rng = random.Random(index)
    made = 0
    for room in rng.sample(rooms, min(3, len(rooms))):
        for _ in range(40):  # the booking service learns the room from Kafka: wait for it
            free = client.http.get(f"/api/bookings/rooms/{room}/availability/")
            if free.status_code == 200:
                break
            time.sleep(0.5)
        if free.status_code != 200 or free.json()["available_units"] < 1:
            continue
        move_in = (date.today() + timedelta(days=rng.randint(10, 90))).isoformat()
        booking = client.call(
            "POST",
            "/api/bookings/",
            json={"room_id": room, "quantity": 1, "move_in_date": move_in},
            headers={"Idempotency-Key": f"demo-{account.email}-{room}"},
            expect=(201, 409),
        )
        if booking.status_code != 201:
            continue
        bid = booking.json()["id"]
        if made < 2:  # pay for two, leave the third waiting for payment
            client.call("POST", f"/api/bookings/{bid}/simulate-payment/", json={"outcome": "paid"})
        made += 1
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    port = os.environ.get("GATEWAY_PORT", "8000")
    gateway = os.environ.get("RENTEZY_GATEWAY_URL", f"http://127.0.0.1:{port}")
    parser.add_argument("--gateway", default=gateway)
    parser.add_argument("--listings", type=int, default=300)
    parser.add_argument("--landlords", type=int, default=12)
    parser.add_argument("--tenants", type=int, default=6)
    args = parser.parse_args()
    os.environ.setdefault("RENTEZY_ENV", "dev")
    try:
        httpx.get(args.gateway + "/readyz", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        say(f"error: the gateway at {args.gateway} is not ready ({exc}); run `make up` first")
        return 1

    rng = random.Random(2026)
    per = -(-args.listings // args.landlords)
    landlords = [
        Account(
            f"landlord{i + 1}@{DOMAIN}",
            f"{name} (demo landlord)",
            "landlord",
            f"127.0.{1 + i // 250}.{1 + i % 250}",
        )
        for i, name in enumerate(
            [
                "Ravi Kumar",
                "Anita Desai",
                "Farhan Shaikh",
                "Meera Iyer",
                "Karan Malhotra",
                "Lakshmi Rao",
                "Joseph Mathew",
                "Priya Nair",
                "Vikram Singh",
                "Sana Qureshi",
                "Arjun Reddy",
                "Divya Menon",
                "Rohit Bansal",
                "Neha Kapoor",
                "Suresh Pillai",
            ][: args.landlords]
        )
    ]
    remaining = args.listings
    for i, landlord in enumerate(landlords):
        landlord.plans = plans_for(i, min(per, remaining), rng)
        remaining -= len(landlord.plans)
    tenants = [
        Account(f"tenant{i + 1}@{DOMAIN}", f"{name} (demo tenant)", "tenant", f"127.0.9.{1 + i}")
        for i, name in enumerate(
            [
                "Asha Rao",
                "Dev Patel",
                "Ishita Sen",
                "Manoj Verma",
                "Nikhil Joshi",
                "Pooja Shah",
                "Rahul Gupta",
                "Tara Bose",
            ][: args.tenants]
        )
    ]

    started = time.monotonic()
    say(f"demo: {len(landlords)} landlords listing {args.listings} properties via {args.gateway}")
    counts = {"created": 0, "published": 0, "kept": 0}
    lock = threading.Lock()
    rooms: list[str] = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [
            pool.submit(fill_landlord, args.gateway, lord, counts, lock) for lord in landlords
        ]
        for future in futures:
            rooms += future.result()
    say(f"demo: listings created {counts['created']}, published {counts['published']}, "
        f"already there {counts['kept']} ({time.monotonic() - started:.0f}s)")  # fmt: skip
    with ThreadPoolExecutor(max_workers=3) as pool:
        made = list(pool.map(lambda t: book_as_tenant(args.gateway, t[1], rooms, t[0]),
                             enumerate(tenants)))  # fmt: skip
    say(f"demo: bookings made {sum(made)} (tenants who had bookings already: "
        f"{sum(1 for m in made if m == 0)})")  # fmt: skip

    say("\nDemo accounts (password for all: " + PASSWORD + ")")
    say(f"{'role':<10} {'email':<36} name")
    for account in landlords[:3] + tenants[:3]:
        say(f"{account.role:<10} {account.email:<36} {account.full_name}")
    say(f"... and landlord1..{len(landlords)}, tenant1..{len(tenants)} @{DOMAIN}")
    say(f"\nOpen {args.gateway}/ ({time.monotonic() - started:.0f}s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
