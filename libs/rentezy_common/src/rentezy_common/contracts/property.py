"""The `property-events` vocabularies (docs/contracts/property-events.md).

A new code is a contract change: search facets, booking and the web app rely on them.
"""

STATUSES = ("draft", "published", "archived", "deleted")
SEARCHABLE_STATUS = "published"
PROPERTY_TYPES = ("apartment", "house", "studio", "room", "shared", "villa")
# In the contract's order.
AMENITIES = (
    "wifi",
    "parking",
    "air_conditioning",
    "heating",
    "washing_machine",
    "kitchen",
    "refrigerator",
    "tv",
    "gym",
    "swimming_pool",
    "lift",
    "power_backup",
    "security",
    "balcony",
    "pet_friendly",
    "wheelchair_access",
    "housekeeping",
    "meals",
    "water_purifier",
    "geyser",
)
