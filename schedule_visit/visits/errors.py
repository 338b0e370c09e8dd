"""The visits service's domain errors: each a 4xx with its own code in the platform's
error shape (rentezy_common.errors). Shared meanings (NotFound, IllegalTransition) come
from the library."""

from __future__ import annotations

from rentezy_common.errors import ApiError, Conflict, NotFound


class SlotTaken(Conflict):
    code = "slot_taken"
    message = "This slot is no longer free."


class DayFull(Conflict):
    code = "day_full"
    message = "This property takes no more visits that day."


class TooManyPending(Conflict):
    code = "too_many_pending"
    message = "You already have the most pending visit requests allowed for this property."


class NotBookable(Conflict):
    code = "not_bookable"
    message = "This property is not published: it takes no visits."


class NotASlot(ApiError):
    """The start asked for is not a slot the property offers; `code` says why:
    in_the_past, inside_minimum_notice, beyond_horizon, outside_hours, off_grid."""

    status_code = 400
    code = "not_a_slot"
    message = "This time is not a slot of this property."


class OwnProperty(ApiError):
    status_code = 403
    code = "own_property"
    message = "A landlord does not visit their own property."


class PropertyNotFound(NotFound):
    code = "property_not_found"
    message = "No such property."


class VisitNotFound(NotFound):
    code = "visit_not_found"
    message = "No such visit."


class FeedNotFound(NotFound):
    code = "feed_not_found"
    message = "No such calendar feed."
